import Foundation
import TestKit
import Testing

/// Every page of the portal and the console against WCAG 2.1 A and AA in headless Chromium
/// (Tests/python/accessibility_check.py, docs/accessibility.md), with the real gateway,
/// dossier-svc and catalog-svc: dossiers made in every state through the real workflow, the
/// pages found by crawling as an anonymous visitor, a citizen, an officer and the agency's
/// administrator (so a page added later is checked without being listed), the pages a refused
/// POST answers, axe-core's rules on each, no page wider than 320 px, and the citizen's journey
/// from the home page to tracking a dossier done with the keyboard alone.
@Suite(.timeLimit(.minutes(5))) struct BrowserAccessibilityTests {
    typealias Console = OfficerConsoleTests

    @Test("every page passes axe-core's WCAG 2.1 A/AA rules and fits 320 px; the citizen's journey works by keyboard alone")
    func everyPage() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            Issue.record("\(tool) is missing: scripts/install-deps.sh installs chromium and chromium-driver")
            return
        }
        let python = try #require(PythonClientTests.python3(), "python3 is needed (scripts/install-deps.sh)")
        let folder = try makeTemporaryFolder("accessibility")
        let attachment = folder.appendingPathComponent("to-khai.pdf")
        try Console.pdf.write(to: attachment)
        // Ten dossiers and their steps within seconds, and a browser reading pages as fast as
        // it can: the per-person, per-address and upload allowances (tested in
        // GatewayAdmissionTests) are lifted here.
        try await Console.withPlatform(gatewaySettings: "rate_per_upload=0\nrate_per_person=0\nrate_per_address=0\n") { root, data, _ in
            let officer = try await Console.officer(data, agency: Console.agency, id: "cb.badinh", roles: "receiver,processor,approver")
            let admin = try await Console.officer(data, agency: Console.agency, id: "qt.badinh", roles: "admin")
            let started = ContinuousClock.now
            let run = try await runToCompletion(python, [
                repoRoot.appendingPathComponent("Tests/python/accessibility_check.py").path,
                "--portal", root, "--citizen-id", Console.citizen, "--citizen-password", "Hoa sen 2026!",
                "--officer-id", "cb.badinh", "--officer-password", officer, "--admin-id", "qt.badinh", "--admin-password", admin,
                "--attachment", attachment.path, "--shots", folder.path,
            ], timeout: .seconds(240))
            let report = try #require(try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                                      "the accessibility check printed no report: \(run)")
            // The pages checked, for the log: a page added later shows up here by itself.
            print("accessibility: \(ContinuousClock.now - started), axe-core \(report["axe_version"] ?? "?"); pages checked:")
            for page in report["pages"] as? [[String: String]] ?? [] {
                print("  [\(page["role"] ?? "")] \(page["page"] ?? "")  \(page["url"] ?? "")")
            }
            let problems = report["problems"] as? [String] ?? ["no list of problems in the report"]
            #expect(run.exited && run.status == 0 && problems.isEmpty,
                    "accessibility problems:\n\(problems.joined(separator: "\n"))\n\(run.stderr.suffix(2_000))")
            #expect(report["states"] as? [String] == ["approved", "awaiting-fee", "not-received", "processing", "received", "refused",
                                                      "result-returned", "submitted", "supplement-requested", "withdrawn"])
            let pages = report["pages"] as? [[String: String]] ?? []
            let roles = Set(pages.compactMap { $0["role"] })
            #expect(roles == ["khách", "công dân", "cán bộ", "quản trị"], "\(roles)")
            #expect(pages.count >= 50, "only \(pages.count) pages were checked")
            let keyboard = report["keyboard"] as? [String: Any] ?? [:]
            #expect((keyboard["tracked"] as? String)?.contains("Được tiếp nhận") == true, "\(keyboard)")
            #expect((keyboard["orders"] as? [String: Any])?.count ?? 0 >= 6, "\(keyboard)")
        }
    }

    @Test("the check itself reports a page's missing label, text alternative, contrast, lang, main landmark and overflow at 320 px")
    func checkCatchesFaults() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            Issue.record("\(tool) is missing: scripts/install-deps.sh installs chromium and chromium-driver")
            return
        }
        let python = try #require(PythonClientTests.python3(), "python3 is needed (scripts/install-deps.sh)")
        let folder = try makeTemporaryFolder("accessibility-self-test")
        let run = try await runToCompletion(python, [
            repoRoot.appendingPathComponent("Tests/python/accessibility_check.py").path,
            "--self-test", "--portal", "http://127.0.0.1:9", "--shots", folder.path,
        ], timeout: .seconds(60))
        let report = try #require(try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run)")
        #expect(run.exited && run.status == 0, "\(report["problems"] ?? run)")
        let found = (report["self_test"] as? [String: Any])?["rules"] as? [String] ?? []
        #expect(Set(["label", "image-alt", "color-contrast", "html-has-lang", "landmark-one-main"]).isSubset(of: found), "\(found)")
        #expect((report["self_test"] as? [String: Any])?["overflow"] as? Bool == true)
    }
}
