import DVCProto
import Logging
import RPCCore

/// Refuses, with PERMISSION_DENIED and a warning in the log, a call that the caller's
/// certificate may not make under `PeerPolicy`: a method outside its rule, an identity it may
/// not assert, or an event it did not produce (an event's `source` must be the certificate's
/// name and its type that service's: `dossier.*` from dossier-svc, `payment.*` from
/// payment-svc). Installed only on a service with mutual TLS; without TLS (the loopback demo)
/// there is no certificate and nothing changes.
public struct PeerAuthorizationInterceptor: ServerInterceptor {
    public let policy: PeerPolicy

    public init(policy: PeerPolicy) {
        self.policy = policy
    }

    public func intercept(
        request: any ProtoMessage,
        context: ServerContext,
        next: @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage {
        guard let certificate = context.peerCertificate else {
            return try await next(request, context)
        }
        var why = policy.refusal(certificate: certificate.name, method: context.method,
                                 identity: context.metadata[CallerIdentity.metadataKey])
        if why == nil, let event = request as? EventsV1.Event {
            let prefix = certificate.name.hasSuffix("-svc") ? String(certificate.name.dropLast(4)) + "." : ""
            if event.source != certificate.name || prefix.isEmpty || !event.type.hasPrefix(prefix) {
                why = "the certificate '\(certificate.name)' may not deliver \(event.source)'s event \(event.type)"
            }
        }
        if let why {
            context.logger.warning("refused a call the caller's certificate does not allow",
                                   metadata: ["certificate": "\(certificate)", "peer": "\(context.remoteAddress)",
                                              "why": "\(why)"])
            throw RPCError(.permissionDenied, why)
        }
        return try await next(request, context)
    }
}
