import DVCProto
import Foundation

/// The JSON document POSTed for one dossier event (docs/webhooks.md, "Payload"): what changed
/// and where the dossier stands, and nothing personal — no applicant, no form data, no note.
/// A receiver that needs more reads the dossier with its key (`GetDossier`), which applies
/// the key's rights; the feed never shows what the key could not read.
///
///     {"agency_code":"000.00.20.H26","dossier_id":"…","id":"<event id>","occurred_at":"2026-12-07T08:30:00.000Z",
///      "procedure_code":"1.004873","receipt_code":"000.00.20.H26-261207-0001","state":"DOSSIER_STATE_RECEIVED",
///      "type":"dossier.received","version":2}
///
/// Keys sorted, no whitespace: the bytes are made once, stored, and sent identically at every
/// attempt, so the signature of a retry covers the same body.
enum WebhookPayload {
    static func body(event: EventsV1.Event, dossier: DossierV1.Dossier, nowMs: Int64) throws -> Data {
        let at = event.occurredAtUnixMs > 0 ? event.occurredAtUnixMs : nowMs
        let object: [String: Any] = [
            "id": event.id,
            "type": event.type,
            "occurred_at": timestamp(unixMs: at),
            "dossier_id": dossier.id,
            "receipt_code": dossier.receiptCode,
            "agency_code": dossier.agencyCode,
            "procedure_code": dossier.procedureCode,
            "state": dossier.state.protoValueName ?? "DOSSIER_STATE_UNSPECIFIED",
            "version": dossier.version,
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// RFC 3339 in UTC with milliseconds.
    static func timestamp(unixMs: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(unixMs) / 1000))
    }
}
