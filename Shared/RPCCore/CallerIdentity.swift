/// Who a call is made for, as the gateway vouches for it in the metadata key
/// `x-dvc-identity`. Internal services never take an identity from anyone else: only the
/// gateway and the platform's own services talk to them (enforced by the network and, when the
/// services run with `--tls-*`, by mutual TLS: docs/tls.md), and the gateway never reads an
/// `x-dvc-identity` a caller sends: it sets its own on the calls it makes.
///
/// Forms: `citizen:<12-digit id>`, `officer:<id>@<agency code>:<role>[,<role>...]`,
/// `agency-system:<agency code>`, `system:<service>`.
public enum CallerIdentity: Hashable, Sendable, CustomStringConvertible {
    case citizen(id: String)
    case officer(id: String, agency: String, roles: Set<String>)
    case agencySystem(agency: String)
    case system(service: String)

    public static let metadataKey = "x-dvc-identity"
    /// The id of the agency system's API key a call came through, beside the identity it acted
    /// for (`x-dvc-identity`), so the services record both; absent when a person acted
    /// themselves. Set by the gateway alone, like the identity: it never passes on one a caller
    /// sends.
    public static let apiKeyMetadataKey = MetadataKey.apiKeyID

    public init?(metadata: Metadata) {
        guard let text = metadata[Self.metadataKey] else { return nil }
        self.init(text)
    }

    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let kind = text[..<colon]
        let rest = String(text[text.index(after: colon)...])
        guard !rest.isEmpty else { return nil }
        switch kind {
        case "citizen":
            guard rest.utf8.count == 12, rest.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            self = .citizen(id: rest)
        case "officer":
            guard let at = rest.firstIndex(of: "@") else { return nil }
            let id = String(rest[..<at])
            let scope = rest[rest.index(after: at)...]
            let parts = scope.split(separator: ":", maxSplits: 1)
            guard !id.isEmpty, parts.count == 2, !parts[0].isEmpty else { return nil }
            let roles = Set(parts[1].split(separator: ",").map(String.init))
            guard !roles.isEmpty else { return nil }
            self = .officer(id: id, agency: String(parts[0]), roles: roles)
        case "agency-system":
            self = .agencySystem(agency: rest)
        case "system":
            self = .system(service: rest)
        default:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .citizen(let id): "citizen:\(id)"
        case .officer(let id, let agency, let roles): "officer:\(id)@\(agency):\(roles.sorted().joined(separator: ","))"
        case .agencySystem(let agency): "agency-system:\(agency)"
        case .system(let service): "system:\(service)"
        }
    }

    /// The identity of the call, or UNAUTHENTICATED.
    public static func required(_ context: ServerContext) throws -> CallerIdentity {
        guard let identity = CallerIdentity(metadata: context.metadata) else {
            throw RPCError(.unauthenticated, "no caller identity: this call must come through the gateway")
        }
        return identity
    }
}
