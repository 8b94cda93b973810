import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import NIOCore
import OutboundHTTP

/// The national public-service portal (Cổng Dịch vụ công quốc gia) for tests and demos, as a
/// separate process on loopback. The real portal's API is not public: this speaks the contract
/// of docs/national-portal.md, which stands in for it, with its own implementation of the
/// signatures.
///
/// - It delivers the dossiers citizens submit on it (`POST /sandbox/submit`) to the province's
///   connector (`--connector-url`), signed, again and again until the connector answers.
/// - It takes the connector's signed reports (`POST /dvcqg/v1/dossiers/{id}/reports`) in
///   order per dossier and holds them (`GET /sandbox/dossiers/{id}`), and answers the
///   reconciliation's reads (`GET /dvcqg/v1/dossiers[/{id}]`).
/// - It can go down (`POST /sandbox/down`, `/sandbox/up`: every contract call answered 503 and
///   nothing delivered), refuse a dossier's next reports (`POST /sandbox/refuse-next/{id}`),
///   deliver each dossier twice (`POST /sandbox/deliver-twice?on=1`) or again
///   (`POST /sandbox/redeliver/{id}`); `GET /sandbox/refusals` lists the requests it refused.
/// - With `DVCQG_PAY_SECRET`, it is also the national payment platform (`PaymentPlatform`).
@main
struct NationalPortalSandbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "national-portal-sandbox",
        abstract: "The national public-service portal on loopback, for tests and demos (a stand-in: the real API is not public).")

    @Option(help: "HTTP listen address HOST:PORT (port 0 picks one; the address is printed).")
    var listen = "127.0.0.1:0"

    @Option(help: "The province connector's HTTP root (national-portal-sync --http), e.g. http://127.0.0.1:8095.")
    var connectorURL = ""

    @Option(help: "The province's client id (what its requests carry in X-DVCQG-Client).")
    var province = "HNI"

    @Option(help: "The portal's own client id, sent with its deliveries.")
    var client = "dvcqg"

    @Option(help: "Seconds a request's timestamp may be off, either way.")
    var window: Int64 = 300

    @Option(help: "The merchant code of the national payment platform (its secret: DVCQG_PAY_SECRET; without it, no payment platform).")
    var merchantCode = "DVCQGTEST"

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let portalSecret = environment["DVCQG_PORTAL_SECRET"], !portalSecret.isEmpty,
              let provinceSecret = environment["DVCQG_PROVINCE_SECRET"], !provinceSecret.isEmpty else {
            throw ValidationError("set DVCQG_PORTAL_SECRET (signs the portal's deliveries) and DVCQG_PROVINCE_SECRET (checks the province's requests)")
        }
        let parts = listen.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--listen must be HOST:PORT") }
        let state = PortalState(province: province, window: window)
        let router = Router()
        PortalRoutes(state: state, provinceSecret: provinceSecret).add(to: router)
        if let paySecret = environment["DVCQG_PAY_SECRET"], !paySecret.isEmpty {
            PaymentPlatform(merchantCode: merchantCode, secret: paySecret).add(to: router)
        }
        var logger = Logger(label: "national-portal-sandbox")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(String(parts[0]), port: port)),
            onServerRunning: { channel in
                if let address = channel.localAddress, let ip = address.ipAddress, let port = address.port {
                    FileHandle.standardOutput.write(Data("listening on \(ip):\(port)\n".utf8))
                }
            },
            logger: logger)
        let deliverer = Deliverer(state: state, connectorURL: connectorURL, client: client, secret: portalSecret)
        let task = Task { await deliverer.run() }
        defer { task.cancel() }
        try await app.runService()
    }
}

/// Delivers submitted dossiers to the connector until each is answered: 2xx (received) or
/// 400/422 (refused for good); anything else is tried again after a short wait.
struct Deliverer: Sendable {
    let state: PortalState
    let connectorURL: String
    let client: String
    let secret: String

    func run() async {
        while !Task.isCancelled {
            if !connectorURL.isEmpty, await !state.down {
                for id in await state.undelivered() {
                    guard let body = await state.body(of: id) else { continue }
                    let times = await state.deliverTwice ? 2 : 1
                    for _ in 0..<times { await deliver(id, body) }
                }
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    func deliver(_ id: String, _ body: Data) async {
        let path = "/dvcqg/v1/dossiers"
        guard let url = URL(string: connectorURL + path) else { return }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = body
        request.timeoutInterval = 10
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        for (name, value) in SandboxSignature.headers(method: "POST", path: path, body: body, client: client, secret: secret) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        do {
            let (data, response) = try await OutboundHTTP.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            let answer = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            let localID = answer?["dossier_id"] as? String
            await state.recordDelivery(id, status: status, localID: localID)
        } catch {
            await state.recordDelivery(id, status: 0, localID: nil)
        }
    }
}
