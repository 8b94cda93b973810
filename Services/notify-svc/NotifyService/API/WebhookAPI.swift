import DVCProto
import Logging
import RPCCore
import Storage

/// The webhook methods of `dvc.notify.v1.NotifyService`: an agency system's change feed
/// (docs/webhooks.md). The key and its agency come from the call's metadata, which the
/// gateway sets from the key's credentials (`WebhookCaller`), never from the request.
struct WebhookAPI: RegistrableRPCService {
    typealias Service = NotifyV1.NotifyService

    let registry: WebhookRegistry
    let logger: Logger

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.setWebhook) { request, context in
            let key = try WebhookCaller.key(context)
            let response = try await registry.set(keyID: key.id, agency: key.agency, url: request.url)
            logger.notice("webhook set", metadata: ["api_key": "\(key.id)", "agency": "\(key.agency)", "url": "\(response.webhook?.url ?? "")"])
            return response
        }
        router.register(Service.getWebhook) { _, context in
            try await registry.get(keyID: try WebhookCaller.key(context).id)
        }
        router.register(Service.deleteWebhook) { _, context in
            let (id, by) = try WebhookCaller.keyOrGateway(context)
            var response = NotifyV1.DeleteWebhookResponse()
            response.deleted = try await registry.delete(
                keyID: id, reason: by == nil ? "the webhook was deleted by its key" : "the API key was revoked")
            if response.deleted { logger.notice("webhook deleted", metadata: ["api_key": "\(id)", "by": "\(by ?? "the key")"]) }
            return response
        }
        router.register(Service.listWebhookDeliveries) { request, context in
            var response = NotifyV1.ListWebhookDeliveriesResponse()
            response.deliveries = try await registry.deliveries(keyID: try WebhookCaller.key(context).id, request)
            return response
        }
    }
}

/// Who may manage a webhook: the API key itself, acting for nobody (`agency-system:<agency>`
/// with `x-dvc-api-key`), as only the gateway can say. The gateway itself
/// (`system:gateway` with `x-dvc-api-key`) may delete a revoked key's webhook.
enum WebhookCaller {
    static func key(_ context: ServerContext) throws -> (id: String, agency: String) {
        let identity = try CallerIdentity.required(context)
        guard case .agencySystem(let agency) = identity, let id = context.metadata[MetadataKey.apiKeyID], !id.isEmpty else {
            throw RPCError(.permissionDenied,
                           "a webhook belongs to an agency system's API key, called without x-dvc-on-behalf-of; the caller is \(identity)")
        }
        return (id, agency)
    }

    /// The key whose webhook to delete, and the platform service doing it (nil: the key).
    static func keyOrGateway(_ context: ServerContext) throws -> (id: String, by: String?) {
        if case .system(let service) = try CallerIdentity.required(context),
           let id = context.metadata[MetadataKey.apiKeyID], !id.isEmpty {
            return (id, service)
        }
        return (try key(context).id, nil)
    }
}
