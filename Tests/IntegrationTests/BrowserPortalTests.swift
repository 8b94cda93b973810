import Foundation
import TestKit
import Testing

/// The portal in a real browser (Tests/python/browser_flow.py: headless Chromium through
/// Selenium and the system chromedriver) against the whole platform as real processes, the
/// payment sandbox and the SMTP server included: a citizen registers, finds the procedure by
/// typing without diacritics, meets a level-2 agency offering only the download and a wrong
/// field's error beside it, submits a level-4 dossier with an attachment, pays in the sandbox;
/// an officer receives, asks for the fee, approves with a result and returns it; the citizen
/// downloads the result and finds the messages in the inbox. The pages' policy holds forms to
/// the portal (`form-action 'self'`), so paying goes through a page with a link to the
/// provider, which the browser follows; the session is the `__Host-` cookie.
///
/// The screenshots of the main pages are kept in `.build/test-artifacts/portal/` (or
/// `$DVC_TEST_ARTIFACTS/portal/`): look at them — a page that works but looks broken is a bug.
@Suite(.timeLimit(.minutes(4))) struct BrowserPortalTests {
    static var shots: URL {
        let base = ProcessInfo.processInfo.environment["DVC_TEST_ARTIFACTS"].map { URL(fileURLWithPath: $0) }
            ?? repoRoot.appendingPathComponent(".build/test-artifacts")
        return base.appendingPathComponent("portal")
    }

    @Test("a citizen and an officer through the whole level-4 journey in headless Chromium, with screenshots")
    func levelFourInABrowser() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            Issue.record("\(tool) is missing: scripts/install-deps.sh installs chromium and chromium-driver")
            return
        }
        let python = try #require(PythonClientTests.python3(), "python3 is needed (scripts/install-deps.sh)")
        try await PaymentFlowTests().withPlatform { platform in
            let officerPassword = try await Self.makeOfficer(platform, agency: "000.01.20.H26", id: "cb.phucxa",
                                                             roles: "receiver,processor,approver")
            let attachment = try makeTemporaryFolder("browser").appendingPathComponent("giay-chung-sinh.pdf")
            try PaymentFlowTests.pdf.write(to: attachment)
            try? FileManager.default.removeItem(at: Self.shots)
            let run = try await runToCompletion(python, [
                repoRoot.appendingPathComponent("Tests/python/browser_flow.py").path,
                "--portal", platform.gatewayHTTP, "--citizen-id", "001099012345", "--citizen-password", "Hoa sen 2026!",
                "--officer-id", "cb.phucxa", "--officer-password", officerPassword,
                "--attachment", attachment.path, "--shots", Self.shots.path,
            ], timeout: .seconds(180))
            // The script always prints its report; without one, what it wrote to stderr says why.
            let report = try #require(try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                                      "the browser flow printed no report: \(run)")
            try #require(run.exited && run.status == 0, "the browser flow failed: \(report["failure"] ?? run)")
            #expect((report["field_error"] as? String)?.contains("12 chữ số") == true)
            #expect((report["pin"] as? String)?.count == 8)
            #expect((report["result"] as? [String: Any])?["type"] as? String == "application/pdf")
            #expect((report["inbox"] as? [String])?.isEmpty == false, "no message in the inbox")
            #expect(report["phone_overflows"] as? Bool == false)
            // The browser accepted and kept the __Host- session cookie (Secure, Path=/, HttpOnly).
            let cookies = report["session_cookies"] as? [[String: Any]] ?? []
            #expect(cookies.contains { $0["name"] as? String == "__Host-dvc_session" && $0["secure"] as? Bool == true
                                        && $0["path"] as? String == "/" && $0["httpOnly"] as? Bool == true },
                    "\(cookies)")
            // The email given at registration became the citizen's contact: the mail reached it.
            let mail = try await platform.smtp.waitForFiles(".json", count: 1)
            let recipients = mail.compactMap { try? String(contentsOf: $0, encoding: .utf8) }
            #expect(recipients.contains { $0.contains("an@example.vn") }, "no email reached the address given at registration")
            let screenshots = report["screenshots"] as? [String] ?? []
            #expect(screenshots.count >= 16, "\(screenshots)")
            for path in screenshots {
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                #expect(size > 5_000, "\(path) is empty or missing")
            }
        }
    }

    /// An officer made by the operator's command, as a deployment does; returns the password.
    static func makeOfficer(_ platform: PaymentFlowTests.Platform, agency: String, id: String, roles: String) async throws -> String {
        let made = try await runToCompletion(try Executables.url("gateway"), [
            "officer", "create", "--data-dir", platform.gatewayData.path, "--agency", agency, "--id", id, "--roles", roles,
            "--full-name", "Cán bộ một cửa"])
        #expect(made.exited && made.status == 0, "\(made)")
        return String(made.stdout.split(separator: "\t").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
