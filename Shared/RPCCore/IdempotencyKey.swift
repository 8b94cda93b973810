/// The `idempotency-key` of a state-changing call (submitting a dossier, creating a payment):
/// what makes a retry return the first call's result instead of doing it twice.
public enum IdempotencyKey {
    /// At most this many bytes: a UUID or a client's own reference fits; a body does not.
    public static let maxBytes = 128

    /// The call's key, or INVALID_ARGUMENT naming the metadata key and what it is for.
    public static func required(_ context: ServerContext, for purpose: String) throws -> String {
        let key = context.metadata[MetadataKey.idempotencyKey] ?? ""
        guard !key.isEmpty, key.utf8.count <= maxBytes else {
            throw RPCError(.invalidArgument, "metadata \(MetadataKey.idempotencyKey) (1–\(maxBytes) bytes) is required to \(purpose)",
                           violations: [FieldViolation(field: MetadataKey.idempotencyKey, description: "required, 1–\(maxBytes) bytes")])
        }
        return key
    }
}
