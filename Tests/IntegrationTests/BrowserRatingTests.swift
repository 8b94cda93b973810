import Foundation
import TestKit
import Testing

/// A citizen rates a dossier with its result in headless Chromium (Tests/python/rating_flow.py)
/// against the real gateway, dossier-svc and catalog-svc: the form's choices picked by their
/// labels, the thanks, the rating in the agency's public figures, the officer's console page
/// with the same aggregates and no comment among fewer than five ratings; the pages pass the
/// label, heading and fieldset checks. Screenshots go to `.build/test-artifacts/ratings/`.
@Suite(.timeLimit(.minutes(4))) struct BrowserRatingTests {
    static var shots: URL {
        let base = ProcessInfo.processInfo.environment["DVC_TEST_ARTIFACTS"].map { URL(fileURLWithPath: $0) }
            ?? repoRoot.appendingPathComponent(".build/test-artifacts")
        return base.appendingPathComponent("ratings")
    }

    @Test("a citizen rates a returned dossier in the browser; the rating shows in the agency's public figures and the console")
    func rateInABrowser() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            Issue.record("\(tool) is missing: scripts/install-deps.sh installs chromium and chromium-driver")
            return
        }
        let python = try #require(PythonClientTests.python3(), "python3 is needed (scripts/install-deps.sh)")
        typealias Console = OfficerConsoleTests
        try await Console.withPlatform { root, data, _ in
            let password = try await Console.officer(data, agency: Console.agency, id: "ld.badinh", roles: "receiver,processor,approver")
            let token = try await Console.citizenToken(root)
            let id = try await ConsoleWorkspaceTests.submit(root, token: token, key: "trinh-duyet-1", name: "Nguyễn Văn An",
                                                            identity: Console.citizen)
            var officer = Console.Browser(root: root)
            try await officer.signIn("ld.badinh", password)
            try await ConsoleWorkspaceTests.act(officer, id, action: 1)
            try await ConsoleWorkspaceTests.act(officer, id, action: 3)
            try await ConsoleWorkspaceTests.act(officer, id, action: 8, fields: [("result_note", "Đã cấp bản sao")])
            try? FileManager.default.removeItem(at: Self.shots)
            let period = SatisfactionRatingTests.localMonth()
            let run = try await runToCompletion(python, [
                repoRoot.appendingPathComponent("Tests/python/rating_flow.py").path,
                "--portal", root, "--citizen-id", Console.citizen, "--citizen-password", DataTrackerPortalTests.password,
                "--officer-id", "ld.badinh", "--officer-password", password, "--dossier", id, "--agency", Console.agency,
                "--year", "\(period.year)", "--month", "\(period.month)", "--shots", Self.shots.path,
            ], timeout: .seconds(180))
            let report = try #require(try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                                      "the browser flow printed no report: \(run)")
            try #require(run.exited && run.status == 0, "the rating flow failed: \(report["failure"] ?? run)")
            #expect((report["form_problems"] as? [Any])?.isEmpty == true && (report["public_problems"] as? [Any])?.isEmpty == true
                    && (report["console_problems"] as? [Any])?.isEmpty == true)
            for path in report["screenshots"] as? [String] ?? [] {
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                #expect(size > 5_000, "\(path) is empty or missing")
            }
        }
    }
}
