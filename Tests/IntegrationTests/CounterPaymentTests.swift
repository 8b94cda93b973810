import DVCProto
import Foundation
import GRDB
import RPCCore
import RPCNIO
import TestKit
import Testing

/// Fees settled at the counter, every part a real process (the platform of `PaymentFlowTests`):
/// the judicial record certificate (Phiếu lý lịch tư pháp, level 4 at Sở Tư pháp) charged from
/// its form — three certificates at the reduced rate are 105.000 đồng —, the fee recorded by a
/// receiver at the counter so that approval proceeds, a partial refund that leaves the payment
/// partially refunded, and an exemption confirmed by an officer that moves a dossier waiting
/// for payment on.
@Suite(.timeLimit(.minutes(3))) struct CounterPaymentTests {
    static let agency = "000.00.07.H26"
    static let procedure = "HN-TP-001"
    static let reduced = "Học sinh từ đủ 16 tuổi, sinh viên, người có công với cách mạng, thân nhân liệt sĩ"
    static let exempt = "Trẻ em, người cao tuổi, người khuyết tật, hộ nghèo, người cư trú ở xã đặc biệt khó khăn"
    let flow = PaymentFlowTests()

    static func form(certificates: String, category: String = "") -> [String: String] {
        var form = [
            "ho_ten": "Nguyễn Văn An", "gioi_tinh": "Nam", "ngay_sinh": "2004-05-06", "noi_sinh": "Hà Nội",
            "quoc_tich": "Việt Nam", "so_dinh_danh": PaymentFlowTests.citizen, "noi_thuong_tru": "Phường Cửa Nam, Hà Nội",
            "dien_thoai": "0912345678", "loai_phieu": "Phiếu số 1", "so_luong_phieu": certificates,
        ]
        if !category.isEmpty { form["doi_tuong_le_phi"] = category }
        return form
    }

    func submit(_ platform: PaymentFlowTests.Platform, key: String, form: [String: String], name: String) async throws -> DossierV1.Dossier {
        var request = DossierV1.SubmitDossierRequest()
        request.agencyCode = Self.agency
        request.procedureCode = Self.procedure
        request.formData = form
        var upload = DossierV1.AttachmentUpload()
        upload.name = "to-khai.pdf"
        upload.content = PaymentFlowTests.pdf + Data("% \(name)\n".utf8)
        request.attachments = [upload]
        return try #require(try await platform.gateway.unary(
            GatewayV1.DossierService.submitDossier, request,
            options: PaymentFlowTests.options(key, as: "citizen:\(PaymentFlowTests.citizen)", idempotencyKey: name)).dossier)
    }

    func act(_ platform: PaymentFlowTests.Platform, key: String, _ dossier: DossierV1.Dossier, _ action: DossierV1.Action,
             as person: String) async throws -> DossierV1.Dossier {
        var act = DossierV1.ActRequest()
        act.dossierId = dossier.id
        act.action = action
        act.expectedVersion = dossier.version
        if action == .approve { act.resultNote = "Đã cấp Phiếu lý lịch tư pháp" }
        return try await platform.gateway.unary(GatewayV1.DossierService.act, act, options: PaymentFlowTests.options(key, as: person))
    }

    func record(_ platform: PaymentFlowTests.Platform, key: String, _ dossier: DossierV1.Dossier, category: String = "",
                evidence: String = "", amount: Int64, as person: String = "officer:tn01:receiver",
                idempotencyKey: String? = UUID().uuidString) async throws -> PaymentV1.Payment {
        var request = PaymentV1.RecordCounterPaymentRequest()
        request.dossierId = dossier.id
        request.category = category
        request.evidence = evidence
        request.amountVnd = amount
        return try await platform.gateway.unary(GatewayV1.PaymentService.recordCounterPayment, request,
                                                options: PaymentFlowTests.options(key, as: person, idempotencyKey: idempotencyKey))
    }

    func dossierNow(_ platform: PaymentFlowTests.Platform, key: String, _ dossier: DossierV1.Dossier) async throws -> DossierV1.Dossier {
        var get = DossierV1.GetDossierRequest()
        get.id = dossier.id
        return try await platform.gateway.unary(GatewayV1.DossierService.getDossier, get,
                                                options: PaymentFlowTests.options(key, as: "officer:ld01:approver"))
    }

    @Test("the judicial record fee from the form, recorded at the counter so approval proceeds, then partially refunded")
    func counterPaymentAndPartialRefund() async throws {
        try await flow.withPlatform { platform in
            let key = try await platform.makeKey(agency: Self.agency, scopes: "citizens,officers")
            // The number of certificates is a positive whole number, refused otherwise, naming the field.
            let bad = await rpcError { try await submit(platform, key: key, form: Self.form(certificates: "hai"), name: "bad") }
            #expect(bad?.code == .invalidArgument)
            #expect(bad?.violations.map(\.field) == ["form_data.so_luong_phieu"], "\(String(describing: bad))")

            var dossier = try await submit(platform, key: key, form: Self.form(certificates: "3", category: Self.reduced), name: "tp-3")
            dossier = try await act(platform, key: key, dossier, .receive, as: "officer:tn01:receiver")
            dossier = try await act(platform, key: key, dossier, .startProcessing, as: "officer:xl01:processor")

            // Level 4 and a fee not settled: approval waits.
            let early = await rpcError { try await act(platform, key: key, dossier, .approve, as: "officer:ld01:approver") }
            #expect(early?.code == .failedPrecondition, "\(String(describing: early))")

            // The record must match the schedule, name its evidence, come from a receiver or
            // processor, and carry an idempotency key.
            let wrongAmount = await rpcError { try await record(platform, key: key, dossier, category: Self.reduced, evidence: "Thẻ sinh viên số 2021", amount: 215_000) }
            #expect(wrongAmount?.code == .invalidArgument && wrongAmount?.violations.map(\.field) == ["amount_vnd"])
            #expect(wrongAmount?.message.contains("105000") == true, "\(String(describing: wrongAmount))")
            let noEvidence = await rpcError { try await record(platform, key: key, dossier, category: Self.reduced, amount: 105_000) }
            #expect(noEvidence?.code == .invalidArgument && noEvidence?.violations.map(\.field) == ["evidence"])
            let approverOnly = await rpcError {
                try await record(platform, key: key, dossier, category: Self.reduced, evidence: "Thẻ sinh viên", amount: 105_000, as: "officer:ld01:approver")
            }
            #expect(approverOnly?.code == .permissionDenied)
            let citizen = await rpcError {
                try await record(platform, key: key, dossier, amount: 205_000, as: "citizen:\(PaymentFlowTests.citizen)")
            }
            #expect(citizen?.code == .permissionDenied)
            let noKey = await rpcError { try await record(platform, key: key, dossier, amount: 205_000, idempotencyKey: nil) }
            #expect(noKey?.code == .invalidArgument)

            // The receiver confirms the reduced rate with the student card seen: 105.000 đồng.
            let paid = try await record(platform, key: key, dossier, category: Self.reduced, evidence: "Thẻ sinh viên số 2021", amount: 105_000,
                                        idempotencyKey: "quay-1")
            #expect(paid.state == .paid && paid.amountVnd == 105_000 && paid.provider == "counter")
            #expect(paid.category == Self.reduced && paid.legalGround.contains("Thông tư 16/2025/TT-BTC"))
            #expect(paid.recordedBy == "officer:tn01" && paid.receiptNumber.hasPrefix("BL/"))
            #expect(paid.quantities == ["so_luong_phieu": 3])
            #expect(paid.feeLines.map(\.subtotalVnd) == [100_000, 5_000])
            let retried = try await record(platform, key: key, dossier, category: Self.reduced, evidence: "Thẻ sinh viên số 2021", amount: 105_000,
                                           idempotencyKey: "quay-1")
            #expect(retried.id == paid.id)
            let twice = await rpcError { try await record(platform, key: key, dossier, amount: 205_000, idempotencyKey: "quay-2") }
            #expect(twice?.code == .failedPrecondition)
            let online = await rpcError { try await flow.createPayment(platform, key: key, dossier: dossier, idempotencyKey: "online") }
            #expect(online?.code == .failedPrecondition)

            // dossier-svc hears the payment and approval proceeds.
            try await flow.eventually("approval proceeds once the fee is recorded") {
                let now = try await dossierNow(platform, key: key, dossier)
                return (try? await act(platform, key: key, now, .approve, as: "officer:ld01:approver")) != nil
            }
            #expect(try await dossierNow(platform, key: key, dossier).state == .processed)

            // A partial refund leaves it partially refunded; the rest makes it refunded.
            var refund = PaymentV1.RefundRequest()
            refund.paymentId = paid.id
            refund.amountVnd = 5_000
            refund.reason = "Thu thừa phí Phiếu thứ ba"
            let part = try await platform.gateway.unary(GatewayV1.PaymentService.refund, refund,
                                                        options: PaymentFlowTests.options(key, as: "officer:ld01:approver"))
            #expect(part.state == .partiallyRefunded && part.refundedVnd == 5_000)
            refund.amountVnd = 0
            refund.reason = "Hoàn trả toàn bộ"
            let rest = try await platform.gateway.unary(GatewayV1.PaymentService.refund, refund,
                                                        options: PaymentFlowTests.options(key, as: "officer:ld01:approver"))
            #expect(rest.state == .refunded && rest.refundedVnd == 105_000)

            // The record in payment-svc's ledger names the officer and the category (the audit).
            let ledger = try FaultTests.open(try #require(platform.payment.dataDirectory).appendingPathComponent("payment.sqlite").path)
            let stored = try await ledger.read { db in
                try Row.fetchOne(db, sql: "SELECT recorded_by, category, provider, state FROM payment WHERE id = ?", arguments: [paid.id])
                    .map { [$0["recorded_by"] as String, $0["category"] as String, $0["provider"] as String, "\($0["state"] as Int)"] }
            }
            #expect(stored == ["officer:tn01", Self.reduced, "counter", "5"])
        }
    }

    @Test("an exemption confirmed at the counter moves a dossier waiting for payment on, and approval proceeds")
    func exemptionConfirmedByAnOfficer() async throws {
        try await flow.withPlatform { platform in
            let key = try await platform.makeKey(agency: Self.agency, scopes: "citizens,officers")
            var dossier = try await submit(platform, key: key, form: Self.form(certificates: "1", category: Self.exempt), name: "tp-mien")
            dossier = try await act(platform, key: key, dossier, .receive, as: "officer:tn01:receiver")
            dossier = try await act(platform, key: key, dossier, .startProcessing, as: "officer:xl01:processor")
            dossier = try await act(platform, key: key, dossier, .requestPayment, as: "officer:xl01:processor")
            #expect(dossier.state == .awaitingPayment)
            // Nothing to pay online for a claimed exemption; the officer confirms it.
            let online = await rpcError { try await flow.createPayment(platform, key: key, dossier: dossier, idempotencyKey: "online") }
            #expect(online?.code == .failedPrecondition)
            let notOwed = await rpcError {
                try await record(platform, key: key, dossier, category: Self.exempt, evidence: "Giấy chứng nhận hộ nghèo số 15", amount: 200_000,
                                 as: "officer:xl01:processor")
            }
            #expect(notOwed?.violations.map(\.field) == ["amount_vnd"])
            let exempted = try await record(platform, key: key, dossier, category: Self.exempt, evidence: "Giấy chứng nhận hộ nghèo số 15",
                                            amount: 0, as: "officer:xl01:processor")
            #expect(exempted.state == .exempt && exempted.amountVnd == 0 && exempted.receiptNumber.isEmpty)
            #expect(exempted.legalGround == "Thông tư 244/2016/TT-BTC, Điều 5")
            try await flow.eventually("the dossier moves on after the exemption") {
                try await flow.history(platform, key: key, dossier).contains { $0.action == .confirmPayment }
            }
            let step = try #require(try await flow.history(platform, key: key, dossier).first { $0.action == .confirmPayment })
            #expect(step.note.contains("Miễn phí, lệ phí") && step.note.contains("hộ nghèo số 15") && step.note.contains("officer:xl01"), "\(step.note)")
            dossier = try await dossierNow(platform, key: key, dossier)
            #expect(dossier.state == .processing)
            dossier = try await act(platform, key: key, dossier, .approve, as: "officer:ld01:approver")
            #expect(dossier.state == .processed)
            // An exemption gives nothing back.
            var refund = PaymentV1.RefundRequest()
            refund.paymentId = exempted.id
            refund.reason = "Thử"
            let nothing = await rpcError {
                try await platform.gateway.unary(GatewayV1.PaymentService.refund, refund, options: PaymentFlowTests.options(key, as: "officer:ld01:approver"))
            }
            #expect(nothing?.code == .failedPrecondition)
        }
    }

    @Test("through the console: the fee from the form shown, a wrong amount refused, the reduced rate recorded with its evidence")
    func counterPaymentInTheConsole() async throws {
        try await flow.withPlatform { platform in
            let key = try await platform.makeKey(agency: Self.agency, scopes: "citizens,officers")
            var dossier = try await submit(platform, key: key, form: Self.form(certificates: "3", category: Self.reduced), name: "tp-console")
            dossier = try await act(platform, key: key, dossier, .receive, as: "officer:tn01:receiver")
            let password = try await OfficerConsoleTests.officer(platform.gatewayData.path, agency: Self.agency, id: "quay.stp", roles: "receiver")
            var browser = OfficerConsoleTests.Browser(root: platform.gatewayHTTP)
            try await browser.signIn("quay.stp", password)
            let path = "/can-bo/ho-so/\(dossier.id)"
            let page = try await browser.get(path)
            #expect(page.status == 200)
            #expect(page.body.contains("Theo tờ khai: <b>105.000 đồng</b>"), "\(page.body)")
            #expect(page.body.contains("Ghi nhận thu phí tại quầy"))
            #expect(page.body.contains("Thông tư 244/2016/TT-BTC, Điều 5"), "the exemption's legal ground is offered")
            let csrf = try OfficerConsoleTests.input("csrf_token", in: page.body)
            let idempotency = try OfficerConsoleTests.input("idempotency_key", in: page.body)
            let wrong = try await browser.post(path + "/phi-le-phi", [
                ("csrf_token", csrf), ("idempotency_key", idempotency), ("doi_tuong", Self.reduced),
                ("so_luong.so_luong_phieu", "3"), ("giay_to", "Thẻ sinh viên số 77"), ("so_tien", "205000")])
            #expect(wrong.status == 400 && wrong.body.contains("Số tiền không đúng biểu phí"), "\(wrong.status) \(wrong.body)")
            let forged = try await browser.post(path + "/phi-le-phi", [
                ("csrf_token", "gia-mao"), ("doi_tuong", ""), ("so_tien", "205000")])
            #expect(forged.status == 403)
            let done = try await browser.post(path + "/phi-le-phi", [
                ("csrf_token", csrf), ("idempotency_key", idempotency), ("doi_tuong", Self.reduced),
                ("so_luong.so_luong_phieu", "3"), ("giay_to", "Thẻ sinh viên số 77"), ("so_tien", "105.000")])
            #expect(done.status == 303 && done.location.hasSuffix("?da_thu_phi=1"), "\(done.status) \(done.body)")
            let after = try await browser.get(path)
            #expect(after.body.contains("Đã thu tại quầy 105.000 đồng"), "\(after.body)")
            #expect(after.body.contains("Thẻ sinh viên số 77") && after.body.contains("officer:quay.stp"))
            #expect(!after.body.contains("Ghi nhận thu phí tại quầy"), "settled: no second record offered")
            var list = PaymentV1.ListPaymentsRequest()
            list.dossierId = dossier.id
            let payments = try await platform.gateway.unary(GatewayV1.PaymentService.listPayments, list,
                                                            options: PaymentFlowTests.options(key, as: "officer:ld01:approver")).payments
            #expect(payments.map(\.amountVnd) == [105_000] && payments.first?.recordedBy == "officer:quay.stp")
        }
    }
}
