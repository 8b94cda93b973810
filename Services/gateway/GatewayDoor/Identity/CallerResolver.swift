import DVCProto
import Foundation
import Logging
import RPCCore

/// Turns the credentials a request presents into the `GatewayCaller` it proves, for both doors:
/// the binary RPC's `IdentityInterceptor` and the HTTP side, which resolves each request once
/// and hands the result to `GatewayClient`.
///
/// An agency system presents `ApiKey <id>.<secret>`; with `x-dvc-on-behalf-of` it acts for a
/// person its key's scopes cover: `citizen:<12-digit id>` (scope `citizens`) or
/// `officer:<id>:<role>[,<role>]` (scope `officers`): an officer account of the gateway's that
/// exists, is active, belongs to the key's agency and holds every role claimed — a key vouches
/// for its agency's real officers, never for a name it makes up. A person presents
/// `Bearer <session token>`. No credentials: an anonymous caller.
public struct CallerResolver: Sendable {
    public static let onBehalfOfKey = "x-dvc-on-behalf-of"

    let keys: APIKeyStore
    /// People's sessions; nil: bearer tokens are not accepted.
    let sessions: SessionStore?
    /// Wrong credentials per client address: ten, then one every ten seconds (`failureRate`,
    /// `failureBurst`), after which that address's credentials are not even looked up until it
    /// has waited — so a flood of made-up keys and tokens costs no database work.
    let failures: TokenBuckets
    static let failureRate = 0.1
    static let failureBurst = 10.0
    /// The officers a key may act for.
    let officers: OfficerAccounts

    init(keys: APIKeyStore, sessions: SessionStore?, officers: OfficerAccounts) {
        self.keys = keys
        self.sessions = sessions
        failures = TokenBuckets(rate: Self.failureRate, burst: Self.failureBurst)
        self.officers = officers
    }

    /// The caller that `authorization` (and `onBehalfOf`) prove, or UNAUTHENTICATED /
    /// PERMISSION_DENIED / INVALID_ARGUMENT saying what is wrong; RESOURCE_EXHAUSTED, before
    /// any lookup, for a `client` (its address) that sent too many wrong credentials lately.
    public func resolve(authorization: String?, onBehalfOf: String?, client: String, logger: Logger) async throws -> GatewayCaller {
        guard authorization != nil else { return try await resolve(authorization: nil, onBehalfOf: onBehalfOf, logger: logger) }
        if let wait = failures.wait(client) {
            let ms = max(1, Int64((Double(wait.components.seconds) + Double(wait.components.attoseconds) * 1e-18) * 1000) + 1)
            throw RPCError(.resourceExhausted, "Quá nhiều lần gửi thông tin xác thực sai từ địa chỉ mạng của bạn; vui lòng thử lại sau \((ms + 999) / 1000) giây.",
                           metadata: ["retry-after-ms": "\(ms)", "dvc-rate-limit": "credentials"])
        }
        do {
            return try await resolve(authorization: authorization, onBehalfOf: onBehalfOf, logger: logger)
        } catch let error as RPCError where error.code == .unauthenticated {
            _ = failures.take(client)
            throw error
        }
    }

    func resolve(authorization: String?, onBehalfOf: String?, logger: Logger) async throws -> GatewayCaller {
        guard let authorization else {
            if onBehalfOf != nil {
                throw RPCError(.unauthenticated, "\(Self.onBehalfOfKey) needs an API key (authorization: ApiKey <id>.<secret>)")
            }
            return .anonymous
        }
        if let sessions, authorization.lowercased().hasPrefix("bearer ") {
            let token = String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
            guard let session = try await sessions.lookup(token) else {
                throw RPCError(.unauthenticated, "Phiên đăng nhập không còn hiệu lực; vui lòng đăng nhập lại.")
            }
            guard onBehalfOf == nil else {
                throw RPCError(.permissionDenied, "\(Self.onBehalfOfKey) is for agency systems' API keys, not people's sessions")
            }
            return session.caller
        }
        guard let token = APIKeyToken(authorization: authorization) else {
            throw RPCError(.unauthenticated, "authorization must be 'ApiKey <id>.<secret>' or 'Bearer <session token>'")
        }
        guard let key = try await keys.authenticate(token) else {
            logger.warning("refused an API key", metadata: ["api_key": "\(token.id)"])
            throw RPCError(.unauthenticated, "the API key \(token.id) is unknown, revoked or its secret is wrong")
        }
        guard let onBehalfOf else {
            return GatewayCaller(identity: .agencySystem(agency: key.agencyCode), key: key)
        }
        let person = try Self.person(onBehalfOf, key: key)
        if case .officer(let id, _, let roles) = person {
            try await checkOfficer(id, roles: roles, key: key)
        }
        return GatewayCaller(identity: person, key: key)
    }

    /// Refuses an officer the key may not vouch for: unknown, disabled, of another agency or
    /// without a role claimed. Unknown and another agency's are one answer, so a key cannot
    /// probe which sign-in names exist elsewhere.
    func checkOfficer(_ id: String, roles: Set<String>, key: APIKey) async throws {
        func denied(_ why: String) -> RPCError {
            RPCError(.permissionDenied, "\(Self.onBehalfOfKey): \(why)",
                     violations: [FieldViolation(field: Self.onBehalfOfKey, description: why)])
        }
        guard let stored = try await officers.officer(id: id), stored.officer.agencyCode == key.agencyCode else {
            throw denied("\(id) is not an officer of \(key.agencyCode), the agency of the API key \(key.id)")
        }
        guard stored.active else {
            throw denied("the officer \(id) is disabled")
        }
        let missing = roles.subtracting(stored.officer.roles)
        guard missing.isEmpty else {
            throw denied("the officer \(id) does not hold the role \(missing.sorted().joined(separator: ", "))")
        }
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
            // The same check as registration's: a province code that exists, a birth year not
            // in the future.
            do {
                _ = try CitizenID(id)
            } catch {
                throw invalid("\(id) is not a personal identification number: \(error.description)")
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

extension SessionStore.Session {
    /// The person signed in with this session, as the gateway's methods see them.
    public var caller: GatewayCaller { GatewayCaller(identity: identity, key: nil) }
}

extension GatewayCaller {
    /// `context` with this caller attached for the handlers (`GatewayCaller.of`), and its key
    /// on the log lines.
    func stamp(_ context: ServerContext) -> ServerContext {
        context[GatewayCaller.ContextKey.self] = self
        guard let key else { return context }
        var context = context
        context.logger[metadataKey: "api_key"] = "\(key.id)"
        return context
    }
}
