/// How long the outbox relay waits before trying an event again after a failed delivery.
///
/// The wait doubles with each failure, from ``initial`` up to ``maximum``, then is stretched
/// by a random factor of up to `1 + jitter`. Doubling keeps a receiver that is down from
/// being hammered; the cap keeps recovery prompt once it is back (at most `maximum × (1 +
/// jitter)` later); the jitter spreads the retries of many events (and many senders) that failed
/// together, so they don't all hit the receiver in the same instant when it comes back.
public struct Backoff: Sendable, Hashable {
    /// The wait after the first failure. Default 100 ms.
    public var initial: Duration
    /// The longest wait before jitter. Default 60 s.
    public var maximum: Duration
    /// The largest random stretch, as a fraction of the wait: 0 for none. Default 0.2.
    public var jitter: Double

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(60), jitter: Double = 0.2) {
        precondition(initial > .zero && maximum >= initial, "backoff needs 0 < initial <= maximum")
        precondition(jitter >= 0 && jitter <= 1, "backoff jitter must be within 0...1")
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The wait after `failures` consecutive failed attempts (1 for the first failure).
    ///
    /// - Parameter random: A number in `0..<1`; injectable so that tests are exact.
    public func delay(afterFailures failures: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        let initialMs = Double(initial.milliseconds)
        let maximumMs = Double(maximum.milliseconds)
        // Beyond 62 doublings the shift would overflow; the cap was reached long before.
        let doublings = min(max(failures, 1) - 1, 62)
        let base = min(maximumMs, initialMs * Double(Int64(1) << doublings))
        let stretched = base * (1 + jitter * random)
        return .milliseconds(Int64(stretched.rounded()))
    }
}
