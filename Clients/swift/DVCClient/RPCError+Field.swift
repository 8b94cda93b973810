import DVCProto
import RPCCore

extension RPCError {
    /// The request field the server names (the first field violation), or nil: e.g.
    /// `procedure_code`, `idempotency-key`, `x-dvc-on-behalf-of`.
    public var field: String? { violations.first?.field }
}
