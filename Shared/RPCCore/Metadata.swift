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
    /// The gateway method a downstream read is made for: the "why" the data tracker records
    /// (dossier-svc's access log). Set by the gateway; services trust it as they trust
    /// `x-dvc-identity`.
    public static let readVia = "x-dvc-read-via"
    /// The id (never the secret) of the API key the gateway's caller came through, for the
    /// data tracker; absent for people's own sessions.
    public static let apiKeyID = "x-dvc-api-key"
    /// "1" on the gateway's own look-up of a dossier before a call that records the read itself
    /// (a file, the history): the look-up is then not recorded a second time.
    public static let readCheck = "x-dvc-read-check"
    /// The address of the client the gateway serves (the per-address count of failed tracking
    /// PINs); the gateway resolves it behind trusted proxies.
    public static let clientAddress = "x-dvc-client-address"
}
