import Foundation
import TestKit
import Testing

/// Sign-in with the national electronic identity over OpenID Connect, end to end: a real
/// provider (django-oauth-toolkit, configured in Tests/python/oidc_provider and started once
/// here on loopback), catalog-svc, dossier-svc and the gateway as real processes, and
/// Tests/python/oidc_flow.py driving headless Chromium and plain HTTP against them — sign-in on
/// the provider's page, a dossier submitted, sign-out at the provider too; replayed callbacks and
/// codes, other browsers' and made-up states, the provider's error, an invalid number claim
/// refused with no session; linking; the provider's key rotation (docs/identity.md).
///
/// Screenshots in `.build/test-artifacts/vneid/` (or `$DVC_TEST_ARTIFACTS/vneid/`).
@Suite(.timeLimit(.minutes(3))) struct NationalIdentityBrowserTests {
    static let clientID = "cong-dvc-thu-nghiem"
    static let clientSecret = "bi-mat-cua-cong-\(UUID().uuidString.prefix(8))"

    /// The provider, started and waited for; `body` gets its address (the issuer is it + /o).
    static func withProvider(users: [String], _ body: (String) async throws -> Void) async throws {
        let python = try #require(PythonClientTests.python3(), "python3 is needed (scripts/install-deps.sh)")
        let folder = try makeTemporaryFolder("oidc-provider")
        let child = try ChildProcess(python, [
            repoRoot.appendingPathComponent("Tests/python/oidc_provider/serve.py").path, "--dir", folder.path,
            "--client-id", clientID, "--client-secret", clientSecret,
            // Any loopback port (RFC 8252 §7.3): the gateway's port is chosen when it starts.
            "--redirect-uri", "http://127.0.0.1/dang-nhap/vneid/ve", "--post-logout-uri", "http://127.0.0.1/",
        ] + users.flatMap { ["--user", $0] }, outputFolder: folder)
        defer { child.forceKill() }
        let address: String
        do {
            address = try await child.waitForLine(timeout: .seconds(30), what: "`listening on`") { line in
                line.range(of: "listening on ").map { String(line[$0.upperBound...]).trimmingCharacters(in: .whitespaces) }
            }
        } catch let failure as TestFailure {
            throw TestFailure(description: "the OpenID Connect provider did not start (is django-oauth-toolkit installed? scripts/install-deps.sh).\n\(failure)")
        }
        try await body(address)
    }

    @Test("VNeID sign-in through a real provider in headless Chromium, a dossier submitted, sign-out at the provider; every forged or replayed answer refused with no session; linking; key rotation")
    func signInWithTheNationalIdentity() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            Issue.record("\(tool) is missing: scripts/install-deps.sh installs chromium and chromium-driver")
            return
        }
        let python = try #require(PythonClientTests.python3())
        let users = ["001099012345:mat-khau-an:Nguyễn Văn An", "khong-hop-le:mat-khau-sai:Không Hợp Lệ",
                     "001099067890:mat-khau-cuc:Lê Thị Cúc", "001099054321:mat-khau-dung:Phạm Văn Dũng"]
        try await Self.withProvider(users: users) { provider in
            let config = try NotifyTests.config([
                "oidc_issuer": provider + "/o", "oidc_client_id": Self.clientID, "oidc_client_secret": Self.clientSecret,
                "oidc_id_claim": "so_dinh_danh",
                // Every unknown key id refetches the keys at once: the rotation below is immediate.
                "oidc_keys_refetch_seconds": "0",
            ])
            try await withHTTPGateway(gatewayArguments: ["--config", config]) { platform in
                let shots = (ProcessInfo.processInfo.environment["DVC_TEST_ARTIFACTS"].map { URL(fileURLWithPath: $0) }
                    ?? repoRoot.appendingPathComponent(".build/test-artifacts")).appendingPathComponent("vneid")
                try? FileManager.default.removeItem(at: shots)
                let attachment = try makeTemporaryFolder("vneid").appendingPathComponent("giay-chung-sinh.pdf")
                try CitizenPortalTests.pdf.write(to: attachment)
                let run = try await runToCompletion(python, [
                    repoRoot.appendingPathComponent("Tests/python/oidc_flow.py").path,
                    "--portal", platform.root, "--provider", provider, "--shots", shots.path, "--attachment", attachment.path,
                    "--citizen-id", "001099012345", "--citizen-password", "mat-khau-an",
                    "--bad-user", "khong-hop-le", "--bad-password", "mat-khau-sai",
                    "--linked-id", "001099067890", "--linked-password", "mat-khau-cuc",
                    "--owner-id", "001099054321", "--owner-password", "mat-khau-dung",
                    "--local-password", "Mat khau cua cong 2026",
                ], timeout: .seconds(120))
                let report = try #require(try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                                          "the flow printed no report: \(run)")
                try #require(run.exited && run.status == 0, "the flow failed: \(report["failure"] ?? run)")
                #expect(report["signed_in_as"] as? String == "001099012345")
                #expect((report["dossier_path"] as? String)?.hasPrefix("/ho-so/") == true)
                #expect(report["signed_out_of_provider"] as? Bool == true)
                #expect(report["replayed_callback"] as? Int == 403 && report["replayed_code"] as? Int == 403)
                #expect(report["other_browser_state"] as? Bool == true && report["invalid_number_claim"] as? Int == 403)
                #expect(report["first_sign_in_linked"] as? Bool == true && report["linking"] as? Bool == true)
                #expect((report["rotated_keys"] as? [String])?.count == 2)
                for path in report["screenshots"] as? [String] ?? [] {
                    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                    #expect(size > 5_000, "\(path) is empty or missing")
                }
            }
        }
    }
}
