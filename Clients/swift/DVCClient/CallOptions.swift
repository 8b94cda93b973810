import DVCProto
import RPCCore

/// What one call may set beside its request.
public struct DVCCallOptions: Sendable {
    /// The call's deadline, retries included; nil: the client's.
    public var timeout: Duration?
    /// The person this call acts for, instead of the client's.
    public var person: Person??
    /// The idempotency key of a write: a retry sends the same one. Submit, create a payment and
    /// record a counter payment get a fresh one per call when this is nil; give your own (kept
    /// with your record) to retry the same submission after your program restarts.
    public var idempotencyKey: String?
    /// Further request metadata (e.g. `x-request-id`, `traceparent`).
    public var metadata: [String: String]

    public init(timeout: Duration? = nil, person: Person?? = nil, idempotencyKey: String? = nil,
                metadata: [String: String] = [:]) {
        self.timeout = timeout
        self.person = person
        self.idempotencyKey = idempotencyKey
        self.metadata = metadata
    }
}
