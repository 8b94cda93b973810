import DVCProto
import Logging
import RPCCore

/// `dvc.events.v1.EventSink/Deliver`: dossier-svc's outbox relay delivers here (configured with
/// its `national_portal_sync` setting). A repeat answers `duplicate = true`.
struct EventSinkAPI: RegistrableRPCService {
    let intake: ReportIntake

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
