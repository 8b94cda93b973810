import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// Query values as a form encodes them (payment-svc's and the sandbox's redirects).
enum FormEncoding {
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.*")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// The connector to the national portal end to end (docs/national-portal.md), every part a real
/// process: catalog-svc, dossier-svc, national-portal-sync and national-portal-sandbox.
@Suite(.timeLimit(.minutes(2))) struct NationalPortalTests {
    static let citizen = "001099054321"
    typealias Platform = NationalPortalPlatform

    /// The states the sandbox portal holds for a dossier, in the order it was told them.
    func states(_ platform: Platform, _ portalID: String) async throws -> [Int] {
        (try await platform.portalDossier(portalID)["states"] as? [Int]) ?? []
    }

    @Test("a dossier submitted on the national portal is received, processed, paid through the national payment platform and returned, the portal told every state in order, through an outage and a connector crash")
    func doneScenario() async throws {
        let platform = try await Platform.start()
        do {
            let (agency, procedure, fee) = platform.feeProcedure
            let receiver = "officer:tn01@\(agency):receiver"
            let processor = "officer:xl01@\(agency):processor"
            let approver = "officer:ld01@\(agency):approver"

            // The citizen submits on the national portal; it arrives as a dossier of channel 4.
            let portalID = try await platform.submitOnPortal(agency: agency, procedure: procedure, applicant: Self.citizen, name: "ho-so-1")
            var dossierID = ""
            try await Platform.eventually("the portal's dossier delivered") {
                dossierID = try await platform.portalDossier(portalID)["dossier_id"] as? String ?? ""
                return !dossierID.isEmpty
            }
            var dossier = try await platform.get(dossierID)
            #expect(dossier.channel == .nationalPortal)
            #expect(dossier.applicantId == Self.citizen && dossier.agencyCode == agency && dossier.procedureCode == procedure)
            try await Platform.eventually("the submission reported") { try await states(platform, portalID) == [1] }

            // The portal goes down for a long stretch while officers work on the dossier.
            try await platform.sandboxControl("/sandbox/down")
            dossier = try await platform.act(dossier, .receive, as: receiver)
            dossier = try await platform.act(dossier, .startProcessing, as: processor)
            dossier = try await platform.act(dossier, .requestPayment, as: processor)
            #expect(dossier.state == .awaitingPayment)
            // The lag is visible: three changes wait, the oldest over a second old.
            try await Platform.eventually("three reports pending") {
                try await platform.metric("dvc_national_portal_reports_pending") == 3
            }
            try await Platform.eventually("the lag over a second") {
                (try await platform.metric("dvc_national_portal_oldest_unreported_seconds") ?? 0) >= 1
            }

            // The connector crashes mid-delivery (retrying against the portal that is down) and
            // comes back on the same data; the citizen pays meanwhile, through the national
            // payment platform, and the officers finish.
            try await platform.restartConnector(kill: true)
            let (payment, page) = try await platform.pay(dossier, citizen: Self.citizen)
            #expect(payment.provider == "dvcqg" && payment.amountVnd == fee)
            #expect(payment.redirectUrl.hasPrefix(platform.sandbox + "/thanh-toan/pay?"))
            #expect(payment.redirectUrl.contains("return_url=" + FormEncoding.encode(platform.gatewayHTTP + "/payment/dvcqg/return")), "\(payment.redirectUrl)")
            #expect(page.contains("Thanh toán thành công"), "\(page)")
            try await Platform.eventually("the fee settled and the dossier back in processing") {
                try await platform.get(dossierID).state == .processing
            }
            // Confirmations through the gateway: a repeat is "already confirmed", a wrong amount
            // or secret is refused, the national platform's confirmation at VNPay's address is
            // not read; none changes anything.
            func confirm(amount: Int64, secret: String = Platform.paySecret, provider: String = "dvcqg") async throws -> String {
                var values = ["merchant_code": "DVCQGTEST", "order_id": payment.orderId, "amount": String(amount),
                              "transaction_id": "QG-LAI", "result_code": "00", "bank_code": "VCB", "paid_at": "20270115150500"]
                values["checksum"] = Platform.payMAC(["merchant_code", "order_id", "amount", "transaction_id", "result_code", "paid_at"]
                    .map { values[$0] ?? "" }, secret: secret)
                let query = values.sorted { $0.key < $1.key }.map { "\($0.key)=\(FormEncoding.encode($0.value))" }.joined(separator: "&")
                let (_, body) = try await Platform.http("GET", "\(platform.gatewayHTTP)/payment/\(provider)/ipn?\(query)")
                let answer = Platform.jsonObject(body)
                return (answer["code"] ?? answer["RspCode"]) as? String ?? "\(answer)"
            }
            #expect(try await confirm(amount: fee) == "02")
            #expect(try await confirm(amount: fee + 1000) == "04")
            #expect(try await confirm(amount: fee, secret: "doan-mo-bi-mat-gia") == "97")
            #expect(try await confirm(amount: fee, provider: "vnpay") == "97")
            dossier = try await platform.get(dossierID)
            dossier = try await platform.act(dossier, .approve, as: approver, result: "Đã cấp giấy chứng nhận",
                                             resultFile: Platform.pdf + Data("% ket qua\n".utf8))
            dossier = try await platform.act(dossier, .returnResult, as: receiver)
            #expect(dossier.state == .resultReturned)
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await states(platform, portalID) == [1], "nothing reaches the portal while it is down")

            // The portal comes back: everything caught up, in order, each once.
            try await platform.sandboxControl("/sandbox/up")
            try await Platform.eventually("every state reported") { try await states(platform, portalID) == [1, 2, 4, 6, 4, 9, 10] }
            let held = try await platform.portalDossier(portalID)
            let reports = try #require(held["reports"] as? [[String: Any]])
            #expect(reports.compactMap { $0["seq"] as? Int } == [1, 2, 3, 4, 5, 6, 7])
            #expect(reports.compactMap { $0["kind"] as? String } == ["state", "state", "state", "fee", "fee", "result", "result"])
            #expect(reports.compactMap { $0["state_name"] as? String }.last == "Đã trả kết quả")
            let received = try #require(reports.first { $0["state"] as? Int == 2 })
            #expect(received["receipt_code"] as? String == dossier.receiptCode)
            #expect((received["appointment_at_unix_ms"] as? NSNumber)?.int64Value == dossier.appointmentAtUnixMs)
            // The fee paid: the confirmation names the receipt.
            let paidNote = reports[4]["note"] as? String ?? ""
            #expect(paidNote.contains("BL/"), "\(paidNote)")
            let result = try #require(reports.last?["result"] as? [String: Any])
            #expect(result["note"] as? String == "Đã cấp giấy chứng nhận" && result["document_name"] as? String == "ket-qua.pdf")
            #expect(held["dossier_id"] as? String == dossierID)
            try await Platform.eventually("the lag back to zero") {
                try await platform.metric("dvc_national_portal_oldest_unreported_seconds") == 0
            }

            // Delivered again (the portal lost our answer; or twice at once): the same dossier, not a second one.
            try await platform.sandboxControl("/sandbox/deliver-twice?on=1")
            try await platform.sandboxControl("/sandbox/redeliver/\(portalID)")
            try await Platform.eventually("the redelivery answered") {
                ((try await platform.portalDossier(portalID)["deliveries"] as? [Int]) ?? []).count >= 3
            }
            let deliveries = (try await platform.portalDossier(portalID)["deliveries"] as? [Int]) ?? []
            #expect(deliveries.allSatisfy { $0 == 200 }, "\(deliveries)")
            #expect(try await platform.portalDossier(portalID)["dossier_id"] as? String == dossierID)
            var list = DossierV1.ListDossiersRequest()
            list.agencyCode = agency
            let listed = try await platform.dossiers.unary(DossierV1.DossierService.listDossiers, list, options: platform.options(receiver))
            #expect(listed.dossiers.filter { $0.applicantId == Self.citizen }.count == 1)
            #expect(try await states(platform, portalID).count == 7, "a redelivery reports nothing new")

            // Reconciliation: the portal and the platform agree.
            let agreed = try await platform.connectorCommand(["reconcile"])
            #expect(agreed.status == 0, "\(agreed)")
            #expect(agreed.stdout.contains("1 dossier(s) compared, 0 difference(s)"), "\(agreed)")
        } catch {
            await platform.stop()
            throw error
        }
        await platform.stop()
    }

    @Test("duplicate and out-of-order events, a refused report kept and visible, a dossier the province refuses, reconciliation's differences")
    func failures() async throws {
        let platform = try await Platform.start()
        do {
            let (procedure, agency) = try await platform.levelThreeProcedure()
            let receiver = "officer:tn01@\(agency):receiver"
            let processor = "officer:xl01@\(agency):processor"
            let portalID = try await platform.submitOnPortal(agency: agency, procedure: procedure, applicant: Self.citizen, name: "ho-so-2")
            try await Platform.eventually("the submission reported") { try await states(platform, portalID) == [1] }
            let dossierID = try #require(try await platform.portalDossier(portalID)["dossier_id"] as? String)
            var dossier = try await platform.get(dossierID)

            // The portal refuses the next report (4xx): kept, marked, listed, counted; the
            // dossier's later report waits behind it.
            try await platform.sandboxControl("/sandbox/refuse-next/\(portalID)")
            dossier = try await platform.act(dossier, .receive, as: receiver)
            try await Platform.eventually("the refusal counted") { try await platform.metric("dvc_national_portal_reports_refused") == 1 }
            dossier = try await platform.act(dossier, .startProcessing, as: processor)
            let listing = try await platform.connectorCommand(["reports", "--state", "refused"])
            #expect(listing.status == 0, "\(listing)")
            let line = try #require(listing.stdout.split(separator: "\n").first { $0.contains("refused") && $0.contains(portalID) })
            #expect(line.contains("seq=2") && line.contains("HTTP 422"), "\(line)")
            try await Task.sleep(for: .milliseconds(800))
            #expect(try await states(platform, portalID) == [1], "the later report does not overtake the refused one")
            let pending = try await platform.connectorCommand(["reports", "--state", "pending"])
            #expect(pending.stdout.contains("seq=3"), "\(pending)")
            // Reconciliation sees the portal behind the platform.
            let behind = try await platform.connectorCommand(["reconcile"])
            #expect(behind.status == 1 && behind.stdout.contains("state-differs\t\(portalID)\t\(dossierID)\tportal=1\tplatform=4"), "\(behind)")

            // The operator sends it again: both arrive, in order.
            let id = try #require(line.split(separator: "\t").first.map(String.init))
            let retried = try await platform.connectorCommand(["retry", id])
            #expect(retried.status == 0, "\(retried)")
            try await Platform.eventually("caught up after the retry") { try await states(platform, portalID) == [1, 2, 4] }
            #expect(try await platform.metric("dvc_national_portal_reports_refused") == 0)
            let unknown = try await platform.connectorCommand(["retry", "999999"])
            #expect(unknown.status == 1 && unknown.stdout.contains("no refused report has id 999999"), "\(unknown)")

            // dossier-svc's outbox delivers an event twice, and an older one late: the portal
            // hears each change once and never goes back.
            let connectorRPC = RPCClient(peers: [PeerAddress(host: "127.0.0.1", port: platform.connectorPort)])
            defer { Task { await connectorRPC.close() } }
            var older = DossierV1.DossierEvent()
            var stale = dossier
            stale.state = .received
            stale.version = dossier.version - 1
            older.dossier = stale
            older.action = .receive
            var event = EventsV1.Event()
            event.id = UUID().uuidString
            event.type = "dossier.received"
            event.aggregateId = dossierID
            event.source = "dossier-svc"
            event.occurredAtUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
            event.payload = older.protobufData
            let first = try await connectorRPC.unary(EventsV1.EventSink.deliver, event, options: CallOptions(timeout: .seconds(5)))
            #expect(!first.duplicate)
            let again = try await connectorRPC.unary(EventsV1.EventSink.deliver, event, options: CallOptions(timeout: .seconds(5)))
            #expect(again.duplicate)
            let superseded = try await platform.connectorCommand(["reports", "--state", "superseded"])
            #expect(superseded.stdout.contains("1 report(s)"), "\(superseded)")
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await states(platform, portalID) == [1, 2, 4])
            // An event with no id is refused naming the field.
            event.id = ""
            await #expect(throws: RPCError.self) {
                _ = try await connectorRPC.unary(EventsV1.EventSink.deliver, event, options: CallOptions(timeout: .seconds(5)))
            }

            // A dossier the province cannot take (no such procedure): refused naming the
            // field; the portal keeps it, the reconciliation lists it.
            let refusedID = try await platform.submitOnPortal(agency: agency, procedure: "KHONG-CO", applicant: Self.citizen, name: "ho-so-3")
            try await Platform.eventually("the refusal answered") {
                ((try await platform.portalDossier(refusedID)["deliveries"] as? [Int]) ?? []) == [422]
            }
            let differences = try await platform.connectorCommand(["reconcile"])
            #expect(differences.status == 1 && differences.stdout.contains("not-received\t\(refusedID)"), "\(differences)")
            #expect(differences.stdout.contains("1 difference(s)"), "\(differences)")
        } catch {
            await platform.stop()
            throw error
        }
        await platform.stop()
    }

    @Test("the connector refuses to start with a placeholder or short secret, a missing setting or no --http, naming it")
    func badSettings() async throws {
        let folder = try makeTemporaryFolder("portal-settings")
        let base = ["national_portal_url": "http://127.0.0.1:9", "national_portal_client": "HNI",
                    "national_portal_signing_secret": "mot-bi-mat-du-dai-1234", "national_portal_verify_secret": "bi-mat-khac-du-dai-5678"]
        let cases: [([String: String?], [String], String)] = [
            (["national_portal_signing_secret": "CHANGE-ME"], ["--http", "127.0.0.1:0"], "national_portal_signing_secret is a placeholder"),
            (["national_portal_verify_secret": "ngan"], ["--http", "127.0.0.1:0"], "national_portal_verify_secret is a placeholder or too short"),
            (["national_portal_url": nil], ["--http", "127.0.0.1:0"], "needs national_portal_url"),
            (["national_portal_url": "ftp://x"], ["--http", "127.0.0.1:0"], "national_portal_url: 'ftp://x' is not an http(s) URL"),
            (["report_retry_max_ms": "0"], ["--http", "127.0.0.1:0"], "report_retry_max_ms: '0' is not a positive whole number"),
            ([:], [], "needs --http"),
        ]
        for (index, (change, flags, expected)) in cases.enumerated() {
            var settings = base
            for (key, value) in change { settings[key] = value }
            let config = folder.appendingPathComponent("\(index).env")
            try settings.map { "\($0.key)=\($0.value)" }.joined(separator: "\n").write(to: config, atomically: true, encoding: .utf8)
            let run = try await runToCompletion(try Executables.url("national-portal-sync"), [
                "--listen", "127.0.0.1:0", "--data-dir", folder.appendingPathComponent("data-\(index)").path,
                "--dossier", "127.0.0.1:9", "--config", config.path,
            ] + flags, timeout: .seconds(20))
            #expect(run.exited && run.status != 0, "\(expected): \(run)")
            #expect((run.stderr + run.stdout).contains(expected), "\(expected): \(run)")
        }
        // dossier-svc's address of the connector.
        let dossier = try await runToCompletion(try Executables.url("dossier-svc"), [
            "--listen", "127.0.0.1:0", "--data-dir", folder.appendingPathComponent("dossier").path, "--catalog", "127.0.0.1:9",
        ], environment: childEnvironment(["DVC_NATIONAL_PORTAL_SYNC": "khong-phai-dia-chi"]), timeout: .seconds(20))
        #expect(dossier.exited && dossier.status != 0, "\(dossier)")
        #expect(dossier.stderr.contains("national_portal_sync: 'khong-phai-dia-chi' is not HOST:PORT"), "\(dossier)")
    }

    @Test("forged, replayed, expired and unsigned requests refused both ways; bad dossiers refused naming the field")
    func signatures() async throws {
        let platform = try await Platform.start()
        do {
            let (procedure, agency) = try await platform.levelThreeProcedure()
            let path = "/dvcqg/v1/dossiers"
            let body = try JSONSerialization.data(withJSONObject: [
                "portal_dossier_id": "G22.HNI.TEST.1", "agency_code": agency, "procedure_code": procedure, "applicant_id": Self.citizen,
                "files": [["name": "a.pdf", "content_base64": Platform.pdf.base64EncodedString()]],
            ], options: [.sortedKeys])
            func toConnector(_ headers: [String: String], _ data: Data = body) async throws -> (Int, [String: Any]) {
                let (status, answer) = try await Platform.http("POST", platform.connectorHTTP + path, body: data, headers: headers)
                return (status, Platform.jsonObject(answer))
            }
            let now = Int64(Date().timeIntervalSince1970)
            // Towards the connector: each refused with 401 and why; nothing is submitted.
            let cases: [(String, [String: String], String)] = [
                ("wrong secret", Platform.signed(method: "POST", path: path, body: body, client: "dvcqg", secret: "doan-mo"), "bad signature"),
                ("wrong client", Platform.signed(method: "POST", path: path, body: body, client: "ke-gia-mao", secret: Platform.portalSecret), "unknown client"),
                ("expired", Platform.signed(method: "POST", path: path, body: body, client: "dvcqg", secret: Platform.portalSecret, timestamp: now - 600), "expired"),
                ("from the future", Platform.signed(method: "POST", path: path, body: body, client: "dvcqg", secret: Platform.portalSecret, timestamp: now + 600), "expired"),
                ("unsigned", ["Content-Type": "application/json"], "missing"),
                ("signed for another path", Platform.signed(method: "POST", path: "/khac", body: body, client: "dvcqg", secret: Platform.portalSecret), "bad signature"),
            ]
            for (what, headers, why) in cases {
                let (status, answer) = try await toConnector(headers)
                #expect(status == 401, "\(what)")
                #expect((answer["message"] as? String ?? "").contains(why), "\(what): \(answer)")
            }
            // A body altered after signing.
            let good = Platform.signed(method: "POST", path: path, body: body, client: "dvcqg", secret: Platform.portalSecret)
            var altered = body
            altered.append(contentsOf: Array(" ".utf8))
            #expect(try await toConnector(good, altered).0 == 401)
            // The genuine request is taken; the same request replayed is refused.
            let (status, answer) = try await toConnector(good)
            #expect(status == 200, "\(answer)")
            #expect(answer["duplicate"] as? Bool == false && !(answer["dossier_id"] as? String ?? "").isEmpty)
            let replay = try await toConnector(good)
            #expect(replay.0 == 401 && (replay.1["message"] as? String ?? "").contains("replayed"), "\(replay.1)")
            // Replay across a restart too: the nonces are in the connector's database.
            try await platform.restartConnector(kill: false)
            #expect(try await toConnector(good).0 == 401)
            // Signed, fresh, but the same portal id again: the same dossier.
            let fresh = try await toConnector(Platform.signed(method: "POST", path: path, body: body, client: "dvcqg", secret: Platform.portalSecret))
            #expect(fresh.0 == 200 && fresh.1["dossier_id"] as? String == answer["dossier_id"] as? String && fresh.1["duplicate"] as? Bool == true)

            // Bad dossiers, signed: 400 naming the field, or 422 when dossier-svc refuses.
            func signedPost(_ object: [String: Any]) async throws -> (Int, [String: Any]) {
                let data = try JSONSerialization.data(withJSONObject: object)
                return try await toConnector(Platform.signed(method: "POST", path: path, body: data, client: "dvcqg", secret: Platform.portalSecret), data)
            }
            let base: [String: Any] = ["portal_dossier_id": "G22.HNI.TEST.2", "agency_code": agency, "procedure_code": procedure,
                                       "applicant_id": Self.citizen]
            for (change, field) in [(["applicant_id": "12345"], "applicant_id"), (["portal_dossier_id": "a/b"], "portal_dossier_id"),
                                    (["form_data": ["x": 1]], "form_data.x"), (["files": [["name": "a.pdf", "content_base64": "***"]]], "files[0].content_base64")] as [([String: Any], String)] {
                let (status, answer) = try await signedPost(base.merging(change) { $1 })
                #expect(status == 400 && answer["field"] as? String == field, "\(change): \(answer)")
            }
            // The same portal id with other content: dossier-svc refuses the reused key.
            let conflicting = try await signedPost(base.merging(["portal_dossier_id": "G22.HNI.TEST.1",
                                                                 "files": [["name": "b.pdf", "content_base64": (Platform.pdf + Data("%x\n".utf8)).base64EncodedString()]]]) { $1 })
            #expect(conflicting.0 == 422 && conflicting.1["field"] as? String == "idempotency-key", "\(conflicting.1)")

            // Towards the portal: the sandbox refuses the same kinds of request from "the province".
            let reportPath = "/dvcqg/v1/dossiers/G22.HNI.TEST.1/reports"
            let report = Data(#"{"seq":1,"event_id":"x","state":1}"#.utf8)
            let toPortal: [(String, [String: String])] = [
                ("wrong secret", Platform.signed(method: "POST", path: reportPath, body: report, client: "HNI", secret: "doan-mo")),
                ("expired", Platform.signed(method: "POST", path: reportPath, body: report, client: "HNI", secret: Platform.provinceSecret, timestamp: now - 900)),
                ("unsigned", [:]),
            ]
            for (what, headers) in toPortal {
                let (status, _) = try await Platform.http("POST", platform.sandbox + reportPath, body: report, headers: headers)
                #expect(status == 401, "\(what)")
            }
            let genuine = Platform.signed(method: "GET", path: "/dvcqg/v1/dossiers", body: Data(), client: "HNI", secret: Platform.provinceSecret)
            #expect(try await Platform.http("GET", platform.sandbox + "/dvcqg/v1/dossiers", headers: genuine).0 == 200)
            #expect(try await Platform.http("GET", platform.sandbox + "/dvcqg/v1/dossiers", headers: genuine).0 == 401, "replayed")
            let (_, refusals) = try await Platform.http("GET", platform.sandbox + "/sandbox/refusals")
            let reasons = ((try? JSONSerialization.jsonObject(with: refusals)) as? [[String: String]] ?? []).compactMap { $0["why"] }
            #expect(reasons == ["bad signature", "expired", "unsigned", "replayed"], "\(reasons)")
        } catch {
            await platform.stop()
            throw error
        }
        await platform.stop()
    }
}
