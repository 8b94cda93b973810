import Foundation
import TestKit
import Testing

/// One of the tests' Python receivers (Tests/python/smtp_sink.py: a real aiosmtpd SMTP
/// server; sms_sink.py: an SMS gateway's webhook) running as a process on loopback, saving
/// what it receives as files in `folder`. Started with a fixed port so it can be stopped and
/// started again at the same address; SIGKILLed when it goes away.
final class PythonSink: Sendable {
    let port: Int
    let folder: URL
    private let child: ChildProcess

    private init(port: Int, folder: URL, child: ChildProcess) {
        self.port = port
        self.folder = folder
        self.child = child
    }

    deinit { stop() }

    /// Starts `script` (under Tests/python) and waits for its `listening on` line.
    static func start(_ script: String, port: Int, folder: URL, arguments: [String] = []) async throws -> PythonSink {
        guard let python = PythonClientTests.python3() else {
            throw TestFailure(description: "python3 was not found on PATH; notify tests need it (scripts/install-deps.sh)")
        }
        let child = try ChildProcess(python, [repoRoot.appendingPathComponent("Tests/python/\(script)").path,
                                              "--port", "\(port)", "--out", folder.path] + arguments,
                                     outputFolder: try makeTemporaryFolder("sink"))
        do {
            try await child.waitForLine(timeout: .seconds(15), what: "`listening on`") { $0.contains("listening on ") ? () : nil }
        } catch let failure as TestFailure {
            throw TestFailure(description: "\(script) did not start (is aiosmtpd installed? scripts/install-deps.sh installs it).\n\(failure)")
        }
        return PythonSink(port: port, folder: folder, child: child)
    }

    func stop() {
        child.forceKill()
    }

    /// The saved files with `suffix`, in the order they arrived.
    func files(_ suffix: String) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// Waits until at least `count` files with `suffix` are there (or `timeout`), then returns them.
    func waitForFiles(_ suffix: String, count: Int, timeout: Duration = .seconds(20)) async throws -> [URL] {
        let deadline = ContinuousClock.now + timeout
        while files(suffix).count < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        return files(suffix)
    }
}
