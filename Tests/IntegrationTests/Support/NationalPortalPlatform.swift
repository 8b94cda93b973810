import Crypto
import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import RPCNIO
import TestKit
import Testing

/// catalog-svc, dossier-svc (delivering its events to the connector), payment-svc (paying the
/// fee procedure's agency through the national payment platform), the gateway (its callbacks),
/// the connector `national-portal-sync` and `national-portal-sandbox` (the portal and its
/// payment platform), each a real process on loopback. The
/// connector's ports are chosen first, because dossier-svc and the sandbox need them and the
/// connector needs theirs; it keeps them across a restart.
final class NationalPortalPlatform: @unchecked Sendable {
    static let province = "HNI"
    static let portalSecret = "cong-quoc-gia-" + UUID().uuidString
    static let provinceSecret = "tinh-thanh-pho-" + UUID().uuidString
    static let paySecret = "thanh-toan-quoc-gia-\(UInt32.random(in: 0...UInt32.max))"
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    let catalogProcess: ServiceProcess
    let dossierProcess: ServiceProcess
    let sandboxProcess: ServiceProcess
    let paymentProcess: ServiceProcess
    let gatewayProcess: ServiceProcess
    let gatewayHTTP: String
    /// A level-4 procedure with a fee, paid through the national payment platform.
    let feeProcedure: (agency: String, procedure: String, fee: Int64)
    var connector: ServiceProcess
    let connectorPort: Int
    let connectorHTTPPort: Int
    let connectorData: URL
    let connectorConfig: URL
    let catalog: RPCClient
    let dossiers: RPCClient
    let payments: RPCClient
    var sandbox: String { "http://\(sandboxProcess.address)" }
    var connectorHTTP: String { "http://127.0.0.1:\(connectorHTTPPort)" }

    private init(catalogProcess: ServiceProcess, dossierProcess: ServiceProcess, sandboxProcess: ServiceProcess,
                 paymentProcess: ServiceProcess, gatewayProcess: ServiceProcess, gatewayHTTP: String, feeProcedure: (agency: String, procedure: String, fee: Int64),
                 connector: ServiceProcess, connectorPort: Int, connectorHTTPPort: Int, connectorData: URL, connectorConfig: URL) {
        self.catalogProcess = catalogProcess
        self.dossierProcess = dossierProcess
        self.sandboxProcess = sandboxProcess
        self.paymentProcess = paymentProcess
        self.gatewayProcess = gatewayProcess
        self.gatewayHTTP = gatewayHTTP
        self.feeProcedure = feeProcedure
        self.connector = connector
        self.connectorPort = connectorPort
        self.connectorHTTPPort = connectorHTTPPort
        self.connectorData = connectorData
        self.connectorConfig = connectorConfig
        catalog = RPCClient(peers: [catalogProcess.address])
        dossiers = RPCClient(peers: [dossierProcess.address])
        payments = RPCClient(peers: [paymentProcess.address])
    }

    static func start() async throws -> NationalPortalPlatform {
        let connectorPort = try freeLoopbackPort()
        let connectorHTTPPort = try freeLoopbackPort()
        let catalog = try await ServiceProcess.start("catalog-svc")
        let catalogClient = RPCClient(peers: [catalog.address])
        let fee = try await Self.levelFourFeeProcedure(catalogClient)
        await catalogClient.close()
        let dossierConfig = try makeTemporaryFolder("dossier-config").appendingPathComponent("dossier.env")
        try "national_portal_sync=127.0.0.1:\(connectorPort)\n".write(to: dossierConfig, atomically: true, encoding: .utf8)
        let dossier = try await ServiceProcess.start("dossier-svc", extraArguments: [
            "--catalog", catalog.address.description, "--config", dossierConfig.path,
        ])
        let sandbox = try await ServiceProcess.start("national-portal-sandbox", arguments: [
            "--listen", "127.0.0.1:0", "--connector-url", "http://127.0.0.1:\(connectorHTTPPort)", "--province", province,
            "--merchant-code", "DVCQGTEST",
        ], environment: ["DVCQG_PORTAL_SECRET": portalSecret, "DVCQG_PROVINCE_SECRET": provinceSecret, "DVCQG_PAY_SECRET": paySecret])
        let paymentConfig = try makeTemporaryFolder("payment-config").appendingPathComponent("payment.env")
        try """
            vnpay_tmn_code=KHONGDUNG
            vnpay_hash_secret=vnpay-khong-dung-\(UInt32.random(in: 0...UInt32.max))
            vnpay_pay_url=http://127.0.0.1:9/paymentv2/vpcpay.html
            vnpay_api_url=http://127.0.0.1:9/merchant_webapi/api/transaction
            dvcqg_pay_merchant_code=DVCQGTEST
            dvcqg_pay_secret=\(paySecret)
            dvcqg_pay_url=http://\(sandbox.address)/thanh-toan/pay
            dvcqg_pay_api_url=http://\(sandbox.address)/thanh-toan/refund
            dvcqg_pay_agencies=\(fee.agency)
            """.write(to: paymentConfig, atomically: true, encoding: .utf8)
        let payment = try await ServiceProcess.start("payment-svc", extraArguments: [
            "--catalog", catalog.address.description, "--dossier", dossier.address.description, "--config", paymentConfig.path,
        ])
        let gateway = try await ServiceProcess.start("gateway", extraArguments: [
            "--catalog", catalog.address.description, "--dossier", dossier.address.description,
            "--payment", payment.address.description, "--http", "127.0.0.1:0",
        ])
        let gatewayHTTP = try await PaymentFlowTests.httpAddress(gateway)
        let ipn = (gatewayHTTP + "/payment/dvcqg/ipn").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let (behaviour, _) = try await Self.http("GET", "http://\(sandbox.address)/sandbox/payment?outcome=approve&ipn_url=\(ipn)")
        #expect(behaviour == 200)
        let folder = try makeTemporaryFolder("national-portal-sync")
        let data = folder.appendingPathComponent("data")
        let config = folder.appendingPathComponent("sync.env")
        try """
            national_portal_url=http://\(sandbox.address)
            national_portal_client=\(province)
            report_retry_initial_ms=100
            report_retry_max_ms=800
            """.write(to: config, atomically: true, encoding: .utf8)
        let connector = try await startConnector(port: connectorPort, httpPort: connectorHTTPPort, data: data, config: config,
                                                 dossier: dossier.address.description)
        return NationalPortalPlatform(catalogProcess: catalog, dossierProcess: dossier, sandboxProcess: sandbox,
                                      paymentProcess: payment, gatewayProcess: gateway, gatewayHTTP: gatewayHTTP, feeProcedure: fee, connector: connector,
                                      connectorPort: connectorPort, connectorHTTPPort: connectorHTTPPort, connectorData: data,
                                      connectorConfig: config)
    }

    static var connectorEnvironment: [String: String] {
        ["DVC_NATIONAL_PORTAL_SIGNING_SECRET": provinceSecret, "DVC_NATIONAL_PORTAL_VERIFY_SECRET": portalSecret]
    }

    static func startConnector(port: Int, httpPort: Int, data: URL, config: URL, dossier: String) async throws -> ServiceProcess {
        try await ServiceProcess.start("national-portal-sync", arguments: [
            "--listen", "127.0.0.1:\(port)", "--data-dir", data.path, "--log-format", "text",
            "--http", "127.0.0.1:\(httpPort)", "--admin", "127.0.0.1:0", "--dossier", dossier, "--config", config.path,
        ], dataDirectory: data, environment: connectorEnvironment)
    }

    /// SIGKILL (a crash, mid-delivery) or SIGTERM, then the same connector again on the same ports and data.
    func restartConnector(kill: Bool) async throws {
        // SIGTERM drains: the portal-facing HTTP side waits for requests in flight, and a report
        // being sent finishes its attempt; under a loaded machine that can pass the usual 5 s.
        if kill { connector.forceKill() } else { await connector.stop(timeout: .seconds(15)) }
        connector = try await Self.startConnector(port: connectorPort, httpPort: connectorHTTPPort, data: connectorData,
                                                  config: connectorConfig, dossier: dossierProcess.address.description)
    }

    func stop() async {
        await catalog.close()
        await dossiers.close()
        await payments.close()
        await connector.stop(timeout: .seconds(15))
        await gatewayProcess.stop()
        await paymentProcess.stop()
        await sandboxProcess.stop()
        await dossierProcess.stop()
        await catalogProcess.stop()
    }

    /// The connector's command line on its data (`reports`, `retry`, `reconcile`).
    func connectorCommand(_ arguments: [String]) async throws -> Finished {
        try await runToCompletion(try Executables.url("national-portal-sync"), arguments + [
            "--data-dir", connectorData.path, "--config", connectorConfig.path, "--dossier", dossierProcess.address.description,
        ], environment: childEnvironment(Self.connectorEnvironment))
    }

    // MARK: - HTTP

    static func http(_ method: String, _ url: String, body: Data = Data(), headers: [String: String] = [:]) async throws -> (Int, Data) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        request.timeoutInterval = 30
        if !body.isEmpty { request.httpBody = body }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    static func jsonObject(_ data: Data) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// The four signature headers of docs/national-portal.md, computed here independently.
    static func signed(method: String, path: String, body: Data, client: String, secret: String,
                       timestamp: Int64 = Int64(Date().timeIntervalSince1970), nonce: String = UUID().uuidString) -> [String: String] {
        func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 { bytes.map { String(format: "%02x", $0) }.joined() }
        let text = ["DVCQG-HMAC-SHA256", method, path, client, String(timestamp), nonce, hex(SHA256.hash(data: body))].joined(separator: "\n")
        let mac = hex(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(secret.utf8))))
        return ["X-DVCQG-Client": client, "X-DVCQG-Timestamp": String(timestamp), "X-DVCQG-Nonce": nonce, "X-DVCQG-Signature": mac,
                "Content-Type": "application/json"]
    }

    /// The national payment platform's checksum (docs/payment.md), computed here independently.
    static func payMAC(_ fields: [String], secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(fields.joined(separator: "|").utf8), using: SymmetricKey(data: Data(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    /// A citizen submits on the sandbox portal; returns the portal's id.
    func submitOnPortal(agency: String, procedure: String, applicant: String, name: String) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: [
            "agency_code": agency, "procedure_code": procedure, "applicant_id": applicant,
            "files": [["name": "\(name).pdf", "content_base64": (Self.pdf + Data("% \(name)\n".utf8)).base64EncodedString()]],
        ])
        let (status, data) = try await Self.http("POST", "\(sandbox)/sandbox/submit", body: body)
        #expect(status == 200)
        return try #require(Self.jsonObject(data)["portal_dossier_id"] as? String)
    }

    func portalDossier(_ id: String) async throws -> [String: Any] {
        Self.jsonObject(try await Self.http("GET", "\(sandbox)/sandbox/dossiers/\(id)").1)
    }

    func sandboxControl(_ path: String) async throws {
        let (status, _) = try await Self.http("POST", "\(sandbox)\(path)")
        #expect(status == 200, "\(path)")
    }

    func metric(_ name: String) async throws -> Double? {
        let admin = try await ObservabilityTests.adminAddress(connector)
        let (_, body) = try await ObservabilityTests.get("\(admin)/metrics")
        let line = body.split(separator: "\n").first { $0.hasPrefix(name + " ") || $0.hasPrefix(name + "{") }
        return line.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
    }

    // MARK: - dossier-svc

    func options(_ identity: String) -> CallOptions {
        var options = CallOptions(timeout: .seconds(10))
        options.metadata[CallerIdentity.metadataKey] = identity
        return options
    }

    func get(_ id: String) async throws -> DossierV1.Dossier {
        var request = DossierV1.GetDossierRequest()
        request.id = id
        return try await dossiers.unary(DossierV1.DossierService.getDossier, request, options: options("system:tests"))
    }

    func act(_ dossier: DossierV1.Dossier, _ action: DossierV1.Action, as identity: String, result: String = "",
             resultFile: Data? = nil) async throws -> DossierV1.Dossier {
        var request = DossierV1.ActRequest()
        request.dossierId = dossier.id
        request.action = action
        request.expectedVersion = dossier.version
        request.resultNote = result
        if let resultFile {
            var upload = DossierV1.AttachmentUpload()
            upload.name = "ket-qua.pdf"
            upload.content = resultFile
            request.resultDocument = upload
        }
        return try await dossiers.unary(DossierV1.DossierService.act, request, options: options(identity))
    }

    /// A procedure offered online at level 3 whose forms declare no fields, and its agency.
    func levelThreeProcedure() async throws -> (procedure: String, agency: String) {
        let export = try await catalog.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                             options: CallOptions(timeout: .seconds(10)))
        let simple = Set(export.procedures.filter(\.isSimpleToSubmit).map(\.code))
        let level = try #require(export.levels.first { $0.level == 3 && simple.contains($0.procedureCode) })
        return (level.procedureCode, level.agencyCode)
    }

    /// A procedure offered at level 4 whose forms declare no fields, with one fee per dossier.
    static func levelFourFeeProcedure(_ catalog: RPCClient) async throws -> (agency: String, procedure: String, fee: Int64) {
        let export = try await catalog.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                             options: CallOptions(timeout: .seconds(10)))
        let candidates = export.procedures.filter { procedure in
            procedure.isSimpleToSubmit && procedure.fees.contains { $0.amountVnd > 0 } && Set(procedure.fees.map(\.unit)) == ["per_dossier"]
        }
        let byCode = Dictionary(uniqueKeysWithValues: candidates.map { ($0.code, $0) })
        let found = try #require(export.levels.first { $0.level == 4 && byCode[$0.procedureCode] != nil })
        let fee = try #require(byCode[found.procedureCode]?.fees.first { $0.amountVnd > 0 }).amountVnd
        return (found.agencyCode, found.procedureCode, fee)
    }

    /// The citizen pays the dossier's fee: CreatePayment, then the browser at the provider,
    /// following its redirects back to the gateway's page.
    func pay(_ dossier: DossierV1.Dossier, citizen: String) async throws -> (PaymentV1.Payment, String) {
        var request = PaymentV1.CreatePaymentRequest()
        request.dossierId = dossier.id
        // The gateway's return page, as the gateway itself would name it.
        request.returnUrl = gatewayHTTP + "/payment/vnpay/return"
        var options = options("citizen:\(citizen)")
        options.metadata[MetadataKey.idempotencyKey] = "pay-\(dossier.id)"
        let created = try await payments.unary(PaymentV1.PaymentService.createPayment, request, options: options)
        let (status, page) = try await Self.http("GET", created.redirectUrl)
        #expect(status == 200, "\(String(decoding: page, as: UTF8.self))")
        return (created, String(decoding: page, as: UTF8.self))
    }

    /// Polls until `condition` holds, up to `seconds`.
    static func eventually(_ what: String, seconds: Int = 20, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure(description: "never: \(what)")
    }
}
