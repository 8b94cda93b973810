import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import RPCNIO
import TestKit
import Testing

/// What an agency system reads through its key, every part a real process (the platform of
/// `PaymentFlowTests`): the queue filtered by periods, procedure and applicant; the change feed
/// with its cursor; lists that name documents without carrying them; an agency's payments of a
/// period; the CSV and JSON exports; and the HTTP answers' request ids, challenges and field
/// names.
@Suite(.timeLimit(.minutes(3))) struct AgencySystemAPITests {
    static let agency = CounterPaymentTests.agency
    let flow = PaymentFlowTests()
    let counter = CounterPaymentTests()

    func list(_ platform: PaymentFlowTests.Platform, key: String, _ change: (inout DossierV1.ListDossiersRequest) -> Void) async throws
        -> DossierV1.ListDossiersResponse {
        var request = DossierV1.ListDossiersRequest()
        request.agencyCode = Self.agency
        change(&request)
        return try await platform.gateway.unary(GatewayV1.DossierService.listDossiers, request, options: PaymentFlowTests.options(key))
    }

    func refusal(_ platform: PaymentFlowTests.Platform, key: String, _ change: @escaping (inout DossierV1.ListDossiersRequest) -> Void)
        async -> (StatusCode?, [String]) {
        let error = await rpcError { try await list(platform, key: key, change) }
        return (error?.code, error?.violations.map(\.field) ?? [])
    }

    /// GET over HTTP with optional headers: status, headers, body.
    func get(_ url: String, headers: [String: String] = [:]) async throws -> (Int, [String: String], String) {
        var request = URLRequest(url: try #require(URL(string: url)))
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
        return (http.statusCode, fields, String(decoding: data, as: UTF8.self))
    }

    /// Today in Hà Nội, as the exports' `from`/`to` take it.
    static var today: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    @Test("filters, the change feed, lists without document contents, an agency's payments and the exports")
    func agencySystemReads() async throws {
        try await flow.withPlatform { platform in
            let key = try await platform.makeKey(agency: Self.agency, scopes: "citizens,officers")
            let before = Int64(Date().timeIntervalSince1970 * 1000) - 1
            var dossiers: [DossierV1.Dossier] = []
            for name in ["a", "b", "c"] {
                dossiers.append(try await counter.submit(platform, key: key, form: CounterPaymentTests.form(certificates: "1"), name: "api-\(name)"))
            }
            let received = try await counter.act(platform, key: key, dossiers[0], .receive, as: "officer:tn01:receiver")
            let after = Int64(Date().timeIntervalSince1970 * 1000) + 1

            // Periods, procedure, applicant.
            #expect(try await list(platform, key: key) { $0.submittedFromUnixMs = before; $0.submittedToUnixMs = after }.dossiers.count == 3)
            #expect(try await list(platform, key: key) { $0.submittedToUnixMs = before }.dossiers.isEmpty)
            #expect(try await list(platform, key: key) { $0.receivedFromUnixMs = before }.dossiers.map(\.id) == [received.id])
            #expect(try await list(platform, key: key) { $0.decidedFromUnixMs = before }.dossiers.isEmpty)
            #expect(try await list(platform, key: key) { $0.applicantId = PaymentFlowTests.citizen }.dossiers.count == 3)
            #expect(try await list(platform, key: key) { $0.applicantId = "001099000999" }.dossiers.isEmpty)
            #expect(try await list(platform, key: key) { $0.procedureCode = CounterPaymentTests.procedure }.dossiers.count == 3)
            #expect(try await list(platform, key: key) { $0.procedureCode = "KHONG-CO" }.dossiers.isEmpty)
            let backwards = await refusal(platform, key: key) { $0.receivedFromUnixMs = after; $0.receivedToUnixMs = before }
            #expect(backwards.0 == .invalidArgument && backwards.1 == ["received_to_unix_ms"])
            let shortID = await refusal(platform, key: key) { $0.applicantId = "123" }
            #expect(shortID.0 == .invalidArgument && shortID.1 == ["applicant_id"])

            // A list names the receipt slip without its bytes; the dossier itself carries them.
            let listed = try #require(try await list(platform, key: key) { $0.receivedFromUnixMs = before }.dossiers.first)
            #expect(!listed.documents.isEmpty && listed.documents.allSatisfy { $0.content.isEmpty && !$0.number.isEmpty })
            let whole = try await counter.dossierNow(platform, key: key, received)
            #expect(whole.documents.count == listed.documents.count && whole.documents.allSatisfy { !$0.content.isEmpty })

            // The change feed: every dossier once, in the order of their latest change, then
            // only what changed after the cursor.
            let first = try await list(platform, key: key) { $0.order = .changed; $0.pageSize = 2 }
            #expect(first.dossiers.map(\.id) == [dossiers[1].id, dossiers[2].id] && first.nextPageToken.isEmpty)
            let second = try await list(platform, key: key) { $0.order = .changed; $0.pageSize = 2; $0.updatedAfter = first.updatedCursor }
            #expect(second.dossiers.map(\.id) == [received.id])
            let quiet = try await list(platform, key: key) { $0.order = .changed; $0.updatedAfter = second.updatedCursor }
            #expect(quiet.dossiers.isEmpty && quiet.updatedCursor == second.updatedCursor)
            let withdrawn = try await counter.act(platform, key: key, dossiers[2], .withdraw, as: "citizen:\(PaymentFlowTests.citizen)")
            let changed = try await list(platform, key: key) { $0.order = .changed; $0.updatedAfter = quiet.updatedCursor }
            #expect(changed.dossiers.map(\.id) == [withdrawn.id] && changed.dossiers.first?.version == withdrawn.version)
            let mixed = await refusal(platform, key: key) { $0.updatedAfter = first.updatedCursor }
            #expect(mixed.0 == .invalidArgument && mixed.1 == ["updated_after"])
            let forged = await refusal(platform, key: key) { $0.order = .changed; $0.updatedAfter = "not-a-cursor" }
            #expect(forged.0 == .invalidArgument && forged.1 == ["updated_after"])

            // An agency's payments of a period: its own systems and officers only. (Recorded
            // only now: the payment's event changes the dossier, which the feed above would see.)
            let paid = try await counter.record(platform, key: key, received, amount: 200_000)
            var payments = PaymentV1.ListPaymentsRequest()
            payments.agencyCode = Self.agency
            payments.createdFromUnixMs = before
            let found = try await platform.gateway.unary(GatewayV1.PaymentService.listPayments, payments, options: PaymentFlowTests.options(key))
            #expect(found.payments.map(\.id) == [paid.id] && found.nextPageToken.isEmpty)
            payments.createdFromUnixMs = 0
            payments.createdToUnixMs = before
            #expect(try await platform.gateway.unary(GatewayV1.PaymentService.listPayments, payments, options: PaymentFlowTests.options(key)).payments.isEmpty)
            var elsewhere = PaymentV1.ListPaymentsRequest()
            elsewhere.agencyCode = "000.00.20.H26"
            let other = await rpcError {
                try await platform.gateway.unary(GatewayV1.PaymentService.listPayments, elsewhere, options: PaymentFlowTests.options(key))
            }
            #expect(other?.code == .permissionDenied)
            let citizen = await rpcError {
                try await platform.gateway.unary(GatewayV1.PaymentService.listPayments, payments,
                                                 options: PaymentFlowTests.options(key, as: "citizen:\(PaymentFlowTests.citizen)"))
            }
            #expect(citizen?.code == .permissionDenied)
            var both = payments
            both.dossierId = received.id
            let ambiguous = await rpcError {
                try await platform.gateway.unary(GatewayV1.PaymentService.listPayments, both, options: PaymentFlowTests.options(key))
            }
            #expect(ambiguous?.code == .invalidArgument && ambiguous?.violations.map(\.field) == ["dossier_id"])

            // The exports, over HTTP with the key.
            let auth = ["Authorization": key]
            let root = platform.gatewayHTTP
            let period = "from=\(Self.today)&to=\(Self.today)"
            let (status, headers, csv) = try await get("\(root)/api/v1/export/dossiers?\(period)", headers: auth)
            #expect(status == 200 && headers["content-type"]?.hasPrefix("text/csv") == true, "\(status) \(csv)")
            let lines = csv.split(separator: "\r\n").map(String.init)
            #expect(lines.first == ExportColumns.dossiers.joined(separator: ","))
            #expect(Set(lines.dropFirst().map { String($0.prefix { $0 != "," }) }) == Set(dossiers.map(\.id)))
            #expect(lines.contains { $0.contains(received.receiptCode) && $0.contains("DOSSIER_STATE_RECEIVED") })
            #expect(headers["x-request-id"]?.isEmpty == false)
            let (_, _, receivedCSV) = try await get("\(root)/api/v1/export/dossiers?\(period)&by=received", headers: auth)
            #expect(receivedCSV.split(separator: "\r\n").count == 2)
            let (jsonStatus, jsonHeaders, json) = try await get("\(root)/api/v1/export/dossiers?\(period)&format=json", headers: auth)
            let array = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
            #expect(jsonStatus == 200 && jsonHeaders["content-type"]?.hasPrefix("application/json") == true)
            #expect(Set(array?.compactMap { $0["id"] as? String } ?? []) == Set(dossiers.map(\.id)))
            let (_, _, paymentsCSV) = try await get("\(root)/api/v1/export/payments?\(period)", headers: auth)
            let paymentLines = paymentsCSV.split(separator: "\r\n")
            #expect(paymentLines.count == 2 && paymentLines[1].hasPrefix("\(paid.id),\(received.id),\(Self.agency)"), "\(paymentsCSV)")
            #expect(paymentLines[1].contains(",200000,PAYMENT_STATE_PAID,counter,"))

            // Refusals: a problem document naming the parameter, with the request id.
            let (badStatus, badHeaders, badBody) = try await get("\(root)/api/v1/export/dossiers?from=2026-02-30&to=\(Self.today)",
                                                                 headers: auth.merging(["X-Request-Id": "erp-2026-000123"]) { $1 })
            #expect(badStatus == 400 && badBody.contains("\"name\":\"from\"") && badHeaders["x-request-id"] == "erp-2026-000123", "\(badBody)")
            let (longStatus, _, longBody) = try await get("\(root)/api/v1/export/payments?from=2025-01-01&to=2026-06-30", headers: auth)
            #expect(longStatus == 400 && longBody.contains("\"name\":\"to\""))
            let (anonymous, anonymousHeaders, _) = try await get("\(root)/api/v1/export/dossiers?\(period)",
                                                                 headers: ["X-Request-Id": "không hợp lệ <script>"])
            #expect(anonymous == 401 && anonymousHeaders["www-authenticate"]?.contains("ApiKey") == true)
            let madeUp = try #require(anonymousHeaders["x-request-id"])
            #expect(madeUp.count == 32 && madeUp.allSatisfy(\.isHexDigit), "\(madeUp)")
            let (citizenStatus, _, _) = try await get("\(root)/api/v1/export/dossiers?\(period)",
                                                      headers: auth.merging(["X-DVC-On-Behalf-Of": "citizen:\(PaymentFlowTests.citizen)"]) { $1 })
            #expect(citizenStatus == 403)

            // The JSON API names a refused field as JSON requests spell it.
            var submit = URLRequest(url: try #require(URL(string: "\(root)/api/v1/dvc.gateway.v1.DossierService/SubmitDossier")))
            submit.httpMethod = "POST"
            submit.setValue(key, forHTTPHeaderField: "Authorization")
            submit.setValue("citizen:\(PaymentFlowTests.citizen)", forHTTPHeaderField: "X-DVC-On-Behalf-Of")
            submit.setValue("json-api-bad", forHTTPHeaderField: "Idempotency-Key")
            let body: [String: Any] = [
                "agencyCode": Self.agency, "procedureCode": CounterPaymentTests.procedure,
                "formData": CounterPaymentTests.form(certificates: "hai"),
                "attachments": [["name": "to-khai.pdf", "content": PaymentFlowTests.pdf.base64EncodedString()]],
            ]
            submit.httpBody = try JSONSerialization.data(withJSONObject: body)
            let (problemData, problemResponse) = try await URLSession.shared.data(for: submit)
            let problem = try #require(try JSONSerialization.jsonObject(with: problemData) as? [String: Any])
            let names = (problem["invalid_params"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect((problemResponse as? HTTPURLResponse)?.statusCode == 400)
            #expect(names == ["formData[\"so_luong_phieu\"]"], "\(problem)")
        }
    }
}

/// The exports' columns, as the gateway writes them (docs/gateway.md, "Exports").
enum ExportColumns {
    static let dossiers = [
        "id", "receipt_code", "agency_code", "receiving_agency_code", "procedure_code", "applicant_id", "state",
        "state_name", "channel", "submitted_at", "received_at", "appointment_at", "decided_at", "overdue", "assignee", "version",
    ]
}
