import DVCProto
import RPCCore

/// `dvc.gateway.v1.InboxService`: a citizen's notifications and contact preferences, forwarded
/// to notify-svc with the citizen's identity. Through an agency system's key the inbox shows
/// only messages about that agency's dossiers (notify-svc filters on the agency the gateway
/// sets; a caller's own `agency_code` is overwritten). Contact preferences are the citizen's
/// own: an agency system's key may neither read nor set them (`citizenThemself`).
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
            try await notify.unary(Backend.getContactPreferences, request, options: citizenThemself(context))
        }
        router.register(Service.setContactPreferences) { request, context in
            try await notify.unary(Backend.setContactPreferences, request, options: citizenThemself(context))
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

    /// Only the citizen signed in to their own account (portal session or API token), never an
    /// agency system acting for them. The preferences are where notify-svc mails and texts the
    /// citizen about *every* agency's dossiers, and the only addresses it uses (never the
    /// form's): an agency able to set them could redirect another agency's notices, or have
    /// the platform mail a third party; able to read them, it would learn contacts the citizen
    /// gave the platform, not the agency. An agency has the contacts its own forms ask for.
    private func citizenThemself(_ context: ServerContext) throws -> CallOptions {
        let caller = GatewayCaller.of(context)
        if let key = caller.key {
            throw RPCError(.permissionDenied,
                           "contact preferences are set by the citizen in their own account; the API key \(key.id) of \(key.agencyCode) may not read or change them")
        }
        return try citizen(context, idempotent: true)
    }
}
