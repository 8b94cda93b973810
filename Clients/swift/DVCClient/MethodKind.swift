import DVCProto
import RPCCore

/// Whether a method changes state (docs/clients.md, "Retries"): reads are retried freely,
/// writes only with an idempotency key, and some writes need one.
public enum MethodKind: Sendable {
    case read
    case write
    /// A write the gateway refuses without `idempotency-key`: the client makes one if none is given.
    case writeNeedingKey
}
