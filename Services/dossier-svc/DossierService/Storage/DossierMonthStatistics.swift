import DVCProto
import Storage

/// An agency's statistics as counters per local (UTC+7) month, kept by triggers in the
/// transaction of every change to a dossier (migration `dossier.v8.console-and-indicators`,
/// which replaces the yearly counters of `dossier.v3.scale`). Reading a year is at most twelve
/// rows, whatever the number of dossiers; the public indicators of Decision 766/QĐ-TTg
/// (docs/statistics.md) are computed from these figures.
///
/// A dossier counts under two months: the month it was submitted (submitted, submitted
/// online, refused at reception) and, once received, the month it was received (every other
/// count, as the yearly counters did). A withdrawal before reception is in neither: nothing
/// was received to resolve.
enum DossierMonthStatistics {
    /// The channels that count as online: the portal's (2) and the national portal's (4).
    static let onlineChannels = "2, 4"

    /// `yyyyMM` of a Unix-milliseconds column in Hà Nội time.
    static func monthOf(_ column: String, postgres: Bool = false) -> String {
        postgres
            ? "CAST(to_char(to_timestamp(\(column) / 1000 + \(7 * 3600)) AT TIME ZONE 'UTC', 'YYYYMM') AS BIGINT)"
            : "CAST(strftime('%Y%m', \(column) / 1000 + \(7 * 3600), 'unixepoch') AS INTEGER)"
    }

    /// The counts that follow reception, for row `r`, in the order of `receivedColumns`.
    static func receivedCounts(_ r: String) -> [String] {
        let held = "\(r).decided_at_ms IS NULL AND \(r).state IN (2, 4, 5, 6)"
        return [
            "1",
            "(CASE WHEN \(r).state IN (9, 10) AND \(r).decided_at_ms <= \(r).appointment_at_ms THEN 1 ELSE 0 END)",
            "(CASE WHEN \(r).state IN (9, 10) AND \(r).decided_at_ms > \(r).appointment_at_ms THEN 1 ELSE 0 END)",
            "(CASE WHEN \(r).state = 8 THEN 1 ELSE 0 END)",
            "(CASE WHEN \(r).state = 7 THEN 1 ELSE 0 END)",
            "(CASE WHEN \(held) THEN 1 ELSE 0 END)",
            "(CASE WHEN \(held) AND \(r).overdue = 1 THEN 1 ELSE 0 END)",
            // Owing a fee: asked for it (6) or paid (fee_settled, set by payment-svc's event).
            "(CASE WHEN \(r).state = 6 OR \(r).fee_settled = 1 THEN 1 ELSE 0 END)",
            "(CASE WHEN \(r).fee_settled = 1 THEN 1 ELSE 0 END)",
        ]
    }

    static let receivedColumns = ["received", "on_time", "late", "refused", "withdrawn", "in_progress", "overdue",
                                  "fee_required", "fee_paid_online"]

    /// The counts of the submission month, for row `r`, in the order of `submittedColumns`.
    static func submittedCounts(_ r: String) -> [String] {
        ["1", "(CASE WHEN \(r).channel IN (\(onlineChannels)) THEN 1 ELSE 0 END)",
         "(CASE WHEN \(r).state = 3 THEN 1 ELSE 0 END)"]
    }

    static let submittedColumns = ["submitted", "submitted_online", "not_received"]

    static var allColumns: [String] { submittedColumns + receivedColumns }

    /// Adds (sign 1) or removes (sign -1) row `r`'s contribution to the agency holding it, or,
    /// with `atReceivingPoint`, to the centre that received it for another agency (Decree
    /// 118/2025/NĐ-CP: the receiving point counts what it received; the competent agency counts
    /// it too, so a province's total is the sum over competent agencies only).
    /// With `postgres`, the same statements in PostgreSQL's dialect (for a trigger function).
    static func contribution(_ r: String, sign: Int, atReceivingPoint: Bool = false, postgres: Bool = false) -> String {
        let agency = atReceivingPoint ? "\(r).receiving_agency" : "\(r).agency_code"
        let whose = atReceivingPoint
            ? "\(r).receiving_agency IS NOT NULL AND \(r).receiving_agency != \(r).agency_code" : postgres ? "TRUE" : "1"
        // PostgreSQL names the stored row's column by its table (bare, it is ambiguous with excluded's).
        func upsert(month: String, columns: [String], values: [String], condition: String) -> String {
            """
            INSERT INTO agency_month_statistics (agency_code, month, \(columns.joined(separator: ", ")))
                SELECT \(agency), \(month), \(values.map { "\(sign) * \($0)" }.joined(separator: ", ")) WHERE \(condition)
                ON CONFLICT (agency_code, month) DO UPDATE SET
                \(columns.map { "\($0) = \(postgres ? "agency_month_statistics." : "")\($0) + excluded.\($0)" }.joined(separator: ", "));
            """
        }
        return upsert(month: monthOf("\(r).submitted_at_ms", postgres: postgres), columns: submittedColumns,
                      values: submittedCounts(r), condition: whose)
            + "\n" + upsert(month: monthOf("\(r).received_at_ms", postgres: postgres), columns: receivedColumns,
                            values: receivedCounts(r),
                            condition: "\(r).received_at_ms IS NOT NULL AND \(whose)")
    }

    /// The initial counters of the agencies holding dossiers (`agency_code`) or of the centres
    /// that received them for another (`receiving_agency`), added to what is there.
    static func fill(agencyColumn: String, condition: String, postgres: Bool = false) -> String {
        func fillPart(month: String, columns: [String], values: [String], extra: String) -> String {
            """
            INSERT INTO agency_month_statistics (agency_code, month, \(columns.joined(separator: ", ")))
                SELECT agency_code, month, \(columns.map { "SUM(\($0))" }.joined(separator: ", ")) FROM (
                    SELECT d.\(agencyColumn) AS agency_code, \(month) AS month,
                        \(zip(values, columns).map { "\($0) AS \($1)" }.joined(separator: ", "))
                    FROM dossier d WHERE \(condition)\(extra))\(postgres ? " AS counts" : "")
                \(postgres ? "" : "WHERE 1 ")GROUP BY agency_code, month
                ON CONFLICT (agency_code, month) DO UPDATE SET
                \(columns.map { "\($0) = \(postgres ? "agency_month_statistics." : "")\($0) + excluded.\($0)" }.joined(separator: ", "));
            """
        }
        return fillPart(month: monthOf("d.submitted_at_ms", postgres: postgres), columns: submittedColumns,
                        values: submittedCounts("d"), extra: "")
            + "\n" + fillPart(month: monthOf("d.received_at_ms", postgres: postgres), columns: receivedColumns,
                              values: receivedCounts("d"),
                              extra: " AND d.received_at_ms IS NOT NULL")
    }

    static var schema: String {
        let columns = allColumns.map { "\($0) INTEGER NOT NULL DEFAULT 0" }.joined(separator: ",\n    ")
        let watched = "agency_code, receiving_agency, state, channel, submitted_at_ms, received_at_ms, appointment_at_ms, decided_at_ms, overdue, fee_settled"
        return """
            DROP TRIGGER dossier_statistics_insert;
            DROP TRIGGER dossier_statistics_update;
            DROP TRIGGER dossier_statistics_delete;
            DROP TRIGGER dossier_receiving_statistics_insert;
            DROP TRIGGER dossier_receiving_statistics_update;
            DROP TRIGGER dossier_receiving_statistics_delete;
            DROP TABLE agency_statistics;
            CREATE TABLE agency_month_statistics (
                agency_code TEXT NOT NULL,
                -- yyyyMM, local (UTC+7).
                month INTEGER NOT NULL,
                \(columns),
                PRIMARY KEY (agency_code, month)
            ) STRICT, WITHOUT ROWID;
            \(fill(agencyColumn: "agency_code", condition: "1"))
            \(fill(agencyColumn: "receiving_agency", condition: "d.receiving_agency IS NOT NULL AND d.receiving_agency != d.agency_code"))
            CREATE TRIGGER dossier_month_statistics_insert AFTER INSERT ON dossier BEGIN
            \(contribution("NEW", sign: 1))
            \(contribution("NEW", sign: 1, atReceivingPoint: true))
            END;
            CREATE TRIGGER dossier_month_statistics_update AFTER UPDATE OF \(watched) ON dossier BEGIN
            \(contribution("OLD", sign: -1))
            \(contribution("NEW", sign: 1))
            \(contribution("OLD", sign: -1, atReceivingPoint: true))
            \(contribution("NEW", sign: 1, atReceivingPoint: true))
            END;
            CREATE TRIGGER dossier_month_statistics_delete AFTER DELETE ON dossier BEGIN
            \(contribution("OLD", sign: -1))
            \(contribution("OLD", sign: -1, atReceivingPoint: true))
            END;
            """
    }

    /// The figures of `agency` for months [first, last] (yyyyMM), or all of them.
    static func figures(agency: String, months: ClosedRange<Int>?, _ db: any SQLConnection) throws -> DossierV1.AgencyStatistics {
        let (sql, arguments) = figuresSQL(agency: agency, months: months, byMonth: false)
        var statistics = DossierV1.AgencyStatistics()
        statistics.agencyCode = agency
        if let row = try SQLRow.fetchOne(db, sql: sql, arguments: arguments) { fill(&statistics, from: row) }
        return statistics
    }

    /// The figures of each month of [first, last] that has any; the caller fills the gaps.
    static func monthly(agency: String, months: ClosedRange<Int>, _ db: any SQLConnection) throws -> [Int: DossierV1.AgencyStatistics] {
        let (sql, arguments) = figuresSQL(agency: agency, months: months, byMonth: true)
        var found: [Int: DossierV1.AgencyStatistics] = [:]
        for row in try SQLRow.fetchAll(db, sql: sql, arguments: arguments) {
            var statistics = DossierV1.AgencyStatistics()
            statistics.agencyCode = agency
            fill(&statistics, from: row)
            found[row["month"]] = statistics
        }
        return found
    }

    static func figuresSQL(agency: String, months: ClosedRange<Int>?, byMonth: Bool) -> (String, SQLArguments) {
        var arguments: SQLArguments = [agency]
        var condition = "agency_code = ?"
        if let months {
            condition += " AND month BETWEEN ? AND ?"
            arguments += [months.lowerBound, months.upperBound]
        }
        let sums = allColumns.map { "SUM(\($0)) AS \($0)" }.joined(separator: ", ")
        return ("SELECT \(byMonth ? "month, " : "")\(sums) FROM agency_month_statistics WHERE \(condition)"
                + (byMonth ? " GROUP BY month ORDER BY month" : ""), arguments)
    }

    private static func fill(_ s: inout DossierV1.AgencyStatistics, from row: SQLRow) {
        func count(_ column: String) -> UInt64 { UInt64(max(0, row[column] as Int64? ?? 0)) }
        s.submitted = count("submitted")
        s.submittedOnline = count("submitted_online")
        s.notReceived = count("not_received")
        s.received = count("received")
        s.resolvedOnTime = count("on_time")
        s.resolvedLate = count("late")
        s.refused = count("refused")
        s.withdrawn = count("withdrawn")
        s.inProgress = count("in_progress")
        s.inProgressOverdue = count("overdue")
        s.feeRequired = count("fee_required")
        s.feePaidOnline = count("fee_paid_online")
    }
}
