import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// When a delivery cannot succeed: a mailbox the SMTP server refuses (550) and an SMS gateway
/// that refuses the key (401) fail at once, for good; a server that stays down fails the
/// delivery after max_attempts. Each attempt is in the delivery log; the inbox has the
/// message whatever happened to the other channels.
@Suite(.serialized, .timeLimit(.minutes(2))) struct NotifyFailureTests {
    func deliveries(_ client: RPCClient, dossier: String) async throws -> [NotifyV1.Delivery] {
        var request = NotifyV1.ListDeliveriesRequest()
        request.dossierId = dossier
        var options = NotifyTests.call
        options.metadata[CallerIdentity.metadataKey] = "system:dvcctl"
        return try await client.unary(NotifyV1.NotifyService.listDeliveries, request, options: options).deliveries
    }

    /// Polls the delivery log until `done` holds (or 10 s).
    func waitFor(_ client: RPCClient, dossier: String,
                 _ done: ([NotifyV1.Delivery]) -> Bool) async throws -> [NotifyV1.Delivery] {
        let deadline = ContinuousClock.now + .seconds(10)
        var last: [NotifyV1.Delivery] = []
        repeat {
            last = try await deliveries(client, dossier: dossier)
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < deadline
        return last
    }

    @Test("refused mailbox and refused SMS key: failed after one attempt; the inbox still has the message")
    func permanentRefusals() async throws {
        let smtp = try await PythonSink.start("smtp_sink.py", port: try freeLoopbackPort(), folder: try makeTemporaryFolder("mail"))
        let sms = try await PythonSink.start("sms_sink.py", port: try freeLoopbackPort(), folder: try makeTemporaryFolder("sms"),
                                             arguments: ["--api-key", "the-right-key"])
        defer { smtp.stop(); sms.stop() }
        let config = try NotifyTests.config([
            "smtp_host": "127.0.0.1", "smtp_port": "\(smtp.port)", "poll_ms": "100", "retry_initial_ms": "100",
            "sms_url": "http://127.0.0.1:\(sms.port)/v1/sms", "sms_api_key": "a-wrong-key",
        ])
        try await withService("notify-svc", extraArguments: ["--config", config]) { notify in
            try await withClient(notify) { client in
                let event = NotifyTests.dossierEvent("dossier.refused", dossierID: "hs-f1", receiptCode: "000.00.20.H26-261129-0200",
                                                     email: "khong-ton-tai@example.vn", phone: "0987654321")
                try await NotifyTests.prefer(client, email: "khong-ton-tai@example.vn", phone: "0987654321")
                _ = try await NotifyTests.deliver(client, event)
                let log = try await waitFor(client, dossier: "hs-f1") { rows in
                    rows.filter { $0.channel != .inbox }.allSatisfy { $0.state == .failed }
                }
                let email = try #require(log.first { $0.channel == .email })
                let text = try #require(log.first { $0.channel == .sms })
                #expect(email.state == .failed && email.attempts == 1)
                #expect(email.lastError.contains("550"), "the server's words: \(email.lastError)")
                #expect(text.state == .failed && text.attempts == 1)
                #expect(text.lastError.contains("HTTP 401"))
                #expect(email.log.map(\.result) == ["failed"])
                #expect(log.first { $0.channel == .inbox }?.state == .sent)
                #expect(smtp.files(".json").isEmpty && sms.files(".json").isEmpty)
            }
        }
    }

    @Test("an SMTP server that stays down: the delivery fails for good after max_attempts")
    func giveUpAfterMaxAttempts() async throws {
        let config = try NotifyTests.config([
            "smtp_host": "127.0.0.1", "smtp_port": "\(try freeLoopbackPort())", "poll_ms": "100",
            "retry_initial_ms": "100", "retry_max_ms": "200", "max_attempts": "3",
        ])
        try await withService("notify-svc", extraArguments: ["--config", config]) { notify in
            try await withClient(notify) { client in
                let event = NotifyTests.dossierEvent("dossier.approved", dossierID: "hs-f2", receiptCode: "000.00.20.H26-261129-0201",
                                                     email: "an@example.vn")
                try await NotifyTests.prefer(client, email: "an@example.vn")
                _ = try await NotifyTests.deliver(client, event)
                let log = try await waitFor(client, dossier: "hs-f2") { rows in
                    rows.first { $0.channel == .email }?.state == .failed
                }
                let email = try #require(log.first { $0.channel == .email })
                #expect(email.state == .failed && email.attempts == 3)
                #expect(email.log.map(\.result) == ["retry", "retry", "failed"])
                #expect(email.lastError.contains("cannot connect"))
            }
        }
    }

    @Test("SIGTERM while a hung SMTP server holds a delivery: exit 0 within the drain, the row is sent again after restart")
    func shutdownDuringAHungSend() async throws {
        let stalled = try await PythonSink.start("smtp_sink.py", port: try freeLoopbackPort(), folder: try makeTemporaryFolder("mail"),
                                                 arguments: ["--stall"])
        defer { stalled.stop() }
        let config = try NotifyTests.config([
            "smtp_host": "127.0.0.1", "smtp_port": "\(stalled.port)", "poll_ms": "100", "smtp_timeout_ms": "120000",
        ])
        let data = try makeTemporaryFolder("notify-hung").appendingPathComponent("data")
        let arguments = ServiceProcess.standardArguments(dataDirectory: data) + ["--config", config]
        let first = try await ServiceProcess.start("notify-svc", arguments: arguments, dataDirectory: data)
        try await withClient(first) { client in
            let event = NotifyTests.dossierEvent("dossier.received", dossierID: "hs-f3", receiptCode: "000.00.20.H26-261129-0202",
                                                 email: "an@example.vn")
            try await NotifyTests.prefer(client, email: "an@example.vn")
            _ = try await NotifyTests.deliver(client, event)
            let sending = try await waitFor(client, dossier: "hs-f3") { rows in
                rows.first { $0.channel == .email }?.state == .sending
            }
            #expect(sending.first { $0.channel == .email }?.state == .sending)
        }
        let started = ContinuousClock.now
        await first.stop(timeout: .seconds(15))
        #expect(ContinuousClock.now - started < .seconds(12), "the hung send is cut after the 3 s grace, not after smtp_timeout_ms (120 s)")

        try await withService("notify-svc", arguments: arguments, dataDirectory: data) { second in
            try await withClient(second) { client in
                let email = try #require(try await deliveries(client, dossier: "hs-f3").first { $0.channel == .email })
                #expect(email.log.contains { $0.detail.hasPrefix("interrupted") })
                #expect(email.state != .sent && email.state != .failed)
            }
        }
    }
}
