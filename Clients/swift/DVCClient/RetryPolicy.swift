import DVCProto
import RPCCore

/// How a call that is safe to repeat is tried again after UNAVAILABLE (the connection failed
/// or was lost, or the gateway was going away): up to `attempts` tries in all, waiting
/// `initialBackoff`, then doubling up to `maximumBackoff`, each wait shortened by a random
/// part of up to half (so many clients do not come back together); never past the call's
/// deadline.
///
/// Safe to repeat: reads, and writes that carry an idempotency key (the retry sends the same
/// key, so the gateway does the work once). A write without a key is sent again only when the
/// gateway said it did not run it (`dvc-not-processed`).
public struct RetryPolicy: Sendable {
    public var attempts: Int
    public var initialBackoff: Duration
    public var maximumBackoff: Duration

    public init(attempts: Int = 4, initialBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(2)) {
        self.attempts = max(1, attempts)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// No retries.
    public static let none = RetryPolicy(attempts: 1)

    /// The wait before retry number `retry` (0 for the first).
    func backoff(_ retry: Int) -> Duration {
        var wait = initialBackoff
        for _ in 0..<min(retry, 30) where wait < maximumBackoff { wait = wait * 2 }
        wait = min(wait, maximumBackoff)
        return wait * Double.random(in: 0.5...1.0)
    }
}
