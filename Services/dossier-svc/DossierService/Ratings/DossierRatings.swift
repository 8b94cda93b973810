import DVCProto
import Foundation
import OneStop
import RPCCore
import Storage

/// Citizens' satisfaction ratings (docs/satisfaction.md): the owner rates a dossier once it
/// has its result, once; the rating is stored detached from the dossier (`RatingSchema`) and
/// read by everyone else only as counts and averages per agency and month.
struct DossierRatings: Sendable {
    let database: ServiceDatabase

    /// The states in which a dossier has its result: processed (9) and returned (10).
    static let rateableStates: Set<DossierV1.DossierState> = [.processed, .resultReturned]

    /// Stores the owner's rating. The dossier's row is read and both rows written in one write
    /// transaction: writes run one at a time on both backends (SQLite's single writer,
    /// PostgreSQL's write lock), so two submissions at once find one of them already recorded;
    /// the primary key of `rated_dossier` would refuse the second anyway, and that refusal is
    /// the same ALREADY_EXISTS.
    func rate(_ request: DossierV1.RateDossierRequest, actor: DossierActor, now: Date = Date()) async throws -> DossierV1.RatingStatus {
        guard case .citizen = actor else {
            throw RPCError(.permissionDenied, "Chỉ người nộp hồ sơ mới đánh giá được mức độ hài lòng.")
        }
        guard !request.dossierId.isEmpty else { throw RPCError.invalidArgument(field: "dossier_id", "Thiếu mã hồ sơ.") }
        guard let scores = request.scores else {
            throw RPCError.invalidArgument(field: "scores", "Hãy chọn mức độ hài lòng cho từng tiêu chí.")
        }
        for (criterion, value) in zip(RatingCriteria.all, RatingCriteria.values(scores)) where !RatingCriteria.scale.contains(value) {
            throw RPCError.invalidArgument(field: "scores.\(criterion.field)",
                                           "Mức đánh giá \"\(criterion.name)\" phải từ 1 (không hài lòng) đến 3 (rất hài lòng).")
        }
        let comment = request.comment.trimmingCharacters(in: .whitespacesAndNewlines)
        guard comment.count <= RatingCriteria.commentLimit else {
            throw RPCError.invalidArgument(field: "comment", "Ý kiến góp ý tối đa \(RatingCriteria.commentLimit) ký tự.")
        }
        let period = Self.period(of: now)
        let id = Self.randomID()
        return try await database.write { db in
            guard let row = try DossierRow.fetch(id: request.dossierId, db), case .citizen(let citizen) = actor,
                  row.applicantID == citizen else {
                throw RPCError(.notFound, "dossier \(request.dossierId) does not exist or is not yours")
            }
            guard Self.rateableStates.contains(row.state) else {
                throw RPCError(.failedPrecondition, "Hồ sơ chưa có kết quả giải quyết: chỉ đánh giá được sau khi có kết quả.",
                               violations: [FieldViolation(field: "dossier_id", description: "Hồ sơ chưa có kết quả.")])
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM rated_dossier WHERE dossier_id = ?", arguments: [row.id]) == true {
                throw Self.alreadyRated(row.id)
            }
            do {
                try db.execute(sql: "INSERT INTO rated_dossier (dossier_id) VALUES (?)", arguments: [row.id])
            } catch where SQLError.isUniqueViolation(error) {
                throw Self.alreadyRated(row.id)
            }
            try db.execute(sql: """
                INSERT INTO rating (id, agency_code, procedure_code, period, publicity, timeliness, conduct, fees, result, comment)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, row.agencyCode, row.procedureCode, period, scores.publicity, scores.timeliness,
                                 scores.conduct, scores.fees, scores.result, comment])
            var status = DossierV1.RatingStatus()
            status.dossierId = row.id
            status.rated = true
            return status
        }
    }

    static func alreadyRated(_ id: String) -> RPCError {
        RPCError(.alreadyExists, "Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.",
                 violations: [FieldViolation(field: "dossier_id", description: "Đã đánh giá.")])
    }

    /// The owner's view: rated or not, and whether rating is possible now.
    func status(_ request: DossierV1.GetRatingStatusRequest, actor: DossierActor) async throws -> DossierV1.RatingStatus {
        guard !request.dossierId.isEmpty else { throw RPCError.invalidArgument(field: "dossier_id", "Thiếu mã hồ sơ.") }
        return try await database.read { db in
            guard let row = try DossierRow.fetch(id: request.dossierId, db), case .citizen(let citizen) = actor,
                  row.applicantID == citizen else {
                throw RPCError(.notFound, "dossier \(request.dossierId) does not exist or is not yours")
            }
            var status = DossierV1.RatingStatus()
            status.dossierId = row.id
            status.rated = try Bool.fetchOne(db, sql: "SELECT 1 FROM rated_dossier WHERE dossier_id = ?", arguments: [row.id]) == true
            status.rateable = !status.rated && Self.rateableStates.contains(row.state)
            return status
        }
    }

    /// An agency's ratings of a period as aggregates: the counts always, the criteria's
    /// averages only among at least `RatingCriteria.minimumRatings` ratings, and the comments
    /// also only to the agency's own officers and systems.
    func summary(_ request: DossierV1.RatingSummaryRequest, actor: DossierActor?) async throws -> DossierV1.RatingSummary {
        guard !request.agencyCode.isEmpty else { throw RPCError.invalidArgument(field: "agency_code", "required") }
        if request.year != 0, !(2000...2099).contains(request.year) {
            throw RPCError.invalidArgument(field: "year", "must be 2000 to 2099, or 0 for all time")
        }
        guard request.month <= 12 else { throw RPCError.invalidArgument(field: "month", "must be 1 to 12, or 0 for the whole year") }
        if request.month != 0, request.year == 0 { throw RPCError.invalidArgument(field: "month", "a month needs a year") }
        let periods = Self.periods(year: request.year, month: request.month)
        let ownAgency: Bool = switch actor {
        case .officer(_, let agency, _)?, .agencySystem(let agency)?: agency == request.agencyCode
        default: false
        }
        return try await database.read { db in
            let columns = RatingCriteria.all.map(\.field)
            let sums = columns.map { "SUM(\($0))" } + columns.map { "SUM(CASE WHEN \($0) = 1 THEN 1 ELSE 0 END)" }
            let row = try SQLRow.fetchOne(db, sql: """
                SELECT COUNT(*) AS n, SUM(\(Self.dissatisfied)) AS dissatisfied, \(sums.joined(separator: ", "))
                FROM rating WHERE agency_code = ? AND period BETWEEN ? AND ?
                """, arguments: [request.agencyCode, periods.lowerBound, periods.upperBound])!
            let count = UInt64(row["n"] as Int64? ?? 0)
            var summary = DossierV1.RatingSummary()
            summary.agencyCode = request.agencyCode
            summary.year = request.year
            summary.month = request.month
            summary.ratings = count
            summary.dissatisfiedRatings = UInt64(row["dissatisfied"] as Int64? ?? 0)
            summary.minimumRatings = UInt32(RatingCriteria.minimumRatings)
            let enough = count >= UInt64(RatingCriteria.minimumRatings)
            summary.averagesWithheld = count > 0 && !enough
            summary.criteria = RatingCriteria.all.enumerated().map { index, criterion in
                var one = DossierV1.CriterionSummary()
                one.criterion = criterion.field
                one.name = criterion.name
                guard enough else { return one }
                let sum = UInt64(row[2 + index] as Int64? ?? 0)
                one.averageCenti = UInt32((sum * 100 + count / 2) / count)
                one.dissatisfied = UInt64(row[2 + columns.count + index] as Int64? ?? 0)
                return one
            }
            if ownAgency {
                if enough {
                    // Sorted by their text: neither the order of writing nor the random key shows.
                    // Sorted here rather than by ORDER BY, whose order of Vietnamese text is the
                    // database's collation (bytes in SQLite, the locale's in PostgreSQL).
                    summary.comments = try String.fetchAll(db, sql: """
                        SELECT comment FROM rating WHERE agency_code = ? AND period BETWEEN ? AND ? AND comment <> ''
                        """, arguments: [request.agencyCode, periods.lowerBound, periods.upperBound]).sorted()
                } else {
                    summary.commentsWithheld = true
                }
            }
            return summary
        }
    }

    /// Ratings and dissatisfied ratings per month (yyyymm) of an agency, for its statistics.
    static func monthlyCounts(agency: String, months: ClosedRange<Int>?, _ db: any SQLConnection) throws -> [Int: (ratings: UInt64, dissatisfied: UInt64)] {
        let range = months ?? 0...999_999
        var counts: [Int: (ratings: UInt64, dissatisfied: UInt64)] = [:]
        for row in try SQLRow.fetchAll(db, sql: """
            SELECT period, COUNT(*) AS n, SUM(\(dissatisfied)) AS dissatisfied FROM rating
            WHERE agency_code = ? AND period BETWEEN ? AND ? GROUP BY period
            """, arguments: [agency, range.lowerBound, range.upperBound]) {
            counts[row["period"]] = (UInt64(row["n"] as Int64), UInt64(row["dissatisfied"] as Int64? ?? 0))
        }
        return counts
    }

    /// 1 for a rating with any criterion at 1 (không hài lòng), else 0: written with CASE, which
    /// both backends read alike (SQLite's MIN of several values is LEAST in PostgreSQL, and
    /// PostgreSQL does not sum booleans).
    static let dissatisfied = "CASE WHEN " + RatingCriteria.all.map { "\($0.field) = 1" }.joined(separator: " OR ") + " THEN 1 ELSE 0 END"

    /// The periods (yyyymm) of a request: all time, a year or one month.
    static func periods(year: UInt32, month: UInt32) -> ClosedRange<Int> {
        guard year != 0 else { return 0...999_999 }
        let y = Int(year) * 100
        return month == 0 ? y + 1...y + 12 : y + Int(month)...y + Int(month)
    }

    /// The local (UTC+7) month of a moment, yyyymm: the finest time a rating keeps.
    static func period(of date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        let parts = calendar.dateComponents([.year, .month], from: date)
        return parts.year! * 100 + parts.month!
    }

    /// 128 random bits: the rating's key says nothing of when it was written.
    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
