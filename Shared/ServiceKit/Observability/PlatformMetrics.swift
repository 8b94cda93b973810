import CoreMetrics
import Metrics
import Prometheus
import Synchronization

/// The process's metrics: swift-metrics bootstrapped once to a Prometheus registry, which the
/// admin port's `/metrics` prints (docs/observability.md lists every name).
///
/// Code anywhere in the process records through swift-metrics (`Counter`, `Timer`, `Meter`,
/// `Gauge`); what it records lands in ``registry``. Before ``bootstrap()`` (unit tests, tools)
/// swift-metrics drops everything, so recording is always safe.
public enum PlatformMetrics {
    /// The registry every metric of this process lands in.
    public static let registry = PrometheusCollectorRegistry()

    /// Latency buckets from a millisecond to ten seconds: an in-memory catalog read is well
    /// under 5 ms, a dossier write with its group commit tens of ms, a call that waits on a
    /// peer or a deadline seconds.
    public static let durationBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    private static let bootstrapped = Mutex(false)

    /// Points swift-metrics at ``registry``; only the first call in a process does anything
    /// (swift-metrics allows one bootstrap per process).
    public static func bootstrap() {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = durationBuckets
        factory.nameAndLabelSanitizer = { name, labels in
            (prometheusName(name), labels.map { (prometheusLabel($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
    }

    /// Names that libraries choose (Hummingbird's `hb.requests`, OpenTelemetry-style dotted
    /// names) made into the platform's Prometheus names; any other dot becomes `_`.
    static func prometheusName(_ name: String) -> String {
        switch name {
        case "hb.requests": "dvc_http_requests_total"
        case "hb.request.errors": "dvc_http_request_errors_total"
        case "http.server.request.duration": "dvc_http_request_duration_seconds"
        case "http.server.active_requests": "dvc_http_active_requests"
        default: sanitize(name)
        }
    }

    static func prometheusLabel(_ label: String) -> String {
        switch label {
        case "http.route": "route"
        case "http.request.method": "http_method"
        case "http.response.status_code": "status"
        default: sanitize(label)
        }
    }

    private static func sanitize(_ name: String) -> String {
        String(name.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", ":": Character(scalar)
            default: "_"
            }
        })
    }
}
