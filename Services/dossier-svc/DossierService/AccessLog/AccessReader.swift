import OneStop
import RPCCore

/// Who is reading a citizen's data, as the access log records them: an officer or an agency
/// system, with the API key and the gateway method the read came through. Nil for the reads
/// the log does not record: the citizen's own (their data, their business) and the platform's
/// services acting on their own events (payment-svc, notify-svc: no person looks).
struct AccessReader: Sendable, Equatable {
    /// "officer:<id>" or "agency-system:<agency>".
    let name: String
    let agencyCode: String
    /// "" for an officer's own session.
    let apiKeyID: String
    /// Why: the gateway method called (what the gateway names in `x-dvc-read-via`), else
    /// dossier-svc's own method.
    let method: String

    /// The reader of this call, or nil when the read is not recorded: an unrecorded actor, or
    /// the gateway's own look-up before a call that records the read itself.
    init?(_ actor: DossierActor, _ context: ServerContext) {
        guard context.metadata[MetadataKey.readCheck] != "1" else { return nil }
        switch actor {
        case .officer(_, let agency, _), .agencySystem(let agency):
            self.init(name: actor.historyName, agencyCode: agency,
                      apiKeyID: context.metadata[MetadataKey.apiKeyID] ?? "",
                      method: context.metadata[MetadataKey.readVia] ?? context.method)
        case .citizen, .system:
            return nil
        }
    }

    init(name: String, agencyCode: String, apiKeyID: String, method: String) {
        self.name = name
        self.agencyCode = agencyCode
        self.apiKeyID = apiKeyID
        self.method = method
    }
}
