/// The API key an agency system acted through for the caller, as the gateway records it beside
/// the identity (`x-dvc-api-key` beside `x-dvc-identity`, both set by the gateway alone): the
/// services keep it in their records with the actor — dossier-svc's history, payment-svc's
/// refunds — so a step taken for an officer by an agency's software says which key vouched.
public enum ActingAPIKey {
    /// Key ids are short; anything longer is not the gateway's.
    public static let maxBytes = 128

    /// The key's id, "" when the actor acted themselves; INVALID_ARGUMENT naming the key when
    /// it is too long.
    public static func of(_ context: ServerContext) throws -> String {
        let key = context.metadata[CallerIdentity.apiKeyMetadataKey] ?? ""
        guard key.utf8.count <= maxBytes else {
            throw RPCError.invalidArgument(field: CallerIdentity.apiKeyMetadataKey, "at most \(maxBytes) bytes")
        }
        return key
    }
}
