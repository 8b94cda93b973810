import DVCProto
import Foundation
import GRDB
import Logging
import RPCCore
import Storage
import Testing

@testable import NotifyService

/// The change feed's parts: the address check, the signature (against a value computed with
/// Python's hmac, as docs/webhooks.md shows a receiver doing), the payload, and the queue's
/// rules — exactly once per event, each dossier in order, a failed row kept and no longer
/// holding back the next, a deleted webhook's rows failed with the reason.
@Suite struct WebhookTests {
    @Test("https anywhere, http to loopback only; everything else refused naming url")
    func addresses() throws {
        for good in ["https://hethong.sotuphap.hanoi.gov.vn/dvc/webhook", "http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]:9/x"] {
            #expect(throws: Never.self, "\(good)") { _ = try WebhookURL.check(good) }
        }
        for bad in ["", "http://example.vn/x", "ftp://127.0.0.1/x", "https://a:b@example.vn/", "https://example.vn/#x", "example.vn/x",
                    "https://" + String(repeating: "a", count: 2100) + ".vn/"] {
            #expect(throws: RPCError.self, "\(bad)") { _ = try WebhookURL.check(bad) }
            do { _ = try WebhookURL.check(bad) } catch let error as RPCError {
                #expect(error.code == .invalidArgument && error.violations.map(\.field) == ["url"], "\(bad)")
            }
        }
    }

    @Test("the signature is HMAC-SHA256 over t.body with the secret's text, in hex")
    func signature() {
        let value = WebhookSignature.value(secret: "whsec_test", unixSeconds: 1_796_000_000, body: Data(#"{"id":"e-1"}"#.utf8))
        #expect(value == "t=1796000000,v1=1e125d42c72ec866740ddef7603023df15cd83d335b463fd505e8d64eca8219d")
        let a = WebhookSignature.newSecret(), b = WebhookSignature.newSecret()
        #expect(a.hasPrefix("whsec_") && a.count == 49 && a != b)
    }

    @Test("the payload: the change and the dossier's place, nothing personal, keys sorted")
    func payload() throws {
        let event = EventIntakeTests.dossierEvent("dossier.received") { $0.version = 2; $0.state = .received }
        let body = try WebhookPayload.body(event: event, dossier: try DossierV1.DossierEvent(protobuf: event.payload).dossier!, nowMs: 0)
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"agency_code":"000.00.20.H26","dossier_id":"d-1","id":""#))
        #expect(text.contains(#""state":"DOSSIER_STATE_RECEIVED","type":"dossier.received","version":2}"#))
        #expect(text.contains(#""occurred_at":"2026-11-18T"#))
        #expect(!text.contains(EventIntakeTests.citizen) && !text.contains("Nguyễn") && !text.contains("binh@"))
    }

    @Test("queue: once per event, a dossier's later change waits for the earlier, a failed one frees the next, deletion fails the rest")
    func queueOrder() async throws {
        let database = try ServiceDatabase.inMemory(migrations: NotifyServiceApp.migrations)
        try TemplateStore(database: database).seedDefaults()
        let intake = EventIntake(database: database, logger: Logger(label: "test"), queued: {})
        let registry = WebhookRegistry(database: database)
        _ = try await registry.set(keyID: "k1", agency: "000.00.20.H26", url: "https://a.example.vn/hook")
        _ = try await registry.set(keyID: "k2", agency: "000.00.99.H26", url: "https://b.example.vn/hook")
        var events: [EventsV1.Event] = []
        for version in 1...3 {
            events.append(EventIntakeTests.dossierEvent("dossier.v\(version)", dossierID: "d-1") { $0.version = UInt64(version) })
        }
        events.append(EventIntakeTests.dossierEvent("dossier.v1", dossierID: "d-2") { $0.version = 1 })
        for event in events { _ = try await intake.accept(event) }
        _ = try await intake.accept(events[0])  // a repeat from the outbox: no second row
        let rows = try await database.sqliteRead { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_delivery") }
        #expect(rows == 4, "k2's agency has no part in these dossiers; the repeat adds nothing")

        let now = UnixMillis.now()
        var claimed = try await database.sqliteWrite { db in try WebhookQueue.claimDue(nowMs: now, limit: 16, db) }
        #expect(claimed.map(\.eventType) == ["dossier.v1", "dossier.v1"], "the head of each dossier only")
        let d1 = try #require(claimed.first)
        #expect(d1.url == "https://a.example.vn/hook" && d1.keyID == "k1")
        // d-1's head fails and waits: d-1's v2 still waits behind it.
        let d2 = claimed[1].seq
        try await database.sqliteWrite { db in
            try WebhookQueue.record(d1.seq, sent: false, error: "HTTP 503", retryAt: now + 60_000, nowMs: now, db)
            try WebhookQueue.record(d2, sent: true, error: "", retryAt: nil, nowMs: now, db)
        }
        claimed = try await database.sqliteWrite { db in try WebhookQueue.claimDue(nowMs: now + 1, limit: 16, db) }
        #expect(claimed.isEmpty)
        // Due again, it fails for good: kept as failed, and v2 goes.
        claimed = try await database.sqliteWrite { db in try WebhookQueue.claimDue(nowMs: now + 60_000, limit: 16, db) }
        #expect(claimed.map(\.eventType) == ["dossier.v1"])
        let again = claimed[0].seq
        try await database.sqliteWrite { db in
            try WebhookQueue.record(again, sent: false, error: "HTTP 503", retryAt: nil, nowMs: now, db)
        }
        claimed = try await database.sqliteWrite { db in try WebhookQueue.claimDue(nowMs: now + 60_000, limit: 16, db) }
        #expect(claimed.map(\.eventType) == ["dossier.v2"])
        var listed = NotifyV1.ListWebhookDeliveriesRequest()
        listed.state = .failed
        let failed = try await registry.deliveries(keyID: "k1", listed)
        #expect(failed.map(\.eventType) == ["dossier.v1"] && failed.first?.attempts == 2 && failed.first?.lastError == "HTTP 503")

        // Deleted: what is left is failed with the reason, and nothing more is queued or claimed.
        #expect(try await registry.delete(keyID: "k1", reason: "the API key was revoked"))
        #expect(try await registry.delete(keyID: "k1", reason: "again") == false)
        let all = try await registry.deliveries(keyID: "k1", NotifyV1.ListWebhookDeliveriesRequest())
        #expect(all.filter { $0.state == .failed }.count == 3 && all.filter { $0.state == .sent }.count == 1)
        #expect(all.first { $0.eventType == "dossier.v3" }?.lastError == "the API key was revoked")
        _ = try await intake.accept(EventIntakeTests.dossierEvent("dossier.v4", dossierID: "d-1") { $0.version = 4 })
        #expect(try await registry.deliveries(keyID: "k1", NotifyV1.ListWebhookDeliveriesRequest()).count == 4)
        await #expect(throws: RPCError.self) { _ = try await registry.get(keyID: "k1") }
    }
}
