import DVCProto
import Logging
import RPCCore

/// Stops the webhook of every revoked key at notify-svc: a revoked key's feed must end, however
/// it was revoked — by the agency's administrator (`AgencyService.RevokeApiKey`, which releases
/// at once) or by the operator's `gateway api-key revoke`, a separate process that cannot reach
/// notify-svc, whose revocation the running gateway picks up here within `interval`.
///
/// A key is marked (`webhook_stopped`) only once notify-svc answered, so a notify-svc that is
/// away only delays the stop. Deliveries still queued for the key are failed with the reason
/// ("the API key was revoked"), never sent.
public struct WebhookRelease: Sendable {
    let keys: APIKeyStore
    let notify: any RPCClientProtocol
    let logger: Logger
    public static let interval: Duration = .seconds(2)

    public func releaseRevoked() async {
        let ids: [String]
        do { ids = try await keys.revokedWithWebhook() } catch {
            logger.error("could not read the revoked keys", metadata: ["error": "\(error)"])
            return
        }
        for id in ids {
            guard await release(id) else { return }
        }
    }

    /// Tells notify-svc to stop key `id`'s webhook and marks it done; false when notify-svc did
    /// not answer (the loop tries again).
    @discardableResult
    public func release(_ id: String) async -> Bool {
        var options = CallOptions(timeout: .seconds(5), idempotent: true)
        options.metadata[CallerIdentity.metadataKey] = CallerIdentity.system(service: "gateway").description
        options.metadata[MetadataKey.apiKeyID] = id
        do {
            let answer = try await notify.unary(NotifyV1.NotifyService.deleteWebhook, NotifyV1.DeleteWebhookRequest(), options: options)
            try await keys.webhookStopped(id)
            if answer.deleted { logger.notice("webhook of a revoked key stopped", metadata: ["api_key": "\(id)"]) }
            return true
        } catch {
            logger.warning("could not stop a revoked key's webhook yet; trying again", metadata: ["api_key": "\(id)", "error": "\(error)"])
            return false
        }
    }

    /// Runs until cancelled.
    public func run() async {
        while !Task.isCancelled {
            await releaseRevoked()
            try? await Task.sleep(for: Self.interval)
        }
    }
}
