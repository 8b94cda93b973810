import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// A citizen's contact preferences through notify-svc's RPC: checked field by field, only
/// their own, and obeyed over the contacts written in the dossier's form.
@Suite(.serialized, .timeLimit(.minutes(2))) struct NotifyPreferencesTests {
    @Test("contact preferences over RPC: checked, the citizen's own, and obeyed over the form's contacts")
    func preferences() async throws {
        let mailFolder = try makeTemporaryFolder("mail")
        let smtp = try await PythonSink.start("smtp_sink.py", port: try freeLoopbackPort(), folder: mailFolder)
        defer { smtp.stop() }
        let config = try NotifyTests.config(["smtp_host": "127.0.0.1", "smtp_port": "\(smtp.port)", "poll_ms": "100"])
        try await withService("notify-svc", extraArguments: ["--config", config]) { notify in
            try await withClient(notify) { client in
                let citizen = NotifyTests.options("citizen:\(NotifyTests.citizen)")
                var set = NotifyV1.SetContactPreferencesRequest()
                set.phone = "12345"
                set.channels = .sms
                let bad = await rpcError { try await client.unary(NotifyV1.NotifyService.setContactPreferences, set, options: citizen) }
                #expect(bad?.code == .invalidArgument && bad?.violations.map(\.field) == ["phone"])
                let officer = await rpcError {
                    try await client.unary(NotifyV1.NotifyService.setContactPreferences, set,
                                           options: NotifyTests.options("officer:cb01@000.00.20.H26:receiver"))
                }
                #expect(officer?.code == .permissionDenied)

                set.phone = ""
                set.email = "ca-nhan@example.vn"
                set.channels = .email
                let stored = try await client.unary(NotifyV1.NotifyService.setContactPreferences, set, options: citizen)
                #expect(stored.stored && stored.email == "ca-nhan@example.vn")
                let other = try await client.unary(NotifyV1.NotifyService.getContactPreferences,
                                                   NotifyV1.GetContactPreferencesRequest(), options: NotifyTests.options("citizen:\(NotifyTests.other)"))
                #expect(!other.stored && other.email.isEmpty)

                // The preference wins over the email written in the form.
                _ = try await NotifyTests.deliver(client, NotifyTests.dossierEvent("dossier.received", dossierID: "hs-p1",
                                                                     receiptCode: "000.00.20.H26-261129-0300",
                                                                     email: "trong-to-khai@example.vn"))
                let first = try await smtp.waitForFiles(".json", count: 1)
                let mail = try ReceivedMail(eml: first[0].deletingPathExtension().appendingPathExtension("eml"), envelope: first[0])
                #expect(mail.recipients == ["ca-nhan@example.vn"])

                // Inbox only: nothing leaves the platform, the inbox still has it.
                set.channels = .inboxOnly
                _ = try await client.unary(NotifyV1.NotifyService.setContactPreferences, set, options: citizen)
                _ = try await NotifyTests.deliver(client, NotifyTests.dossierEvent("dossier.approved", dossierID: "hs-p1",
                                                                     receiptCode: "000.00.20.H26-261129-0300",
                                                                     email: "trong-to-khai@example.vn"))
                try await Task.sleep(for: .seconds(1))
                #expect(smtp.files(".json").count == 1)
                let inbox = try await client.unary(NotifyV1.NotifyService.listInbox, NotifyV1.ListInboxRequest(), options: citizen)
                #expect(inbox.messages.map(\.kind) == ["dossier.approved", "dossier.received"])
            }
        }
    }

    @Test("an agency system's key with the 'citizens' scope can neither read nor overwrite a citizen's contact preferences through the gateway")
    func agencyKeysDoNotReachContacts() async throws {
        try await withService("catalog-svc") { catalog in
            try await withService("notify-svc") { notifyProcess in
                try await withService("gateway", extraArguments: [
                    "--catalog", catalog.address.description, "--notify", notifyProcess.address.description,
                ]) { gatewayProcess in
                    let key = try await makeAPIKey(gatewayData: try #require(gatewayProcess.dataDirectory),
                                                   agency: "000.00.20.H26", scopes: "citizens,officers")
                    try await withClient(notifyProcess) { notify in
                        try await withClient(gatewayProcess) { gateway in
                            // The citizen's own choice, as their account sets it.
                            try await NotifyTests.prefer(notify, email: "chinh-chu@example.vn", phone: "0912 345 678")
                            var options = NotifyTests.call
                            options.metadata[MetadataKey.authorization] = key
                            options.metadata["x-dvc-on-behalf-of"] = "citizen:\(NotifyTests.citizen)"
                            let read = await rpcError {
                                try await gateway.unary(GatewayV1.InboxService.getContactPreferences,
                                                        NotifyV1.GetContactPreferencesRequest(), options: options)
                            }
                            #expect(read?.code == .permissionDenied, "\(String(describing: read))")
                            var overwrite = NotifyV1.SetContactPreferencesRequest()
                            overwrite.email = "ke-gian@example.vn"
                            overwrite.channels = .email
                            let written = await rpcError {
                                try await gateway.unary(GatewayV1.InboxService.setContactPreferences, overwrite, options: options)
                            }
                            #expect(written?.code == .permissionDenied, "\(String(describing: written))")
                            #expect(written?.message.contains("own account") == true, "\(written?.message ?? "")")
                            let stored = try await notify.unary(NotifyV1.NotifyService.getContactPreferences,
                                                                NotifyV1.GetContactPreferencesRequest(),
                                                                options: NotifyTests.options("citizen:\(NotifyTests.citizen)"))
                            #expect(stored.email == "chinh-chu@example.vn" && stored.phone == "+84912345678")
                            // The key still reaches the citizen's inbox at its agency.
                            _ = try await gateway.unary(GatewayV1.InboxService.listInbox, NotifyV1.ListInboxRequest(), options: options)
                        }
                    }
                }
            }
        }
    }
}
