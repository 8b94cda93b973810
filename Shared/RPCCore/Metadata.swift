/// Call metadata: string keys to string values, as `RequestHeader.metadata` carries them.
/// Keys are lower-case by convention, like HTTP/2 header names.
public typealias Metadata = [String: String]

/// The metadata keys wire protocol v1 reserves (docs/protocol.md, "Metadata and reserved keys").
public enum MetadataKey {
    /// Credentials of the caller (a bearer token, an API key).
    public static let authorization = "authorization"
    /// The id that ties every log line of one request together, across every hop.
    public static let requestID = "x-request-id"
    /// W3C trace context, propagated through every hop.
    public static let traceparent = "traceparent"
    /// Makes a retried state-changing call return the first call's result.
    public static let idempotencyKey = "idempotency-key"
    /// Names the agency whose shard a call to a sharded service goes to, when the request itself
    /// names only a dossier (the gateway sets it; docs/sharding.md).
    public static let shardAgency = "x-dvc-shard-agency"
}
