import Storage

/// When a failed delivery is tried again, and when it is given up: exponential backoff (the
/// storage kit's `Backoff`: doubling from `initial` to `maximum`, with jitter) and a permanent
/// failure after `maxAttempts` attempts, or at once for a refusal that will not change
/// (an address the server rejects with 5xx).
struct RetryPolicy: Sendable, Hashable {
    var maxAttempts: Int
    var backoff: Backoff

    init(maxAttempts: Int = 8, backoff: Backoff = Backoff(initial: .seconds(30), maximum: .seconds(3600))) {
        precondition(maxAttempts >= 1, "a delivery needs at least one attempt")
        self.maxAttempts = maxAttempts
        self.backoff = backoff
    }

    enum Decision: Equatable, Sendable {
        case retry(atUnixMs: Int64)
        case giveUp
    }

    /// After attempt number `attempts` (1 for the first) failed at `nowMs`.
    func afterFailure(attempts: Int, permanent: Bool, nowMs: Int64, random: Double = Double.random(in: 0..<1)) -> Decision {
        if permanent || attempts >= maxAttempts { return .giveUp }
        let wait = backoff.delay(afterFailures: attempts, random: random)
        return .retry(atUnixMs: nowMs + wait.milliseconds)
    }
}

extension Duration {
    /// Whole milliseconds.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
