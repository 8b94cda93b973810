import DVCProto
import RPCCore

/// `dvc.gateway.v1.InboxService`: a citizen's notifications and contact preferences, forwarded
/// to notify-svc with the citizen's identity. Through an agency system's key the inbox shows
/// only messages about that agency's dossiers (notify-svc filters on the agency the gateway
/// sets; a caller's own `agency_code` is overwritten).
struct InboxGatewayAPI: RegistrableRPCService {
    typealias Service = GatewayV1.InboxService
    typealias Backend = NotifyV1.NotifyService

    let notify: any RPCClientProtocol

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.listInbox) { request, context in
            var request = request
            request.agencyCode = GatewayCaller.of(context).agencyLimit ?? ""
            return try await notify.unary(Backend.listInbox, request, options: citizen(context, idempotent: true))
        }
        router.register(Service.markRead) { request, context in
            var request = request
            request.agencyCode = GatewayCaller.of(context).agencyLimit ?? ""
            return try await notify.unary(Backend.markRead, request, options: citizen(context, idempotent: true))
        }
        router.register(Service.getContactPreferences) { request, context in
            try await notify.unary(Backend.getContactPreferences, request, options: citizen(context, idempotent: true))
        }
        router.register(Service.setContactPreferences) { request, context in
            try await notify.unary(Backend.setContactPreferences, request, options: citizen(context, idempotent: true))
        }
    }

    /// Only a citizen has an inbox.
    private func citizen(_ context: ServerContext, idempotent: Bool) throws -> CallOptions {
        let caller = GatewayCaller.of(context)
        guard case .citizen = try caller.requireIdentity() else {
            throw RPCError(.permissionDenied, "the inbox is a citizen's: send x-dvc-on-behalf-of: citizen:<id> with a key holding the 'citizens' scope")
        }
        return try GatewayForwarding.options(context, caller, idempotent: idempotent)
    }
}
