import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// The whole path with real processes: a citizen submits to dossier-svc, an officer acts, and
/// dossier-svc's outbox relay delivers the events to notify-svc, which emails the citizen at
/// the address in the dossier's form (aiosmtpd) and fills the inbox.
@Suite(.serialized, .timeLimit(.minutes(3))) struct NotifyDossierTests {
    static let citizen = "001099000555"
    static let agency = "000.00.07.H26"
    static let procedure = "HN-TP-001"  // Phiếu lý lịch tư pháp: its form asks for dien_thoai and email

    func options(_ identity: String, idempotencyKey: String? = nil) -> CallOptions {
        var options = NotifyTests.call
        options.metadata[CallerIdentity.metadataKey] = identity
        if let idempotencyKey { options.metadata[MetadataKey.idempotencyKey] = idempotencyKey }
        return options
    }

    /// "ngày 03 tháng 12 năm 2026" in UTC+7, as the citizen reads it.
    static func vietnameseDate(_ unixMs: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        let c = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(unixMs) / 1000))
        return String(format: "ngày %02d tháng %02d năm %d", c.day!, c.month!, c.year!)
    }

    @Test("submitted, received, supplement requested: three emails in Vietnamese and three inbox messages")
    func dossierEventsReachTheCitizen() async throws {
        let mailFolder = try makeTemporaryFolder("mail")
        let smtp = try await PythonSink.start("smtp_sink.py", port: try freeLoopbackPort(), folder: mailFolder)
        defer { smtp.stop() }
        let config = try NotifyTests.config(["smtp_host": "127.0.0.1", "smtp_port": "\(smtp.port)", "poll_ms": "100"])
        try await withService("catalog-svc") { catalogProcess in
            try await withService("notify-svc", extraArguments: ["--config", config]) { notifyProcess in
                try await withService("dossier-svc", extraArguments: [
                    "--catalog", catalogProcess.address.description, "--notify", notifyProcess.address.description,
                ]) { dossierProcess in
                    try await withClient(dossierProcess) { dossiers in
                        try await withClient(notifyProcess) { notify in
                            try await run(dossiers: dossiers, notify: notify, smtp: smtp)
                        }
                    }
                }
            }
        }
    }

    func run(dossiers: RPCClient, notify: RPCClient, smtp: PythonSink) async throws {
        var submit = DossierV1.SubmitDossierRequest()
        submit.agencyCode = Self.agency
        submit.procedureCode = Self.procedure
        submit.channel = .online
        submit.formData = [
            "ho_ten": "Trần Văn Cường", "gioi_tinh": "Nam", "ngay_sinh": "1990-05-17", "noi_sinh": "Hà Nội",
            "quoc_tich": "Việt Nam", "so_dinh_danh": Self.citizen, "noi_thuong_tru": "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội",
            "dien_thoai": "0912345678", "email": "cuong@example.vn", "loai_phieu": "Phiếu số 1", "so_luong_phieu": "1",
        ]
        var upload = DossierV1.AttachmentUpload()
        upload.name = "to-khai.pdf"
        upload.content = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
        submit.attachments = [upload]
        var dossier = try await dossiers.unary(DossierV1.DossierService.submitDossier, submit,
                                               options: options("citizen:\(Self.citizen)", idempotencyKey: "notify-e2e-1")).dossier
            ?? DossierV1.Dossier()

        func act(_ action: DossierV1.Action, as identity: String, missing: [String] = []) async throws {
            var request = DossierV1.ActRequest()
            request.dossierId = dossier.id
            request.action = action
            request.expectedVersion = dossier.version
            request.missingDocuments = missing
            dossier = try await dossiers.unary(DossierV1.DossierService.act, request, options: options(identity))
        }
        try await act(.receive, as: "officer:tn01@\(Self.agency):receiver")
        try await act(.startProcessing, as: "officer:xl01@\(Self.agency):processor")
        try await act(.requestSupplement, as: "officer:xl01@\(Self.agency):processor",
                      missing: ["Bản sao Căn cước công dân", "Giấy ủy quyền có chứng thực"])

        let files = try await smtp.waitForFiles(".json", count: 3, timeout: .seconds(30))
        try await Task.sleep(for: .seconds(1))
        #expect(smtp.files(".json").count == 3, "submitted, received, supplement requested; processing tells no one")
        let mails = try files.map { try ReceivedMail(eml: $0.deletingPathExtension().appendingPathExtension("eml"), envelope: $0) }
        let subjects = Set(mails.map { $0.decoded("Subject") })
        let code = dossier.receiptCode
        #expect(!code.isEmpty)
        #expect(subjects.contains("Hồ sơ \(code) đã được tiếp nhận — hẹn trả kết quả \(Self.vietnameseDate(dossier.appointmentAtUnixMs))"))
        #expect(subjects.contains("Hồ sơ \(code) cần bổ sung giấy tờ"))
        #expect(mails.allSatisfy { $0.recipients == ["cuong@example.vn"] })
        #expect(mails.allSatisfy { $0.body.hasPrefix("Kính gửi Trần Văn Cường,") })
        let supplement = try #require(mails.first { $0.decoded("Subject").hasSuffix("cần bổ sung giấy tờ") })
        #expect(supplement.body.contains("- Bản sao Căn cước công dân\r\n- Giấy ủy quyền có chứng thực"))

        let inbox = try await notify.unary(NotifyV1.NotifyService.listInbox, NotifyV1.ListInboxRequest(),
                                           options: options("citizen:\(Self.citizen)"))
        #expect(inbox.messages.count == 3 && inbox.messages.allSatisfy { $0.dossierId == dossier.id })
        #expect(inbox.messages.first?.kind == "dossier.supplement-requested", "newest first")
    }
}
