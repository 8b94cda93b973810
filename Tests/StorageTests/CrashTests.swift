#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DVCProto
import Foundation
import GRDB
import Storage
import Testing

/// Processes killed with SIGKILL at arbitrary moments: what was acknowledged must be there
/// afterwards, what was not committed must not, and the outbox must still deliver everything.
///
/// Each child is a swift-testing exit test: the test binary run again, executing only the
/// closure. It appends an id to `acked.log` only after the transaction holding it committed,
/// the way a service answers a citizen only after the commit.
@Suite struct CrashTests {
    static let name = "crash"

    static func migrations() -> Migrations {
        var migrations = Fixtures.migrations()
        migrations.register("test.v2.chunks") { db in
            try db.execute(sql: """
                CREATE TABLE chunk (
                    dossier_id TEXT NOT NULL REFERENCES dossier (id), n INTEGER NOT NULL, data BLOB NOT NULL
                ) STRICT
                """)
        }
        return migrations
    }

    /// Writes a submission: the dossier, its event, and for every fifth one 2 MB of attachment
    /// chunks, enough for SQLite to spill uncommitted pages into the WAL before the commit.
    static func submit(_ id: String, big: Bool, in db: Database) throws {
        try db.execute(sql: "INSERT INTO dossier (id, status) VALUES (?, 1)", arguments: [id])
        try Outbox.enqueue(Fixtures.event(aggregate: id), to: "notify-svc", in: db)
        if big {
            let data = Data(repeating: 0xA5, count: 4096)
            for n in 0..<500 {
                try db.execute(sql: "INSERT INTO chunk (dossier_id, n, data) VALUES (?, ?, ?)", arguments: [id, n, data])
            }
        }
    }

    static func appendLine(_ line: String, to path: String) {
        // O_APPEND and one write(2) per line: a kill leaves whole lines, at most a cut last one.
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        precondition(fd >= 0, "cannot open \(path)")
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    static func lines(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    @Test func killedWritersLoseNothingAcknowledgedAndKeepTransactionsWhole() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path
        for round in 0..<3 {
            await #expect(processExitsWith: .signal(SIGKILL)) { [path = path as String, round = round as Int] in
                let database = try ServiceDatabase(directory: path, name: CrashTests.name, migrations: CrashTests.migrations())
                let relay = OutboxRelay(database: database, configuration: .fast(), logger: .quiet) { event, _ in
                    CrashTests.appendLine(event.id, to: path + "/delivered.log")
                }
                Task { try await relay.run() }
                Task.detached {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 100...400)))
                    kill(getpid(), SIGKILL)
                }
                for index in 0... {
                    let id = "r\(round)-\(index)"
                    try await database.sqliteWrite { db in try CrashTests.submit(id, big: index % 5 == 4, in: db) }
                    CrashTests.appendLine(id, to: path + "/acked.log")
                }
            }
        }

        let database = try ServiceDatabase(directory: path, name: Self.name, migrations: Self.migrations())
        let acked = Self.lines(path + "/acked.log")
        #expect(acked.count > 3, "the children should have committed something before being killed")

        let (dossiers, eventsPerDossier, chunksPerDossier, orphanEvents, integrity) = try await database.sqliteRead { db in
            (try Set(String.fetchAll(db, sql: "SELECT id FROM dossier")),
             try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: """
                SELECT d.id, COUNT(o.seq) FROM dossier d LEFT JOIN outbox o ON o.aggregate_id = d.id GROUP BY d.id
                """).map { ($0[0] as String, $0[1] as Int) }),
             try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: """
                SELECT d.id, COUNT(c.n) FROM dossier d LEFT JOIN chunk c ON c.dossier_id = d.id GROUP BY d.id
                """).map { ($0[0] as String, $0[1] as Int) }),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE aggregate_id NOT IN (SELECT id FROM dossier)"),
             try String.fetchOne(db, sql: "PRAGMA integrity_check"))
        }
        #expect(integrity == "ok")
        // Everything acknowledged survived.
        #expect(Set(acked).subtracting(dossiers).isEmpty)
        // Nothing half-written: each dossier has exactly its event and all or none of its chunks.
        #expect(eventsPerDossier.values.allSatisfy { $0 == 1 })
        #expect(orphanEvents == 0)
        for (id, chunks) in chunksPerDossier {
            let big = Int(id.split(separator: "-").last!)! % 5 == 4
            #expect(chunks == (big ? 500 : 0), "dossier \(id) has \(chunks) chunks")
        }

        // The outbox still delivers every event, whether a killed relay got to it or not.
        let recorder = Recorder()
        try await makeRelay(database, deliver: recorder.deliver).deliverDue()
        let delivered = Set(Self.lines(path + "/delivered.log") + recorder.delivered)
        let events = try await database.sqliteRead { db in try Set(String.fetchAll(db, sql: "SELECT event_id FROM outbox")) }
        #expect(events.subtracting(delivered).isEmpty)
        #expect(try await database.read { db in try Outbox.backlog(in: db) } == 0)
    }

    @Test func aTransactionCutByAKillLeavesNoTrace() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path
        await #expect(processExitsWith: .signal(SIGKILL)) { [path = path as String] in
            let database = try ServiceDatabase(directory: path, name: CrashTests.name, migrations: CrashTests.migrations())
            try await database.sqliteWrite { db in try CrashTests.submit("committed", big: false, in: db) }
            try await database.sqliteWrite { db in
                try CrashTests.submit("cut-4", big: true, in: db)
                kill(getpid(), SIGKILL)  // inside the transaction, after 2 MB of writes
            }
        }
        let database = try ServiceDatabase(directory: path, name: Self.name, migrations: Self.migrations())
        let (dossiers, chunks, events) = try await database.sqliteRead { db in
            (try String.fetchAll(db, sql: "SELECT id FROM dossier"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM chunk"),
             try String.fetchAll(db, sql: "SELECT aggregate_id FROM outbox"))
        }
        #expect(dossiers == ["committed"])
        #expect(chunks == 0)
        #expect(events == ["committed"])
    }
}
