import Foundation

/// A failure the tests describe themselves.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// A fresh folder under the system's temporary folder.
public func makeTemporaryFolder(_ prefix: String) throws -> URL {
    let url = URL(fileURLWithPath: NSTemporaryDirectory())
        .appendingPathComponent("dvc-test-\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The environment for a child process: ours without any `DVC_*` variable (so a developer's
/// shell settings cannot leak into a test), plus `extra`.
///
/// catalog-svc gets the `hanoi-2020` seed (`DVC_SEED`), whose agencies and procedures the
/// tests name; a test of another seed passes its own `DVC_SEED` in `extra`. With it, dossier-svc
/// issues the one-stop forms of that three-tier city, Circular 01/2018/TT-VPCP
/// (`DVC_ONE_STOP_FORMS`); a test of the 2025 set passes `DVC_ONE_STOP_FORMS=2025`.
public func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DVC_") }
    environment["DVC_SEED"] = testSeed
    environment["DVC_ONE_STOP_FORMS"] = testOneStopForms
    environment.merge(extra) { $1 }
    return environment
}

/// The seed catalog-svc loads in tests and benchmarks (docs/seed-catalog.md).
public let testSeed = "hanoi-2020"

/// The one-stop forms dossier-svc issues in tests and benchmarks: the 2018 set that goes with
/// `testSeed` (docs/dossier.md "One-stop documents").
public let testOneStopForms = "2018"

/// What a program that ran to its end left behind.
public struct Finished: CustomStringConvertible, Sendable {
    public var status: Int32
    /// False when a signal ended it.
    public var exited: Bool
    public var stdout: String
    public var stderr: String

    public var description: String {
        "\(exited ? "exit status" : "signal") \(status)\n--- stdout ---\n\(stdout)\n--- stderr ---\n\(stderr)"
    }
}

/// Runs `executable` to its end (killed after `timeout`); stdout and stderr go to files, so a
/// pipe held open by some other child can never make this wait.
public func runToCompletion(
    _ executable: URL,
    _ arguments: [String],
    stdin: String? = nil,
    environment: [String: String] = childEnvironment(),
    in folder: URL? = nil,
    timeout: Duration = .seconds(30)
) async throws -> Finished {
    let scratch = try makeTemporaryFolder("run")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let child = try ChildProcess(executable, arguments, environment: environment, in: folder, outputFolder: scratch,
                                 stdin: stdin)
    guard let exit = await child.waitForExit(timeout: timeout) else {
        child.forceKill()
        throw TestFailure(description: "\(executable.lastPathComponent) \(arguments) still running after \(timeout); killed. stderr:\n\(child.stderr)")
    }
    return Finished(status: exit.status, exited: exit.exited, stdout: child.stdout, stderr: child.stderr)
}
