import ArgumentParser
import BenchKit
import DVCProto
import DossierService
import Foundation
import OneStop
import RPCCore
import RPCNIO

/// Starts the real dossier-svc on each data folder in turn and measures, over RPC with a
/// closed loop: tracking by receipt code and PIN, the busiest agency's queue as the officer
/// console asks for it (all, by state, by assignee, due soon, overdue; first and a later page)
/// and its statistics. One JSON line per call and folder, the query plans of each folder, then
/// the ratios of the last folder against the first.
struct Measure: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure reads of dossier-svc on generated data folders.")

    @Option(name: .customLong("data-dir"), help: "A folder made by `generate` (repeat: the first is the reference).")
    var dataDirectories: [String]

    @Option(name: .customLong("database"), help: "The postgres:// URL a --data-dir's dossiers were generated into (repeat, one per --data-dir in the same order; an empty one, or none at all, for folders on SQLite).")
    var databases: [String] = []

    @Option(help: "Calls in flight, on one connection.")
    var concurrency: Int = 8

    @Option(help: "Seconds measured per call.")
    var duration: Double = 3

    @Option(help: "Seconds of warm-up per call.")
    var warmup: Double = 1

    @Option(help: "The seed catalog the folders were generated from.")
    var catalog = "Services/catalog-svc/CatalogService/Seed/catalog.json"

    /// The queue's state filter: dossiers being processed, the console's busiest view.
    static let queueState = DossierV1.DossierState.processing

    func run() async throws {
        guard !dataDirectories.isEmpty else { throw BenchError("give at least one --data-dir") }
        let agencies = Set(try SeedOffer.load(catalog).map(\.agencyCode)).sorted()
        var measured: [(label: String, results: [(String, ClosedLoop.Result)])] = []
        guard databases.isEmpty || databases.count == dataDirectories.count else {
            throw BenchError("give one --database per --data-dir, or none")
        }
        for (index, folder) in dataDirectories.enumerated() {
            // An empty --database keeps that folder on SQLite (to mix both in one run).
            let database = databases.isEmpty || databases[index].isEmpty ? nil : databases[index]
            measured.append(try await measure(folder, database: database, agencies: agencies))
        }
        guard let small = measured.first, let large = measured.last, measured.count > 1 else { return }
        for ((name, a), (_, b)) in zip(small.results, large.results) {
            let slower = a.rps / max(b.rps, 0.001)
            let p99 = b.percentileMicros(0.99) / max(a.percentileMicros(0.99), 0.001)
            emit("{\"ratio\":\"\(name)\",\"small\":\"\(small.label)\",\"large\":\"\(large.label)\","
                + "\"rps_small\":\(Int(a.rps.rounded())),\"rps_large\":\(Int(b.rps.rounded())),"
                + "\"p99_small_us\":\(a.percentileMicros(0.99)),\"p99_large_us\":\(b.percentileMicros(0.99)),"
                + "\"rps_ratio\":\(String(format: "%.2f", slower)),\"p99_ratio\":\(String(format: "%.2f", p99))}")
        }
    }

    private func measure(_ folder: String, database: String?, agencies: [String]) async throws
        -> (label: String, results: [(String, ClosedLoop.Result)]) {
        // Opening applies the migrations the folder still lacks, as dossier-svc's start would:
        // timed, as an operator upgrading would meet it.
        let opening = Date()
        var loader = try DossierBulkLoader(dataDirectory: folder, database: database)
        emit("{\"impl\":\"dossier-svc.open-and-migrate\",\"folder\":\"\(folder)\",\"seconds\":\(String(format: "%.1f", Date().timeIntervalSince(opening)))}")
        let total = try loader.dossierCount()
        let samples = try loader.trackingSamples(count: 1000)
        try loader.close()
        guard !samples.isEmpty else { throw BenchError("\(folder) has no received dossier") }
        let label = "\(total)\(database == nil ? "" : " postgres")"

        let started = Date()
        // The measured calls never reach catalog-svc; dossier-svc needs a peer to start.
        let service = try await ChildService("dossier-svc", arguments: ["--catalog", "127.0.0.1:9"],
                                             config: database.map { ["database": $0] } ?? [:], dataDirectory: folder)
        emit("{\"impl\":\"dossier-svc.start\",\"dossiers\":\(total),\"seconds\":\(String(format: "%.1f", Date().timeIntervalSince(started)))}")
        let calls: Calls
        do {
            calls = try await self.calls(service, total: total, samples: samples, agencies: agencies)
        } catch {
            service.stop()
            throw error
        }
        service.stop()

        loader = try DossierBulkLoader(dataDirectory: folder, database: database)
        for entry in try loader.queryPlans(agency: calls.agency, state: Self.queueState, assignee: calls.assignee,
                                           dueBeforeMs: calls.dueSoonMs, year: calls.year) {
            for line in entry.plan { emit("plan \(label) | \(entry.name) | \(line)") }
        }
        try loader.close()
        return (label, calls.results)
    }

    private struct Calls {
        var agency: String
        var assignee: String
        var dueSoonMs: Int64
        var year: Int
        var results: [(String, ClosedLoop.Result)]
    }

    private func calls(_ service: ChildService, total: Int, samples: [(receiptCode: String, pin: String)],
                       agencies: [String]) async throws -> Calls {

        let (eventLoop, executor) = ClosedLoop.eventLoop()
        let client = RPCClient(peers: [service.address], group: eventLoop)
        var system = CallOptions(timeout: .seconds(60))
        system.metadata[CallerIdentity.metadataKey] = "system:dossier-scale-bench"

        // The busiest agency: the one with the most dossiers received.
        var busiest = ("", UInt64(0))
        for agency in agencies {
            var request = DossierV1.AgencyStatisticsRequest()
            request.agencyCode = agency
            let statistics = try await client.unary(DossierV1.DossierService.getAgencyStatistics, request, options: system)
            if statistics.received > busiest.1 { busiest = (agency, statistics.received) }
        }
        let agency = busiest.0
        var officerOptions = system
        officerOptions.metadata[CallerIdentity.metadataKey] = "officer:dossier-scale-bench@\(agency):receiver"
        let officer = officerOptions

        func list(state: DossierV1.DossierState = .unspecified, assignee: String = "", dueBeforeMs: Int64 = 0,
                  overdue: Bool = false, token: String = "", search: String = "", order: DossierV1.QueueOrder = .appointment,
                  counts: Bool = false) -> DossierV1.ListDossiersRequest {
            var request = DossierV1.ListDossiersRequest()
            request.search = search
            request.order = order
            request.withStateCounts = counts
            request.agencyCode = agency
            request.state = state
            request.assignee = assignee
            request.dueBeforeUnixMs = dueBeforeMs
            request.overdueOnly = overdue
            request.pageSize = 20
            request.pageToken = token
            return request
        }
        /// The token of page `page` (from 1), as a console user paging on would hold it.
        func token(_ request: DossierV1.ListDossiersRequest, page: Int) async throws -> String {
            var request = request
            for _ in 1..<page {
                request.pageToken = try await client.unary(DossierV1.DossierService.listDossiers, request, options: officer).nextPageToken
                if request.pageToken.isEmpty { break }
            }
            return request.pageToken
        }
        let processing = try await client.unary(DossierV1.DossierService.listDossiers, list(state: Self.queueState), options: officer)
        // A dossier to search for: the first being processed, as an officer looking for it would.
        let sample = processing.dossiers.first
        let assignee = processing.dossiers.first(where: { !$0.assignee.isEmpty })?.assignee ?? ""
        let dueSoon = Int64(Date().timeIntervalSince1970 * 1000) + 48 * 3_600_000
        let queues: [(String, DossierV1.ListDossiersRequest)] = [
            ("queue.all", list()),
            ("queue.all.page10", list(token: try await token(list(), page: 10))),
            ("queue.state", list(state: Self.queueState)),
            ("queue.state.page10", list(state: Self.queueState, token: try await token(list(state: Self.queueState), page: 10))),
            ("queue.assignee", list(assignee: assignee)),
            ("queue.state+assignee", list(state: Self.queueState, assignee: assignee)),
            ("queue.due-soon", list(dueBeforeMs: dueSoon)),
            ("queue.state+due-soon", list(state: Self.queueState, dueBeforeMs: dueSoon)),
            ("queue.overdue", list(overdue: true)),
            // The console's first page: every state's count with the queue.
            ("queue.all+counts", list(counts: true)),
            ("queue.newest", list(order: .submittedNewest)),
            ("queue.newest.page10", list(token: try await token(list(order: .submittedNewest), page: 10), order: .submittedNewest)),
            ("queue.search.identity", list(search: sample?.applicantId ?? "001099012345")),
            ("queue.search.receipt-code", list(search: String((sample?.receiptCode ?? agency).prefix(agency.count + 5)))),
            ("queue.search.name", list(search: ApplicantName.searchKey(ApplicantName.of(sample?.formData ?? [:]))
                .split(separator: " ").suffix(2).joined(separator: " "))),
        ]

        let load = ClosedLoop(concurrency: concurrency, warmup: .milliseconds(Int64(warmup * 1000)),
                              duration: .milliseconds(Int64(duration * 1000)))
        var results: [(String, ClosedLoop.Result)] = []
        func record(_ name: String, _ result: ClosedLoop.Result, _ extra: [(String, String)] = []) {
            emit(result.json(impl: "dossier.\(name)", extra: [("dossiers", "\(total)"), ("concurrency", "\(concurrency)")] + extra))
            results.append((name, result))
        }

        let anyone = CallOptions(timeout: .seconds(60))
        record("track", try await load.run(executor: executor) { iteration in
            let sample = samples[iteration % samples.count]
            var request = DossierV1.TrackDossierRequest()
            request.receiptCode = sample.receiptCode
            request.pin = sample.pin
            return try await client.unary(DossierV1.DossierService.trackDossier, request, options: anyone).receiptCode == sample.receiptCode
        })
        for (name, request) in queues {
            let rows = try await client.unary(DossierV1.DossierService.listDossiers, request, options: officer).dossiers.count
            record(name, try await load.run(executor: executor) { _ in
                try await client.unary(DossierV1.DossierService.listDossiers, request, options: officer).dossiers.count == rows
            }, [("agency", "\"\(agency)\""), ("rows", "\(rows)")])
        }
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        for (name, chosen, month, byMonth) in [("statistics.year", year, 0, false), ("statistics.all", 0, 0, false),
                                               ("statistics.month", year, 1, false), ("statistics.by-month", year, 0, true)] {
            var request = DossierV1.AgencyStatisticsRequest()
            request.agencyCode = agency
            request.year = UInt32(chosen)
            request.month = UInt32(month)
            request.byMonth = byMonth
            let sent = request
            let expected = try await client.unary(DossierV1.DossierService.getAgencyStatistics, request, options: anyone)
            record(name, try await load.run(executor: executor) { _ in
                try await client.unary(DossierV1.DossierService.getAgencyStatistics, sent, options: anyone) == expected
            }, [("agency", "\"\(agency)\""), ("received", "\(expected.received)")])
        }
        await client.close()
        return Calls(agency: agency, assignee: assignee, dueSoonMs: dueSoon, year: year, results: results)
    }
}
