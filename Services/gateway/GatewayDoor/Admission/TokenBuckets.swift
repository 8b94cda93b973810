import Synchronization

/// One token bucket per client (a citizen, an API key, an address): each holds up to `burst`
/// tokens and gains `rate` a second; a request takes one, and a client with none left is told
/// how long until it has one again.
///
/// Memory stays bounded however many clients come and go (an attacker can make addresses up):
/// a bucket that has filled up again says nothing a new bucket would not, so once there are
/// `maxClients` of them the full ones are dropped, and if that is not enough the ones seen
/// longest ago — which only ever gives a client a fresh, full bucket, never a wrong refusal.
final class TokenBuckets: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let rate: Double
    let burst: Double
    let maxClients: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    init(rate: Double, burst: Double, maxClients: Int = 100_000) {
        precondition(rate > 0 && burst >= 1)
        self.rate = rate
        self.burst = burst
        self.maxClients = maxClients
    }

    /// Takes a token for `client`: nil when it had one, else how long until it will.
    func take(_ client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            bucket.tokens = min(burst, bucket.tokens + max(0, seconds) * rate)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[client] = bucket
                return .seconds((1 - bucket.tokens) / rate)
            }
            bucket.tokens -= 1
            if buckets[client] == nil, buckets.count >= maxClients { Self.trim(&buckets, keeping: maxClients / 2, rate: rate, burst: burst, now: now) }
            buckets[client] = bucket
            return nil
        }
    }

    /// How long until `client` has a token again, without taking one; nil when it has one now.
    func wait(_ client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            guard let bucket = buckets[client] else { return nil }
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let tokens = min(burst, bucket.tokens + max(0, seconds) * rate)
            return tokens >= 1 ? nil : .seconds((1 - tokens) / rate)
        }
    }

    var clients: Int { buckets.withLock { $0.count } }

    private static func trim(_ buckets: inout [String: Bucket], keeping: Int, rate: Double, burst: Double, now: ContinuousClock.Instant) {
        let full = Duration.seconds(burst / rate)
        buckets = buckets.filter { now - $0.value.updated < full }
        if buckets.count > keeping {
            let newest = buckets.sorted { $0.value.updated > $1.value.updated }.prefix(keeping)
            buckets = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
        }
    }
}
