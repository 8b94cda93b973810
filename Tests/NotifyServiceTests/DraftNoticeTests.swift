import DVCProto
import Foundation
import GRDB
import Logging
import RPCCore
import Storage
import Testing

@testable import NotifyService

/// dossier-svc's `draft.expiring` (docs/drafts.md): the owner's notice in Vietnamese with the
/// deletion's date, no dossier named, never an agency's webhook; a payload of another kind is
/// refused so the sender keeps it.
@Suite struct DraftNoticeTests {
    static func event(_ payload: Data, owner: String = EventIntakeTests.citizen) -> EventsV1.Event {
        var event = EventsV1.Event()
        event.id = UUID().uuidString
        event.type = "draft.expiring"
        event.aggregateId = "nhap-1"
        event.source = "dossier-svc"
        event.occurredAtUnixMs = 1_795_000_000_000
        event.payload = payload
        return event
    }

    static func draft(owner: String = EventIntakeTests.citizen) -> Data {
        var draft = DossierV1.Draft()
        draft.id = "nhap-1"
        draft.ownerId = owner
        draft.agencyCode = "000.01.20.H26"
        draft.procedureCode = "1.001193"
        draft.formData = ["nguoi_yeu_cau_ho_ten": "Nguyễn Văn An"]
        // 2026-11-27 10:00 UTC = 17:00 in Hà Nội.
        draft.expiresAtUnixMs = 1_795_773_600_000
        var body = DossierV1.DraftEvent()
        body.draft = draft
        return body.protobufData
    }

    @Test("the notice: the owner, the procedure, the agency and when, in Vietnamese; no dossier, no webhook")
    func notice() async throws {
        let (intake, database) = try EventIntakeTests().intake()
        let outcome = try await intake.accept(Self.event(Self.draft()))
        guard case .notified = outcome else { Issue.record("not notified: \(outcome)"); return }
        let row = try database.sqliteRead { db in try Row.fetchOne(db, sql: "SELECT * FROM notification")! }
        #expect(row["citizen_id"] as String == EventIntakeTests.citizen && row["dossier_id"] as String == "")
        #expect(row["subject"] as String == "Hồ sơ nháp của Ông/Bà sẽ bị xóa vào 17 giờ 00 phút, ngày 27 tháng 11 năm 2026")
        let body: String = row["body"]
        #expect(body.hasPrefix("Kính gửi Nguyễn Văn An,") && body.contains("thủ tục 1.001193 (cơ quan 000.01.20.H26)"), "\(body)")
        let sms: String = row["sms"]
        #expect(sms.hasPrefix("DVC: Ho so nhap thu tuc 1.001193 se bi xoa vao 17 giờ 00 phút"), "\(sms)")
        // The template's own SMS text is without diacritics, like the others (one GSM-7 segment).
        let template = try #require(DefaultTemplates.all.first { $0.key == "draft.expiring" })
        #expect(template.sms.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(try await database.sqliteRead { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_delivery") } == 0)
    }

    @Test("a payload that is not a DraftEvent, or one naming no owner: INVALID_ARGUMENT, nothing recorded")
    func refusals() async throws {
        let (intake, database) = try EventIntakeTests().intake()
        let garbage = try await #require(throws: RPCError.self) { try await intake.accept(Self.event(Data([0xFF, 0xFF, 0xFF]))) }
        #expect(garbage.code == .invalidArgument && garbage.violations.map(\.field) == ["payload"])
        let ownerless = try await #require(throws: RPCError.self) { try await intake.accept(Self.event(Self.draft(owner: ""))) }
        #expect(ownerless.code == .invalidArgument && ownerless.violations.map(\.field) == ["payload.draft.owner_id"])
        #expect(try await database.sqliteRead { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notification") } == 0)
    }
}
