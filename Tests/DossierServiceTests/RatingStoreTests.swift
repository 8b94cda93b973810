import DVCProto
import Foundation
import OneStop
import RPCCore
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// The ratings' store on a real database, each backend (docs/satisfaction.md): the tables share nothing with
/// the dossier or each other, the month is the finest time kept, each refusal names its field,
/// a dossier is rated once even when the same rating arrives many times at once, and the
/// aggregates count per agency and month.
@Suite struct RatingStoreTests {
    static let agency = "000.00.20.H26"
    static let owner = "001099012345"

    static func store(_ backend: SQLBackend, _ rows: [DossierRow]) throws -> DossierRatings {
        let database = try TestDatabases.make(backend, name: "dossier", migrations: DossierSchema.migrations)
        try database.write { db in for row in rows { try row.insert(db) } }
        return DossierRatings(database: database)
    }

    static func dossier(_ id: String, state: DossierV1.DossierState, agency: String = agency) -> DossierRow {
        var row = MonthStatisticsTests.dossier(id, channel: .online, submitted: 1_767_225_600_000, received: 1_767_225_600_000,
                                               state: state)
        row.agencyCode = agency
        return row
    }

    static func request(_ id: String, _ scores: [UInt32], comment: String = "") -> DossierV1.RateDossierRequest {
        var request = DossierV1.RateDossierRequest()
        request.dossierId = id
        var values = DossierV1.RatingScores()
        values.publicity = scores[0]
        values.timeliness = scores[1]
        values.conduct = scores[2]
        values.fees = scores[3]
        values.result = scores[4]
        request.scores = values
        request.comment = comment
        return request
    }

    static func refusal(_ work: () async throws -> Void) async -> RPCError? {
        do { try await work(); return nil } catch let error as RPCError { return error } catch { return nil }
    }

    @Test("the tables: no dossier, citizen, officer or time finer than the month beside the scores; no shared column; no rowid",
          arguments: TestDatabases.backends)
    func detachedSchema(backend: SQLBackend) throws {
        let ratings = try Self.store(backend, [])
        try ratings.database.read { db in
            func columns(_ table: String) throws -> Set<String> {
                Set(try String.fetchAll(db, sql: db.dialect(
                    sqlite: "SELECT name FROM pragma_table_info(?)",
                    postgres: "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?"),
                    arguments: [table]))
            }
            let rating = try columns("rating")
            let rated = try columns("rated_dossier")
            #expect(rating == ["id", "agency_code", "procedure_code", "period", "publicity", "timeliness", "conduct", "fees", "result", "comment"])
            #expect(rated == ["dossier_id"])
            #expect(rating.isDisjoint(with: rated))
            // WITHOUT ROWID on SQLite: no hidden insertion counter to order ratings by
            // (PostgreSQL tables have none to begin with).
            if db.backend == .sqlite {
                #expect(throws: (any Error).self) { try SQLRow.fetchAll(db, sql: "SELECT rowid FROM rating") }
                #expect(throws: (any Error).self) { try SQLRow.fetchAll(db, sql: "SELECT rowid FROM rated_dossier") }
            }
        }
        // The month in Hà Nội time: 31 January 23:30 (16:30 UTC) is January.
        let lateJanuary = Date(timeIntervalSince1970: Double(MonthStatisticsTests.hanoi(2026, 1, 31, hour: 23)) / 1000 + 30 * 60)
        #expect(DossierRatings.period(of: lateJanuary) == 202601)
        #expect(DossierRatings.randomID().count == 32 && DossierRatings.randomID() != DossierRatings.randomID())
    }

    @Test("refusals name the field and store nothing: not the owner, an officer, before the result, a score out of range or missing, a comment too long, twice",
          arguments: TestDatabases.backends)
    func refusals(backend: SQLBackend) async throws {
        let ratings = try Self.store(backend, [Self.dossier("done", state: .resultReturned), Self.dossier("open", state: .processing),
                                      Self.dossier("refused", state: .stopped)])
        let citizen = DossierActor.citizen(id: Self.owner)
        let good = [3, 2, 3, 3, 2] as [UInt32]
        #expect(await Self.refusal { _ = try await ratings.rate(Self.request("done", good), actor: .citizen(id: "001099099999")) }?.code == .notFound)
        #expect(await Self.refusal {
            _ = try await ratings.rate(Self.request("done", good), actor: .officer(id: "x", agencyCode: Self.agency, roles: [.approver]))
        }?.code == .permissionDenied)
        #expect(await Self.refusal { _ = try await ratings.rate(Self.request("nothing", good), actor: citizen) }?.code == .notFound)
        for id in ["open", "refused"] {
            let early = await Self.refusal { _ = try await ratings.rate(Self.request(id, good), actor: citizen) }
            #expect(early?.code == .failedPrecondition && early?.violations.first?.field == "dossier_id", "\(id)")
        }
        for (index, field) in ["publicity", "timeliness", "conduct", "fees", "result"].enumerated() {
            for bad in [0, 4] as [UInt32] {
                var scores = good
                scores[index] = bad
                let refused = await Self.refusal { _ = try await ratings.rate(Self.request("done", scores), actor: citizen) }
                #expect(refused?.code == .invalidArgument && refused?.violations.first?.field == "scores.\(field)", "\(field)=\(bad)")
            }
        }
        var noScores = Self.request("done", good)
        noScores.scores = nil
        #expect(await Self.refusal { _ = try await ratings.rate(noScores, actor: citizen) }?.violations.first?.field == "scores")
        let long = await Self.refusal {
            _ = try await ratings.rate(Self.request("done", good, comment: String(repeating: "ệ", count: 1001)), actor: citizen)
        }
        #expect(long?.code == .invalidArgument && long?.violations.first?.field == "comment")
        // Nothing stored by any refusal.
        var all = DossierV1.RatingSummaryRequest()
        all.agencyCode = Self.agency
        #expect(try await ratings.summary(all, actor: nil).ratings == 0)
        // A thousand characters (not bytes) is the limit; then once only.
        _ = try await ratings.rate(Self.request("done", good, comment: String(repeating: "ệ", count: 1000)), actor: citizen)
        let twice = await Self.refusal { _ = try await ratings.rate(Self.request("done", good), actor: citizen) }
        #expect(twice?.code == .alreadyExists && twice?.violations.first?.field == "dossier_id")
        #expect(try await ratings.summary(all, actor: nil).ratings == 1)
    }

    @Test("twenty submissions of the same dossier's rating at once: one stored, nineteen ALREADY_EXISTS",
          arguments: TestDatabases.backends)
    func onceUnderConcurrency(backend: SQLBackend) async throws {
        let ratings = try Self.store(backend, [Self.dossier("done", state: .processed)])
        let outcomes = await withTaskGroup(of: StatusCode?.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do {
                        _ = try await ratings.rate(Self.request("done", [1, 1, 1, 1, 1]), actor: .citizen(id: Self.owner))
                        return nil
                    } catch let error as RPCError { return error.code } catch { return .internalError }
                }
            }
            var all: [StatusCode?] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.filter { $0 == nil }.count == 1 && outcomes.filter { $0 == .alreadyExists }.count == 19, "\(outcomes)")
        var all = DossierV1.RatingSummaryRequest()
        all.agencyCode = Self.agency
        #expect(try await ratings.summary(all, actor: nil).ratings == 1)
    }

    @Test("aggregates per agency and month: counts always; averages only among five or more; comments also only to the agency, sorted",
          arguments: TestDatabases.backends)
    func aggregates(backend: SQLBackend) async throws {
        let ids = (0..<6).map { "d\($0)" }
        let ratings = try Self.store(backend, ids.map { Self.dossier($0, state: .resultReturned) } + [Self.dossier("other", state: .processed, agency: "000.00.21.H26")])
        let citizen = DossierActor.citizen(id: Self.owner)
        let now = Date(timeIntervalSince1970: Double(MonthStatisticsTests.hanoi(2026, 3, 15)) / 1000)
        let scores: [[UInt32]] = [[3, 3, 3, 3, 3], [2, 2, 2, 2, 2], [3, 1, 2, 3, 3], [3, 3, 3, 3, 3]]
        for (index, values) in scores.enumerated() {
            _ = try await ratings.rate(Self.request(ids[index], values, comment: index == 2 ? "Chậm hẹn" : index == 0 ? "Tốt" : ""),
                                       actor: citizen, now: now)
        }
        _ = try await ratings.rate(Self.request("other", [1, 1, 1, 1, 1], comment: "Cơ quan khác"), actor: citizen, now: now)
        var march = DossierV1.RatingSummaryRequest()
        march.agencyCode = Self.agency
        march.year = 2026
        march.month = 3
        let officer = DossierActor.officer(id: "ld", agencyCode: Self.agency, roles: [.approver])
        var summary = try await ratings.summary(march, actor: officer)
        // Four: the counts, but neither the criteria's averages nor the comments.
        #expect(summary.ratings == 4 && summary.dissatisfiedRatings == 1 && summary.averagesWithheld && summary.minimumRatings == 5)
        #expect(summary.criteria.map(\.criterion) == ["publicity", "timeliness", "conduct", "fees", "result"])
        #expect(summary.criteria.allSatisfy { $0.averageCenti == 0 && $0.dissatisfied == 0 })
        #expect(summary.comments.isEmpty && summary.commentsWithheld)
        // The fifth rating: the averages for everyone; the agency's officer reads the comments,
        // sorted; the public and another agency's officer never do.
        _ = try await ratings.rate(Self.request(ids[4], [2, 2, 2, 2, 2], comment: "  Ân cần  "), actor: citizen, now: now)
        summary = try await ratings.summary(march, actor: officer)
        // (3+2+3+3+2)/5 = 2,60 for publicity; (3+2+1+3+2)/5 = 2,20 for timeliness.
        #expect(!summary.averagesWithheld && summary.criteria.map(\.averageCenti) == [260, 220, 240, 260, 260])
        #expect(summary.criteria.map(\.dissatisfied) == [0, 1, 0, 0, 0])
        #expect(summary.ratings == 5 && summary.comments == ["Chậm hẹn", "Tốt", "Ân cần"].sorted() && !summary.commentsWithheld)
        #expect(try await ratings.summary(march, actor: .agencySystem(agencyCode: Self.agency)).comments.count == 3)
        let outsider = try await ratings.summary(march, actor: .officer(id: "x", agencyCode: "000.00.21.H26", roles: [.approver]))
        #expect(outsider.ratings == 5 && outsider.comments.isEmpty && !outsider.commentsWithheld)
        let anonymous = try await ratings.summary(march, actor: nil)
        #expect(anonymous.comments.isEmpty && !anonymous.commentsWithheld && anonymous.criteria == summary.criteria)
        // Another month and year hold none of them; all time holds them.
        var april = march
        april.month = 4
        #expect(try await ratings.summary(april, actor: nil).ratings == 0)
        march.month = 0
        #expect(try await ratings.summary(march, actor: nil).ratings == 5)
        // The statistics' counts by month.
        let counts = try await ratings.database.read { db in try DossierRatings.monthlyCounts(agency: Self.agency, months: 202601...202612, db) }
        #expect(counts[202603]?.ratings == 5 && counts[202603]?.dissatisfied == 1 && counts.count == 1)
        // Bad periods are refused naming the field.
        var bad = DossierV1.RatingSummaryRequest()
        #expect(await Self.refusal { _ = try await ratings.summary(bad, actor: nil) }?.violations.first?.field == "agency_code")
        bad.agencyCode = Self.agency
        bad.month = 3
        #expect(await Self.refusal { _ = try await ratings.summary(bad, actor: nil) }?.violations.first?.field == "month")
        bad.year = 1999
        #expect(await Self.refusal { _ = try await ratings.summary(bad, actor: nil) }?.violations.first?.field == "year")
        bad.year = 2026
        bad.month = 13
        #expect(await Self.refusal { _ = try await ratings.summary(bad, actor: nil) }?.violations.first?.field == "month")
    }
}
