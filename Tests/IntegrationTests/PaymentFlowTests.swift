import Crypto
import DVCProto
import GRDB
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import RPCNIO
import TestKit
import Testing

/// Level 4 end to end, every part a real process: payment-sandbox (a VNPay-style provider over
/// HTTP), catalog-svc, dossier-svc, payment-svc and the gateway with its HTTP side. The
/// citizen's browser is an HTTP client following the provider's redirects.
@Suite(.timeLimit(.minutes(3))) struct PaymentFlowTests {
    static let citizen = "001099012345"
    static let secret = "kiem-thu-bi-mat-\(String(format: "%08x", UInt32.random(in: 0...UInt32.max)))"
    static let terminal = "DVCTEST01"
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    struct Platform {
        var catalog: RPCClient
        var dossiers: RPCClient
        var gateway: RPCClient
        var gatewayHTTP: String
        var sandbox: String
        var gatewayData: URL
        var payment: ServiceProcess
        var notify: ServiceProcess
        /// The real SMTP server (aiosmtpd) notify-svc sends the citizen's email to.
        var smtp: PythonSink

        func makeKey(agency: String, scopes: String, officers: [String] = standardOfficers) async throws -> String {
            try await makeAPIKey(gatewayData: gatewayData, agency: agency, scopes: scopes, officers: officers)
        }

        /// GET, following redirects as a browser does: the final status and body.
        func browse(_ url: String) async throws -> (Int, String) {
            let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }

        func behave(outcome: String, ipn: String) async throws {
            let (status, _) = try await browse("\(sandbox)/sandbox/behaviour?outcome=\(outcome)&ipn=\(ipn)")
            #expect(status == 200)
        }

        /// The merchant's answers to the IPNs the sandbox sent, in order.
        func ipnAnswers(order: String) async throws -> [String] {
            let (_, body) = try await browse("\(sandbox)/sandbox/ipn-log")
            let records = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]] ?? []
            return records.filter { $0["orderID"] as? String == order }.compactMap { record in
                (record["merchantAnswer"] as? String).flatMap { answer in
                    (try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: String])?["RspCode"]
                }
            }
        }
    }

    /// A query string signed as VNPay-style parties sign theirs: the parameters sorted,
    /// form-encoded, HMAC-SHA512 of that text appended as `vnp_SecureHash`.
    static func vnpaySigned(_ parameters: [String: String], secret: String) -> String {
        var formSafe = CharacterSet.alphanumerics
        formSafe.insert(charactersIn: "-_.*")
        let text = parameters.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: formSafe) ?? $0.value)" }
            .joined(separator: "&")
        let code = HMAC<SHA512>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return text + "&vnp_SecureHash=" + code.map { String(format: "%02x", $0) }.joined()
    }

    func withPlatform(timeoutSeconds: Int = 900, _ body: (Platform) async throws -> Void) async throws {
        let sandboxScratch = try makeTemporaryFolder("sandbox")
        let smtp = try await PythonSink.start("smtp_sink.py", port: try freeLoopbackPort(), folder: try makeTemporaryFolder("mail"))
        defer { smtp.stop() }
        let notifyConfig = try NotifyTests.config(["smtp_host": "127.0.0.1", "smtp_port": "\(smtp.port)", "poll_ms": "100"])
        try await withService("payment-sandbox", arguments: ["--listen", "127.0.0.1:0", "--terminal-code", Self.terminal],
                              dataDirectory: sandboxScratch, environment: ["SANDBOX_HASH_SECRET": Self.secret]) { sandboxProcess in
            let sandbox = "http://\(sandboxProcess.address)"
            try await withService("catalog-svc") { catalogProcess in
              try await withService("notify-svc", extraArguments: ["--config", notifyConfig]) { notifyProcess in
                let catalogAddress = catalogProcess.address.description
                let notify = notifyProcess.address.description
                try await withService("dossier-svc", extraArguments: ["--catalog", catalogAddress, "--notify", notify]) { dossierProcess in
                    let config = try makeTemporaryFolder("payment-config").appendingPathComponent("payment.env")
                    try """
                        vnpay_tmn_code=\(Self.terminal)
                        vnpay_hash_secret=\(Self.secret)
                        vnpay_pay_url=\(sandbox)/paymentv2/vpcpay.html
                        vnpay_api_url=\(sandbox)/merchant_webapi/api/transaction
                        payment_timeout_seconds=\(timeoutSeconds)
                        payment_expiry_scan_seconds=1
                        """.write(to: config, atomically: true, encoding: .utf8)
                    try await withService("payment-svc", extraArguments: [
                        "--catalog", catalogAddress, "--dossier", dossierProcess.address.description, "--config", config.path,
                        "--notify", notify,
                    ]) { paymentProcess in
                        try await withService("gateway", extraArguments: [
                            "--catalog", catalogAddress, "--dossier", dossierProcess.address.description,
                            "--payment", paymentProcess.address.description, "--http", "127.0.0.1:0", "--notify", notify,
                        ]) { gatewayProcess in
                            let http = try await Self.httpAddress(gatewayProcess)
                            try await withClient(catalogProcess) { catalog in
                                try await withClient(dossierProcess) { dossiers in
                                    try await withClient(gatewayProcess) { gateway in
                                        let platform = Platform(
                                            catalog: catalog, dossiers: dossiers, gateway: gateway, gatewayHTTP: http,
                                            sandbox: sandbox, gatewayData: try #require(gatewayProcess.dataDirectory),
                                            payment: paymentProcess, notify: notifyProcess, smtp: smtp)
                                        let (status, _) = try await platform.browse(
                                            "\(sandbox)/sandbox/behaviour?ipn_url=\(http)/payment/vnpay/ipn")
                                        #expect(status == 200)
                                        try await body(platform)
                                    }
                                }
                            }
                        }
                    }
                }
              }
            }
        }
    }

    /// The gateway prints `http listening on HOST:PORT` once its HTTP side is bound.
    static func httpAddress(_ gateway: ServiceProcess) async throws -> String {
        for _ in 0..<100 {
            if let line = gateway.stdout.split(separator: "\n").first(where: { $0.hasPrefix("http listening on ") }) {
                return "http://" + line.dropFirst("http listening on ".count)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure(description: "the gateway never said where its HTTP side listens:\n\(gateway.stdout)")
    }

    static func options(_ key: String?, as person: String? = nil, idempotencyKey: String? = nil) -> CallOptions {
        var options = CallOptions(timeout: .seconds(10))
        if let key { options.metadata[MetadataKey.authorization] = key }
        if let person { options.metadata["x-dvc-on-behalf-of"] = person }
        if let idempotencyKey { options.metadata[MetadataKey.idempotencyKey] = idempotencyKey }
        return options
    }

    /// A procedure at exactly `level` whose forms declare no fields and which has a fee.
    func feeProcedure(_ platform: Platform, level: UInt32) async throws -> (agency: String, procedure: String, fee: Int64) {
        let export = try await platform.catalog.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                                      options: CallOptions(timeout: .seconds(10)))
        let candidates = export.procedures.filter { procedure in
            procedure.isSimpleToSubmit && procedure.fees.contains { $0.amountVnd > 0 }
                && Set(procedure.fees.map(\.unit)) == ["per_dossier"]
        }
        let byCode = Dictionary(uniqueKeysWithValues: candidates.map { ($0.code, $0) })
        let found = try #require(export.levels.first { $0.level == level && byCode[$0.procedureCode] != nil })
        let fee = try #require(byCode[found.procedureCode]?.fees.first { $0.amountVnd > 0 }).amountVnd
        return (found.agencyCode, found.procedureCode, fee)
    }

    /// A dossier submitted, received and taken into processing; with `awaitingPayment`, the
    /// processor has asked for the fee (state 6). `officers`: the receiver's and the processor's
    /// ids, officers of `agency`.
    func dossier(_ platform: Platform, key: String, agency: String, procedure: String, name: String,
                 awaitingPayment: Bool = true, officers: (String, String) = ("tn01", "xl01")) async throws -> DossierV1.Dossier {
        var request = DossierV1.SubmitDossierRequest()
        request.agencyCode = agency
        request.procedureCode = procedure
        var upload = DossierV1.AttachmentUpload()
        upload.name = "to-khai.pdf"
        upload.content = Self.pdf + Data("% \(name)\n".utf8)
        request.attachments = [upload]
        var dossier = try #require(try await platform.gateway.unary(
            GatewayV1.DossierService.submitDossier, request,
            options: Self.options(key, as: "citizen:\(Self.citizen)", idempotencyKey: name)).dossier)
        let (receiver, processor) = officers
        for (action, person) in [(DossierV1.Action.receive, "officer:\(receiver):receiver"), (.startProcessing, "officer:\(processor):processor")]
            + (awaitingPayment ? [(.requestPayment, "officer:\(processor):processor")] : []) {
            var act = DossierV1.ActRequest()
            act.dossierId = dossier.id
            act.action = action
            act.expectedVersion = dossier.version
            dossier = try await platform.gateway.unary(GatewayV1.DossierService.act, act, options: Self.options(key, as: person))
        }
        return dossier
    }

    func createPayment(_ platform: Platform, key: String, dossier: DossierV1.Dossier, idempotencyKey: String) async throws -> PaymentV1.Payment {
        var request = PaymentV1.CreatePaymentRequest()
        request.dossierId = dossier.id
        return try await platform.gateway.unary(GatewayV1.PaymentService.createPayment, request,
                                                options: Self.options(key, as: "citizen:\(Self.citizen)", idempotencyKey: idempotencyKey))
    }

    func payment(_ platform: Platform, key: String, _ id: String) async throws -> PaymentV1.Payment {
        var get = PaymentV1.GetPaymentRequest()
        get.id = id
        return try await platform.gateway.unary(GatewayV1.PaymentService.getPayment, get,
                                                options: Self.options(key, as: "citizen:\(Self.citizen)"))
    }

    func history(_ platform: Platform, key: String, _ dossier: DossierV1.Dossier) async throws -> [DossierV1.HistoryEntry] {
        var request = DossierV1.GetHistoryRequest()
        request.dossierId = dossier.id
        return try await platform.gateway.unary(GatewayV1.DossierService.getHistory, request,
                                                options: Self.options(key, as: "citizen:\(Self.citizen)")).entries
    }

    /// Polls until `condition` holds (events travel through the outbox relay), up to 10 s.
    func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<100 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("never happened: \(what)")
    }

    @Test("a level-4 dossier paid through the provider: receipt, the dossier moves on once, the result online, a refund")
    func paidDossier() async throws {
        try await withPlatform { platform in
            let (agency, procedure, fee) = try await feeProcedure(platform, level: 4)
            let key = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
            // The citizen leaves an email address for notifications in their own account (the
            // gateway forwards it to notify-svc as theirs; an agency key may not set it).
            try await withClient(platform.notify) { notify in
                try await NotifyTests.prefer(notify, citizen: Self.citizen, email: "cong.dan@example.vn")
            }
            var dossier = try await dossier(platform, key: key, agency: agency, procedure: procedure, name: "paid")
            #expect(dossier.state == .awaitingPayment)

            let created = try await createPayment(platform, key: key, dossier: dossier, idempotencyKey: "pay-1")
            #expect(created.state == .pending && created.amountVnd == fee)
            #expect(created.redirectUrl.hasPrefix(platform.sandbox + "/paymentv2/vpcpay.html?"))
            #expect(created.redirectUrl.contains("vnp_Amount=\(fee * 100)"))
            let retried = try await createPayment(platform, key: key, dossier: dossier, idempotencyKey: "pay-1")
            #expect(retried.id == created.id)

            // The browser pays at the provider and comes back to the gateway's page.
            try await platform.behave(outcome: "approve", ipn: "twice")
            let (status, page) = try await platform.browse(created.redirectUrl)
            #expect(status == 200 && page.contains("Thanh toán thành công"), "\(page)")
            let paid = try await payment(platform, key: key, created.id)
            #expect(paid.state == .paid && paid.receiptNumber.hasPrefix("BL/") && paid.receiptNumber.contains(agency))
            // The same IPN twice: confirmed, then "already confirmed"; nothing changed.
            #expect(try await platform.ipnAnswers(order: created.orderId) == ["00", "02"])

            // The receipt, printable.
            var receiptRequest = PaymentV1.GetReceiptRequest()
            receiptRequest.paymentId = paid.id
            let receipt = try await platform.gateway.unary(GatewayV1.PaymentService.getReceipt, receiptRequest,
                                                           options: Self.options(key, as: "citizen:\(Self.citizen)"))
            #expect(receipt.number == paid.receiptNumber)
            #expect(String(decoding: receipt.content, as: UTF8.self).contains("BIÊN LAI"))

            // dossier-svc hears "paid" through the outbox and takes the step once.
            try await eventually("the dossier moves on after payment") {
                try await history(platform, key: key, dossier).contains { $0.action == .confirmPayment }
            }
            let steps = try await history(platform, key: key, dossier).filter { $0.action == .confirmPayment }
            #expect(steps.count == 1 && steps.first?.actor == "system:payment-svc")
            var get = DossierV1.GetDossierRequest()
            get.id = dossier.id
            dossier = try await platform.gateway.unary(GatewayV1.DossierService.getDossier, get,
                                                       options: Self.options(key, as: "officer:ld01:approver"))
            #expect(dossier.state == .processing)

            // Reconciliation of the day: the provider's settlement balances the ledger; a
            // settlement with a changed amount and a stranger, or without our order, does not.
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
            formatter.dateFormat = "yyyyMMdd"
            let day = formatter.string(from: Date())
            let (_, settlement) = try await platform.browse("\(platform.sandbox)/sandbox/settlement?date=\(day)")
            #expect(settlement.contains(created.orderId))
            let folder = try makeTemporaryFolder("settlement")
            func reconcile(_ csv: String) async throws -> Finished {
                let file = folder.appendingPathComponent("\(UUID().uuidString).csv")
                try csv.write(to: file, atomically: true, encoding: .utf8)
                return try await runToCompletion(try BuiltExecutables.url("payment-svc"), [
                    "reconcile", "--data-dir", try #require(platform.payment.dataDirectory).path,
                    "--date", "\(day.prefix(4))-\(day.dropFirst(4).prefix(2))-\(day.suffix(2))", "--settlement", file.path,
                ])
            }
            let balanced = try await reconcile(settlement)
            #expect(balanced.exited && balanced.status == 0 && balanced.stdout.contains("0 mismatches"), "\(balanced)")
            let tampered = settlement.replacingOccurrences(of: ",\(fee),", with: ",\(fee + 1000),") + "DVC-LA,123,5000,\(day)120000\n"
            let unbalanced = try await reconcile(tampered)
            #expect(unbalanced.exited && unbalanced.status == 1, "\(unbalanced)")
            #expect(unbalanced.stdout.contains("amount differs: order \(created.orderId)"))
            #expect(unbalanced.stdout.contains("missing in ledger: order DVC-LA"))
            let missing = try await reconcile("order_id,transaction_no,amount_vnd,pay_date\n")
            #expect(missing.status == 1 && missing.stdout.contains("missing in settlement: order \(created.orderId)"))

            // A second payment for a paid fee is refused.
            let again = await rpcError { try await createPayment(platform, key: key, dossier: dossier, idempotencyKey: "pay-2") }
            #expect(again?.code == .failedPrecondition)

            // The result, online at level 4.
            var approve = DossierV1.ActRequest()
            approve.dossierId = dossier.id
            approve.action = .approve
            approve.expectedVersion = dossier.version
            var result = DossierV1.AttachmentUpload()
            result.name = "ket-qua.pdf"
            result.content = Self.pdf + Data("% ket qua\n".utf8)
            approve.resultDocument = result
            dossier = try await platform.gateway.unary(GatewayV1.DossierService.act, approve,
                                                       options: Self.options(key, as: "officer:ld01:approver"))
            var file = DossierV1.GetFileRequest()
            file.dossierId = dossier.id
            file.fileId = try #require(dossier.resultDocument).id
            let downloaded = try await platform.gateway.unary(GatewayV1.DossierService.getFile, file,
                                                              options: Self.options(key, as: "citizen:\(Self.citizen)"))
            #expect(downloaded.content == result.content)

            // A refund, decided by an approver: more than was paid is refused, then the whole.
            var refund = PaymentV1.RefundRequest()
            refund.paymentId = paid.id
            refund.amountVnd = fee + 1
            refund.reason = "Thu thừa"
            let tooMuch = await rpcError {
                try await platform.gateway.unary(GatewayV1.PaymentService.refund, refund, options: Self.options(key, as: "officer:ld01:approver"))
            }
            #expect(tooMuch?.code == .failedPrecondition)
            let notApprover = await rpcError {
                try await platform.gateway.unary(GatewayV1.PaymentService.refund, refund, options: Self.options(key, as: "officer:xl01:processor"))
            }
            #expect(notApprover?.code == .permissionDenied)
            // Two approvers each refunding 60% of the fee at the same moment: one refund, never
            // more money back than was paid.
            refund.amountVnd = fee * 6 / 10
            let gateway = platform.gateway
            let whole = refund
            let outcomes = await withTaskGroup(of: Result<PaymentV1.Payment, any Error>.self) { group in
                for approver in ["ld01", "ld02"] {
                    group.addTask {
                        do {
                            return .success(try await gateway.unary(GatewayV1.PaymentService.refund, whole,
                                                                    options: Self.options(key, as: "officer:\(approver):approver")))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                var all: [Result<PaymentV1.Payment, any Error>] = []
                for await outcome in group { all.append(outcome) }
                return all
            }
            let made = outcomes.compactMap { try? $0.get() }
            #expect(made.count == 1, "\(outcomes)")
            let refunded = try #require(made.first)
            #expect(refunded.refundedVnd == fee * 6 / 10)
            #expect(refunded.state == .partiallyRefunded)
            for case .failure(let error) in outcomes {
                #expect((error as? RPCError)?.code == .failedPrecondition, "\(error)")
            }
            // The rest, then nothing is left to refund.
            refund.amountVnd = 0
            let rest = try await platform.gateway.unary(GatewayV1.PaymentService.refund, refund,
                                                        options: Self.options(key, as: "officer:ld01:approver"))
            #expect(rest.state == .refunded && rest.refundedVnd == fee)
            let nothingLeft = await rpcError {
                try await platform.gateway.unary(GatewayV1.PaymentService.refund, refund, options: Self.options(key, as: "officer:ld01:approver"))
            }
            #expect(nothingLeft?.code == .failedPrecondition)
            // payment-svc's record of each refund names the approver and the key that acted for them.
            let ledger = try FaultTests.open(try #require(platform.payment.dataDirectory).appendingPathComponent("payment.sqlite").path)
            let recorded = try await ledger.read { db in
                try Row.fetchAll(db, sql: "SELECT actor, api_key FROM refund WHERE state = 'done'").map {
                    [$0["actor"] as String, $0["api_key"] as String]
                }
            }
            let keyID = String(key.dropFirst("ApiKey ".count).prefix { $0 != "." })
            #expect(recorded.count == 2 && recorded.allSatisfy { $0[0].hasPrefix("officer:ld0") && $0[1] == keyID }, "\(recorded)")

            // Every step that matters reached the citizen, by email and in the inbox read
            // through the gateway: received, fee requested, paid (amount and receipt), result,
            // refund.
            let receiptCode = dossier.receiptCode
            try await eventually("the citizen's emails arrive") {
                let subjects = try platform.smtp.files(".json").map {
                    try ReceivedMail(eml: $0.deletingPathExtension().appendingPathExtension("eml"), envelope: $0).decoded("Subject")
                }
                return subjects.contains { $0.hasPrefix("Đã nhận thanh toán") } && subjects.contains { $0.hasPrefix("Hoàn trả") }
                    && subjects.contains("Hồ sơ \(receiptCode) đã có kết quả")
            }
            let mails = try platform.smtp.files(".json").map {
                try ReceivedMail(eml: $0.deletingPathExtension().appendingPathExtension("eml"), envelope: $0)
            }
            #expect(mails.allSatisfy { $0.recipients == ["cong.dan@example.vn"] })
            let paidMail = try #require(mails.first { $0.decoded("Subject").hasPrefix("Đã nhận thanh toán") })
            #expect(paidMail.decoded("Subject").contains(receiptCode))
            #expect(paidMail.body.contains(paid.receiptNumber))
            let inbox = try await platform.gateway.unary(GatewayV1.InboxService.listInbox, NotifyV1.ListInboxRequest(),
                                                         options: Self.options(key, as: "citizen:\(Self.citizen)"))
            let kinds = Set(inbox.messages.map(\.kind))
            #expect(kinds.isSuperset(of: ["dossier.received", "dossier.awaiting-payment", "payment.paid", "dossier.approved", "payment.refunded"]),
                    "\(kinds.sorted())")
            // Through another agency's key the same citizen's inbox shows none of this.
            let (otherAgency, _, _) = try await feeProcedure(platform, level: 3)
            let otherKey = try await platform.makeKey(agency: otherAgency == agency ? "000.00.99.H26" : otherAgency, scopes: "citizens")
            let elsewhere = try await platform.gateway.unary(GatewayV1.InboxService.listInbox, NotifyV1.ListInboxRequest(),
                                                             options: Self.options(otherKey, as: "citizen:\(Self.citizen)"))
            #expect(elsewhere.messages.isEmpty && elsewhere.unreadCount == 0)
            var mark = NotifyV1.MarkReadRequest()
            mark.messageId = try #require(inbox.messages.first).id
            let notYours = await rpcError {
                try await platform.gateway.unary(GatewayV1.InboxService.markRead, mark, options: Self.options(otherKey, as: "citizen:\(Self.citizen)"))
            }
            #expect(notYours?.code == .notFound)
            _ = try await platform.gateway.unary(GatewayV1.InboxService.markRead, mark, options: Self.options(key, as: "citizen:\(Self.citizen)"))
            let afterRead = try await platform.gateway.unary(GatewayV1.InboxService.listInbox, NotifyV1.ListInboxRequest(),
                                                             options: Self.options(key, as: "citizen:\(Self.citizen)"))
            #expect(afterRead.unreadCount == inbox.unreadCount - 1)
        }
    }

    @Test("declined, timed out, paid after a failure, late and out-of-order notifications, forged ones")
    func providerMisbehaviour() async throws {
        try await withPlatform(timeoutSeconds: 3) { platform in
            let (agency, procedure, fee) = try await feeProcedure(platform, level: 4)
            let key = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
            let dossier = try await dossier(platform, key: key, agency: agency, procedure: procedure, name: "misbehaviour")

            // Declined: the payment fails, the dossier still waits.
            try await platform.behave(outcome: "decline", ipn: "once")
            let declined = try await createPayment(platform, key: key, dossier: dossier, idempotencyKey: "d-1")
            let (_, declinedPage) = try await platform.browse(declined.redirectUrl)
            #expect(declinedPage.contains("không thành công"))
            #expect(try await payment(platform, key: key, declined.id).state == .failed)

            // Timed out: the citizen never finishes; the payment expires on its own.
            try await platform.behave(outcome: "timeout", ipn: "once")
            let abandoned = try await createPayment(platform, key: key, dossier: dossier, idempotencyKey: "d-2")
            #expect(abandoned.id != declined.id)
            let (_, waiting) = try await platform.browse(abandoned.redirectUrl)
            #expect(waiting.contains("Đang chờ"))
            try await eventually("the abandoned payment expires") {
                try await payment(platform, key: key, abandoned.id).state == .expired
            }

            // A retry that succeeds, with the provider sending a late failure after the success:
            // the success stands.
            try await platform.behave(outcome: "approve", ipn: "fail-after-success")
            let paid = try await createPayment(platform, key: key, dossier: dossier, idempotencyKey: "d-3")
            _ = try await platform.browse(paid.redirectUrl)
            #expect(try await payment(platform, key: key, paid.id).state == .paid)
            #expect(try await platform.ipnAnswers(order: paid.orderId) == ["00", "02"])

            // Forged notifications: altered amount (the signature no longer matches), a wrong
            // secret, an unknown order, a right signature with a wrong amount. Each refused with
            // the provider's code, and nothing changes.
            let before = try await payment(platform, key: key, paid.id)
            var genuine = ["vnp_TmnCode": Self.terminal, "vnp_Amount": String(fee * 100), "vnp_TxnRef": paid.orderId,
                           "vnp_ResponseCode": "00", "vnp_TransactionStatus": "00", "vnp_TransactionNo": "99999"]
            let altered = Self.vnpaySigned(genuine, secret: Self.secret).replacingOccurrences(of: "vnp_Amount=\(fee * 100)", with: "vnp_Amount=100")
            genuine["vnp_TxnRef"] = "DVC-KHONG-CO"
            let unknown = Self.vnpaySigned(genuine, secret: Self.secret)
            genuine["vnp_TxnRef"] = paid.orderId
            let wrongSecret = Self.vnpaySigned(genuine, secret: "khong-phai-bi-mat")
            genuine["vnp_Amount"] = "100"
            let wrongAmount = Self.vnpaySigned(genuine, secret: Self.secret)
            for (query, code) in [(altered, "97"), (wrongSecret, "97"), (unknown, "01"), (wrongAmount, "04")] {
                let (status, body) = try await platform.browse("\(platform.gatewayHTTP)/payment/vnpay/ipn?\(query)")
                #expect(status == 200 && body.contains("\"RspCode\":\"\(code)\""), "\(code): \(body)")
            }
            // A forged browser return shows no success.
            let (forgedStatus, forgedPage) = try await platform.browse("\(platform.gatewayHTTP)/payment/vnpay/return?\(wrongSecret)")
            #expect(forgedStatus == 400 && !forgedPage.contains("thành công"))
            #expect(try await payment(platform, key: key, paid.id) == before)
            #expect(platform.payment.stderr.contains("refused a provider callback"))
        }
    }

    @Test("dossier-svc applies a 'paid' event once, however often it is delivered; other services' events are refused")
    func paidEventOnce() async throws {
        try await withPlatform { platform in
            let (agency, procedure, fee) = try await feeProcedure(platform, level: 4)
            let key = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
            let dossier = try await dossier(platform, key: key, agency: agency, procedure: procedure, name: "event")
            var payment = PaymentV1.Payment()
            payment.id = "thanh-toan-thu"
            payment.dossierId = dossier.id
            payment.amountVnd = fee
            payment.state = .paid
            payment.receiptNumber = "BL/2026/\(agency)-99"
            var body = PaymentV1.PaymentEvent()
            body.payment = payment
            var event = EventsV1.Event()
            event.id = UUID().uuidString.lowercased()
            event.type = "payment.paid"
            event.source = "payment-svc"
            event.aggregateId = payment.id
            event.payload = body.protobufData
            let options = CallOptions(timeout: .seconds(10))
            let first = try await platform.dossiers.unary(EventsV1.EventSink.deliver, event, options: options)
            let second = try await platform.dossiers.unary(EventsV1.EventSink.deliver, event, options: options)
            #expect(!first.duplicate && second.duplicate)
            let steps = try await history(platform, key: key, dossier).filter { $0.action == .confirmPayment }
            #expect(steps.count == 1 && steps.first?.note.contains("BL/2026/\(agency)-99") == true)
            var forged = event
            forged.id = UUID().uuidString.lowercased()
            forged.source = "notify-svc"
            let refused = await rpcError { try await platform.dossiers.unary(EventsV1.EventSink.deliver, forged, options: options) }
            #expect(refused?.code == .invalidArgument)
        }
    }

    @Test("paying online needs level 4, the owner, and a dossier of the key's agency")
    func paymentRefusals() async throws {
        try await withPlatform { platform in
            let (agency, procedure, _) = try await feeProcedure(platform, level: 3)
            let key = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
            let dossier = try await dossier(platform, key: key, agency: agency, procedure: procedure, name: "level3",
                                            awaitingPayment: false)
            let refused = await rpcError { try await createPayment(platform, key: key, dossier: dossier, idempotencyKey: "l3") }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.metadata["dvc-level-needed"] == "4")

            let (agency4, procedure4, _) = try await feeProcedure(platform, level: 4)
            // Officers of their own (the level-3 agency may be another, and an officer belongs to one).
            let key4 = try await platform.makeKey(agency: agency4, scopes: "citizens,officers", officers: ["tn01-4", "xl01-4"])
            let dossier4 = try await self.dossier(platform, key: key4, agency: agency4, procedure: procedure4, name: "l4",
                                                  officers: ("tn01-4", "xl01-4"))
            var request = PaymentV1.CreatePaymentRequest()
            request.dossierId = dossier4.id
            for (person, code) in [("citizen:001099099999", RPCCode.notFound), ("officer:xl01-4:processor", .permissionDenied)] {
                let error = await rpcError {
                    try await platform.gateway.unary(GatewayV1.PaymentService.createPayment, request,
                                                     options: Self.options(key4, as: person, idempotencyKey: "x"))
                }
                #expect(error?.code == code, "\(person)")
            }
            // Another agency's key cannot reach this dossier.
            let elsewhere = await rpcError { try await createPayment(platform, key: key, dossier: dossier4, idempotencyKey: "y") }
            #expect(elsewhere?.code == .notFound)
            // No idempotency key: refused, nothing created.
            let noKey = await rpcError {
                try await platform.gateway.unary(GatewayV1.PaymentService.createPayment, request,
                                                 options: Self.options(key4, as: "citizen:\(Self.citizen)"))
            }
            #expect(noKey?.code == .invalidArgument)
            var list = PaymentV1.ListPaymentsRequest()
            list.dossierId = dossier4.id
            let listed = try await platform.gateway.unary(GatewayV1.PaymentService.listPayments, list,
                                                          options: Self.options(key4, as: "citizen:\(Self.citizen)"))
            #expect(listed.payments.isEmpty)
        }
    }
}

typealias RPCCode = StatusCode
