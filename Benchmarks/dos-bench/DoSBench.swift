import ArgumentParser
import BenchKit
import RPCNIO
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// What one client (or many) can do to the gateway, measured against the real executables
/// (catalog-svc, dossier-svc and the gateway, started here on loopback with the shipped
/// limits; `127.0.0.1` is the trusted proxy, so each simulated client has its own address in
/// `X-Forwarded-For`). Two figures (docs/performance.md, "Denial of service"):
///
/// 1. **Maximal bodies.** `--uploaders` clients with an agency's API key each send, again and
///    again, a 72 MiB JSON submission (50 MiB of files in base64, the largest accepted), plus
///    as many anonymous clients; the gateway's resident memory is sampled throughout and its
///    peak printed beside the bound (`large_bodies_mib`, 512 MiB; the allowances per caller are
///    set out of reach so that the budget, not one key's share, is what binds).
/// 2. **Sign-in flood.** `--victims` clients read portal pages and JSON for `--seconds`
///    seconds alone, then again while `--flooders` clients, each from addresses of its own, send
///    bogus sign-ins as fast as they are answered; the victims' success rate and latency in
///    both phases, and how the flood was answered.
@main
struct DoSBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dos-bench",
        abstract: "The gateway under maximal bodies and a sign-in flood: its memory, other clients' success rate.")

    @Option(help: "Clients with an API key sending maximal bodies (and as many anonymous ones).")
    var uploaders = 16

    @Option(help: "Maximal bodies each uploader sends.")
    var bodies = 4

    @Option(help: "Clients reading pages and JSON during the flood.")
    var victims = 8

    @Option(help: "Clients flooding the sign-in.")
    var flooders = 64

    @Option(help: "Seconds of each phase of the flood measurement.")
    var seconds = 10

    func run() async throws {
        let catalog = try await ChildService("catalog-svc")
        defer { catalog.stop() }
        let dossier = try await ChildService("dossier-svc", arguments: ["--catalog", catalog.address.description])
        defer { dossier.stop() }
        let gateway = try await ChildService("gateway", arguments: [
            "--catalog", catalog.address.description, "--dossier", dossier.address.description, "--http", "127.0.0.1:0",
        ], config: ["trusted_proxies": "127.0.0.1", "rate_per_upload": "1000000", "large_bodies_per_caller": "1000"])
        defer { gateway.stop() }
        let root = try await gateway.httpRoot()
        let key = try gateway.makeAPIKey(agency: "000.00.07.H26", label: "dos-bench")
        let session = Self.session()

        // 1. Maximal bodies.
        let files = Data(repeating: 0x25, count: 50 << 20).base64EncodedString()
        let body = Data(#"{"agencyCode":"000.00.07.H26","procedureCode":"khong-co","attachments":[{"name":"a.pdf","content":"\#(files)"}]}"#.utf8)
        let baseline = try Self.residentMiB(gateway.pid)
        let peak = Shared(baseline)
        let pid = gateway.pid
        let sampling = Task {
            while !Task.isCancelled {
                if let now = try? Self.residentMiB(pid) { peak.update { $0 = Swift.max($0, now) } }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let statuses = Shared([Int: Int]())
        let started = ContinuousClock.now
        let (uploaders, bodies) = (uploaders, bodies)
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<(uploaders * 2) {
                group.addTask {
                    for _ in 0..<bodies {
                        var request = URLRequest(url: URL(string: root + "/api/v1/dvc.gateway.v1.DossierService/SubmitDossier")!)
                        request.httpMethod = "POST"
                        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                        request.setValue("10.1.\(n / 250).\(n % 250 + 1)", forHTTPHeaderField: "X-Forwarded-For")
                        // Half the clients have the key, half none.
                        if n % 2 == 0 { request.setValue(key, forHTTPHeaderField: "Authorization") }
                        let status = (try? await session.upload(for: request, from: body).1 as? HTTPURLResponse)?.statusCode ?? 0
                        statuses.update { $0[status, default: 0] += 1 }
                    }
                }
            }
        }
        sampling.cancel()
        let elapsed = ContinuousClock.now - started
        let bound = 512
        print("maximal bodies: \(uploaders) clients with a key + \(uploaders) without, \(bodies) bodies of \(body.count >> 20) MiB each, in \(elapsed)")
        print("  answers: \(statuses.value.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " "))")
        print("  gateway resident memory: \(baseline) MiB before, peak \(peak.value) MiB (large-body budget: \(bound) MiB)")

        // 2. Sign-in flood.
        let quiet = try await Self.victims(victims, root: root, seconds: seconds, flood: nil)
        let flooded = try await Self.victims(victims, root: root, seconds: seconds, flood: flooders)
        for (name, result) in [("alone", quiet), ("during the flood", flooded)] {
            print("victims \(name): \(result.requests) requests, \(String(format: "%.2f", result.successRate * 100))% answered 2xx, "
                  + "p50 \(result.p50Ms) ms, p99 \(result.p99Ms) ms")
        }
        print("  sign-in flood answers: \(flooded.flood.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " "))")
    }

    struct Phase {
        var requests = 0
        var successes = 0
        var latenciesMs: [Int] = []
        var flood: [Int: Int] = [:]
        var successRate: Double { requests == 0 ? 0 : Double(successes) / Double(requests) }
        var p50Ms: Int { percentile(0.5) }
        var p99Ms: Int { percentile(0.99) }
        func percentile(_ p: Double) -> Int {
            let sorted = latenciesMs.sorted()
            return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
    }

    /// `count` clients reading a procedure page and a JSON search in turn for `seconds`, while
    /// `flood` clients (if any) send bogus sign-ins.
    static func victims(_ count: Int, root: String, seconds: Int, flood: Int?) async throws -> Phase {
        // The victims and the flood each have their own connections, as separate clients would.
        let session = Self.session()
        let flooding = Self.session()
        let result = Shared(Phase())
        let deadline = ContinuousClock.now + .seconds(seconds)
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<count {
                group.addTask {
                    var turn = 0
                    while ContinuousClock.now < deadline {
                        turn += 1
                        var request: URLRequest
                        if turn % 2 == 0 {
                            request = URLRequest(url: URL(string: root + "/")!)
                        } else {
                            request = URLRequest(url: URL(string: root + "/api/v1/dvc.gateway.v1.PublicService/SearchProcedures")!)
                            request.httpMethod = "POST"
                            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                            request.httpBody = Data(#"{"query":"khai sinh"}"#.utf8)
                        }
                        // Ordinary clients, each well within its address's allowance.
                        request.setValue("10.2.\(n).\(turn % 250 + 1)", forHTTPHeaderField: "X-Forwarded-For")
                        let start = ContinuousClock.now
                        let status = (try? await session.data(for: request).1 as? HTTPURLResponse)?.statusCode ?? 0
                        let ms = Int((ContinuousClock.now - start).components.attoseconds / 1_000_000_000_000_000
                                     + (ContinuousClock.now - start).components.seconds * 1000)
                        result.update {
                            $0.requests += 1
                            if (200..<300).contains(status) { $0.successes += 1 }
                            $0.latenciesMs.append(ms)
                        }
                    }
                }
            }
            for n in 0..<(flood ?? 0) {
                group.addTask {
                    var turn = 0
                    while ContinuousClock.now < deadline {
                        turn += 1
                        var request = URLRequest(url: URL(string: root + "/api/v1/sessions")!)
                        request.httpMethod = "POST"
                        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                        // A botnet: every attempt from another address, for another made-up id.
                        request.setValue("10.\(3 + n / 250).\(n % 250).\(turn % 250 + 1)", forHTTPHeaderField: "X-Forwarded-For")
                        request.httpBody = Data(#"{"id":"0010990\#(String(format: "%05d", (n * 7919 + turn) % 100_000))","password":"doan bua \#(turn)"}"#.utf8)
                        let status = (try? await flooding.data(for: request).1 as? HTTPURLResponse)?.statusCode ?? 0
                        result.update { $0.flood[status, default: 0] += 1 }
                    }
                }
            }
        }
        return result.value
    }

    /// A client with as many connections as it has requests in flight (URLSession's default is
    /// six a host, which would queue the clients behind one another inside this process).
    static func session() -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 512
        configuration.timeoutIntervalForRequest = 120
        return URLSession(configuration: configuration)
    }

    /// VmRSS of a process, in MiB.
    static func residentMiB(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else {
            throw BenchError("no VmRSS for pid \(pid)")
        }
        return kib / 1024
    }
}

/// A value several tasks update.
final class Shared<Value: Sendable>: Sendable {
    private let state: Mutex<Value>
    init(_ value: Value) { state = Mutex(value) }
    func update(_ change: (inout Value) -> Void) { state.withLock { change(&$0) } }
    var value: Value { state.withLock { $0 } }
}
