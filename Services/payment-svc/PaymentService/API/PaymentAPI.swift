import DVCProto
import RPCCore

/// `dvc.payment.v1.PaymentService` over RPC. Identities come from the gateway
/// (`x-dvc-identity`); the provider's callbacks come through the gateway's HTTP endpoints.
struct PaymentAPI: RegistrableRPCService {
    typealias Service = PaymentV1.PaymentService

    let ledger: PaymentLedger

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.createPayment) { request, context in
            try await ledger.create(request, identity: CallerIdentity.required(context), context: context)
        }
        router.register(Service.getPayment) { request, context in
            try await ledger.get(id: request.id, identity: CallerIdentity.required(context))
        }
        router.register(Service.listPayments) { request, context in
            try await ledger.list(request, identity: CallerIdentity.required(context))
        }
        router.register(Service.handleProviderCallback) { request, context in
            // Only the gateway forwards callbacks; their authenticity is the provider's signature.
            guard case .system? = CallerIdentity(metadata: context.metadata) else {
                throw RPCError(.permissionDenied, "provider callbacks are forwarded by the gateway only")
            }
            return try await ledger.handleCallback(request)
        }
        router.register(Service.refund) { request, context in
            try await ledger.refund(request, identity: CallerIdentity.required(context), apiKey: ActingAPIKey.of(context))
        }
        router.register(Service.recordCounterPayment) { request, context in
            try await ledger.recordCounterPayment(request, identity: CallerIdentity.required(context), context: context)
        }
        router.register(Service.getReceipt) { request, context in
            try await ledger.receipt(paymentID: request.paymentId, identity: CallerIdentity.required(context))
        }
    }
}
