import DVCProto
import RPCCore

/// `dvc.events.v1.EventSink` of dossier-svc: what other services' outboxes deliver to it
/// (payment-svc's payment events). Deliveries repeat safely: each event id is applied once.
struct DossierEventSink: RegistrableRPCService {
    typealias Service = EventsV1.EventSink

    let book: DossierBook

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.deliver) { event, context in
            var response = EventsV1.DeliverResponse()
            response.duplicate = try await book.applyPaymentEvent(
                event, options: context.downstreamOptions(CallOptions(idempotent: true)))
            return response
        }
    }
}
