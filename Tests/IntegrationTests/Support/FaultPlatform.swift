import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import RPCNIO
import Synchronization
import TestKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The platform as real processes that a test may kill, stop or starve and start again: each
/// service on a fixed loopback port (RPC, admin and, for the gateway, HTTP) with a fixed data
/// folder, so a restarted process takes the place of the one that died, and its peers find it
/// again by themselves. The payment sandbox and the SMTP server, when asked for, stay up.
///
/// `shutdown()` ends every process it started, whatever happened; the fault tests call it
/// from a `defer`-like path so that a failing test leaves nothing running.
final class FaultPlatform: Sendable {
    /// One service: how to start it again exactly as the first time.
    struct Node: Sendable {
        var name: String
        var port: Int
        var adminPort: Int
        var httpPort: Int?
        var data: URL
        var arguments: [String]

        var address: PeerAddress { PeerAddress(host: "127.0.0.1", port: port) }
    }

    static let secret = "kiem-thu-loi-\(String(format: "%08x", UInt32.random(in: 0...UInt32.max)))"
    static let terminal = "DVCFAULT1"

    let nodes: [String: Node]
    /// Start order: a service's peers before it.
    let order: [String]
    let sandbox: ServiceProcess?
    let smtp: PythonSink?
    private let running = Mutex<[String: ServiceProcess]>([:])

    private init(nodes: [String: Node], order: [String], sandbox: ServiceProcess?, smtp: PythonSink?) {
        self.nodes = nodes
        self.order = order
        self.sandbox = sandbox
        self.smtp = smtp
    }

    /// Starts `services` (a subset of catalog-svc, notify-svc, dossier-svc, payment-svc,
    /// gateway; their peers must be in it), plus the sandbox when payment-svc is there and the
    /// SMTP server when notify-svc is. `dataFolders` puts a service's data somewhere of the
    /// test's choosing (a small file system).
    /// Starts `services`, runs `body` with the platform and a client of its gateway, and stops
    /// everything after, whether `body` returned or threw; a service that does not stop cleanly
    /// is a failure either way.
    static func with(_ services: [String], dataFolders: [String: URL] = [:],
                     _ body: (FaultPlatform, RPCClient) async throws -> Void) async throws {
        let platform = try await start(services, dataFolders: dataFolders)
        let gateway = platform.client("gateway")
        do {
            try await body(platform, gateway)
        } catch {
            await gateway.close()
            let unclean = await platform.shutdown()
            if !unclean.isEmpty { Issue.record("services that did not stop cleanly after the failure: \(unclean)") }
            throw error
        }
        await gateway.close()
        let unclean = await platform.shutdown()
        #expect(unclean.isEmpty, "\(unclean)")
    }

    static func start(_ services: [String], dataFolders: [String: URL] = [:]) async throws -> FaultPlatform {
        let order = ["catalog-svc", "notify-svc", "dossier-svc", "payment-svc", "gateway"].filter(services.contains)
        var ports: [String: (rpc: Int, admin: Int)] = [:]
        for name in order { ports[name] = (try freeLoopbackPort(), try freeLoopbackPort()) }
        func peer(_ name: String) -> String { "127.0.0.1:\(ports[name]!.rpc)" }

        var sandbox: ServiceProcess?
        var smtp: PythonSink?
        var nodes: [String: Node] = [:]
        do {
            if order.contains("notify-svc") {
                smtp = try await PythonSink.start("smtp_sink.py", port: try freeLoopbackPort(), folder: try makeTemporaryFolder("fault-mail"))
            }
            if order.contains("payment-svc") {
                sandbox = try await ServiceProcess.start(
                    "payment-sandbox", arguments: ["--listen", "127.0.0.1:0", "--terminal-code", terminal],
                    dataDirectory: try makeTemporaryFolder("fault-sandbox"), environment: ["SANDBOX_HASH_SECRET": secret])
            }
            for name in order {
                let (port, admin) = ports[name]!
                let data = try dataFolders[name] ?? makeTemporaryFolder("fault-\(name)").appendingPathComponent("data")
                var arguments = ["--listen", "127.0.0.1:\(port)", "--data-dir", data.path, "--log-format", "text",
                                 "--admin", "127.0.0.1:\(admin)"]
                var httpPort: Int?
                switch name {
                case "notify-svc":
                    arguments += ["--config", try NotifyTests.config([
                        "smtp_host": "127.0.0.1", "smtp_port": "\(smtp!.port)", "poll_ms": "100",
                        "retry_initial_ms": "100", "retry_max_ms": "1000",
                    ])]
                case "dossier-svc":
                    arguments += ["--catalog", peer("catalog-svc")]
                    if order.contains("notify-svc") { arguments += ["--notify", peer("notify-svc")] }
                case "payment-svc":
                    let config = try makeTemporaryFolder("fault-payment-config").appendingPathComponent("payment.env")
                    let pay = "http://\(sandbox!.address)"
                    try """
                        vnpay_tmn_code=\(terminal)
                        vnpay_hash_secret=\(secret)
                        vnpay_pay_url=\(pay)/paymentv2/vpcpay.html
                        vnpay_api_url=\(pay)/merchant_webapi/api/transaction
                        """.write(to: config, atomically: true, encoding: .utf8)
                    arguments += ["--catalog", peer("catalog-svc"), "--dossier", peer("dossier-svc"), "--config", config.path]
                    if order.contains("notify-svc") { arguments += ["--notify", peer("notify-svc")] }
                case "gateway":
                    httpPort = try freeLoopbackPort()
                    arguments += ["--catalog", peer("catalog-svc"), "--http", "127.0.0.1:\(httpPort!)"]
                    for (kind, service) in [("--dossier", "dossier-svc"), ("--payment", "payment-svc"), ("--notify", "notify-svc")]
                    where order.contains(service) {
                        arguments += [kind, peer(service)]
                    }
                default:
                    break
                }
                nodes[name] = Node(name: name, port: port, adminPort: admin, httpPort: httpPort, data: data, arguments: arguments)
            }
        } catch {
            sandbox?.forceKill()
            smtp?.stop()
            throw error
        }
        let platform = FaultPlatform(nodes: nodes, order: order, sandbox: sandbox, smtp: smtp)
        do {
            for name in order { try await platform.restart(name) }
            if let sandbox, let http = nodes["gateway"]?.httpPort {
                let url = "http://\(sandbox.address)/sandbox/behaviour?outcome=approve&ipn=once&ipn_url=http://127.0.0.1:\(http)/payment/vnpay/ipn"
                let (_, response) = try await URLSession.shared.data(from: URL(string: url)!)
                guard (response as? HTTPURLResponse)?.statusCode == 200 else {
                    throw TestFailure(description: "the sandbox refused its behaviour: \(response)")
                }
            }
        } catch {
            await platform.shutdown()
            throw error
        }
        return platform
    }

    /// A client of `name`'s RPC port. Its peer going away is the test's own doing, so the
    /// client's reports of it are kept out of the test output.
    func client(_ name: String) -> RPCClient {
        var quiet = Logger(label: "fault-test.client")
        quiet.logLevel = .error
        return RPCClient(peers: [nodes[name]!.address], logger: quiet)
    }

    /// The IPNs the provider sent, and how many of them the merchant did not settle (it was
    /// down or answered `99`) so that they were sent again.
    func ipnCounts() async throws -> (sent: Int, unsettled: Int) {
        let (_, body) = try await Self.browse("http://\(sandbox!.address)/sandbox/ipn-log")
        let records = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]] ?? []
        let unsettled = records.filter { record in
            let answer = (record["merchantAnswer"] as? String).flatMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
            }?["RspCode"]
            return !["00", "02"].contains(answer ?? "")
        }
        return (records.count, unsettled.count)
    }

    /// The running process of `name` (the latest one started).
    func process(_ name: String) -> ServiceProcess? { running.withLock { $0[name] } }

    /// Starts `name` again with its first command line: same port, same data.
    func restart(_ name: String) async throws {
        let node = nodes[name]!
        // A port just released by a killed process can be refused for a moment; try again.
        var lastError: (any Error)?
        for _ in 0..<3 {
            do {
                let process = try await ServiceProcess.start(name, arguments: node.arguments, dataDirectory: node.data)
                running.withLock { $0[name] = process }
                return
            } catch {
                lastError = error
            }
        }
        throw lastError!
    }

    /// SIGKILL: the process ends at once, mid-work, as on a crash or an OOM kill.
    func kill(_ name: String) {
        process(name)?.forceKill()
    }

    /// Sends `signal` (SIGSTOP, SIGCONT) to the running process of `name`.
    func signal(_ name: String, _ signal: Int32) {
        process(name)?.send(signal)
    }

    /// Every process ended: services with SIGTERM in reverse start order (SIGKILL after 5 s),
    /// a stopped one continued first so it can hear the SIGTERM; then the sandbox and the SMTP
    /// server. Returns the stderr of services that did not exit cleanly.
    @discardableResult
    func shutdown() async -> [String] {
        var unclean: [String] = []
        for name in order.reversed() {
            guard let process = process(name), process.isRunning else { continue }
            process.send(SIGCONT)
            process.send(SIGTERM)
            let exit = await process.waitForExit(timeout: .seconds(8))
            if exit != .success {
                process.forceKill()
                unclean.append("\(name) ended with \(exit.map(\.description) ?? "no exit within 8 s (killed)"):\n\(process.stderr)")
            }
        }
        sandbox?.forceKill()
        smtp?.stop()
        return unclean
    }

    /// The sum of every sample of `metric` on `name`'s admin `/metrics`: all label sets, or
    /// those whose labels contain one of `labels` (e.g. `code="UNAVAILABLE"`).
    func metric(_ metric: String, of name: String, labels: [String] = []) async throws -> Double {
        let node = nodes[name]!
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(node.adminPort)/metrics")!)
        request.timeoutInterval = 5
        let (data, _) = try await URLSession.shared.data(for: request)
        var total = 0.0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let nameEnd = line.firstIndex { $0 == "{" || $0 == " " } ?? line.endIndex
            guard line[..<nameEnd] == metric, let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            if !labels.isEmpty && !labels.contains(where: { line.contains($0) }) { continue }
            total += value
        }
        return total
    }

    /// `name`'s SQLite file.
    func databasePath(_ name: String) -> String {
        let file = Executables.services.first { $0.name == name }!.database
        return nodes[name]!.data.appendingPathComponent(file).path
    }

    /// The browser's view of a URL: status and body, following redirects.
    static func browse(_ url: String) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
