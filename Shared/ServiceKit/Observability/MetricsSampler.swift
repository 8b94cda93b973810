import CoreMetrics
import Foundation
import GRDB
import Metrics
import Storage

/// A gauge read when `/metrics` is scraped rather than kept up to date: queue lengths and
/// backlogs that one SQL count gives, and the process's own figures. Always current, and costs
/// nothing between scrapes.
public struct MetricsSampler: Sendable {
    public var name: String
    public var dimensions: [(String, String)]
    public var sample: @Sendable () async throws -> Double

    public init(name: String, dimensions: [(String, String)] = [], sample: @escaping @Sendable () async throws -> Double) {
        self.name = name
        self.dimensions = dimensions
        self.sample = sample
    }

    /// Reads the value into its gauge; a failed read leaves the previous value and says so in
    /// `dvc_metrics_sample_errors_total{metric}`.
    func collect() async {
        do {
            Gauge(label: name, dimensions: dimensions).record(try await sample())
        } catch {
            Counter(label: "dvc_metrics_sample_errors_total", dimensions: [("metric", name)]).increment()
        }
    }
}

extension MetricsSampler {
    /// `dvc_outbox_backlog`: outbox rows not delivered yet (one per event and destination), and
    /// `dvc_outbox_oldest_pending_seconds`: how long the oldest has waited (0 when none). A
    /// backlog that keeps growing means a receiver is down or failing.
    public static func outbox(_ database: ServiceDatabase) -> [MetricsSampler] {
        [
            MetricsSampler(name: "dvc_outbox_backlog") {
                Double(try await database.read { db in try Outbox.backlog(in: db) })
            },
            MetricsSampler(name: "dvc_outbox_oldest_pending_seconds") {
                let oldest = try await database.read { db in try Outbox.oldestPendingCreatedAt(in: db) }
                return oldest.map { max(0, Date().timeIntervalSince($0)) } ?? 0
            },
        ]
    }

    /// `process_resident_memory_bytes` and `process_open_fds`, from /proc/self (Linux; elsewhere
    /// the sample fails and the gauge is absent).
    public static var process: [MetricsSampler] {
        [
            MetricsSampler(name: "process_resident_memory_bytes") {
                // statm: size resident shared text lib data dt, in pages.
                let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
                let fields = statm.split(separator: " ")
                guard fields.count > 1, let pages = Double(fields[1]) else { throw CocoaError(.fileReadCorruptFile) }
                return pages * Double(sysconf(Int32(_SC_PAGESIZE)))
            },
            MetricsSampler(name: "process_open_fds") {
                Double(try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count)
            },
        ]
    }
}
