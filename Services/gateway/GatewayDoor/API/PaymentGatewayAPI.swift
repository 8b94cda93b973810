import DVCProto
import OneStop
import RPCCore

/// `dvc.gateway.v1.PaymentService`: fee payments for agency systems, forwarded to payment-svc
/// with the identity the caller's key proves. Creating a payment needs level 4 at the dossier's
/// agency for its procedure (checked here against the dossier, and again by payment-svc); a
/// key reaches its own agency's payments only.
///
/// Reading a payment looks its dossier up in dossier-svc as the caller: dossier-svc decides
/// whether the caller may see it and, for an officer or an agency system, records the read in
/// the citizen's access log under this method (the data tracker).
struct PaymentGatewayAPI: RegistrableRPCService {
    typealias Service = GatewayV1.PaymentService
    typealias Backend = PaymentV1.PaymentService

    let payments: any RPCClientProtocol
    let dossiers: DossierLookup
    let gate: LevelGate
    /// The gateway's own return page, given to the provider when the caller names none.
    let returnURL: @Sendable () -> String?

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.createPayment) { request, context in
            let caller = GatewayCaller.of(context)
            guard case .citizen = try caller.requireIdentity() else {
                throw RPCError(.permissionDenied, "only the citizen who owns the dossier pays its fee online")
            }
            let dossier = try await dossiers.visible(request.dossierId, field: "dossier_id", context)
            try await gate.require(.fullyOnline, agency: dossier.agencyCode,
                                   procedure: dossier.procedureCode, context: context)
            var request = request
            if request.returnUrl.isEmpty, let url = returnURL() { request.returnUrl = url }
            var options = try GatewayForwarding.options(context, caller, idempotent: true)
            if let key = context.metadata[MetadataKey.idempotencyKey] { options.metadata[MetadataKey.idempotencyKey] = key }
            // Where payment-svc is sharded by agency, the dossier's agency picks the shard.
            options.metadata[MetadataKey.shardAgency] = dossier.agencyCode
            return try await payments.unary(Backend.createPayment, request, options: options)
        }
        router.register(Service.getPayment) { request, context in
            let payment = try reachable(try await payments.unary(Backend.getPayment, request, options: read(context)), context)
            _ = try await dossiers.visible(payment.dossierId, field: "id", context)
            return payment
        }
        router.register(Service.listPayments) { request, context in
            if !request.agencyCode.isEmpty { return try await agencyPayments(request, context) }
            let dossier = try await dossiers.visible(request.dossierId, field: "dossier_id", context)
            var options = try read(context)
            options.metadata[MetadataKey.shardAgency] = dossier.agencyCode
            return try await payments.unary(Backend.listPayments, request, options: options)
        }
        router.register(Service.getReceipt) { request, context in
            var get = PaymentV1.GetPaymentRequest()
            get.id = request.paymentId
            let payment = try reachable(try await payments.unary(Backend.getPayment, get, options: read(context)), context)
            _ = try await dossiers.visible(payment.dossierId, field: "payment_id", context)
            return try await payments.unary(Backend.getReceipt, request, options: read(context))
        }
        // At any level: the counter takes fees whatever the dossier's level online.
        router.register(Service.recordCounterPayment) { request, context in
            let caller = GatewayCaller.of(context)
            guard case .officer = try caller.requireIdentity() else {
                throw RPCError(.permissionDenied, "a fee taken at the counter is recorded by an officer of the dossier's agency")
            }
            let dossier = try await dossiers.visible(request.dossierId, field: "dossier_id", context)
            var options = try GatewayForwarding.options(context, caller, idempotent: true)
            if let key = context.metadata[MetadataKey.idempotencyKey] { options.metadata[MetadataKey.idempotencyKey] = key }
            options.metadata[MetadataKey.shardAgency] = dossier.agencyCode
            return try await payments.unary(Backend.recordCounterPayment, request, options: options)
        }
        router.register(Service.refund) { request, context in
            try await payments.unary(Backend.refund, request,
                                     options: GatewayForwarding.options(context, GatewayCaller.of(context)))
        }
    }

    /// An agency's payments of a period, for its officers and its systems. Each page's
    /// dossiers are looked up as the caller, which records the read in each citizen's access
    /// log (the data tracker) as a single payment's read is; a payment whose dossier the caller
    /// can no longer see (handed to another agency since) is left out rather than read
    /// unrecorded.
    private func agencyPayments(_ request: PaymentV1.ListPaymentsRequest, _ context: ServerContext) async throws -> PaymentV1.ListPaymentsResponse {
        switch try GatewayCaller.of(context).requireIdentity() {
        case .officer(_, let agency, _) where agency == request.agencyCode: break
        case .agencySystem(let agency) where agency == request.agencyCode: break
        case .officer, .agencySystem:
            throw RPCError(.permissionDenied, "an agency's payments are listed for its own officers and systems only")
        default:
            throw RPCError(.permissionDenied, "an agency's payments are for its officers and systems")
        }
        guard request.dossierId.isEmpty else {
            throw RPCError.invalidArgument(field: "dossier_id", "either a dossier or an agency, not both")
        }
        var options = try read(context)
        options.metadata[MetadataKey.shardAgency] = request.agencyCode
        var page = try await payments.unary(Backend.listPayments, request, options: options)
        var visible: [String: Bool] = [:]
        for payment in page.payments where visible[payment.dossierId] == nil {
            do {
                _ = try await dossiers.visible(payment.dossierId, field: "dossier_id", context)
                visible[payment.dossierId] = true
            } catch let error as RPCError where error.code == .notFound {
                visible[payment.dossierId] = false
            }
        }
        page.payments.removeAll { visible[$0.dossierId] != true }
        return page
    }

    private func reachable(_ payment: PaymentV1.Payment, _ context: ServerContext) throws -> PaymentV1.Payment {
        if let limit = GatewayCaller.of(context).agencyLimit, limit != payment.agencyCode {
            throw RPCError(.notFound, "payment \(payment.id) does not exist or is not yours")
        }
        return payment
    }

    private func read(_ context: ServerContext) throws -> CallOptions {
        try GatewayForwarding.options(context, GatewayCaller.of(context), idempotent: true)
    }
}
