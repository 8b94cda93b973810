import Foundation
import TestKit
import Testing

/// The console as a day's workspace in headless Chromium (Tests/python/console_flow.py)
/// against the real gateway, dossier-svc and catalog-svc: tabs and their counts, a search typed
/// in the box, sorting by a column header, paging, an assignment from the list, dates as
/// dd/MM/yyyy, and the public Decision 766 index with its SVG charts passing the page checks
/// (text alternatives, labels, table headers, no overflow on a phone). Screenshots go to
/// `.build/test-artifacts/console/`.
@Suite(.timeLimit(.minutes(4))) struct BrowserConsoleTests {
    static var shots: URL {
        let base = ProcessInfo.processInfo.environment["DVC_TEST_ARTIFACTS"].map { URL(fileURLWithPath: $0) }
            ?? repoRoot.appendingPathComponent(".build/test-artifacts")
        return base.appendingPathComponent("console")
    }

    @Test("tabs, search, sort, paging, assignment and the 766 index with its charts in headless Chromium")
    func consoleInABrowser() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            Issue.record("\(tool) is missing: scripts/install-deps.sh installs chromium and chromium-driver")
            return
        }
        let python = try #require(PythonClientTests.python3(), "python3 is needed (scripts/install-deps.sh)")
        typealias Console = OfficerConsoleTests
        // Many submissions by a few citizens within seconds: the per-person upload allowance
        // (2/s, tested in GatewayAdmissionTests) is lifted here.
        try await Console.withPlatform(gatewaySettings: "rate_per_upload=0\n") { root, data, _ in
            let password = try await Console.officer(data, agency: Console.agency, id: "qt.badinh", roles: "admin,approver,receiver")
            _ = try await Console.officer(data, agency: Console.agency, id: "xl.badinh", roles: "processor")
            let token = try await Console.citizenToken(root)
            var ids: [String] = []
            for index in 0..<22 {
                ids.append(try await ConsoleWorkspaceTests.submit(root, token: token, key: "b-\(index)", name: "Nguyễn Văn An",
                                                                  identity: Console.citizen))
            }
            let other = try await ConsoleWorkspaceTests.token(root, id: ConsoleWorkspaceTests.otherCitizen, name: "Trần Thị Bình")
            let binh = try await ConsoleWorkspaceTests.submit(root, token: other, key: "b-binh", name: "Trần Thị Bình",
                                                              identity: ConsoleWorkspaceTests.otherCitizen)
            var officer = Console.Browser(root: root)
            try await officer.signIn("qt.badinh", password)
            for id in ids.prefix(2) { try await ConsoleWorkspaceTests.act(officer, id, action: 1) }
            try? FileManager.default.removeItem(at: Self.shots)
            let year = Calendar(identifier: .gregorian).component(.year, from: Date())
            let run = try await runToCompletion(python, [
                repoRoot.appendingPathComponent("Tests/python/console_flow.py").path,
                "--portal", root, "--officer-id", "qt.badinh", "--officer-password", password, "--total", "23",
                "--search", "tran binh", "--found", binh, "--found-name", "Trần Thị Bình", "--assignee", "xl.badinh",
                "--year", "\(year)", "--shots", Self.shots.path,
            ], timeout: .seconds(180))
            let report = try #require(try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                                      "the browser flow printed no report: \(run)")
            try #require(run.exited && run.status == 0, "the console flow failed: \(report["failure"] ?? run)")
            #expect((report["index_problems"] as? [Any])?.isEmpty == true && (report["queue_problems"] as? [Any])?.isEmpty == true)
            #expect((report["charts"] as? Int ?? 0) >= 2)
            #expect(report["phone_overflows"] as? Bool == false)
            for path in report["screenshots"] as? [String] ?? [] {
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                #expect(size > 5_000, "\(path) is empty or missing")
            }
        }
    }
}
