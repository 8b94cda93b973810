import Foundation
import Synchronization

/// The PostgreSQL server the store tests run against: `DVC_TEST_POSTGRES` (a connection string
/// to a server where the role may create databases) when set, as `scripts/test.sh` sets it;
/// otherwise a private cluster started on first use in a temporary folder, listening only on a
/// Unix socket there, and stopped by a watchdog when the test process ends.
public enum TestPostgres {
    /// The maintenance connection string (database `postgres`), a `postgres://` URL.
    public static var server: String {
        get throws { try started.get() }
    }

    private static let started: Result<String, any Error> = Result { try start() }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    private static func start() throws -> String {
        if let given = ProcessInfo.processInfo.environment["DVC_TEST_POSTGRES"], !given.isEmpty { return given }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let bin = versions.compactMap(Int.init).sorted().last.map({ "/usr/lib/postgresql/\($0)/bin" }),
              FileManager.default.isExecutableFile(atPath: "\(bin)/initdb") else {
            throw Unavailable(description: "no PostgreSQL server under /usr/lib/postgresql: run scripts/install-deps.sh (Debian postgresql)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dvc-test-pg-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // initdb refuses root; the cluster then belongs to Debian's postgres user.
        let asRoot = getuid() == 0
        if asRoot { _ = try run("/bin/chown", ["postgres:postgres", folder]) }
        let script = """
            set -e
            '\(bin)/initdb' -D '\(folder)/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 > '\(folder)/initdb.log' 2>&1
            '\(bin)/pg_ctl' -D '\(folder)/data' -l '\(folder)/server.log' -w -o "-k '\(folder)' -c listen_addresses='' -c max_connections=400 -c shared_buffers=64MB" start > /dev/null
            """
        let status = try run(asRoot ? "/usr/sbin/runuser" : "/bin/sh", asRoot ? ["-u", "postgres", "--", "/bin/sh", "-c", script] : ["-c", script])
        guard status == 0 else {
            let log = (try? String(contentsOfFile: "\(folder)/server.log", encoding: .utf8)) ?? (try? String(contentsOfFile: "\(folder)/initdb.log", encoding: .utf8)) ?? ""
            throw Unavailable(description: "could not start a test PostgreSQL cluster in \(folder): \(log.suffix(800))")
        }
        // Stops the cluster and removes it once this process is gone, however it ends.
        let watchdog = """
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            \(asRoot ? "runuser -u postgres -- " : "")'\(bin)/pg_ctl' -D '\(folder)/data' -m immediate stop > /dev/null 2>&1
            rm -rf '\(folder)'
            """
        _ = try run("/usr/bin/setsid", ["-f", "/bin/sh", "-c", watchdog])
        // A URL, as a service's `database` setting takes it; the Unix socket's folder is its host.
        return "postgres://postgres@/postgres?host=\(folder)"
    }

    /// Runs a tool and waits for it, with posix_spawn and waitpid: Foundation's `Process`
    /// can miss the exit of a child when the cooperative threads are all busy, as they are
    /// while the first tests wait for this cluster.
    private static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let argv = ([tool] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, tool, &actions, nil, argv, environ)
        guard spawned == 0 else { throw Unavailable(description: "cannot run \(tool): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
