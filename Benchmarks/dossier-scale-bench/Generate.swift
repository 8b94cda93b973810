import ArgumentParser
import BenchKit
import DossierService
import Foundation

/// Fills a dossier-svc data folder with `count` dossiers (see `ScaleGenerator`), written by
/// dossier-svc's own loader in large transactions.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Fill a dossier-svc data folder with generated dossiers.")

    @Option(help: "The dossier-svc data folder (created; must not hold dossiers yet).")
    var dataDir: String

    @Option(help: "A postgres:// URL: load dossier-svc's data into that (empty) PostgreSQL database instead of the folder's SQLite file; measure with the same --data-dir and --database.")
    var database: String?

    @Option(help: "How many dossiers.")
    var count: Int = 1_000_000

    @Option(help: "The seed catalog whose agencies and procedures the dossiers name.")
    var catalog = "Services/catalog-svc/CatalogService/Seed/catalog.json"

    @Option(help: "Days over which the dossiers were submitted, ending now.")
    var spanDays: Int = 730

    @Option(help: "Dossiers per transaction.")
    var batch: Int = 20_000

    func run() throws {
        let offers = try SeedOffer.load(catalog)
        guard !offers.isEmpty else { throw BenchError("\(catalog) offers no procedure online") }
        let started = Date()
        try fill(offers: offers, nowMs: Int64(started.timeIntervalSince1970 * 1000), started: started)
        let seconds = Date().timeIntervalSince(started)
        // The database file with its write-ahead log, if one is left.
        let bytes = try ["dossier.sqlite", "dossier.sqlite-wal"].reduce(Int64(0)) { total, name in
            let file = URL(fileURLWithPath: dataDir).appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: file) else { return total }
            return total + ((try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0)
        }
        emit("{\"impl\":\"dossier-scale.generate\",\"count\":\(count),\"seconds\":\(Int(seconds.rounded())),"
            + "\"backend\":\"\(database == nil ? "sqlite" : "postgres")\",\"database_bytes\":\(database == nil ? "\(bytes)" : "null")}")
    }

    /// Writes the dossiers; the loader is gone (its database closed) when this returns.
    private func fill(offers: [SeedOffer], nowMs: Int64, started: Date) throws {
        let loader = try DossierBulkLoader(dataDirectory: dataDir, database: database)
        guard try loader.dossierCount() == 0 else { throw BenchError("\(dataDir) already holds dossiers") }
        var generator = ScaleGenerator(offers: offers, count: count, nowMs: nowMs, spanDays: spanDays)
        var next = 0
        while next < count {
            let end = min(count, next + batch)
            try loader.load((next..<end).map { generator.dossier($0) })
            next = end
            if next % 100_000 == 0 || next == count {
                FileHandle.standardError.write(Data("generate: \(next) dossiers, \(Int(Date().timeIntervalSince(started))) s\n".utf8))
            }
        }
        try loader.close()
    }
}
