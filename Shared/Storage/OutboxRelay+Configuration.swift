extension OutboxRelay {
    /// The relay's timing. The defaults suit production; tests shorten them.
    public struct Configuration: Sendable {
        /// The longest the relay sleeps between looks at the outbox when nothing woke it.
        /// Commits in this process wake it at once; the poll catches everything else (rows
        /// written by another process, a missed wake-up). Default 1 s.
        public var pollInterval: Duration = .seconds(1)
        /// Rows read per query. Default 100.
        public var batchSize: Int = 100
        /// Waits between failed attempts of one row.
        public var backoff = Backoff()
        /// How long delivered rows are kept (for tracing what was sent) before they are
        /// deleted. Undelivered rows are never deleted. Default 7 days.
        public var retention: Duration = .seconds(7 * 24 * 3600)
        /// How often delivered rows past their retention are deleted. Default 1 hour.
        public var pruneInterval: Duration = .seconds(3600)

        public init() {}
    }
}
