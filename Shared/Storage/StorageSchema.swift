import GRDB

/// The storage kit's own tables, as migrations that every service database runs before the
/// service's own. Like every shipped migration, these are never edited: a change to the outbox
/// or inbox schema is a new `storage.vN.*` migration appended to ``migrations``.
///
/// Times are integer Unix milliseconds (UTC): exact, cheap to compare in SQL, and what
/// `EventsV1.Event.occurredAtUnixMs` already uses.
enum StorageSchema {
    static let prefix = "storage."

    static let migrations: [(String, @Sendable (Database) throws -> Void)] = [
        ("storage.v1.outbox-and-processed-events", v1),
    ]

    private static func v1(_ db: Database) throws {
        // One row per (event, destination): an event fanned out to two services is delivered,
        // retried and marked delivered separately for each. `seq` gives the commit order the
        // relay delivers in; `payload` is the whole `EventsV1.Event` in protobuf, the other
        // columns copy what the relay needs to query by.
        try db.execute(sql: """
            CREATE TABLE outbox (
                seq INTEGER PRIMARY KEY,
                event_id TEXT NOT NULL,
                type TEXT NOT NULL,
                aggregate_id TEXT NOT NULL,
                destination TEXT NOT NULL,
                payload BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                delivered_at INTEGER,
                last_error TEXT,
                UNIQUE (event_id, destination)
            ) STRICT;
            -- The relay's "is an earlier event of this aggregate still pending?" check and its
            -- scan for due rows only ever look at pending rows; partial indexes keep both small
            -- however many delivered rows are kept.
            CREATE INDEX outbox_pending_by_aggregate
                ON outbox (destination, aggregate_id, seq) WHERE delivered_at IS NULL;
            CREATE INDEX outbox_pending_by_due_time
                ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
            CREATE INDEX outbox_delivered_by_time
                ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;

            -- The receiving side: ids of events already applied, written in the same
            -- transaction as their effect.
            CREATE TABLE processed_events (
                event_id TEXT PRIMARY KEY,
                processed_at INTEGER NOT NULL
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX processed_events_by_time ON processed_events (processed_at);
            """)
    }
}
