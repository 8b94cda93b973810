import DVCProto
import Foundation
import Logging
import RPCCore

/// Establishes who calls the gateway, before anything else runs. An agency system presents
/// `authorization: ApiKey <id>.<secret>`; with `x-dvc-on-behalf-of` it acts for a person its
/// key's scopes cover: `citizen:<12-digit id>` (scope `citizens`) or
/// `officer:<id>:<role>[,<role>]` (scope `officers`, always at the key's own agency). No
/// header: an anonymous caller. Whatever `x-dvc-identity` a caller sends is never read; the
/// gateway sets that key itself on the calls it makes downstream.
struct IdentityInterceptor: ServerInterceptor {
    static let onBehalfOfKey = "x-dvc-on-behalf-of"

    let keys: APIKeyStore
    /// People's sessions (`authorization: Bearer <token>`): a signed-in citizen calls for
    /// themselves. Nil: bearer tokens are not accepted.
    var sessions: SessionStore? = nil

    func intercept(
        request: any ProtoMessage,
        context: ServerContext,
        next: @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage {
        guard context.method.hasPrefix("/dvc.gateway.") else { return try await next(request, context) }
        let caller = try await caller(context)
        context[GatewayCaller.ContextKey.self] = caller
        var context = context
        if let key = caller.key {
            context.logger[metadataKey: "api_key"] = "\(key.id)"
        }
        return try await next(request, context)
    }

    func caller(_ context: ServerContext) async throws -> GatewayCaller {
        let onBehalf = context.metadata[Self.onBehalfOfKey]
        guard let authorization = context.metadata[MetadataKey.authorization] else {
            if onBehalf != nil {
                throw RPCError(.unauthenticated, "\(Self.onBehalfOfKey) needs an API key (authorization: ApiKey <id>.<secret>)")
            }
            return .anonymous
        }
        if let sessions, authorization.lowercased().hasPrefix("bearer ") {
            let token = String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
            guard let session = try await sessions.lookup(token) else {
                throw RPCError(.unauthenticated, "Phiên đăng nhập không còn hiệu lực; vui lòng đăng nhập lại.")
            }
            guard onBehalf == nil else {
                throw RPCError(.permissionDenied, "\(Self.onBehalfOfKey) is for agency systems' API keys, not people's sessions")
            }
            return GatewayCaller(identity: session.identity, key: nil)
        }
        guard let token = APIKeyToken(authorization: authorization) else {
            throw RPCError(.unauthenticated, "authorization must be 'ApiKey <id>.<secret>' or 'Bearer <session token>'")
        }
        guard let key = try await keys.authenticate(token) else {
            context.logger.warning("refused an API key", metadata: ["api_key": "\(token.id)"])
            throw RPCError(.unauthenticated, "the API key \(token.id) is unknown, revoked or its secret is wrong")
        }
        guard let onBehalf else {
            return GatewayCaller(identity: .agencySystem(agency: key.agencyCode), key: key)
        }
        return GatewayCaller(identity: try Self.person(onBehalf, key: key), key: key)
    }

    /// The person a key acts for, within its scopes and agency.
    static func person(_ text: String, key: APIKey) throws -> CallerIdentity {
        func invalid(_ why: String) -> RPCError {
            RPCError(.invalidArgument, "\(onBehalfOfKey): \(why)",
                     violations: [FieldViolation(field: onBehalfOfKey, description: why)])
        }
        if text.hasPrefix("citizen:") {
            guard case .citizen(let id)? = CallerIdentity(text) else {
                throw invalid("a citizen is 'citizen:' and a 12-digit identity number")
            }
            guard key.scopes.contains(.citizens) else {
                throw RPCError(.permissionDenied, "the API key \(key.id) may not act for citizens (no 'citizens' scope)")
            }
            return .citizen(id: id)
        }
        if text.hasPrefix("officer:") {
            // officer:<id>:<roles>; the agency is always the key's.
            let parts = text.dropFirst("officer:".count).split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let forbidden = Set("@:,/ ")
            guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, !parts[0].contains(where: forbidden.contains) else {
                throw invalid("an officer is 'officer:<id>:<role>[,<role>]'")
            }
            let roles = parts[1].split(separator: ",").map(String.init)
            let known: Set<String> = ["receiver", "processor", "approver"]
            guard !roles.isEmpty, roles.allSatisfy(known.contains) else {
                throw invalid("roles are receiver, processor and approver, separated by commas")
            }
            guard key.scopes.contains(.officers) else {
                throw RPCError(.permissionDenied, "the API key \(key.id) may not act for officers (no 'officers' scope)")
            }
            return .officer(id: String(parts[0]), agency: key.agencyCode, roles: Set(roles))
        }
        throw invalid("expected 'citizen:<id>' or 'officer:<id>:<roles>'")
    }
}
