import DVCProto
import OneStop
import Foundation
import RPCCore
import Storage

extension DossierBook {
    /// A citizen's own dossiers, or an officer's agency work queue (by state, assignee, due
    /// date, overdue), a page at a time.
    func list(_ request: DossierV1.ListDossiersRequest, for actor: DossierActor) async throws -> DossierV1.ListDossiersResponse {
        let size = request.pageSize == 0 ? 20 : Int(min(request.pageSize, 100))
        var response = DossierV1.ListDossiersResponse()
        switch actor {
        case .citizen(let id):
            let rows = try await database.read { db in try DossierQueries.ofApplicant(id, limit: size, db) }
            response.dossiers = try await listed(rows)
        case .officer, .agencySystem, .system:
            var scope = request.agencyCode
            if let agency = actor.agencyCode {
                if scope.isEmpty { scope = agency }
                guard scope == agency else {
                    throw RPCError(.permissionDenied, "\(actor) of \(agency) sees only that agency's dossiers")
                }
            }
            guard !scope.isEmpty else { throw RPCError.invalidArgument(field: "agency_code", "required") }
            guard (0...3).contains(request.order.rawValue) else {
                throw RPCError.invalidArgument(field: "order", "unknown order \(request.order.rawValue)")
            }
            // The change feed pages by `updated_after` (a position it hands back even after its
            // last page, to ask again later); the other orders by `page_token`.
            let feed = request.order == .changed
            let (tokenField, token) = feed ? ("updated_after", request.updatedAfter) : ("page_token", request.pageToken)
            if feed, !request.pageToken.isEmpty {
                throw RPCError.invalidArgument(field: "page_token", "the change feed pages with updated_after (the last answer's updated_cursor)")
            }
            if !feed, !request.updatedAfter.isEmpty {
                throw RPCError.invalidArgument(field: "updated_after", "only with order QUEUE_ORDER_CHANGED")
            }
            var cursor: DossierQueries.Cursor?
            if !token.isEmpty {
                guard let parsed = DossierQueries.Cursor(token) else {
                    throw RPCError.invalidArgument(field: tokenField, "not a token from a previous page")
                }
                cursor = parsed
            }
            if let cursor, cursor.order != request.order {
                throw RPCError.invalidArgument(field: tokenField, "a token of another order than the one asked")
            }
            guard request.search.count <= 100 else {
                throw RPCError.invalidArgument(field: "search", "at most 100 characters")
            }
            var filter = DossierQueries.QueueFilter(
                agency: scope, state: request.state == .unspecified ? nil : request.state,
                assignee: request.assignee.isEmpty ? nil : request.assignee,
                dueBeforeMs: request.dueBeforeUnixMs == 0 ? nil : request.dueBeforeUnixMs,
                overdueOnly: request.overdueOnly, search: QueueSearch(request.search), order: request.order)
            filter.periods = try Self.periods(request)
            if !request.procedureCode.isEmpty {
                guard request.procedureCode.count <= 64 else {
                    throw RPCError.invalidArgument(field: "procedure_code", "at most 64 characters")
                }
                filter.procedure = request.procedureCode
            }
            if !request.applicantId.isEmpty {
                guard request.applicantId.count == 12, request.applicantId.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    throw RPCError.invalidArgument(field: "applicant_id", "a 12-digit identity number")
                }
                filter.applicant = request.applicantId
            }
            let after = cursor, chosen = filter
            let counts = request.withStateCounts
            let agency = scope
            let (rows, stateCounts) = try await database.read { db in
                (try DossierQueries.queue(chosen, after: after, limit: size + 1, db),
                 counts ? try DossierQueries.stateCounts(agency: agency, db) : [])
            }
            response.stateCounts = stateCounts
            response.dossiers = try await listed(Array(rows.prefix(size)))
            if feed {
                response.updatedCursor = rows.prefix(size).last.map { DossierQueries.cursor(after: $0, order: .changed).token }
                    ?? request.updatedAfter
            } else if rows.count > size, let last = rows.prefix(size).last {
                response.nextPageToken = DossierQueries.cursor(after: last, order: request.order).token
            }
        }
        return response
    }

    /// The periods a queue request bounds, each checked: no negative instant, and `from`
    /// before `to` when both are given.
    static func periods(_ request: DossierV1.ListDossiersRequest) throws -> [DossierQueries.Period] {
        let asked: [(DossierQueries.Period.Instant, String, Int64, Int64)] = [
            (.submitted, "submitted", request.submittedFromUnixMs, request.submittedToUnixMs),
            (.received, "received", request.receivedFromUnixMs, request.receivedToUnixMs),
            (.decided, "decided", request.decidedFromUnixMs, request.decidedToUnixMs),
        ]
        return try asked.compactMap { instant, name, from, to in
            guard from >= 0 else { throw RPCError.invalidArgument(field: "\(name)_from_unix_ms", "an instant is not negative") }
            guard to >= 0 else { throw RPCError.invalidArgument(field: "\(name)_to_unix_ms", "an instant is not negative") }
            if from != 0, to != 0, to <= from {
                throw RPCError.invalidArgument(field: "\(name)_to_unix_ms", "the end of the period comes after its start")
            }
            guard from != 0 || to != 0 else { return nil }
            return DossierQueries.Period(instant: instant, from: from == 0 ? nil : from, to: to == 0 ? nil : to)
        }
    }

    /// 1 January of `year`, 00:00 in Hà Nội (UTC+7, no daylight saving), as Unix milliseconds.
    static func newYearUnixMs(_ year: Int) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        let date = calendar.date(from: DateComponents(year: year, month: 1, day: 1))!
        return Int64(date.timeIntervalSince1970 * 1000)
    }

    /// What a public portal shows for an agency: a year, a month of it, or all time, and with
    /// `by_month` each month of the year as well.
    func statistics(_ request: DossierV1.AgencyStatisticsRequest) async throws -> DossierV1.AgencyStatistics {
        guard !request.agencyCode.isEmpty else { throw RPCError.invalidArgument(field: "agency_code", "required") }
        var year: Int?
        if request.year != 0 {
            guard (2000...2099).contains(request.year) else {
                throw RPCError.invalidArgument(field: "year", "must be 2000 to 2099")
            }
            year = Int(request.year)
        }
        guard request.month <= 12 else { throw RPCError.invalidArgument(field: "month", "must be 1 to 12, or 0 for the whole year") }
        if request.month != 0, year == nil { throw RPCError.invalidArgument(field: "month", "a month needs a year") }
        if request.byMonth {
            guard year != nil else { throw RPCError.invalidArgument(field: "by_month", "needs a year") }
            guard request.month == 0 else { throw RPCError.invalidArgument(field: "by_month", "not with a month") }
        }
        let agency = request.agencyCode
        let months: ClosedRange<Int>? = year.map { y in
            request.month == 0 ? y * 100 + 1...y * 100 + 12 : y * 100 + Int(request.month)...y * 100 + Int(request.month)
        }
        let byMonth = request.byMonth
        let chosenYear = year
        return try await database.read { db in
            var figures = try DossierMonthStatistics.figures(agency: agency, months: months, db)
            // The satisfaction ratings' counts of the same months (docs/satisfaction.md).
            let rated = try DossierRatings.monthlyCounts(agency: agency, months: months, db)
            figures.ratings = rated.values.reduce(0) { $0 + $1.ratings }
            figures.dissatisfiedRatings = rated.values.reduce(0) { $0 + $1.dissatisfied }
            figures.year = UInt32(chosenYear ?? 0)
            figures.month = request.month
            if byMonth, let months {
                let found = try DossierMonthStatistics.monthly(agency: agency, months: months, db)
                figures.months = (1...12).map { month in
                    var one = found[months.lowerBound - 1 + month] ?? DossierV1.AgencyStatistics()
                    one.agencyCode = agency
                    one.year = figures.year
                    one.month = UInt32(month)
                    one.ratings = rated[months.lowerBound - 1 + month]?.ratings ?? 0
                    one.dissatisfiedRatings = rated[months.lowerBound - 1 + month]?.dissatisfied ?? 0
                    return one
                }
            }
            return figures
        }
    }
}
