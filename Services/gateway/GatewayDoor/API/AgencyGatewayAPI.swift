import DVCProto
import Logging
import RPCCore

/// `dvc.gateway.v1.AgencyService`: what an agency manages itself.
///
/// - The webhook methods (docs/webhooks.md) are an agency system's own: its API key, acting for
///   nobody. They go to notify-svc with the identity `agency-system:<the key's agency>` and the
///   key's id in `x-dvc-api-key`, both from the credentials; the request carries neither.
/// - The key methods (docs/gateway.md, "Key rotation") are the agency's administrator's: an
///   officer with the role `admin` signed in with their own session (never a key acting for
///   an officer: a key must not make keys). They run here, on the gateway's own database.
struct AgencyGatewayAPI: RegistrableRPCService {
    typealias Service = GatewayV1.AgencyService
    typealias Backend = NotifyV1.NotifyService

    let keys: APIKeyStore
    /// Nil without notify-svc: the webhook methods answer UNAVAILABLE.
    let notify: (any RPCClientProtocol)?
    let release: WebhookRelease?

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.setWebhook) { request, context in
            let options = try keyItself(context)
            return try await notifyClient().unary(Backend.setWebhook, request, options: options)
        }
        router.register(Service.getWebhook) { request, context in
            let options = try keyItself(context, idempotent: true)
            return try await notifyClient().unary(Backend.getWebhook, request, options: options)
        }
        router.register(Service.deleteWebhook) { request, context in
            let options = try keyItself(context, idempotent: true)
            return try await notifyClient().unary(Backend.deleteWebhook, request, options: options)
        }
        router.register(Service.listWebhookDeliveries) { request, context in
            let options = try keyItself(context, idempotent: true)
            return try await notifyClient().unary(Backend.listWebhookDeliveries, request, options: options)
        }
        router.register(Service.createApiKey) { request, context in
            let (agency, actor) = try administrator(context)
            var scopes: Set<APIKey.Scope> = []
            for name in request.scopes {
                guard let scope = APIKey.Scope(rawValue: name) else {
                    throw RPCError.invalidArgument(field: "scopes", "'\(name)' không phải phạm vi; các phạm vi là citizens, officers.")
                }
                scopes.insert(scope)
            }
            let (key, token) = try await keys.createForAgency(agency, scopes: scopes, label: request.label, by: actor,
                                                              client: ClientAddressKey.of(context))
            context.logger.notice("API key created by the agency's administrator", metadata: ["api_key": "\(key.id)", "by": "\(actor)"])
            var response = GatewayV1.CreateApiKeyResponse()
            response.key = Self.info(key)
            response.authorization = token.authorization
            return response
        }
        router.register(Service.listApiKeys) { _, context in
            let (agency, _) = try administrator(context)
            var response = GatewayV1.ListApiKeysResponse()
            response.keys = try await keys.list(agency: agency).map(Self.info)
            return response
        }
        router.register(Service.revokeApiKey) { request, context in
            let (agency, actor) = try administrator(context)
            guard !request.id.isEmpty else { throw RPCError.invalidArgument(field: "id", "Cần mã khóa (phần trước dấu chấm).") }
            let key = try await keys.revokeInAgency(agency, id: request.id, by: actor, client: ClientAddressKey.of(context))
            context.logger.notice("API key revoked by the agency's administrator", metadata: ["api_key": "\(key.id)", "by": "\(actor)"])
            // Its webhook stops now if notify-svc answers; otherwise the release loop retries.
            await release?.release(key.id)
            return Self.info(key)
        }
    }

    private func notifyClient() throws -> any RPCClientProtocol {
        guard let notify else { throw RPCError(.unavailable, "notify-svc is not configured on this gateway (--notify)") }
        return notify
    }

    /// An agency system's own key, acting for nobody.
    private func keyItself(_ context: ServerContext, idempotent: Bool = false) throws -> CallOptions {
        let caller = GatewayCaller.of(context)
        let identity = try caller.requireIdentity()
        guard caller.key != nil, case .agencySystem = identity else {
            throw RPCError(.permissionDenied,
                           "a webhook belongs to an agency system's API key, called without \(CallerResolver.onBehalfOfKey); the caller is \(identity)")
        }
        return try GatewayForwarding.options(context, caller, idempotent: idempotent)
    }

    /// The agency's administrator in their own session: (agency, who, as audited).
    private func administrator(_ context: ServerContext) throws -> (agency: String, actor: String) {
        let caller = GatewayCaller.of(context)
        let identity = try caller.requireIdentity()
        guard caller.key == nil, case .officer(_, let agency, let roles) = identity, roles.contains("admin") else {
            throw RPCError(.permissionDenied,
                           "Chỉ quản trị viên của cơ quan (cán bộ có vai trò admin, đăng nhập bằng tài khoản của mình) quản lý khóa API; người gọi là \(identity).")
        }
        return (agency, identity.description)
    }

    static func info(_ key: APIKey) -> GatewayV1.ApiKeyInfo {
        var info = GatewayV1.ApiKeyInfo()
        info.id = key.id
        info.agencyCode = key.agencyCode
        info.scopes = key.scopes.map(\.rawValue).sorted()
        info.label = key.label
        info.createdAtUnixMs = key.createdAtMs
        info.revokedAtUnixMs = key.revokedAtMs ?? 0
        info.createdBy = key.createdBy
        info.revokedBy = key.revokedBy
        return info
    }
}
