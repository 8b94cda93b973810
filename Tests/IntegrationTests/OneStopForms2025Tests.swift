import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import RPCNIO
import TestKit
import Testing

/// dossier-svc on the one-stop forms of Circular 03/2025/TT-VPCP (`DVC_ONE_STOP_FORMS=2025`, the
/// default outside the tests), with catalog-svc and the gateway as real processes: the receipt is
/// 01, a citizen's withdrawal after reception issues the stop notice 05 (Decree 118/2025/NĐ-CP
/// Điều 21) which the citizen's page lists, the control slip is 06 and the citizen never sees it,
/// the tracking book is 07. The other suites run on the 2018 set (`childEnvironment`).
@Suite(.timeLimit(.minutes(3))) struct OneStopForms2025Tests {
    static let circular = "03/2025/TT-VPCP"

    @Test("2025 set: receipt 01, withdrawal after reception issues 05 to the citizen, control slip 06 hidden, book 07")
    func withdrawalAfterReception() async throws {
        try await withService("catalog-svc") { catalogProcess in
            let catalogAddress = catalogProcess.address.description
            try await withService("dossier-svc", extraArguments: ["--catalog", catalogAddress],
                                  environment: ["DVC_ONE_STOP_FORMS": "2025"]) { dossierProcess in
                try await withService("gateway", extraArguments: ["--catalog", catalogAddress, "--dossier", dossierProcess.address.description,
                                                                  "--http", "127.0.0.1:0"]) { gatewayProcess in
                    try await withClient(catalogProcess) { catalog in
                        try await withClient(dossierProcess) { dossiers in
                            try await withClient(gatewayProcess) { gateway in
                                let platform = GatewayDossierTests.Platform(
                                    catalog: catalog, dossiers: dossiers, gateway: gateway,
                                    gatewayData: try #require(gatewayProcess.dataDirectory))
                                try await check(platform, root: try await PaymentFlowTests.httpAddress(gatewayProcess))
                            }
                        }
                    }
                }
            }
        }
    }

    func check(_ platform: GatewayDossierTests.Platform, root: String) async throws {
        let calls = GatewayDossierTests()
        let (agency, procedure) = try await calls.offered(platform, level: 3)
        let key = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
        let citizen = "citizen:\(GatewayDossierTests.citizen)"
        let submitted = try await calls.submit(platform, key: key, agency: agency, procedure: procedure, idempotencyKey: "forms-2025")
        var dossier = try #require(submitted.dossier)
        dossier = try await calls.act(platform, dossier, .receive, key: key, as: "officer:tn01:receiver")
        #expect(dossier.state == .received && !dossier.receiptCode.isEmpty)

        // On receipt: the receipt 01 and the control slip 06, both of the 2025 set; no 05 yet.
        #expect(dossier.documents.map(\.form).sorted() == ["01", "06"], "\(dossier.documents.map(\.form))")
        #expect(dossier.documents.allSatisfy { $0.circular == Self.circular })
        let receipt = try #require(dossier.documents.first { $0.form == "01" })
        let receiptPage = String(decoding: receipt.content, as: UTF8.self)
        #expect(receipt.number.hasPrefix("01/") && receiptPage.contains("<b>Mẫu số 01</b> <span>(Thông tư số 03/2025/TT-VPCP)</span>"))
        let control = try #require(dossier.documents.first { $0.form == "06" })
        let controlPage = String(decoding: control.content, as: UTF8.self)
        #expect(control.number.hasPrefix("06/") && controlPage.contains("<h1>PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ</h1>"))
        #expect(!controlPage.contains("01/2018/TT-VPCP"))

        // The citizen withdraws: the dossier is stopped and the notice 05 issued.
        let reason = "Tôi nộp nhầm thủ tục, xin rút hồ sơ."
        dossier = try await calls.act(platform, dossier, .withdraw, key: key, as: citizen) { $0.note = reason }
        #expect(dossier.state == .withdrawn)
        let notice = try #require(dossier.documents.first { $0.form == "05" })
        #expect(notice.circular == Self.circular && notice.number.hasPrefix("05/") && notice.number.contains(agency))
        let noticePage = String(decoding: notice.content, as: UTF8.self)
        for fact in ["<b>Mẫu số 05</b> <span>(Thông tư số 03/2025/TT-VPCP)</span>", "<h1>THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ</h1>",
                     "Mã hồ sơ: <b>\(dossier.receiptCode)</b>", "(mã thủ tục \(procedure))", "<p class=\"reason\">\(reason)</p>",
                     "Thời gian đề nghị dừng giải quyết"] {
            #expect(noticePage.contains(fact), "05 lacks \(fact)")
        }
        // One control slip still, with the withdrawal on it.
        #expect(dossier.documents.filter { $0.form == "06" }.count == 1)
        let slip = String(decoding: try #require(dossier.documents.first { $0.form == "06" }).content, as: UTF8.self)
        #expect(slip.contains("Công dân yêu cầu rút hồ sơ"), "the slip lacks the withdrawal")

        // The citizen's page: 01 and 05 listed under their 2025 names, the slip 06 neither
        // listed nor downloadable.
        let session = cookielessBrowser()
        let me = try await CitizenPortalTests.citizen(session, root, id: GatewayDossierTests.citizen, name: "Nguyễn Văn An")
        let page = try await PortalPagesTests.send(session, "GET", root + "/ho-so/\(dossier.id)", headers: ["Cookie": me.cookie])
        #expect(page.status == 200)
        #expect(page.body.contains("/ho-so/\(dossier.id)/giay-to/05\" target=\"_blank\">Thông báo dừng giải quyết hồ sơ</a>"), "\(page.body)")
        #expect(page.body.contains("/ho-so/\(dossier.id)/giay-to/01\""))
        #expect(!page.body.contains("/giay-to/06") && !page.body.contains("Phiếu kiểm soát quá trình"), "the citizen sees the control slip")
        let shown = try await PortalPagesTests.send(session, "GET", root + "/ho-so/\(dossier.id)/giay-to/05", headers: ["Cookie": me.cookie])
        #expect(shown.status == 200 && shown.body.contains("THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ") && shown.body.contains(reason))
        let hidden = try await PortalPagesTests.send(session, "GET", root + "/ho-so/\(dossier.id)/giay-to/06", headers: ["Cookie": me.cookie])
        #expect(hidden.status == 404 && !hidden.body.contains("PHIẾU KIỂM SOÁT"))

        // The agency's tracking book is 07.
        var book = DossierV1.TrackingBookRequest()
        book.agencyCode = agency
        let register = try await platform.gateway.unary(GatewayV1.DossierService.getTrackingBook, book,
                                                         options: GatewayDossierTests.options(key, as: "officer:tn01:receiver"))
        let registerPage = String(decoding: register.content, as: UTF8.self)
        #expect(register.form == "07" && register.circular == Self.circular && register.number.hasPrefix("07/"))
        #expect(registerPage.contains("<b>Mẫu số 07</b>") && registerPage.contains(dossier.receiptCode))
    }

    @Test("an unknown one_stop_forms stops dossier-svc at start, naming the setting")
    func unknownSetRefused() async throws {
        let folder = try makeTemporaryFolder("forms-setting")
        defer { try? FileManager.default.removeItem(at: folder) }
        for bad in ["2019", "03/2025/TT-VPCP"] {
            // Its catalog need not answer: the setting is read while dossier-svc is being made.
            let run = try await runToCompletion(try Executables.url("dossier-svc"), [
                "--listen", "127.0.0.1:0", "--data-dir", folder.appendingPathComponent("data").path, "--log-format", "text",
                "--catalog", "127.0.0.1:9"], environment: childEnvironment(["DVC_ONE_STOP_FORMS": bad]))
            #expect(run.exited && run.status != 0, "dossier-svc started with one_stop_forms=\(bad): \(run)")
            #expect(run.stderr.contains("one_stop_forms"), "\(run)")
            #expect(!run.stdout.contains("listening on"), "\(run)")
        }
    }
}
