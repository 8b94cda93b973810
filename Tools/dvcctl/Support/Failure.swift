import ArgumentParser
import DVCProto
import RPCCore

/// Exit statuses (documented in `dvcctl --help` and docs/dvcctl.md).
enum ExitStatus {
    /// The input was refused before anything was sent, or a health check failed.
    static let refused: Int32 = 1

    /// A call that ended with a status: its gRPC code + 1, so that 1 stays "nothing was sent".
    static func rpc(_ code: StatusCode) -> Int32 {
        Int32(code.wireValue) + 1
    }
}

/// A failure to report on stderr, with the exit status it ends the command with.
struct Failure: Error {
    var lines: [String]
    var status: Int32

    init(_ lines: String..., status: Int32 = ExitStatus.refused) {
        self.lines = lines
        self.status = status
    }

    init(lines: [String], status: Int32) {
        self.lines = lines
        self.status = status
    }

    /// `CODE: message`, then each field violation on its own line.
    init(_ error: RPCError) {
        var lines = ["\(error.code): \(error.message)"]
        for violation in error.violations {
            lines.append("  \(violation.field): \(violation.description)")
        }
        self.init(lines: lines, status: ExitStatus.rpc(error.code))
    }
}

/// Runs a command's body; a `Failure` or `RPCError` is printed to stderr and becomes the exit
/// status, so every command reports errors the same way.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as Failure {
        Console.error(failure.lines)
        throw ExitCode(failure.status)
    } catch let error as RPCError {
        let failure = Failure(error)
        Console.error(failure.lines)
        throw ExitCode(failure.status)
    }
}
