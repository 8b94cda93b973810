import Foundation
import TestKit
import Testing

/// The platform on separate hosts: each service in a network namespace of its own with its own
/// address, joined by a bridge, and an agency system on another host driving a level-4 dossier
/// through the gateway with `dvcctl` (submission, reception, the fee paid at the provider's
/// host, approval, the result returned). Then dossier-svc's host is cut off (its cable pulled:
/// packets vanish, nothing is refused) and restored: calls that need it fail fast with
/// UNAVAILABLE while the rest keeps working, a submission refused meanwhile is retried with its
/// idempotency key and lands exactly once, nothing acknowledged is lost, and traffic resumes by
/// itself. Every hop between services is mutual TLS with certificates naming the hosts'
/// addresses (deploy/tls/make-ca.sh); the agency system reaches the gateway over TLS with its
/// API key. The times are printed.
@Suite(.timeLimit(.minutes(4)), .serialized) struct MultiHostTests {
    static let agencyCode = "000.01.20.H26"
    static let procedure = "1.001193"
    static let citizen = "citizen:001099012345"
    static let officer = "officer:cb01:receiver,processor,approver"
    static let secret = "bi-mat-nhieu-may-\(String(format: "%08x", UInt32.random(in: 0...UInt32.max)))"

    /// The agency system's side: `dvcctl call` on the agency host, its answer as JSON.
    struct AgencySystem {
        let hosts: NetworkHosts
        let gateway: String
        let key: String
        /// The platform CA, when the gateway serves TLS (it asks agency systems for no certificate).
        var tlsCA: String? = nil

        struct Answer {
            var status: Int32
            var json: [String: Any]
            var stderr: String
            var seconds: Double
        }

        func call(_ method: String, _ request: [String: Any], as person: String, idempotencyKey: String? = nil,
                  timeoutSeconds: Int = 10) async throws -> Answer {
            let body = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
            var arguments = ["call", gateway, method, body, "--compact", "--timeout", "\(timeoutSeconds)",
                             "-H", "authorization: \(key)", "-H", "x-dvc-on-behalf-of: \(person)"]
            if let idempotencyKey { arguments += ["-H", "idempotency-key: \(idempotencyKey)"] }
            if let tlsCA { arguments += ["--tls-ca", tlsCA] }
            let started = ContinuousClock.now
            let done = try await hosts.exec(on: "agency", try Executables.url("dvcctl"), arguments, timeout: .seconds(timeoutSeconds + 20))
            let elapsed = ContinuousClock.now - started
            let json = (try? JSONSerialization.jsonObject(with: Data(done.stdout.utf8))) as? [String: Any] ?? [:]
            return Answer(status: done.status, json: json, stderr: done.stderr,
                          seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }

        /// A call that must succeed.
        func ok(_ method: String, _ request: [String: Any], as person: String, idempotencyKey: String? = nil,
                sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
            let answer = try await call(method, request, as: person, idempotencyKey: idempotencyKey)
            guard answer.status == 0 else {
                throw TestFailure(description: "\(method) failed (exit \(answer.status)): \(answer.stderr)")
            }
            return answer.json
        }

        func act(_ dossier: [String: Any], _ action: String, _ extra: [String: Any] = [:]) async throws -> [String: Any] {
            var request: [String: Any] = ["dossierId": dossier["id"] ?? "", "action": action,
                                          "expectedVersion": dossier["version"] ?? "0"]
            request.merge(extra) { $1 }
            return try await ok("/dvc.gateway.v1.DossierService/Act", request, as: MultiHostTests.officer)
        }

        func dossier(_ id: String) async throws -> [String: Any] {
            try await ok("/dvc.gateway.v1.DossierService/GetDossier", ["id": id], as: MultiHostTests.officer)
        }

        func submission() -> [String: Any] {
            ["agencyCode": MultiHostTests.agencyCode, "procedureCode": MultiHostTests.procedure,
             "formData": Dictionary(uniqueKeysWithValues: CitizenPortalTests.goodForm),
             "attachments": [["name": "giay-chung-sinh.pdf", "content": PaymentFlowTests.pdf.base64EncodedString()]]]
        }
    }

    static func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }
    static func seconds(_ value: Duration) -> String {
        seconds(Double(value.components.seconds) + Double(value.components.attoseconds) / 1e18)
    }

    @Test("services on separate hosts: a level-4 dossier from an agency host; dossier-svc's host cut off and restored",
          .enabled(if: NetworkHosts.available, "network namespaces cannot be made here (they need root and iproute2's ip)"))
    func separateHosts() async throws {
        try await NetworkHosts.with(["catalog", "dossier", "payment", "notify", "gateway", "provider", "agency"]) { hosts in
        let a = hosts.address
        let ns = hosts.namespace
        let catalog = "\(a("catalog")):7001", dossier = "\(a("dossier")):7002", payment = "\(a("payment")):7003"
        let notify = "\(a("notify")):7004", gatewayRPC = "\(a("gateway")):7000", gatewayHTTP = "\(a("gateway")):7080"
        let provider = "http://\(a("provider")):7090"
        // Mutual TLS between the hosts: each service's certificate names its host's address.
        let tls = try makeTemporaryFolder("tls")
        let made = try await runToCompletion(repoRoot.appendingPathComponent("deploy/tls/make-ca.sh"), [tls.path,
            "catalog-svc=\(a("catalog"))", "dossier-svc=\(a("dossier"))", "payment-svc=\(a("payment"))",
            "notify-svc=\(a("notify"))", "gateway=\(a("gateway"))"])
        #expect(made.exited && made.status == 0, "make-ca.sh: \(made)")
        func certificate(_ service: String) -> [String] {
            ["--tls-cert", tls.appendingPathComponent("\(service).pem").path, "--tls-key", tls.appendingPathComponent("\(service).key").path,
             "--tls-ca", tls.appendingPathComponent("ca.pem").path]
        }
        func on(_ host: String, _ listen: String) throws -> [String] {
            ["--listen", listen, "--data-dir", try makeTemporaryFolder(host).path, "--log-format", "text"]
                + certificate(host == "gateway" ? "gateway" : "\(host)-svc")
        }

        try await withService("payment-sandbox", arguments: [
            "--listen", "\(a("provider")):7090", "--terminal-code", "DVCNHIEUMAY", "--ipn-url", "http://\(gatewayHTTP)/payment/vnpay/ipn",
        ], dataDirectory: try makeTemporaryFolder("provider"), environment: ["SANDBOX_HASH_SECRET": Self.secret], netns: ns("provider")) { _ in
        try await withService("catalog-svc", arguments: try on("catalog", catalog), netns: ns("catalog")) { _ in
        try await withService("notify-svc", arguments: try on("notify", notify), netns: ns("notify")) { _ in
        try await withService("dossier-svc", arguments: try on("dossier", dossier) + ["--catalog", catalog, "--notify", notify],
                              netns: ns("dossier")) { _ in
            let config = try makeTemporaryFolder("payment-config").appendingPathComponent("payment.env")
            try """
                vnpay_tmn_code=DVCNHIEUMAY
                vnpay_hash_secret=\(Self.secret)
                vnpay_pay_url=\(provider)/paymentv2/vpcpay.html
                vnpay_api_url=\(provider)/merchant_webapi/api/transaction
                """.write(to: config, atomically: true, encoding: .utf8)
        try await withService("payment-svc", arguments: try on("payment", payment) + [
            "--catalog", catalog, "--dossier", dossier, "--notify", notify, "--config", config.path,
        ], netns: ns("payment")) { _ in
            let gatewayData = try makeTemporaryFolder("gateway")
        try await withService("gateway", arguments: [
            "--listen", gatewayRPC, "--data-dir", gatewayData.path, "--log-format", "text", "--http", gatewayHTTP,
            "--catalog", catalog, "--dossier", dossier, "--payment", payment, "--notify", notify,
        ] + certificate("gateway"), dataDirectory: gatewayData, netns: ns("gateway")) { _ in
            let key = try await makeAPIKey(gatewayData: gatewayData, agency: Self.agencyCode, scopes: "citizens,officers")
            let agency = AgencySystem(hosts: hosts, gateway: gatewayRPC, key: key, tlsCA: tls.appendingPathComponent("ca.pem").path)

            // A level-4 dossier end to end, every hop between two hosts.
            let submitted = try await agency.ok("/dvc.gateway.v1.DossierService/SubmitDossier", agency.submission(),
                                                as: Self.citizen, idempotencyKey: "nhieu-may-1")
            var dossier = try #require(submitted["dossier"] as? [String: Any])
            let id = try #require(dossier["id"] as? String)
            dossier = try await agency.act(dossier, "ACTION_RECEIVE")
            dossier = try await agency.act(dossier, "ACTION_START_PROCESSING")
            dossier = try await agency.act(dossier, "ACTION_REQUEST_PAYMENT")
            let payment = try await agency.ok("/dvc.gateway.v1.PaymentService/CreatePayment", ["dossierId": id],
                                              as: Self.citizen, idempotencyKey: "tra-phi-1")
            let redirect = try #require(payment["redirectUrl"] as? String)
            #expect(redirect.hasPrefix("\(provider)/paymentv2/vpcpay.html?"))
            // The citizen's browser, on the agency's host, at the provider and back to the gateway.
            let browser = try await hosts.exec(on: "agency", URL(fileURLWithPath: "/usr/bin/curl"), [
                "-s", "-L", "-o", "/dev/null", "-w", "%{http_code} %{url_effective}", redirect])
            #expect(browser.stdout.hasPrefix("200 http://\(gatewayHTTP)/payment/vnpay/return?"), "\(browser)")
            var paid: [String: Any] = [:]
            for _ in 0..<100 {
                paid = try await agency.dossier(id)
                if paid["state"] as? String == "DOSSIER_STATE_PROCESSING" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(paid["state"] as? String == "DOSSIER_STATE_PROCESSING", "the payment never confirmed the dossier: \(paid)")
            dossier = try await agency.act(paid, "ACTION_APPROVE", ["resultNote": "Cấp Giấy khai sinh bản chính."])
            dossier = try await agency.act(dossier, "ACTION_RETURN_RESULT")
            #expect(dossier["state"] as? String == "DOSSIER_STATE_RESULT_RETURNED")

            // dossier-svc's host is cut off.
            try await hosts.cut("dossier")
            let cutAt = ContinuousClock.now
            let duringCut = try await agency.call("/dvc.gateway.v1.DossierService/GetDossier", ["id": id], as: Self.officer)
            #expect(duringCut.status == 15, "want UNAVAILABLE (exit 15) while dossier-svc is gone: \(duringCut.status) \(duringCut.stderr)")
            #expect(duringCut.seconds < 8, "a call for a vanished host took \(Self.seconds(duringCut.seconds)), its deadline is 10 s")
            let refused = try await agency.call("/dvc.gateway.v1.DossierService/SubmitDossier", agency.submission(),
                                                as: Self.citizen, idempotencyKey: "nhieu-may-2")
            #expect(refused.status == 15, "a submission while dossier-svc is gone: \(refused.status) \(refused.stderr)")
            #expect(refused.seconds < 8, "took \(Self.seconds(refused.seconds))")
            // What does not need dossier-svc keeps working.
            let search = try await agency.call("/dvc.gateway.v1.PublicService/SearchProcedures", ["query": "dang ky khai sinh"],
                                               as: Self.citizen)
            #expect(search.status == 0 && search.seconds < 3, "the catalog through the gateway during the cut: \(search.status) \(search.stderr)")

            // Restored: traffic resumes by itself; the refused submission, retried with its key, lands once.
            try await hosts.restore("dossier")
            let restoredAt = ContinuousClock.now
            var back: AgencySystem.Answer?
            while ContinuousClock.now - restoredAt < .seconds(30) {
                let answer = try await agency.call("/dvc.gateway.v1.DossierService/GetDossier", ["id": id], as: Self.officer, timeoutSeconds: 3)
                if answer.status == 0 { back = answer; break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let recovery = ContinuousClock.now - restoredAt
            #expect(back?.json["state"] as? String == "DOSSIER_STATE_RESULT_RETURNED", "dossier-svc never came back: \(String(describing: back))")
            let retried = try await agency.ok("/dvc.gateway.v1.DossierService/SubmitDossier", agency.submission(),
                                              as: Self.citizen, idempotencyKey: "nhieu-may-2")
            let again = try await agency.ok("/dvc.gateway.v1.DossierService/SubmitDossier", agency.submission(),
                                            as: Self.citizen, idempotencyKey: "nhieu-may-2")
            let retriedID = (retried["dossier"] as? [String: Any])?["id"] as? String
            #expect(retriedID != nil && retriedID == (again["dossier"] as? [String: Any])?["id"] as? String)
            let list = try await agency.ok("/dvc.gateway.v1.DossierService/ListDossiers", ["agencyCode": Self.agencyCode],
                                           as: Self.officer)
            let ids = (list["dossiers"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(Set(ids) == Set([id, retriedID ?? "?"]) && ids.count == 2, "acknowledged: \(id), \(retriedID ?? "?"); listed: \(ids)")
            print("""
                multi-host: 7 hosts (\(hosts.names.joined(separator: ", "))); level-4 dossier \(id) submitted, paid at the provider's host and returned.
                multi-host: dossier-svc's host cut: GetDossier failed UNAVAILABLE in \(Self.seconds(duringCut.seconds)), SubmitDossier in \
                \(Self.seconds(refused.seconds)); the catalog answered in \(Self.seconds(search.seconds)).
                multi-host: the cable was out \(Self.seconds(restoredAt - cutAt)); the first call succeeded \(Self.seconds(recovery)) after it was back; \
                the refused submission retried once landed once; dossiers listed: \(ids.count) of 2 acknowledged.
                """)
        }
        }
        }
        }
        }
        }
    }
    }
}
