@testable import DossierService
import Storage

/// A statement's plan on either backend, for the tests that check a query reads its index.
enum QueryPlans {
    /// SQLite's `EXPLAIN QUERY PLAN` details, or PostgreSQL's `EXPLAIN` lines. On PostgreSQL
    /// sequential scans are priced out first (`enable_seqscan = off`, for this read only): the
    /// test tables hold a few hundred rows, which PostgreSQL would rightly read whole, while
    /// the question is whether an index serves the query at the scale it is written for.
    static func plan(_ sql: String, arguments: SQLArguments, _ db: any SQLConnection) throws -> [String] {
        if db.backend == .postgres { try db.execute(sql: "SET LOCAL enable_seqscan = off") }
        return try DossierBulkLoader.plan(sql, arguments: arguments, db)
    }
}
