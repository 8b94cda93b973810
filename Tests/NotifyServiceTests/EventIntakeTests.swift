import DVCProto
import Foundation
import GRDB
import Logging
import RPCCore
import Storage
import Testing

@testable import NotifyService

/// Events become notifications once: the dedup record, the inbox message and the queued
/// deliveries commit together.
@Suite struct EventIntakeTests {
    static let citizen = "001099000123"

    func intake() throws -> (EventIntake, ServiceDatabase) {
        let database = try ServiceDatabase.inMemory(migrations: NotifyServiceApp.migrations)
        try TemplateStore(database: database).seedDefaults()
        return (EventIntake(database: database, logger: Logger(label: "test"), queued: {}), database)
    }

    static func dossierEvent(_ type: String, id: String = UUID().uuidString, dossierID: String = "d-1",
                             edit: (inout DossierV1.Dossier) -> Void = { _ in }) -> EventsV1.Event {
        var dossier = DossierV1.Dossier()
        dossier.id = dossierID
        dossier.applicantId = citizen
        dossier.agencyCode = "000.00.20.H26"
        dossier.procedureCode = "1.001193"
        dossier.receiptCode = "000.00.20.H26-261129-0007"
        dossier.appointmentAtUnixMs = 1_796_000_000_000
        dossier.formData = ["ho_ten": "Nguyễn Thị Bình", "email": "binh@example.vn", "so_dien_thoai": "0912 345 678"]
        edit(&dossier)
        var body = DossierV1.DossierEvent()
        body.dossier = dossier
        var event = EventsV1.Event()
        event.id = id
        event.type = type
        event.aggregateId = dossierID
        event.source = "dossier-svc"
        event.occurredAtUnixMs = 1_795_000_000_000
        event.payload = body.protobufData
        return event
    }

    func count(_ sql: String, _ database: ServiceDatabase) throws -> Int {
        try database.sqliteRead { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    @Test func aRepeatedEventChangesNothing() async throws {
        let (intake, database) = try intake()
        let event = Self.dossierEvent("dossier.received")
        let first = try await intake.accept(event)
        guard case .notified(_, let channels) = first else { Issue.record("not notified: \(first)"); return }
        #expect(channels.isEmpty, "the form's email and phone are never used: the inbox only, without a stored preference")
        #expect(try await intake.accept(event) == .duplicate)
        #expect(try count("SELECT COUNT(*) FROM notification", database) == 1)
        #expect(try count("SELECT COUNT(*) FROM delivery", database) == 1)
        let row = try database.sqliteRead { db in try Row.fetchOne(db, sql: "SELECT * FROM notification")! }
        #expect((row["subject"] as String).contains("000.00.20.H26-261129-0007"))
        #expect((row["body"] as String).contains("Kính gửi Nguyễn Thị Bình"))
        #expect((row["body"] as String).contains("ngày 30 tháng 11 năm 2026"))
        let recipients = try await database.sqliteRead { db in try String.fetchAll(db, sql: "SELECT recipient FROM delivery ORDER BY channel") }
        #expect(recipients == ["citizen:\(Self.citizen)"])
    }

    @Test func theMissingListAndTheStoredPreferenceAreUsed() async throws {
        let (intake, database) = try intake()
        var preference = NotifyV1.SetContactPreferencesRequest()
        preference.email = "khac@example.vn"
        preference.channels = .email
        _ = try await ContactPreferenceStore(database: database).set(citizenID: Self.citizen, preference)
        let event = Self.dossierEvent("dossier.supplement-requested") {
            $0.missingDocuments = ["Bản sao giấy chứng sinh", "Tờ khai có chữ ký"]
        }
        guard case .notified(_, let channels) = try await intake.accept(event) else { Issue.record("not notified"); return }
        #expect(channels == [.email])
        let row = try database.sqliteRead { db in try Row.fetchOne(db, sql: "SELECT * FROM notification")! }
        #expect((row["body"] as String).contains("- Bản sao giấy chứng sinh\n- Tờ khai có chữ ký"))
        #expect((row["sms"] as String).contains("Bản sao giấy chứng sinh; Tờ khai có chữ ký"))
        #expect(try count("SELECT COUNT(*) FROM delivery WHERE recipient = 'khac@example.vn'", database) == 1)
    }

    @Test func aPaymentEventUsesWhatTheDossierEventsSaid() async throws {
        let (intake, database) = try intake()
        var preference = NotifyV1.SetContactPreferencesRequest()
        preference.email = "binh@example.vn"
        preference.phone = "0912 345 678"
        preference.channels = .both
        _ = try await ContactPreferenceStore(database: database).set(citizenID: Self.citizen, preference)
        _ = try await intake.accept(Self.dossierEvent("dossier.awaiting-payment"))
        var payment = PaymentV1.Payment()
        payment.dossierId = "d-1"
        payment.applicantId = Self.citizen
        payment.amountVnd = 1_250_000
        payment.receiptNumber = "BL/2026/000.00.20.H26-12"
        var body = PaymentV1.PaymentEvent()
        body.payment = payment
        var event = EventsV1.Event()
        event.id = UUID().uuidString
        event.type = "payment.paid"
        event.payload = body.protobufData
        guard case .notified(let id, let channels) = try await intake.accept(event) else { Issue.record("not notified"); return }
        #expect(channels == [.email, .sms])
        let row = try database.sqliteRead { db in try Row.fetchOne(db, sql: "SELECT * FROM notification WHERE id = ?", arguments: [id])! }
        #expect((row["subject"] as String) == "Đã nhận thanh toán 1.250.000 đồng cho hồ sơ 000.00.20.H26-261129-0007")
        #expect((row["body"] as String).contains("BL/2026/000.00.20.H26-12"))
    }

    /// Each step the citizen cares about says what matters in it.
    @Test(arguments: [
        ("dossier.refused", "Lý do: Không đủ điều kiện theo quy định"),
        ("dossier.not-received", "Lý do: Không đủ điều kiện theo quy định"),
        ("dossier.apology", "Lý do: Cần xác minh thêm tại địa phương\nNgày hẹn trả kết quả mới: ngày 30 tháng 11 năm 2026."),
        ("dossier.overdue", "trước ngày hẹn ngày 30 tháng 11 năm 2026"),
        ("dossier.approved", "Kết quả: Đã cấp Phiếu lý lịch tư pháp số 123"),
    ])
    func eachStepSaysWhatMatters(type: String, expected: String) async throws {
        let (intake, database) = try intake()
        var event = Self.dossierEvent(type) {
            $0.reason = "Không đủ điều kiện theo quy định"
            $0.resultNote = "Đã cấp Phiếu lý lịch tư pháp số 123"
        }
        if type == "dossier.apology" {
            var body = try DossierV1.DossierEvent(protobuf: event.payload)
            body.note = "Cần xác minh thêm tại địa phương"
            event.payload = body.protobufData
        }
        guard case .notified(let id, _) = try await intake.accept(event) else { Issue.record("not notified"); return }
        let row = try database.sqliteRead { db in try Row.fetchOne(db, sql: "SELECT * FROM notification WHERE id = ?", arguments: [id])! }
        let body: String = row["body"]
        #expect(body.contains(expected), "\(type): \(body)")
        for text in [row["subject"] as String, body, row["sms"] as String] {
            #expect(!text.contains("{{") && !text.contains("}}"))
        }
    }

    @Test func anEventWithoutATemplateIsRecordedAndTellsNoOne() async throws {
        let (intake, database) = try intake()
        let event = Self.dossierEvent("dossier.processing")
        #expect(try await intake.accept(event) == .ignored)
        #expect(try await intake.accept(event) == .duplicate)
        #expect(try count("SELECT COUNT(*) FROM notification", database) == 0)
    }

    @Test func aPayloadThatIsNotItsTypeIsRefusedAndNotRecorded() async throws {
        let (intake, database) = try intake()
        var event = Self.dossierEvent("dossier.received")
        event.payload = Data([0xFF, 0xFF, 0xFF])
        await #expect(throws: RPCError.self) { try await intake.accept(event) }
        #expect(try count("SELECT COUNT(*) FROM processed_events", database) == 0, "a later, fixed delivery is applied")
    }

    @Test func phoneNumbersBecomeE164() {
        #expect(ContactAddress.phone("0912 345 678") == "+84912345678")
        #expect(ContactAddress.phone("+84 912.345.678") == "+84912345678")
        #expect(ContactAddress.phone("84912345678") == "+84912345678")
        #expect(ContactAddress.phone("12345") == nil)
        #expect(ContactAddress.email("an@example.vn") == "an@example.vn")
        #expect(ContactAddress.email("an@example.vn>\r\nRCPT TO:<x@y.z") == nil)
    }
}
