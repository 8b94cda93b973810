import Crypto
import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import RPCCore
import RPCNIO
import TestKit
import Testing

/// An agency system's change feed (docs/webhooks.md) through the real gateway, dossier-svc and
/// notify-svc, to a receiver that checks every signature (Tests/python/webhook_sink.py):
/// registration and its refusals, each dossier's changes in order, a receiver down for a while
/// caught up in order, a dead endpoint's deliveries kept as failed, a revoked key's feed
/// stopped. And key rotation by the agency's administrator (docs/gateway.md, "Key rotation").
@Suite(.timeLimit(.minutes(3))) struct AgencyFeedTests {
    let dossiers = GatewayDossierTests()
    static let citizen = "citizen:\(GatewayDossierTests.citizen)"

    struct Platform {
        var base: GatewayDossierTests.Platform
        var notify: RPCClient
        /// The gateway's HTTP side, for officers' sign-in.
        var root: String
        var gateway: RPCClient { base.gateway }
    }

    /// catalog-svc, notify-svc (webhook retries fast: 200 ms doubling to 1 s, 8 attempts),
    /// dossier-svc sending its events to notify-svc, and the gateway with --notify.
    func withPlatform(_ body: (Platform) async throws -> Void) async throws {
        let config = try NotifyTests.config(["poll_ms": "100", "webhook_retry_initial_ms": "200",
                                             "webhook_retry_max_ms": "1000", "webhook_max_attempts": "8"])
        try await withService("catalog-svc") { catalog in
            try await withService("notify-svc", extraArguments: ["--config", config]) { notify in
                try await withService("dossier-svc", extraArguments: ["--catalog", catalog.address.description,
                                                                      "--notify", notify.address.description]) { dossier in
                    try await withService("gateway", extraArguments: [
                        "--catalog", catalog.address.description, "--dossier", dossier.address.description,
                        "--notify", notify.address.description, "--http", "127.0.0.1:0",
                    ]) { gateway in
                        try await withClient(catalog) { catalogClient in
                            try await withClient(dossier) { dossierClient in
                                try await withClient(gateway) { gatewayClient in
                                    try await withClient(notify) { notifyClient in
                                        let base = GatewayDossierTests.Platform(
                                            catalog: catalogClient, dossiers: dossierClient, gateway: gatewayClient,
                                            gatewayData: try #require(gateway.dataDirectory))
                                        try await body(Platform(base: base, notify: notifyClient,
                                                                root: try await PaymentFlowTests.httpAddress(gateway)))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func setWebhook(_ platform: Platform, key: String, url: String) async throws -> NotifyV1.SetWebhookResponse {
        var request = NotifyV1.SetWebhookRequest()
        request.url = url
        return try await platform.gateway.unary(GatewayV1.AgencyService.setWebhook, request, options: GatewayDossierTests.options(key))
    }

    func deliveries(_ platform: Platform, key: String) async throws -> [NotifyV1.WebhookDelivery] {
        try await platform.gateway.unary(GatewayV1.AgencyService.listWebhookDeliveries, NotifyV1.ListWebhookDeliveriesRequest(),
                                         options: GatewayDossierTests.options(key)).deliveries
    }

    /// What the receiver accepted, in arrival order: (headers, raw body, decoded body).
    struct Received {
        var headers: [String: String]
        var body: String
        var json: [String: Any]
        var eventID: String { json["id"] as? String ?? "" }
        var dossierID: String { json["dossier_id"] as? String ?? "" }
        var version: Int { json["version"] as? Int ?? -1 }
    }

    static func received(_ sink: PythonSink, count: Int, timeout: Duration = .seconds(20)) async throws -> [Received] {
        try await sink.waitForFiles(".json", count: count, timeout: timeout).map { url in
            let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            let body = try #require(record["body"] as? String)
            return Received(headers: record["headers"] as? [String: String] ?? [:], body: body,
                            json: try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]))
        }
    }

    /// Each dossier's versions arrive strictly increasing, and no event twice.
    static func checkOrder(_ received: [Received], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(received.map(\.eventID)).count == received.count, "an event was delivered twice", sourceLocation: sourceLocation)
        for dossier in Set(received.map(\.dossierID)) {
            let versions = received.filter { $0.dossierID == dossier }.map(\.version)
            #expect(versions == versions.sorted() && Set(versions).count == versions.count,
                    "dossier \(dossier) arrived in the order \(versions)", sourceLocation: sourceLocation)
        }
    }

    @Test("webhooks: refusals name the field, changes arrive signed and in order, a receiver down catches up, a dead one is kept failed, a revoked key's feed stops")
    func changeFeed() async throws {
        let port = try freeLoopbackPort()
        let folder = try makeTemporaryFolder("webhook")
        var sink = try await PythonSink.start("webhook_sink.py", port: port, folder: folder)
        defer { sink.stop() }
        try await withPlatform { platform in
            let (agency, procedure) = try await dossiers.offered(platform.base, level: 3)
            let otherAgency = try #require(try await platform.base.catalog.unary(
                CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(), options: CallOptions(timeout: .seconds(10)))
                .levels.map(\.agencyCode).first { $0 != agency })
            // The officers the steps are taken as, made once (each is a scrypt hash).
            let key = try await makeAPIKey(gatewayData: platform.base.gatewayData, agency: agency, scopes: "citizens,officers",
                                           officers: ["tn01", "xl01", "ld01"])
            let spare = try await makeAPIKey(gatewayData: platform.base.gatewayData, agency: agency, scopes: "citizens,officers",
                                             officers: [])
            let dead = try await platform.base.makeKey(agency: agency, scopes: "")
            let stranger = try await platform.base.makeKey(agency: otherAgency, scopes: "")

            // Registration: a bad address is refused naming `url`.
            for url in ["", "ftp://127.0.0.1/x", "http://example.vn/hook", "https://user:pw@example.vn/hook", "khong-phai-url"] {
                let refused = await rpcError { try await setWebhook(platform, key: key, url: url) }
                #expect(refused?.code == .invalidArgument && refused?.violations.map(\.field) == ["url"], "\(url): \(String(describing: refused))")
            }
            // Only the key itself: not a person it acts for, not an anonymous caller.
            for person in [Self.citizen, "officer:tn01:receiver"] {
                let refused = await rpcError {
                    try await platform.gateway.unary(GatewayV1.AgencyService.setWebhook, NotifyV1.SetWebhookRequest(),
                                                     options: GatewayDossierTests.options(key, as: person))
                }
                #expect(refused?.code == .permissionDenied, "\(person)")
            }
            let anonymous = await rpcError { try await setWebhook(platform, key: "", url: "https://example.vn/hook") }
            #expect(anonymous?.code == .unauthenticated)

            let registered = try await setWebhook(platform, key: key, url: "http://127.0.0.1:\(port)/dvc/thay-doi")
            #expect(registered.secret.hasPrefix("whsec_") && registered.secret.count > 40)
            try Data(registered.secret.utf8).write(to: folder.appendingPathComponent("secret"))
            let webhook = try await platform.gateway.unary(GatewayV1.AgencyService.getWebhook, NotifyV1.GetWebhookRequest(),
                                                           options: GatewayDossierTests.options(key))
            #expect(webhook.url == "http://127.0.0.1:\(port)/dvc/thay-doi" && webhook.agencyCode == agency)
            #expect(webhook.apiKeyId == AgencyKeyActingTests.keyID(key))
            // Another agency's key sees no webhook of this one, and none of its deliveries.
            let notTheirs = await rpcError {
                try await platform.gateway.unary(GatewayV1.AgencyService.getWebhook, NotifyV1.GetWebhookRequest(),
                                                 options: GatewayDossierTests.options(stranger))
            }
            #expect(notTheirs?.code == .notFound)

            // Two dossiers, three changes each: submitted, received, processing.
            var first = try #require(try await dossiers.submit(platform.base, key: key, agency: agency, procedure: procedure,
                                                               idempotencyKey: "feed-1").dossier)
            var second = try #require(try await dossiers.submit(platform.base, key: key, agency: agency, procedure: procedure,
                                                                idempotencyKey: "feed-2").dossier)
            first = try await dossiers.act(platform.base, first, .receive, key: key, as: "officer:tn01:receiver")
            second = try await dossiers.act(platform.base, second, .receive, key: key, as: "officer:tn01:receiver")
            first = try await dossiers.act(platform.base, first, .startProcessing, key: key, as: "officer:xl01:processor")
            second = try await dossiers.act(platform.base, second, .startProcessing, key: key, as: "officer:xl01:processor")
            var got = try await Self.received(sink, count: 6)
            #expect(got.count == 6)
            Self.checkOrder(got)
            #expect(got.filter { $0.dossierID == first.id }.last?.version == Int(first.version))
            #expect(got.filter { $0.dossierID == second.id }.last?.version == Int(second.version))
            let firstDelivery = try #require(got.first)
            #expect(Set(firstDelivery.json.keys) == ["id", "type", "occurred_at", "dossier_id", "receipt_code", "agency_code",
                                                     "procedure_code", "state", "version"], "nothing personal: \(firstDelivery.json.keys)")
            #expect(firstDelivery.json["type"] as? String == "dossier.submitted" && firstDelivery.json["agency_code"] as? String == agency)
            #expect(got.last { $0.dossierID == first.id }?.json["state"] as? String == "DOSSIER_STATE_PROCESSING")
            #expect(got.last { $0.dossierID == first.id }?.json["receipt_code"] as? String == first.receiptCode)
            #expect(firstDelivery.headers["x-dvc-event-id"] == firstDelivery.eventID)
            #expect(firstDelivery.headers["x-dvc-event-type"] == "dossier.submitted")

            // The signature, checked here as a receiver would (the sink checked it too); a body
            // changed on the way does not verify, and the receiver refuses it.
            let header = try #require(firstDelivery.headers["x-dvc-signature"])
            let parts = Dictionary(uniqueKeysWithValues: header.split(separator: ",").map {
                let pair = $0.split(separator: "=", maxSplits: 1)
                return (String(pair[0]), String(pair.count > 1 ? pair[1] : ""))
            })
            let t = try #require(parts["t"])
            let mac = HMAC<SHA256>.authenticationCode(for: Data("\(t).\(firstDelivery.body)".utf8),
                                                      using: SymmetricKey(data: Data(registered.secret.utf8)))
            #expect(parts["v1"] == mac.map { String(format: "%02x", $0) }.joined())
            let tampered = firstDelivery.body.replacingOccurrences(of: "DOSSIER_STATE_SUBMITTED", with: "DOSSIER_STATE_PROCESSED")
            #expect(tampered != firstDelivery.body)
            var forged = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)/dvc/thay-doi")))
            forged.httpMethod = "POST"
            forged.setValue(header, forHTTPHeaderField: "X-DVC-Signature")
            forged.httpBody = Data(tampered.utf8)
            let (_, forgedAnswer) = try await URLSession.shared.data(for: forged)
            #expect((forgedAnswer as? HTTPURLResponse)?.statusCode == 401)
            #expect(sink.files(".json").count == 6)

            // The receiver goes down; two more changes of the first dossier and one of the second.
            sink.stop()
            first = try await dossiers.act(platform.base, first, .requestSupplement, key: key, as: "officer:xl01:processor") {
                $0.missingDocuments = ["Bản sao sổ hộ khẩu"]
            }
            // A second key's webhook that nobody answers: its deliveries (the next two changes)
            // are tried, then kept as failed and listed, never dropped.
            let closedPort = try freeLoopbackPort()
            _ = try await setWebhook(platform, key: dead, url: "http://127.0.0.1:\(closedPort)/khong-ai-nghe")
            second = try await dossiers.act(platform.base, second, .approve, key: key, as: "officer:ld01:approver") {
                $0.resultNote = "Đã giải quyết"
            }
            first = try await dossiers.act(platform.base, first, .withdraw, key: key, as: Self.citizen)
            // They wait, retried with back-off, the error kept.
            var waiting: [NotifyV1.WebhookDelivery] = []
            let deadline = ContinuousClock.now + .seconds(10)
            repeat {
                try await Task.sleep(for: .milliseconds(200))
                waiting = try await deliveries(platform, key: key).filter { $0.state == .pending }
            } while !waiting.contains(where: { $0.attempts >= 2 }) && ContinuousClock.now < deadline
            #expect(waiting.contains { $0.attempts >= 2 && $0.lastError.contains("unreachable") }, "\(waiting)")
            #expect(waiting.allSatisfy { $0.state == .pending })
            // Back up on the same address: caught up, each dossier in order.
            sink = try await PythonSink.start("webhook_sink.py", port: port, folder: folder)
            got = try await Self.received(sink, count: 9)
            #expect(got.count == 9)
            Self.checkOrder(got)
            #expect(got.filter { $0.dossierID == first.id }.map(\.version).last == Int(first.version))
            #expect(got.filter { $0.dossierID == second.id }.map(\.version).last == Int(second.version))
            #expect(got.last { $0.dossierID == first.id }?.json["type"] as? String == "dossier.withdrawn")
            let sent = try await deliveries(platform, key: key)
            #expect(sent.count == 9 && sent.allSatisfy { $0.state == .sent }, "\(sent.map(\.state))")

            // The dead endpoint: the two changes since it was registered, failed after 8 attempts.
            var failed: [NotifyV1.WebhookDelivery] = []
            let failDeadline = ContinuousClock.now + .seconds(40)
            repeat {
                try await Task.sleep(for: .milliseconds(300))
                failed = try await deliveries(platform, key: dead)
            } while !(failed.count == 2 && failed.allSatisfy { $0.state == .failed }) && ContinuousClock.now < failDeadline
            #expect(failed.count == 2 && failed.allSatisfy { $0.state == .failed && $0.attempts == 8 && !$0.lastError.isEmpty },
                    "\(failed.map { ($0.state, $0.attempts) })")
            let deadHook = try await platform.gateway.unary(GatewayV1.AgencyService.getWebhook, NotifyV1.GetWebhookRequest(),
                                                            options: GatewayDossierTests.options(dead))
            #expect(deadHook.failed == 2 && deadHook.pending == 0)
            // Another agency's key lists none of them.
            #expect(try await deliveries(platform, key: stranger).isEmpty)

            // The key is revoked by the operator: its webhook stops (the gateway tells notify-svc
            // within seconds), and later changes are not sent.
            try await platform.base.revokeKey(key)
            let keyID = AgencyKeyActingTests.keyID(key)
            var asKey = CallOptions(timeout: .seconds(5))
            asKey.metadata[CallerIdentity.metadataKey] = "agency-system:\(agency)"
            asKey.metadata[MetadataKey.apiKeyID] = keyID
            let stopDeadline = ContinuousClock.now + .seconds(10)
            var stopped = false
            while !stopped && ContinuousClock.now < stopDeadline {
                do {
                    _ = try await platform.notify.unary(NotifyV1.NotifyService.getWebhook, NotifyV1.GetWebhookRequest(), options: asKey)
                    try await Task.sleep(for: .milliseconds(200))
                } catch let error as RPCError where error.code == .notFound {
                    stopped = true
                }
            }
            #expect(stopped, "the revoked key's webhook still runs")
            second = try await dossiers.act(platform.base, second, .returnResult, key: spare, as: "officer:tn01:receiver")
            try await Task.sleep(for: .seconds(1.5))
            #expect(sink.files(".json").count == 9, "a revoked key's webhook received a change")

            // The agency's administrator revokes the dead endpoint's key over RPC: its webhook is
            // stopped within the call, what was still queued failed with the reason.
            let password = try await OfficerConsoleTests.officer(platform.base.gatewayData.path, agency: agency, id: "qt.webhook", roles: "admin")
            let (status, session) = try await OfficerConsoleTests.json("POST", platform.root + "/api/v1/sessions",
                                                                       ["officer_id": "qt.webhook", "password": password, "kind": "api"])
            #expect(status == 201)
            var asAdmin = CallOptions(timeout: .seconds(10))
            asAdmin.metadata[MetadataKey.authorization] = "Bearer \(try #require(session["token"] as? String))"
            // A new dossier just before: its change is still queued for the dead endpoint.
            let third = try #require(try await dossiers.submit(platform.base, key: spare, agency: agency, procedure: procedure,
                                                               idempotencyKey: "feed-3").dossier)
            var revoke = GatewayV1.RevokeApiKeyRequest()
            revoke.id = AgencyKeyActingTests.keyID(dead)
            let revokedDead = try await platform.gateway.unary(GatewayV1.AgencyService.revokeApiKey, revoke, options: asAdmin)
            #expect(revokedDead.revokedBy == "officer:qt.webhook@\(agency):admin")
            var asDead = CallOptions(timeout: .seconds(5))
            asDead.metadata[CallerIdentity.metadataKey] = "agency-system:\(agency)"
            asDead.metadata[MetadataKey.apiKeyID] = revoke.id
            let gone = await rpcError {
                try await platform.notify.unary(NotifyV1.NotifyService.getWebhook, NotifyV1.GetWebhookRequest(), options: asDead)
            }
            #expect(gone?.code == .notFound)
            let left = try await platform.notify.unary(NotifyV1.NotifyService.listWebhookDeliveries,
                                                       NotifyV1.ListWebhookDeliveriesRequest(), options: asDead).deliveries
            #expect(left.count == 4 && left.allSatisfy { $0.state == .failed }, "\(left.map { ($0.state, $0.lastError) })")
            #expect(left.first { $0.dossierId == third.id }?.lastError == "the API key was revoked")
        }
    }

    // MARK: Key rotation

    @Test("key rotation by the agency's administrator: a second key, both work, the old one revoked gets 401; no wider scopes; others refused; audited")
    func keyRotation() async throws {
        try await withHTTPGateway { platform in
            let data = try #require(platform.gateway.dataDirectory)
            let export = try await withClient(platform.catalog) { catalog in
                try await catalog.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                        options: CallOptions(timeout: .seconds(10)))
            }
            let agencies = Array(Set(export.levels.map(\.agencyCode))).sorted()
            let (agency, otherAgency) = (agencies[0], agencies[1])
            let old = try await makeAPIKey(gatewayData: data, agency: agency, scopes: "citizens")
            let otherKey = try await makeAPIKey(gatewayData: data, agency: otherAgency, scopes: "")
            let adminPassword = try await OfficerConsoleTests.officer(data.path, agency: agency, id: "qt.xoay", roles: "admin")
            let clerkPassword = try await OfficerConsoleTests.officer(data.path, agency: agency, id: "xl.xoay", roles: "processor")
            let strangerPassword = try await OfficerConsoleTests.officer(data.path, agency: otherAgency, id: "qt.khac", roles: "admin")
            func signIn(_ id: String, _ password: String) async throws -> String {
                let (status, body) = try await OfficerConsoleTests.json("POST", platform.root + "/api/v1/sessions",
                                                                        ["officer_id": id, "password": password, "kind": "api"])
                #expect(status == 201, "\(id): \(body)")
                return try #require(body["token"] as? String)
            }
            let admin = "Bearer " + (try await signIn("qt.xoay", adminPassword))
            let clerk = "Bearer " + (try await signIn("xl.xoay", clerkPassword))
            let stranger = "Bearer " + (try await signIn("qt.khac", strangerPassword))
            func call(_ method: String, _ body: [String: Any], as authorization: String) async throws -> (Int, [String: Any]) {
                try await OfficerConsoleTests.json("POST", platform.root + "/api/v1/dvc.gateway.v1.AgencyService/\(method)", body,
                                                   headers: ["Authorization": authorization])
            }
            /// A call that needs an identity, as the agency's system.
            func works(_ key: String) async throws -> Int {
                try await OfficerConsoleTests.json("POST", platform.root + "/api/v1/dvc.gateway.v1.DossierService/ListDossiers", [:],
                                                   headers: ["Authorization": key]).0
            }
            let oldID = AgencyKeyActingTests.keyID(old)

            // The administrator sees the agency's keys, never a secret, never another agency's.
            let (listed, keys) = try await call("ListApiKeys", [:], as: admin)
            #expect(listed == 200)
            let rows = try #require(keys["keys"] as? [[String: Any]])
            #expect(rows.map { $0["id"] as? String } == [oldID])
            #expect(rows.first?["createdBy"] as? String == "system:gateway-cli")
            #expect(!String(describing: keys).contains(old.split(separator: ".").last.map(String.init) ?? "§"), "a secret was listed")

            // No wider than the live keys: 'officers' was never granted; an unknown scope is named.
            let (wider, widerBody) = try await call("CreateApiKey", ["scopes": ["citizens", "officers"]], as: admin)
            #expect(wider == 403 && (widerBody["invalid_params"] as? [[String: Any]])?.first?["name"] as? String == "scopes", "\(widerBody)")
            let (unknown, unknownBody) = try await call("CreateApiKey", ["scopes": ["root"]], as: admin)
            #expect(unknown == 400 && (unknownBody["invalid_params"] as? [[String: Any]])?.first?["name"] as? String == "scopes", "\(unknownBody)")

            // Others: an officer without the role, another agency's administrator, a key.
            #expect(try await call("CreateApiKey", ["scopes": ["citizens"]], as: clerk).0 == 403)
            #expect(try await call("ListApiKeys", [:], as: clerk).0 == 403)
            #expect(try await call("CreateApiKey", [:], as: old).0 == 403, "a key made itself a key")
            #expect(try await call("RevokeApiKey", ["id": oldID], as: stranger).0 == 404, "another agency's key is not found")
            #expect(try await call("RevokeApiKey", ["id": oldID], as: otherKey).0 == 403)
            #expect(try await call("ListApiKeys", [:], as: "ApiKey kdeadbeef0000.sai").0 == 401)
            // A webhook is a key's, never a person's: an administrator's session is refused too.
            #expect(try await call("SetWebhook", ["url": "https://example.vn/hook"], as: admin).0 == 403)

            // Rotation: a new key (shown once), both work, the old one revoked gets 401.
            let (created, made) = try await call("CreateApiKey", ["scopes": ["citizens"], "label": "Hệ thống một cửa (2027)"], as: admin)
            #expect(created == 200, "\(made)")
            let new = try #require(made["authorization"] as? String)
            let newInfo = try #require(made["key"] as? [String: Any])
            #expect(new.hasPrefix("ApiKey ") && newInfo["agencyCode"] as? String == agency)
            #expect(newInfo["scopes"] as? [String] == ["citizens"] && newInfo["createdBy"] as? String == "officer:qt.xoay@\(agency):admin")
            #expect(try await works(old) == 200)
            #expect(try await works(new) == 200)
            let (revoked, revokedBody) = try await call("RevokeApiKey", ["id": oldID], as: admin)
            #expect(revoked == 200 && revokedBody["revokedBy"] as? String == "officer:qt.xoay@\(agency):admin", "\(revokedBody)")
            #expect(try await works(old) == 401)
            #expect(try await works(new) == 200)
            // The strangers still see nothing of it.
            let (_, theirs) = try await call("ListApiKeys", [:], as: stranger)
            #expect((theirs["keys"] as? [[String: Any]])?.contains { $0["id"] as? String == oldID } != true)

            // Recorded with who did it.
            let queue = try FaultTests.open(data.appendingPathComponent("gateway.sqlite").path)
            let events = try await queue.read { db in
                try Row.fetchAll(db, sql: "SELECT kind, account, actor FROM account_event WHERE kind LIKE 'api_key_%' ORDER BY seq")
                    .map { "\($0["kind"] as String) \($0["account"] as String) \($0["actor"] as String)" }
            }
            let newID = AgencyKeyActingTests.keyID(new)
            #expect(events.contains("api_key_created api_key:\(oldID) system:gateway-cli"))
            #expect(events.contains("api_key_created api_key:\(newID) officer:qt.xoay@\(agency):admin"))
            #expect(events.contains("api_key_revoked api_key:\(oldID) officer:qt.xoay@\(agency):admin"), "\(events)")

            // The same in the console's administration page, through the same method.
            var browser = OfficerConsoleTests.Browser(root: platform.root)
            try await browser.signIn("qt.xoay", adminPassword)
            let page = try await browser.get("/can-bo/quan-tri")
            #expect(page.status == 200 && page.body.contains("id=\"khoa-api\"") && page.body.contains(newID) && page.body.contains(oldID))
            #expect(!page.body.contains(new.split(separator: ".").last.map(String.init) ?? "§"), "a secret on the page")
            let csrf = try OfficerConsoleTests.input("csrf_token", in: page.body)
            let tooWide = try await browser.post("/can-bo/khoa-api", [("csrf_token", csrf), ("pham_vi_officers", "1"), ("nhan", "rộng hơn")])
            #expect(tooWide.status == 403 && tooWide.body.contains("Chưa tạo được khóa"))
            let forged = try await browser.post("/can-bo/khoa-api", [("csrf_token", "gia-mao"), ("pham_vi_citizens", "1")])
            #expect(forged.status == 403)
            let made2 = try await browser.post("/can-bo/khoa-api", [("csrf_token", csrf), ("pham_vi_citizens", "1"), ("nhan", "Khóa từ trang quản trị")])
            #expect(made2.status == 200)
            let shown = try #require(made2.body.range(of: #"ApiKey k[0-9a-f]+\.[A-Za-z0-9_-]+"#, options: .regularExpression))
            let third = String(made2.body[shown])
            #expect(try await works(third) == 200)
            let thirdID = AgencyKeyActingTests.keyID(third)
            let revokedHere = try await browser.post("/can-bo/khoa-api/\(thirdID)/thu-hoi", [("csrf_token", csrf)])
            #expect(revokedHere.status == 303)
            #expect(try await works(third) == 401)
            var clerkBrowser = OfficerConsoleTests.Browser(root: platform.root)
            try await clerkBrowser.signIn("xl.xoay", clerkPassword)
            let clerkBrowserPage = try await clerkBrowser.get("/can-bo/quan-tri")
            #expect(clerkBrowserPage.status == 403 && !clerkBrowserPage.body.contains(newID))
        }
    }
}
