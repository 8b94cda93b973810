import DVCProto
import Foundation
import GRDB
import Logging
import RPCCore
import Storage

/// Turns an event into notifications, once: the event id is recorded with
/// `ProcessedEvents.processOnce` in the same transaction that writes the inbox message and
/// queues its deliveries, so a repeated delivery of the event changes nothing.
struct EventIntake: Sendable {
    let database: ServiceDatabase
    let logger: Logger
    /// Called after a commit that queued deliveries, so the worker need not wait for its poll.
    let queued: @Sendable () -> Void
    /// Called after a commit that queued webhook deliveries (`WebhookQueue`).
    var webhooksQueued: @Sendable () -> Void = {}

    /// What happened to one event.
    enum Outcome: Equatable, Sendable {
        case duplicate
        /// Recorded; no template for its type, or no citizen to tell.
        case ignored
        /// The notification's id and the channels queued besides the inbox.
        case notified(notificationID: String, channels: [NotifyV1.Channel])
    }

    func accept(_ event: EventsV1.Event) async throws -> Outcome {
        guard !event.id.isEmpty else { throw RPCError.invalidArgument(field: "id", "an event needs its id (deduplication is by id)") }
        let (outcome, fed) = try await database.sqliteWrite { db in
            let outcome = try Self.apply(event, db)
            // The agency systems' feed, in the same transaction as the event's dedup record:
            // each event reaches each webhook's queue exactly once.
            let fed = outcome == .duplicate ? 0 : try WebhookQueue.enqueue(event, nowMs: UnixMillis.now(), db)
            return (outcome, fed)
        }
        if case .notified = outcome { queued() }
        if fed > 0 { webhooksQueued() }
        return outcome
    }

    static func apply(_ event: EventsV1.Event, _ db: Database) throws -> Outcome {
        guard try ProcessedEvents.processOnce(eventID: event.id, in: db) else { return .duplicate }
        let facts = try EventFacts.read(event) { dossierID in try Self.known(dossierID, db) }
        if let dossier = facts.dossier { try remember(dossier, db) }
        guard !facts.citizenID.isEmpty, let template = try TemplateStore.latest(key: facts.kind, db) else { return .ignored }

        // Templates were checked when saved; a stored one that no longer parses (an older
        // placeholder set) is rendered as its raw text rather than dropped.
        func render(_ text: String, _ values: [Placeholder: String]) -> String {
            (try? TemplateText(text).render(values)) ?? text
        }
        let now = UnixMillis.now()
        let notificationID = UUID().uuidString.lowercased()
        try db.execute(
            sql: """
                INSERT INTO notification (id, event_id, kind, template_version, citizen_id, dossier_id, subject, body, sms, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [notificationID, event.id, facts.kind, Int64(template.version), facts.citizenID, facts.dossierID,
                        render(template.subject, facts.values), render(template.body, facts.values),
                        render(template.sms, facts.smsValues), now])

        // The inbox has it now: logged as a delivery that is already done.
        try DeliveryQueue.insert(notificationID: notificationID, channel: .inbox, recipient: "citizen:\(facts.citizenID)",
                                 state: .sent, now: now, db)
        var channels: [NotifyV1.Channel] = []
        let contacts = try contacts(citizenID: facts.citizenID, dossierID: facts.dossierID, db)
        if contacts.wantsEmail, !contacts.email.isEmpty {
            try DeliveryQueue.insert(notificationID: notificationID, channel: .email, recipient: contacts.email,
                                     state: .pending, now: now, db)
            channels.append(.email)
        }
        if contacts.wantsSMS, !contacts.phone.isEmpty {
            try DeliveryQueue.insert(notificationID: notificationID, channel: .sms, recipient: contacts.phone,
                                     state: .pending, now: now, db)
            channels.append(.sms)
        }
        return .notified(notificationID: notificationID, channels: channels)
    }

    struct Contacts {
        var email: String
        var phone: String
        var wantsEmail: Bool
        var wantsSMS: Bool
    }

    /// Where the citizen asked to be reached: their stored preference, which only the citizen
    /// sets, through their own account (registration, the portal, the API signed in as
    /// themself; the gateway refuses agency systems). Without one: the inbox only.
    ///
    /// Never the email or phone typed into a dossier's form: anyone filling a form could make
    /// the platform mail or text a third party, and the platform has no step that proves an
    /// address belongs to the citizen (docs/notify.md, "Contact preferences").
    static func contacts(citizenID: String, dossierID: String, _ db: Database) throws -> Contacts {
        guard let stored = try ContactPreferenceStore.fetch(citizenID: citizenID, db) else {
            return Contacts(email: "", phone: "", wantsEmail: false, wantsSMS: false)
        }
        return Contacts(email: stored.email, phone: stored.phone,
                        wantsEmail: stored.channels == .email || stored.channels == .both,
                        wantsSMS: stored.channels == .sms || stored.channels == .both)
    }

    static func known(_ dossierID: String, _ db: Database) throws -> KnownDossier? {
        guard !dossierID.isEmpty,
              let row = try Row.fetchOne(db, sql: "SELECT * FROM dossier_contact WHERE dossier_id = ?", arguments: [dossierID])
        else { return nil }
        return KnownDossier(dossierID: row["dossier_id"], citizenID: row["citizen_id"], receiptCode: row["receipt_code"],
                            name: row["name"], email: row["email"], phone: row["phone"],
                            agencyCode: row["agency_code"], procedureCode: row["procedure_code"])
    }

    /// Keeps the latest of what the dossier's events said; a later event with an empty field
    /// (form data not repeated) keeps what was known.
    static func remember(_ dossier: KnownDossier, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO dossier_contact (dossier_id, citizen_id, receipt_code, name, email, phone, agency_code, procedure_code, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (dossier_id) DO UPDATE SET
                    receipt_code = CASE WHEN excluded.receipt_code = '' THEN receipt_code ELSE excluded.receipt_code END,
                    name = CASE WHEN excluded.name = '' THEN name ELSE excluded.name END,
                    email = CASE WHEN excluded.email = '' THEN email ELSE excluded.email END,
                    phone = CASE WHEN excluded.phone = '' THEN phone ELSE excluded.phone END,
                    updated_at = excluded.updated_at
                """,
            arguments: [dossier.dossierID, dossier.citizenID, dossier.receiptCode, dossier.name, dossier.email,
                        dossier.phone, dossier.agencyCode, dossier.procedureCode, UnixMillis.now()])
    }
}
