import DVCProto
import Foundation
import GRDB
import RPCCore
import RPCNIO
import TestKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Faults injected into the running platform, each service a real process: SIGKILL and
/// restart under load (this file), a hung peer (SIGSTOP, FaultTests+HungPeer.swift), a full
/// disk under a service's data folder (FaultTests+DiskFull.swift). Each test prints one
/// summary line per kind of thing it counted; docs/faults.md keeps a run's numbers.
@Suite(.serialized, .timeLimit(.minutes(3))) struct FaultTests {
    /// The services a kill goes round, each in turn, `rounds` times.
    static let victims = ["catalog-svc", "dossier-svc", "payment-svc", "notify-svc", "gateway"]
    static let rounds = 3
    /// The kinds of notification a finished level-4 dossier gives its citizen (the other steps
    /// have no template: nothing to tell).
    static let notifiedKinds: Set<String> = [
        "dossier.submitted", "dossier.received", "dossier.awaiting-payment", "payment.paid", "dossier.approved",
        "dossier.result-returned",
    ]

    @Test("every service SIGKILLed and restarted in turn under level-4 load: everything acknowledged is there exactly once, every event and notification delivered once, no fee taken twice, every backlog drained")
    func killEachServiceUnderLoad() async throws {
        try await FaultPlatform.with(Self.victims) { platform, gateway in
            try await killAndCheck(platform, gateway)
        }
    }

    private func killAndCheck(_ platform: FaultPlatform, _ gateway: RPCClient) async throws {
        let (agency, procedure, fee) = try await feeProcedure(gateway: gateway, platform: platform)
        let key = try await makeAPIKey(gatewayData: platform.nodes["gateway"]!.data, agency: agency, scopes: "citizens,officers")
        let workers = 3
        // Each citizen's own address, as their account sets it (an agency key may not).
        let notify = platform.client("notify-svc")
        for worker in 0..<workers {
            try await NotifyTests.prefer(notify, citizen: String(format: "0010990%05d", 700 + worker),
                                         email: "cong.dan.\(worker)@example.vn")
        }
        await notify.close()

        let load = LevelFourLoad(gateway: gateway, apiKey: key, agency: agency, procedure: procedure)
        let running = Task { await load.run(workers: workers) }
        var kills: [String: Int] = [:]
        var downtime: [Duration] = []
        do {
            for _ in 0..<Self.rounds {
                for victim in Self.victims {
                    // Kill only once the platform has moved on since the last restart: a
                    // kill then always lands on work in progress.
                    try await waitForProgress(load, steps: 6, what: "load before killing \(victim)")
                    let killed = ContinuousClock.now
                    platform.kill(victim)
                    try await platform.restart(victim)
                    downtime.append(ContinuousClock.now - killed)
                    kills[victim, default: 0] += 1
                }
            }
            try await waitForProgress(load, steps: 6, what: "load after the last restart")
        } catch {
            load.stop()
            running.cancel()
            _ = await running.value
            throw error
        }
        load.stop()
        await running.value
        let tally = load.snapshot

        // Backlogs drain by themselves once everything is up.
        let drained = try await waitFor(seconds: 60) {
            let backlog = try await platform.metric("dvc_outbox_backlog", of: "dossier-svc")
                + platform.metric("dvc_outbox_backlog", of: "payment-svc")
            let pending = try await platform.metric("dvc_notify_delivery_pending", of: "notify-svc")
            return backlog == 0 && pending == 0
        }
        #expect(drained, "the outboxes or notify-svc's delivery queue never drained")

        #expect(tally.errors.isEmpty, "errors the clients could not retry: \(tally.errors.prefix(5))")
        let courses = Array(tally.courses.values)
        let finished = courses.filter(\.finished)
        #expect(finished.count >= 10, "only \(finished.count) dossiers went the whole way")

        try checkDossiers(platform, courses)
        try await checkPayments(platform, courses, fee: fee)
        let mails = try await checkNotifications(platform, courses)

        let acknowledgedSteps = courses.reduce(0) { $0 + $1.acknowledged.count }
        let unanswered = courses.reduce(0) { $0 + $1.appliedUnanswered.count }
        let slowest = downtime.max().map { "\(($0 / .milliseconds(1)).rounded()) ms" } ?? "-"
        print("faults kill: \(kills.values.reduce(0, +)) SIGKILLs (\(Self.victims.map { "\($0) \(kills[$0] ?? 0)" }.joined(separator: ", "))), slowest kill-to-listening \(slowest); clients retried \(tally.retried) retriable errors, \(tally.errors.count) other errors, \(tally.browserErrors) browser returns lost")
        print("faults kill: submissions acknowledged \(courses.filter { !$0.dossierID.isEmpty }.count), each held once; dossiers finished \(finished.count)")
        print("faults kill: state changes acknowledged \(acknowledgedSteps) (+\(unanswered) applied whose answer was lost), each in the history once; payment confirmations \(courses.filter(\.confirmed).count), each once")
        print("faults kill: \(mails)")
    }

    // MARK: Waiting

    private func waitForProgress(_ load: LevelFourLoad, steps: Int, what: String) async throws {
        let start = load.acknowledgedCount
        let moved = try await waitFor(seconds: 40) { load.acknowledgedCount >= start + steps }
        guard moved else {
            throw TestFailure(description: "no progress (\(what)): \(load.snapshot.errors.prefix(5))")
        }
    }

    /// Polls `condition` every 100 ms for up to `seconds`; whether it came true.
    func waitFor(seconds: Int, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    /// A procedure at level 4 whose forms declare no fields and which has a per-dossier fee.
    private func feeProcedure(gateway: RPCClient, platform: FaultPlatform) async throws -> (String, String, Int64) {
        let catalog = platform.client("catalog-svc")
        defer { Task { await catalog.close() } }
        let export = try await catalog.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                             options: CallOptions(timeout: .seconds(10)))
        let candidates = export.procedures.filter { procedure in
            procedure.isSimpleToSubmit && procedure.fees.contains { $0.amountVnd > 0 }
                && Set(procedure.fees.map(\.unit)) == ["per_dossier"]
        }
        let byCode = Dictionary(uniqueKeysWithValues: candidates.map { ($0.code, $0) })
        let found = try #require(export.levels.first { $0.level == 4 && byCode[$0.procedureCode] != nil })
        let fee = try #require(byCode[found.procedureCode]?.fees.first { $0.amountVnd > 0 }).amountVnd
        return (found.agencyCode, found.procedureCode, fee)
    }

    // MARK: Checks against the services' own files

    static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Every acknowledged submission once, with its id; every step once in the history;
    /// nothing in the outbox left undelivered; the file intact.
    private func checkDossiers(_ platform: FaultPlatform, _ courses: [LevelFourLoad.Course]) throws {
        let database = try Self.open(platform.databasePath("dossier-svc"))
        try database.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            for course in courses where !course.dossierID.isEmpty {
                let ids = try String.fetchAll(db, sql: "SELECT id FROM dossier WHERE applicant_id = ? AND idempotency_key = ?",
                                              arguments: [course.citizen, course.key])
                #expect(ids == [course.dossierID], "\(course.key): acknowledged \(course.dossierID), held \(ids)")
            }
            let keys = Set(courses.map(\.key))
            let held = try String.fetchAll(db, sql: "SELECT idempotency_key FROM dossier")
            #expect(held.count == Set(held).count && Set(held).isSubset(of: keys), "dossiers nobody submitted, or twice: \(held.count)")
            let repeated = try Row.fetchAll(db, sql: """
                SELECT dossier_id, action, COUNT(*) AS n FROM history GROUP BY dossier_id, action HAVING n > 1
                """)
            #expect(repeated.isEmpty, "steps in a history more than once: \(repeated.prefix(5))")
            for course in courses where !course.dossierID.isEmpty {
                let actions = Set(try Int.fetchAll(db, sql: "SELECT action FROM history WHERE dossier_id = ?", arguments: [course.dossierID]))
                for action in course.acknowledged + course.appliedUnanswered {
                    #expect(actions.contains(Int(action.rawValue)), "\(course.key): acknowledged \(action) missing from the history")
                }
                if course.confirmed {
                    #expect(actions.contains(Int(DossierV1.Action.confirmPayment.rawValue)), "\(course.key): payment confirmation missing")
                }
            }
            let undelivered = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") ?? -1
            #expect(undelivered == 0, "dossier-svc's outbox still holds \(undelivered) events")
        }
    }

    /// Every acknowledged payment once; no dossier paid twice, in the ledger or at the provider.
    private func checkPayments(_ platform: FaultPlatform, _ courses: [LevelFourLoad.Course], fee: Int64) async throws {
        let database = try Self.open(platform.databasePath("payment-svc"))
        let paid = try database.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            for course in courses where !course.paymentID.isEmpty {
                let rows = try Row.fetchAll(db, sql: "SELECT id, state, amount_vnd FROM payment WHERE applicant_id = ? AND idempotency_key = ?",
                                            arguments: [course.citizen, "tt-\(course.key)"])
                    + Row.fetchAll(db, sql: "SELECT id, state, amount_vnd FROM payment WHERE id = ?", arguments: [course.paymentID])
                #expect(Set(rows.map { $0["id"] as String }) == [course.paymentID], "\(course.key): payment \(course.paymentID) held as \(rows)")
                if course.confirmed {
                    #expect(rows.first?["state"] as Int? == 2, "\(course.key): the dossier moved on but its payment is not paid")
                }
            }
            let twice = try Row.fetchAll(db, sql: "SELECT dossier_id, COUNT(*) AS n FROM payment WHERE state IN (2, 5) GROUP BY dossier_id HAVING n > 1")
            #expect(twice.isEmpty, "dossiers paid twice: \(twice)")
            let undelivered = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") ?? -1
            #expect(undelivered == 0, "payment-svc's outbox still holds \(undelivered) events")
            return try Row.fetchAll(db, sql: "SELECT order_id, dossier_id, amount_vnd FROM payment WHERE state = 2")
        }
        #expect(paid.allSatisfy { $0["amount_vnd"] as Int64 == fee })
        // The provider's side: every charge it approved is one paid payment, one per dossier.
        let sandbox = "http://\(platform.sandbox!.address)"
        let day = String(Self.providerDay())
        let settlement = try await FaultPlatform.browse("\(sandbox)/sandbox/settlement?date=\(day)").1
        let charged = settlement.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }
        let dossierOfOrder = Dictionary(uniqueKeysWithValues: paid.map { ($0["order_id"] as String, $0["dossier_id"] as String) })
        #expect(charged.count == Set(charged).count)
        #expect(Set(charged) == Set(dossierOfOrder.keys), "provider charges \(charged.count) vs paid payments \(paid.count)")
        let chargedDossiers = charged.compactMap { dossierOfOrder[$0] }
        #expect(chargedDossiers.count == Set(chargedDossiers).count, "a dossier charged twice at the provider")
        let ipn = try await platform.ipnCounts()
        print("faults kill: payments acknowledged \(courses.filter { !$0.paymentID.isEmpty }.count), each held once; paid \(paid.count) at \(fee) đồng; provider charges \(charged.count); dossiers paid twice \(paid.count - Set(paid.map { $0["dossier_id"] as String }).count); provider IPNs \(ipn.sent), \(ipn.unsettled) of them unanswered by a merchant down and sent again")
    }

    /// Every event of dossier-svc's and payment-svc's outboxes processed once by its
    /// receivers; one inbox message per event, none repeated; every email sent, and the SMTP
    /// server's copies counted by Message-ID. Returns the summary line of mails.
    private func checkNotifications(_ platform: FaultPlatform, _ courses: [LevelFourLoad.Course]) async throws -> String {
        let dossierEvents = try Self.open(platform.databasePath("dossier-svc")).read { db in
            try Row.fetchAll(db, sql: "SELECT event_id, type, destination FROM outbox")
        }
        let paymentEvents = try Self.open(platform.databasePath("payment-svc")).read { db in
            try Row.fetchAll(db, sql: "SELECT event_id, type, destination FROM outbox")
        }
        let dossierProcessed = try await Self.open(platform.databasePath("dossier-svc")).read { db in
            Set(try String.fetchAll(db, sql: "SELECT event_id FROM processed_events"))
        }
        for event in paymentEvents where event["destination"] as String == "dossier-svc" {
            #expect(dossierProcessed.contains(event["event_id"] as String), "payment event \(event["event_id"] as String) never processed by dossier-svc")
        }
        let toNotify = (dossierEvents + paymentEvents).filter { $0["destination"] as String == "notify-svc" }

        let notify = try Self.open(platform.databasePath("notify-svc"))
        let (processed, perEvent, repeatedKinds, emails) = try notify.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            let processed = Set(try String.fetchAll(db, sql: "SELECT event_id FROM processed_events"))
            let perEvent = Dictionary(grouping: try String.fetchAll(db, sql: "SELECT event_id FROM notification"), by: { $0 }).mapValues(\.count)
            let repeatedKinds = try Row.fetchAll(db, sql: """
                SELECT dossier_id, kind, COUNT(*) AS n FROM notification GROUP BY dossier_id, kind HAVING n > 1
                """)
            let emails = try Row.fetchAll(db, sql: "SELECT id, state FROM delivery WHERE channel = ?",
                                          arguments: [Int(NotifyV1.Channel.email.rawValue)])
            return (processed, perEvent, repeatedKinds, emails)
        }
        var missing: [String] = []
        for event in toNotify {
            let id = event["event_id"] as String
            if !processed.contains(id) { missing.append("\(event["type"] as String) \(id)") }
            if Self.notifiedKinds.contains(event["type"] as String) {
                #expect(perEvent[id] == 1, "event \(event["type"] as String) \(id) gave \(perEvent[id] ?? 0) inbox messages")
            }
        }
        #expect(missing.isEmpty, "events never delivered to notify-svc: \(missing.prefix(5))")
        #expect(perEvent.values.allSatisfy { $0 == 1 }, "an event gave two inbox messages")
        #expect(repeatedKinds.isEmpty, "inbox messages repeated for one dossier: \(repeatedKinds.prefix(5))")
        let finishedIDs = Set(courses.filter(\.finished).map(\.dossierID))
        let kindsByDossier = try await notify.read { db in
            Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT dossier_id, kind FROM notification"), by: { $0["dossier_id"] as String })
                .mapValues { Set($0.map { $0["kind"] as String }) }
        }
        for id in finishedIDs {
            #expect(kindsByDossier[id] == Self.notifiedKinds, "dossier \(id) notified of \(kindsByDossier[id]?.sorted() ?? [])")
        }

        // Email: sent once by notify-svc's books; the SMTP server may hold a repeat of one
        // whose acceptance was not recorded before a kill (docs/notify.md), always under the
        // same Message-ID.
        let unsent = emails.filter { $0["state"] as Int != 3 }
        #expect(unsent.isEmpty, "emails not sent: \(unsent.count)")
        let smtp = try #require(platform.smtp)
        let expected = Set(emails.map { $0["id"] as String })
        let received = try smtp.files(".json").map { envelope in
            try ReceivedMail(eml: envelope.deletingPathExtension().appendingPathExtension("eml"), envelope: envelope).headers["message-id"] ?? ""
        }
        let deliveryIDs = received.map { id in String(id.drop { $0 == "<" }.prefix { $0 != "@" }) }
        #expect(Set(deliveryIDs) == expected, "SMTP server holds \(Set(deliveryIDs).count) distinct messages for \(expected.count) email deliveries")
        let repeats = deliveryIDs.count - Set(deliveryIDs).count
        return "events to notify-svc \(toNotify.count) (dossier-svc \(dossierEvents.count) outbox rows, payment-svc \(paymentEvents.count)), processed \(toNotify.filter { processed.contains($0["event_id"] as String) }.count), undelivered \(missing.count); inbox messages \(perEvent.count), repeated \(perEvent.values.filter { $0 > 1 }.count); emails \(expected.count) deliveries, SMTP server received \(deliveryIDs.count) (\(Set(deliveryIDs).count) distinct Message-IDs, \(repeats) repeats)"
    }

    /// Today in UTC+7, as the provider dates its settlement.
    static func providerDay() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "yyyyMMdd"
        return formatter.string(from: Date())
    }
}
