import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// STARTTLS against aiosmtpd that requires it, with a certificate from a test CA made with
/// openssl: the email arrives over TLS when notify-svc trusts the CA, and is never sent in
/// clear (nor at all) when it does not.
@Suite(.serialized, .timeLimit(.minutes(2))) struct NotifyTLSTests {
    /// A CA and a server certificate for 127.0.0.1 and localhost, in `folder`.
    static func makeCertificates(in folder: URL) async throws {
        guard let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first(where: FileManager.default.isExecutableFile) else {
            throw TestFailure(description: "openssl was not found; scripts/install-deps.sh installs it")
        }
        let url = URL(fileURLWithPath: openssl)
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(to: folder.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=DVC Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "server.ext"],
        ]
        for step in steps {
            let run = try await runToCompletion(url, step, in: folder)
            guard run.exited && run.status == 0 else { throw TestFailure(description: "openssl \(step[0]) failed: \(run)") }
        }
    }

    @Test("STARTTLS: sent over TLS to a server whose certificate is trusted; never in clear to one that is not")
    func startTLS() async throws {
        let certificates = try makeTemporaryFolder("notify-tls")
        try await Self.makeCertificates(in: certificates)
        let mailFolder = try makeTemporaryFolder("mail")
        let smtp = try await PythonSink.start(
            "smtp_sink.py", port: try freeLoopbackPort(), folder: mailFolder,
            arguments: ["--tls-cert", certificates.appendingPathComponent("server.pem").path,
                        "--tls-key", certificates.appendingPathComponent("server.key").path])
        defer { smtp.stop() }
        let base = ["smtp_host": "127.0.0.1", "smtp_port": "\(smtp.port)", "poll_ms": "100",
                    "retry_initial_ms": "200", "retry_max_ms": "400", "max_attempts": "100"]

        // Without the test CA the handshake's certificate check fails: retried, nothing sent.
        try await withService("notify-svc", extraArguments: ["--config", try NotifyTests.config(base)]) { notify in
            try await withClient(notify) { client in
                let event = NotifyTests.dossierEvent("dossier.received", dossierID: "hs-t0", receiptCode: "000.00.20.H26-261129-0100",
                                                     email: "tls0@example.vn")
                try await NotifyTests.prefer(client, email: "tls0@example.vn")
                _ = try await NotifyTests.deliver(client, event)
                try await Task.sleep(for: .seconds(1.5))
                var request = NotifyV1.ListDeliveriesRequest()
                request.dossierId = "hs-t0"
                var options = NotifyTests.call
                options.metadata[CallerIdentity.metadataKey] = "system:dvcctl"
                // Retried every few hundred ms: a look may catch it `sending`; look again then.
                var email: NotifyV1.Delivery?
                for _ in 0..<20 {
                    email = try await client.unary(NotifyV1.NotifyService.listDeliveries, request, options: options)
                        .deliveries.first { $0.channel == .email }
                    if email?.state == .pending { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(email?.state == .pending && (email?.attempts ?? 0) >= 1, "\(String(describing: email))")
                #expect(email?.lastError.isEmpty == false)
                #expect(smtp.files(".json").isEmpty, "nothing went in clear")
            }
        }

        var trusted = base
        trusted["smtp_tls_ca_file"] = certificates.appendingPathComponent("ca.pem").path
        try await withService("notify-svc", extraArguments: ["--config", try NotifyTests.config(trusted)]) { notify in
            try await withClient(notify) { client in
                let event = NotifyTests.dossierEvent("dossier.received", dossierID: "hs-t1", receiptCode: "000.00.20.H26-261129-0101",
                                                     email: "tls1@example.vn")
                try await NotifyTests.prefer(client, email: "tls1@example.vn")
                _ = try await NotifyTests.deliver(client, event)
                let mails = try await smtp.waitForFiles(".json", count: 1)
                let envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: mails[0])) as? [String: Any]
                #expect(envelope?["tls"] as? Bool == true)
                let mail = try ReceivedMail(eml: mails[0].deletingPathExtension().appendingPathExtension("eml"), envelope: mails[0])
                #expect(mail.recipients == ["tls1@example.vn"])
                #expect(mail.decoded("Subject").hasPrefix("Hồ sơ 000.00.20.H26-261129-0101 đã được tiếp nhận"))
            }
        }
    }
}
