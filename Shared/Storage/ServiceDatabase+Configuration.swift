import GRDB

extension ServiceDatabase {
    /// How a service database's connections are set up. The defaults are what production
    /// runs; see docs/storage.md for the reasoning and measurements.
    public struct Configuration: Sendable {
        /// SQLite's `synchronous` setting.
        public enum Synchronous: String, Sendable {
            /// Every commit is on the disk before it returns: it survives the process being
            /// killed, the kernel crashing and the power going out. The default, because the
            /// platform acknowledges a citizen's submission only once it committed.
            case full = "FULL"
            /// Commits survive the process being killed but the last ones may be lost on power
            /// loss or a kernel crash (the WAL is synced only at checkpoints). Several times
            /// faster per commit; only for data that can be rebuilt.
            case normal = "NORMAL"
        }

        /// The durability of each commit. Default ``Synchronous/full``.
        public var synchronous: Synchronous = .full

        /// How long a connection waits for another process's lock (an operator's `sqlite3`
        /// shell, a backup, a checkpoint) before failing with `SQLITE_BUSY`. Inside one process
        /// writes are already serialised by the pool, so this only covers outside holders.
        /// Default 5 s: longer than any sane transaction, shorter than an RPC deadline.
        public var busyTimeout: Duration = .seconds(5)

        /// The most concurrent read connections. Reads never block the writer in WAL mode.
        public var maximumReaderCount: Int = 5

        /// PostgreSQL only: how long a transaction keeps trying to reach a primary after its
        /// connection broke (a failover) before the caller is told the database is unavailable.
        public var reconnectWindow: Duration = .seconds(45)

        public init() {}

        /// The GRDB configuration these settings make.
        func grdb(label: String) -> GRDB.Configuration {
            var config = GRDB.Configuration()
            config.label = label
            config.foreignKeysEnabled = true
            config.journalMode = .wal
            config.busyMode = .timeout(busyTimeout.timeInterval)
            config.maximumReaderCount = maximumReaderCount
            let pragmas = """
                PRAGMA synchronous = \(synchronous.rawValue);
                PRAGMA busy_timeout = \(busyTimeout.milliseconds);
                """
            config.prepareDatabase { db in
                // Per connection, not stored in the file: set on every one. The busy timeout
                // again because GRDB gives pool readers 10 s of their own.
                try db.execute(sql: pragmas)
            }
            return config
        }

        /// Sets ``synchronous`` on a connection. `DatabasePool` switches its writer to NORMAL
        /// when it turns WAL on, after `prepareDatabase` ran, so ``ServiceDatabase`` applies
        /// this again once the pool is open; without it, commits would not be synced.
        var synchronousPragma: String { "PRAGMA synchronous = \(synchronous.rawValue)" }
    }
}

extension Duration {
    /// Seconds as `TimeInterval`, for APIs that predate `Duration`.
    var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, the unit of every time stored by the kit.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
