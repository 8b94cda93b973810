import DVCProto
import Foundation
import OneStop

/// What one report tells the portal about a dossier change (docs/national-portal.md,
/// "Reports"): the state with its national name, the action, the appointment, the fee step and
/// the result, as JSON with sorted keys.
enum ReportBody {
    /// The report's kind: what the change is about, for the portal's own display.
    static func kind(_ action: DossierV1.Action) -> String {
        switch action {
        case .requestPayment, .confirmPayment: "fee"
        case .approve, .refuse, .returnResult: "result"
        case .apologize: "appointment"
        default: "state"
        }
    }

    static func json(event: EventsV1.Event, body: DossierV1.DossierEvent, seq: Int64) throws -> Data {
        let dossier = body.dossier ?? DossierV1.Dossier()
        var object: [String: Any] = [
            "seq": seq,
            "event_id": event.id,
            "dossier_id": dossier.id,
            "receipt_code": dossier.receiptCode,
            "kind": kind(body.action),
            "action": Int(body.action.rawValue),
            "action_name": OneStopNames.action(body.action),
            "state": Int(dossier.state.rawValue),
            "state_name": OneStopNames.state(dossier.state),
            "version": Int64(dossier.version),
            "occurred_at_unix_ms": event.occurredAtUnixMs,
            "appointment_at_unix_ms": dossier.appointmentAtUnixMs,
            "note": body.note,
        ]
        if !dossier.reason.isEmpty { object["reason"] = dossier.reason }
        if dossier.state == .processed || dossier.state == .resultReturned || dossier.state == .stopped {
            var result: [String: Any] = ["note": dossier.resultNote]
            if let document = dossier.resultDocument, !document.name.isEmpty {
                result["document_name"] = document.name
                result["document_sha256"] = document.sha256Hex
            }
            object["result"] = result
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}
