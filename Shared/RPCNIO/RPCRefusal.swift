/// Marks a response for a call the server refused without running its handler, so a client
/// knows it may send the call to another peer even when it is not idempotent.
public enum RPCRefusal {
    /// Response metadata key; its presence means "not processed".
    public static let metadataKey = "dvc-not-processed"
    /// The value for a REQUEST that arrived after GOAWAY.
    public static let goingAway = "going-away"
}
