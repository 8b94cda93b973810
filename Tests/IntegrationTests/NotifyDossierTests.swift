import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// The whole path with real processes: a citizen submits to dossier-svc, an officer acts, and
/// dossier-svc's outbox relay delivers the events to notify-svc, which emails the citizen at
/// the address they set in their own account (aiosmtpd) and fills the inbox. The address typed
/// into the dossier's form is never mailed: anyone could type a third party's there.
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

    /// The three services as processes, notify-svc mailing through `smtp`.
    func withPlatform(_ body: (_ dossiers: RPCClient, _ notify: RPCClient, _ smtp: PythonSink) async throws -> Void) async throws {
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
                            try await body(dossiers, notify, smtp)
                        }
                    }
                }
            }
        }
    }

    @Test("submitted, received, supplement requested: three emails in Vietnamese to the citizen's own address, and three inbox messages")
    func dossierEventsReachTheCitizen() async throws {
        try await withPlatform { dossiers, notify, smtp in
            // The citizen's own address, from their account; the form names someone else's.
            try await NotifyTests.prefer(notify, citizen: Self.citizen, email: "cuong@example.vn")
            let dossier = try await submitAndAskForSupplement(dossiers, formEmail: "nguoi-khac@example.vn", key: "notify-e2e-1")
            try await checkMails(dossier, notify: notify, smtp: smtp)
        }
    }

    @Test("a dossier whose form names a third party's email and phone: nothing is sent there, the citizen's inbox has it all")
    func formContactsAreNeverMailed() async throws {
        try await withPlatform { dossiers, notify, smtp in
            let dossier = try await submitAndAskForSupplement(dossiers, formEmail: "nan-nhan@example.vn", key: "notify-e2e-2")
            // The inbox fills through the same outbox relay as the emails would: once it has all
            // three, any email would have been queued in the same transaction.
            var inbox = NotifyV1.ListInboxResponse()
            let deadline = ContinuousClock.now + .seconds(30)
            repeat {
                try await Task.sleep(for: .milliseconds(200))
                inbox = try await notify.unary(NotifyV1.NotifyService.listInbox, NotifyV1.ListInboxRequest(),
                                               options: options("citizen:\(Self.citizen)"))
            } while inbox.messages.count < 3 && ContinuousClock.now < deadline
            #expect(inbox.messages.count == 3 && inbox.messages.allSatisfy { $0.dossierId == dossier.id })
            try await Task.sleep(for: .seconds(1.5))
            #expect(smtp.files(".json").isEmpty, "an email left the platform for an address typed into a form")
            var request = NotifyV1.ListDeliveriesRequest()
            request.dossierId = dossier.id
            let deliveries = try await notify.unary(NotifyV1.NotifyService.listDeliveries, request,
                                                    options: options("system:dvcctl")).deliveries
            #expect(deliveries.allSatisfy { $0.channel == .inbox }, "\(deliveries.map { ($0.channel, $0.recipient) })")
        }
    }

    /// Submits a Phiếu lý lịch tư pháp request whose form gives `formEmail`, and takes it to a
    /// supplement request (submitted, received, processing, supplement requested).
    func submitAndAskForSupplement(_ dossiers: RPCClient, formEmail: String, key: String) async throws -> DossierV1.Dossier {
        var submit = DossierV1.SubmitDossierRequest()
        submit.agencyCode = Self.agency
        submit.procedureCode = Self.procedure
        submit.channel = .online
        submit.formData = [
            "ho_ten": "Trần Văn Cường", "gioi_tinh": "Nam", "ngay_sinh": "1990-05-17", "noi_sinh": "Hà Nội",
            "quoc_tich": "Việt Nam", "so_dinh_danh": Self.citizen, "noi_thuong_tru": "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội",
            "dien_thoai": "0912345678", "email": formEmail, "loai_phieu": "Phiếu số 1", "so_luong_phieu": "1",
        ]
        var upload = DossierV1.AttachmentUpload()
        upload.name = "to-khai.pdf"
        upload.content = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
        submit.attachments = [upload]
        var dossier = try await dossiers.unary(DossierV1.DossierService.submitDossier, submit,
                                               options: options("citizen:\(Self.citizen)", idempotencyKey: key)).dossier
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
        return dossier
    }

    func checkMails(_ dossier: DossierV1.Dossier, notify: RPCClient, smtp: PythonSink) async throws {
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
