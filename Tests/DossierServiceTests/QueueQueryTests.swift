import DVCProto
import Foundation
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// The agency queue, paged with its cursor, returns exactly the dossiers its filters select, in
/// the order of their appointment (undated last) then id, whatever the filters; and its plans
/// read an index in that order instead of sorting the agency's dossiers.
@Suite struct QueueQueryTests {
    static let agency = "000.00.20.H26"

    static func database(_ backend: SQLBackend) throws -> ServiceDatabase {
        let database = try DossierTestDatabases.make(backend)
        var random = SystemRandomNumberGenerator()
        let states: [DossierV1.DossierState] = [.submitted, .received, .processing, .supplementRequested, .resultReturned]
        try database.write { db in
            for index in 0..<400 {
                var row = DossierRow(id: String(format: "d%03d-%@", Int.random(in: 0..<1000, using: &random), "\(index)"),
                                     agencyCode: index % 5 == 0 ? "000.01.20.H26" : agency, procedureCode: "P",
                                     applicantID: "001099012345", channel: .online, pinSalt: Data([1]), pinHash: Data([2]),
                                     submittedAtMs: 0, idempotencyKey: "k\(index)", details: .init())
                row.state = states.randomElement(using: &random)!
                // Few distinct appointments, so ties are broken by id; none before receipt.
                row.appointmentAtMs = row.state == .submitted ? nil : 1_000 * Int64.random(in: 1...40, using: &random)
                row.assignee = ["", "cb-1", "cb-2"].randomElement(using: &random)!
                row.overdue = Int.random(in: 0..<4, using: &random) == 0
                try row.insert(db)
            }
        }
        return database
    }

    static let filters: [DossierQueries.QueueFilter] = {
        var filters: [DossierQueries.QueueFilter] = []
        for state in [nil, DossierV1.DossierState.processing] {
            for assignee in [nil, "cb-1", "nobody"] {
                for due in [nil, Int64(20_000)] {
                    for overdue in [false, true] {
                        filters.append(.init(agency: agency, state: state, assignee: assignee, dueBeforeMs: due, overdueOnly: overdue))
                    }
                }
            }
        }
        return filters
    }()

    /// What a filter selects, in queue order, computed in Swift from every row.
    static func expected(_ filter: DossierQueries.QueueFilter, _ rows: [DossierRow]) -> [String] {
        rows.filter { row in
            row.agencyCode == filter.agency
                && (filter.state.map { row.state == $0 } ?? true)
                && (filter.assignee.map { row.assignee == $0 } ?? true)
                && (filter.dueBeforeMs.map { due in row.appointmentAtMs.map { $0 < due } ?? false } ?? true)
                && (!filter.overdueOnly || row.overdue)
        }
        .sorted { ($0.appointmentAtMs ?? .max, $0.id) < ($1.appointmentAtMs ?? .max, $1.id) }
        .map(\.id)
    }

    @Test("paging every combination of filters returns what they select, in queue order", arguments: TestDatabases.backends)
    func pages(backend: SQLBackend) throws {
        let database = try Self.database(backend)
        let rows = try database.read { db in
            try DossierRow.fetchAll(db, sql: "SELECT \(DossierRow.columns) FROM dossier")
        }
        for filter in Self.filters {
            var seen: [String] = []
            var cursor: DossierQueries.Cursor?
            while true {
                let after = cursor
                let page = try database.read { db in try DossierQueries.queue(filter, after: after, limit: 7, db) }
                seen += page.map(\.id)
                guard page.count == 7, let last = page.last else { break }
                cursor = DossierQueries.cursor(after: last)
            }
            #expect(seen == Self.expected(filter, rows), "\(filter)")
        }
    }

    @Test("the queue's plans read an index in queue order: no sort of the agency's dossiers", arguments: TestDatabases.backends)
    func plans(backend: SQLBackend) throws {
        let database = try Self.database(backend)
        for filter in Self.filters {
            for cursor in [nil, DossierQueries.Cursor(appointmentMs: 10_000, id: "d5")] {
                let (sql, arguments) = DossierQueries.queueSQL(filter, after: cursor, limit: 21, backend: backend)
                let plan = try database.read { db in try QueryPlans.plan(sql, arguments: arguments, db) }
                switch backend {
                case .sqlite:
                    #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(filter): \(plan)")
                    #expect(plan.contains { $0.contains("USING INDEX dossier_queue_") }, "\(filter): \(plan)")
                    // A later page starts where the cursor is, not at the agency's first dossier.
                    if cursor != nil { #expect(plan.contains { $0.contains("<expr>>?") }, "\(filter): \(plan)") }
                case .postgres:
                    #expect(!plan.contains { $0.contains("Sort") }, "\(filter): \(plan)")
                    #expect(plan.contains { $0.contains("Index Scan using dossier_queue_") }, "\(filter): \(plan)")
                    // A later page starts where the cursor is: the key's bound is an index condition.
                    if cursor != nil {
                        #expect(plan.contains { $0.contains("Index Cond") && $0.contains("COALESCE(appointment_at_ms") && $0.contains(">=") },
                                "\(filter): \(plan)")
                    }
                }
            }
        }
    }
}
