import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// notify-svc as a real process with a real SMTP server (aiosmtpd, Tests/python/smtp_sink.py)
/// and an SMS gateway stand-in (sms_sink.py) on loopback: events become one email, one SMS
/// and one inbox message however often they are delivered; an SMTP outage only delays the
/// email; a SIGKILL in the middle of the queue loses and repeats nothing.
@Suite(.serialized, .timeLimit(.minutes(3))) struct NotifyTests {
    static let citizen = "001099000777"
    static let other = "001099000888"
    static let call = CallOptions(timeout: .seconds(10))
    static let apiKey = "test-sms-key"

    static func options(_ identity: String?) -> CallOptions {
        var options = call
        if let identity { options.metadata[CallerIdentity.metadataKey] = identity }
        return options
    }

    /// A dossier event as dossier-svc's outbox sends it.
    /// The form's `email` (and `so_dien_thoai`) are what a citizen typed into the form: notify-svc
    /// sends nothing there (docs/notify.md); the citizen's own preference (`prefer`) decides.
    static func dossierEvent(_ type: String, dossierID: String, receiptCode: String, email: String,
                             phone: String? = nil, missing: [String] = [], citizen: String = citizen) -> EventsV1.Event {
        var dossier = DossierV1.Dossier()
        dossier.id = dossierID
        dossier.applicantId = citizen
        dossier.agencyCode = "000.00.20.H26"
        dossier.procedureCode = "1.001193"
        dossier.receiptCode = receiptCode
        dossier.state = .received
        dossier.appointmentAtUnixMs = 1_796_000_000_000  // 30/11/2026 07:53 in UTC+7
        dossier.missingDocuments = missing
        dossier.formData = ["ho_ten": "Nguyễn Thị Bình", "email": email]
        if let phone { dossier.formData["so_dien_thoai"] = phone }
        var body = DossierV1.DossierEvent()
        body.dossier = dossier
        body.action = .receive
        var event = EventsV1.Event()
        event.id = UUID().uuidString.lowercased()
        event.type = type
        event.aggregateId = dossierID
        event.source = "dossier-svc"
        event.occurredAtUnixMs = 1_795_900_000_000
        event.payload = body.protobufData
        return event
    }

    /// A config file for notify-svc (KEY=VALUE lines).
    static func config(_ lines: [String: String]) throws -> String {
        let url = try makeTemporaryFolder("notify-config").appendingPathComponent("notify.conf")
        let text = lines.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n") + "\n"
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The citizen sets where to be reached, as the gateway forwards it for a citizen signed in
    /// to their own account: the only contacts notify-svc mails or texts.
    static func prefer(_ client: RPCClient, citizen: String = citizen, email: String, phone: String? = nil) async throws {
        var set = NotifyV1.SetContactPreferencesRequest()
        set.email = email
        set.phone = phone ?? ""
        set.channels = phone == nil ? .email : .both
        _ = try await client.unary(NotifyV1.NotifyService.setContactPreferences, set, options: options("citizen:\(citizen)"))
    }

    static func deliver(_ client: RPCClient, _ event: EventsV1.Event) async throws -> Bool {
        try await client.unary(EventsV1.EventSink.deliver, event, options: call).duplicate
    }

    func deliveries(_ client: RPCClient, dossier: String) async throws -> [NotifyV1.Delivery] {
        var request = NotifyV1.ListDeliveriesRequest()
        request.dossierId = dossier
        return try await client.unary(NotifyV1.NotifyService.listDeliveries, request, options: Self.options("system:dvcctl")).deliveries
    }

    @Test("an event delivered twice: one email, one SMS, one inbox message only its citizen reads")
    func oneEventTwice() async throws {
        let mailFolder = try makeTemporaryFolder("mail")
        let smsFolder = try makeTemporaryFolder("sms")
        let smtp = try await PythonSink.start("smtp_sink.py", port: try freeLoopbackPort(), folder: mailFolder)
        let sms = try await PythonSink.start("sms_sink.py", port: try freeLoopbackPort(), folder: smsFolder,
                                             arguments: ["--api-key", Self.apiKey])
        defer { smtp.stop(); sms.stop() }
        let config = try Self.config([
            "smtp_host": "127.0.0.1", "smtp_port": "\(smtp.port)", "mail_from": "khong-tra-loi@dichvucong.example.vn",
            "sms_url": "http://127.0.0.1:\(sms.port)/v1/sms", "sms_api_key": Self.apiKey, "poll_ms": "100",
        ])
        try await withService("notify-svc", extraArguments: ["--config", config]) { notify in
            try await withClient(notify) { client in
                let event = Self.dossierEvent("dossier.received", dossierID: "hs-1", receiptCode: "000.00.20.H26-261129-0042",
                                              email: "binh@example.vn", phone: "0912 345 678")
                try await Self.prefer(client, email: "binh@example.vn", phone: "0912 345 678")
                #expect(try await Self.deliver(client, event) == false)
                #expect(try await Self.deliver(client, event) == true, "the repeat is recognised")

                let mails = try await smtp.waitForFiles(".json", count: 1)
                let texts = try await sms.waitForFiles(".json", count: 1)
                try await Task.sleep(for: .seconds(1))  // time for a wrong second copy to show up
                #expect(smtp.files(".json").count == 1 && sms.files(".json").count == 1)
                let mail = try ReceivedMail(eml: mails[0].deletingPathExtension().appendingPathExtension("eml"), envelope: mails[0])
                #expect(mail.recipients == ["binh@example.vn"])
                #expect(mail.headers["to"] == "<binh@example.vn>")
                #expect(sameBytes(mail.decoded("Subject"),
                                  "Hồ sơ 000.00.20.H26-261129-0042 đã được tiếp nhận — hẹn trả kết quả ngày 30 tháng 11 năm 2026"))
                #expect(mail.decoded("From") == "Dịch vụ công trực tuyến <khong-tra-loi@dichvucong.example.vn>")
                #expect(mail.headers["content-type"] == "text/plain; charset=UTF-8")
                #expect(mail.headers["mime-version"] == "1.0")
                #expect(mail.headers["message-id"]?.hasSuffix("@dichvucong.example.vn>") == true)
                #expect(mail.headers["date"]?.hasSuffix("+0700") == true)
                #expect(mail.body.hasPrefix("Kính gửi Nguyễn Thị Bình,\r\n"))
                #expect(mail.body.contains("Ngày hẹn trả kết quả: ngày 30 tháng 11 năm 2026."))

                let text = try JSONSerialization.jsonObject(with: Data(contentsOf: texts[0])) as? [String: Any]
                let smsBody = text?["body"] as? [String: Any]
                let smsHeaders = text?["headers"] as? [String: String]
                #expect(smsBody?["to"] as? String == "+84912345678")
                #expect((smsBody?["text"] as? String)?.contains("000.00.20.H26-261129-0042") == true)
                #expect(smsHeaders?["x-api-key"] == Self.apiKey)
                #expect(smsHeaders?["idempotency-key"]?.isEmpty == false)

                // The delivery log: sent, with the provider's ids.
                let log = try await deliveries(client, dossier: "hs-1")
                #expect(log.count == 3)
                #expect(log.allSatisfy { $0.state == .sent })
                #expect(log.first { $0.channel == .sms }?.providerMessageId == "sms-0001")
                #expect(log.first { $0.channel == .email }?.providerMessageId == mail.headers["message-id"])

                // The inbox: the citizen's own, from the identity, never from the request.
                let inbox = try await client.unary(NotifyV1.NotifyService.listInbox, NotifyV1.ListInboxRequest(),
                                                   options: Self.options("citizen:\(Self.citizen)"))
                #expect(inbox.messages.count == 1 && inbox.unreadCount == 1)
                let message = try #require(inbox.messages.first)
                #expect(message.subject.contains("000.00.20.H26-261129-0042") && !message.read && message.dossierId == "hs-1")
                let theirs = try await client.unary(NotifyV1.NotifyService.listInbox, NotifyV1.ListInboxRequest(),
                                                    options: Self.options("citizen:\(Self.other)"))
                #expect(theirs.messages.isEmpty)
                var mark = NotifyV1.MarkReadRequest()
                mark.messageId = message.id
                let stranger = await rpcError {
                    try await client.unary(NotifyV1.NotifyService.markRead, mark, options: Self.options("citizen:\(Self.other)"))
                }
                #expect(stranger?.code == .notFound)
                let anonymous = await rpcError {
                    try await client.unary(NotifyV1.NotifyService.listInbox, NotifyV1.ListInboxRequest(), options: Self.options(nil))
                }
                #expect(anonymous?.code == .unauthenticated)
                _ = try await client.unary(NotifyV1.NotifyService.markRead, mark, options: Self.options("citizen:\(Self.citizen)"))
                let after = try await client.unary(NotifyV1.NotifyService.listInbox, NotifyV1.ListInboxRequest(),
                                                   options: Self.options("citizen:\(Self.citizen)"))
                #expect(after.messages.first?.read == true && after.unreadCount == 0)

                // The fee paid: amount and receipt number, to the contacts the dossier's form gave.
                var payment = PaymentV1.Payment()
                payment.id = "tt-1"
                payment.dossierId = "hs-1"
                payment.applicantId = Self.citizen
                payment.amountVnd = 1_250_000
                payment.state = .paid
                payment.receiptNumber = "BL/2026/000.00.20.H26-17"
                var body = PaymentV1.PaymentEvent()
                body.payment = payment
                var paid = EventsV1.Event()
                paid.id = UUID().uuidString.lowercased()
                paid.type = "payment.paid"
                paid.aggregateId = "tt-1"
                paid.source = "payment-svc"
                paid.payload = body.protobufData
                #expect(try await Self.deliver(client, paid) == false)
                #expect(try await Self.deliver(client, paid) == true)
                let both = try await smtp.waitForFiles(".json", count: 2)
                #expect(try await sms.waitForFiles(".json", count: 2).count == 2)
                try await Task.sleep(for: .seconds(1))
                #expect(smtp.files(".json").count == 2 && sms.files(".json").count == 2)
                let receipt = try ReceivedMail(eml: both[1].deletingPathExtension().appendingPathExtension("eml"), envelope: both[1])
                #expect(receipt.recipients == ["binh@example.vn"])
                #expect(receipt.decoded("Subject") == "Đã nhận thanh toán 1.250.000 đồng cho hồ sơ 000.00.20.H26-261129-0042")
                #expect(receipt.body.contains("Số biên lai điện tử: BL/2026/000.00.20.H26-17."))
            }
        }
    }

    @Test("templates: an admin saves a new version, a bad placeholder is refused naming the field, a citizen cannot edit")
    func templatesOverRPC() async throws {
        try await withService("notify-svc") { notify in
            try await withClient(notify) { client in
                var put = NotifyV1.PutTemplateRequest()
                put.key = "dossier.approved"
                put.subject = "Kết quả hồ sơ {{ma_ho_so}}"
                put.body = "Kết quả: {{ket_qua}} {{khong_co}}"
                put.sms = "KQ {{ma_ho_so}}"
                let admin = Self.options("officer:cb01@000.00.20.H26:notify-admin")
                let refused = await rpcError { try await client.unary(NotifyV1.NotifyService.putTemplate, put, options: admin) }
                #expect(refused?.code == .invalidArgument)
                #expect(refused?.violations.map(\.field) == ["body"])
                put.body = "Kết quả: {{ket_qua}}"
                let citizen = await rpcError {
                    try await client.unary(NotifyV1.NotifyService.putTemplate, put, options: Self.options("citizen:\(Self.citizen)"))
                }
                #expect(citizen?.code == .permissionDenied)
                let saved = try await client.unary(NotifyV1.NotifyService.putTemplate, put, options: admin)
                #expect(saved.version == 2)
                var tool = Self.options("system:dvcctl")
                let unnamed = await rpcError { try await client.unary(NotifyV1.NotifyService.putTemplate, put, options: tool) }
                #expect(unnamed?.code == .unauthenticated)
                tool.metadata["x-dvc-actor"] = "nguyen.van.a"
                let byTool = try await client.unary(NotifyV1.NotifyService.putTemplate, put, options: tool)
                #expect(byTool.version == 3 && byTool.updatedBy == "nguyen.van.a (system:dvcctl)")
                var get = NotifyV1.GetTemplateRequest()
                get.key = "dossier.approved"
                #expect(try await client.unary(NotifyV1.NotifyService.getTemplate, get, options: admin).subject == put.subject)
            }
        }
    }

    @Test("the SMTP server down, then back: the email arrives once, late")
    func smtpDownThenBack() async throws {
        let mailFolder = try makeTemporaryFolder("mail")
        let port = try freeLoopbackPort()
        let config = try Self.config([
            "smtp_host": "127.0.0.1", "smtp_port": "\(port)", "poll_ms": "100",
            "retry_initial_ms": "200", "retry_max_ms": "800", "max_attempts": "100",
        ])
        try await withService("notify-svc", extraArguments: ["--config", config]) { notify in
            try await withClient(notify) { client in
                let event = Self.dossierEvent("dossier.supplement-requested", dossierID: "hs-2", receiptCode: "000.00.20.H26-261129-0043",
                                              email: "an@example.vn", missing: ["Bản sao giấy chứng sinh"])
                try await Self.prefer(client, email: "an@example.vn")
                #expect(try await Self.deliver(client, event) == false)
                // Nobody listens yet: the attempts fail and are rescheduled.
                var email: NotifyV1.Delivery?
                let deadline = ContinuousClock.now + .seconds(10)
                repeat {
                    try await Task.sleep(for: .milliseconds(200))
                    email = try await deliveries(client, dossier: "hs-2").first { $0.channel == .email }
                } while (email?.attempts ?? 0) < 2 && ContinuousClock.now < deadline
                #expect(email?.state == .pending && (email?.attempts ?? 0) >= 2)
                #expect(email?.lastError.contains("cannot connect") == true)

                let smtp = try await PythonSink.start("smtp_sink.py", port: port, folder: mailFolder)
                defer { smtp.stop() }
                let mails = try await smtp.waitForFiles(".json", count: 1)
                try await Task.sleep(for: .seconds(1.5))
                #expect(smtp.files(".json").count == 1)
                let mail = try ReceivedMail(eml: mails[0].deletingPathExtension().appendingPathExtension("eml"), envelope: mails[0])
                #expect(mail.decoded("Subject") == "Hồ sơ 000.00.20.H26-261129-0043 cần bổ sung giấy tờ")
                #expect(mail.body.contains("- Bản sao giấy chứng sinh"))
                let sent = try await deliveries(client, dossier: "hs-2").first { $0.channel == .email }
                #expect(sent?.state == .sent)
                #expect(sent?.log.filter { $0.result == "retry" }.count ?? 0 >= 2)
                #expect(sent?.log.last?.result == "sent")
            }
        }
    }

    @Test("notify-svc SIGKILLed mid-queue and restarted: every email arrives exactly once")
    func killedMidQueue() async throws {
        let mailFolder = try makeTemporaryFolder("mail")
        let port = try freeLoopbackPort()
        let config = try Self.config([
            "smtp_host": "127.0.0.1", "smtp_port": "\(port)", "poll_ms": "100",
            "retry_initial_ms": "200", "retry_max_ms": "500", "max_attempts": "100",
        ])
        let data = try makeTemporaryFolder("notify-kill").appendingPathComponent("data")
        let arguments = ServiceProcess.standardArguments(dataDirectory: data) + ["--config", config]
        func event(_ n: Int) -> EventsV1.Event {
            Self.dossierEvent("dossier.received", dossierID: "hs-k\(n)", receiptCode: "000.00.20.H26-261129-\(1000 + n)",
                              email: "cong-dan-\(n)@example.vn", citizen: "0010990001\(10 + n)")
        }
        let events = (0..<10).map(event)

        var smtp = try await PythonSink.start("smtp_sink.py", port: port, folder: mailFolder)
        let first = try await ServiceProcess.start("notify-svc", arguments: arguments, dataDirectory: data)
        try await withClient(first) { client in
            for n in 0..<10 { try await Self.prefer(client, citizen: "0010990001\(10 + n)", email: "cong-dan-\(n)@example.vn") }
            for event in events[0..<5] { #expect(try await Self.deliver(client, event) == false) }
            #expect(try await smtp.waitForFiles(".json", count: 5).count == 5)
            // The relay goes down; five more are acknowledged and wait in the queue, retrying.
            smtp.stop()
            for event in events[5...] { #expect(try await Self.deliver(client, event) == false) }
            try await Task.sleep(for: .milliseconds(600))
        }
        first.forceKill()

        let second = try await ServiceProcess.start("notify-svc", arguments: arguments, dataDirectory: data)
        try await withClient(second) { client in
            // What was acknowledged before the kill is remembered: repeats change nothing.
            #expect(try await Self.deliver(client, events[0]) == true)
            #expect(try await Self.deliver(client, events[9]) == true)
            smtp = try await PythonSink.start("smtp_sink.py", port: port, folder: mailFolder)
            let mails = try await smtp.waitForFiles(".json", count: 10)
            try await Task.sleep(for: .seconds(1.5))
            #expect(smtp.files(".json").count == 10, "ten events, ten emails: none lost, none repeated")
            let received = try mails.map { try ReceivedMail(eml: $0.deletingPathExtension().appendingPathExtension("eml"), envelope: $0) }
            #expect(Set(received.flatMap(\.recipients)) == Set((0..<10).map { "cong-dan-\($0)@example.vn" }))
            #expect(Set(received.compactMap { $0.headers["message-id"] }).count == 10)
        }
        smtp.stop()
        await second.stop()
    }
}
