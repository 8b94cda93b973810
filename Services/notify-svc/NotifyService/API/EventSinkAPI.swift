import DVCProto
import Logging
import RPCCore

/// `dvc.events.v1.EventSink/Deliver`: dossier-svc's and payment-svc's outbox relays deliver
/// here. A repeat answers `duplicate = true` (success: an error would make the sender retry
/// forever).
struct EventSinkAPI: RegistrableRPCService {
    let intake: EventIntake

    func registerMethods(with router: inout RPCRouter) {
        router.register(EventsV1.EventSink.deliver) { event, context in
            let outcome = try await intake.accept(event)
            context.logger.debug("event", metadata: ["id": "\(event.id)", "type": "\(event.type)", "outcome": "\(outcome)"])
            var response = EventsV1.DeliverResponse()
            response.duplicate = outcome == .duplicate
            return response
        }
    }
}
