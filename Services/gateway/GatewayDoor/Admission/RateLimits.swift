import Metrics
import RPCCore

/// The gateway's per-client rate limits: for each kind of client, requests a second and a
/// burst of twice that. A client over its limit gets RESOURCE_EXHAUSTED (HTTP 429) with how
/// long to wait; other clients are not affected. Config keys (docs/gateway.md "Overload and
/// rate limits"): `rate_per_address`, `rate_per_person`, `rate_per_key`, `rate_per_upload`; 0 turns one off.
public struct RateLimits: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        /// Every HTTP request, and every anonymous RPC call, by the address it came from.
        case address
        /// A signed-in citizen or officer (their session), by person.
        case person
        /// An agency system, by API key — whoever it acts for.
        case key
        /// Requests with a large body (a dossier's files), by person or API key, counted before
        /// the body is read — in addition to that caller's own limit, which counts the call.
        case upload

        public var configKey: String { "rate_per_\(rawValue)" }

        /// Generous for people behind one address (a school, a carrier's NAT share one), tight
        /// enough that one person cannot take a share of the machine meant for thousands.
        var defaultRate: Double {
            switch self {
            case .address: 100
            case .person: 20
            case .key: 1_000
            // A person submits a dossier now and then; an agency system a few a second.
            case .upload: 2
            }
        }

        /// What the caller is told, in Vietnamese first (people read it on a page).
        var refusal: String {
            switch self {
            case .address: "Có quá nhiều yêu cầu từ địa chỉ mạng của bạn"
            case .person: "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn"
            case .key: "Hệ thống của cơ quan đã gửi quá nhiều yêu cầu"
            case .upload: "Bạn đã gửi quá nhiều hồ sơ, tệp trong thời gian ngắn"
            }
        }
    }

    private let buckets: [Kind: TokenBuckets]
    private let refused: [Kind: Counter]

    public init(rates: [Kind: Double] = [:]) {
        var buckets: [Kind: TokenBuckets] = [:]
        for kind in Kind.allCases {
            let rate = rates[kind] ?? kind.defaultRate
            if rate > 0 { buckets[kind] = TokenBuckets(rate: rate, burst: max(1, rate * 2)) }
        }
        self.buckets = buckets
        refused = Dictionary(uniqueKeysWithValues: Kind.allCases.map {
            ($0, Counter(label: "dvc_gateway_rate_limited_total", dimensions: [("client", $0.rawValue)]))
        })
    }

    public func rate(_ kind: Kind) -> Double? { buckets[kind]?.rate }

    /// Counts one request of `client`; throws RESOURCE_EXHAUSTED with `retry-after-ms` when it
    /// is over its limit.
    public func check(_ kind: Kind, _ client: String) throws {
        guard let wait = buckets[kind]?.take(client) else { return }
        refused[kind]?.increment()
        let ms = max(1, Int64((Double(wait.components.seconds) + Double(wait.components.attoseconds) * 1e-18) * 1000) + 1)
        let seconds = max(1, (ms + 999) / 1000)
        throw RPCError(.resourceExhausted,
                       "\(kind.refusal); vui lòng thử lại sau \(seconds) giây. (rate limit per \(kind.rawValue): \(Int(buckets[kind]?.rate ?? 0))/s)",
                       metadata: ["retry-after-ms": "\(ms)", "dvc-rate-limit": kind.rawValue])
    }
}
