import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import RPCNIO
import Synchronization
import TestKit
import Testing

/// The gateway under more than it should serve (docs/gateway.md "Overload and rate limits"):
/// per-client rate limits by address, person and API key, each client with its own allowance;
/// and load shedding, where the excess over the gateway's capacity is refused at once
/// (RESOURCE_EXHAUSTED / HTTP 503 with Retry-After) instead of queued, and the gateway serves
/// normally the moment the load drops.
@Suite(.timeLimit(.minutes(3))) struct GatewayAdmissionTests {
    /// A gateway config file with `settings`.
    static func config(_ settings: [String: String]) throws -> String {
        let file = try makeTemporaryFolder("gateway-config").appendingPathComponent("gateway.conf")
        try settings.map { "\($0.key)=\($0.value)\n" }.joined().write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    static func get(_ url: String, headers: [String: String] = [:], session: URLSession = .shared) async throws -> CitizenAccountHTTPTests.Answer {
        var request = URLRequest(url: try #require(URL(string: url)))
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return CitizenAccountHTTPTests.Answer(status: http.statusCode, headers: fields, json: object,
                                             text: String(decoding: data, as: UTF8.self))
    }

    static let search: CatalogV1.SearchProceduresRequest = {
        var request = CatalogV1.SearchProceduresRequest()
        request.query = "khai sinh"
        return request
    }()

    /// Ten calls in a row under a limit of 1 a second (a burst of 2): the first two pass and
    /// (allowing for a slow machine refilling a token or two meanwhile) most of the rest are
    /// refused, each saying which limit and how long to wait.
    static func expectLimited(_ kind: String, sourceLocation: SourceLocation = #_sourceLocation,
                              _ call: () async throws -> Void) async throws {
        var outcomes: [RPCError?] = []
        for _ in 0..<10 {
            do { try await call(); outcomes.append(nil) } catch let error as RPCError { outcomes.append(error) }
        }
        #expect(outcomes.prefix(2).allSatisfy { $0 == nil }, "\(outcomes)", sourceLocation: sourceLocation)
        let refused = outcomes.compactMap { $0 }
        #expect(refused.count >= 6, "only \(refused.count) of 10 refused", sourceLocation: sourceLocation)
        for error in refused {
            #expect(error.code == .resourceExhausted && error.metadata["dvc-rate-limit"] == kind, "\(error)", sourceLocation: sourceLocation)
            #expect((Int(error.metadata["retry-after-ms"] ?? "") ?? 0) > 0, sourceLocation: sourceLocation)
        }
    }

    @Test("rate limits per address, per person and per API key: each client its own allowance, refusals with Retry-After")
    func rateLimits() async throws {
        let config = try Self.config(["rate_per_address": "1", "rate_per_person": "1", "rate_per_key": "1",
                                      "trusted_proxies": "127.0.0.1"])
        try await withHTTPGateway(gatewayArguments: ["--config", config]) { platform in
            let root = platform.root
            // HTTP, by address: the proxy in front (here: loopback, listed as trusted) names the client.
            let first = ["X-Forwarded-For": "203.0.113.7"]
            var pages: [CitizenAccountHTTPTests.Answer] = []
            for _ in 0..<10 { pages.append(try await Self.get(root + "/thu-tuc?q=khai+sinh", headers: first)) }
            #expect(pages.prefix(2).allSatisfy { $0.status == 200 }, "\(pages.map(\.status))")
            let refusedPages = pages.filter { $0.status == 429 }
            #expect(refusedPages.count >= 6, "\(pages.map(\.status))")
            let page = try #require(refusedPages.first)
            #expect(page.text.contains("Có quá nhiều yêu cầu từ địa chỉ mạng của bạn") && page.text.contains("<html lang=\"vi\">"))
            #expect((Int(page.headers["retry-after"] ?? "") ?? 0) >= 1)
            // The JSON API answers the same refusal as a problem document.
            let api = try await CitizenAccountHTTPTests.call("POST", root + "/api/v1/dvc.gateway.v1.PublicService/SearchProcedures",
                                                              json: ["query": "khai sinh"], headers: first)
            #expect(api.status == 429 && api.headers["content-type"]?.hasPrefix("application/problem+json") == true)
            #expect(api.json["title"] as? String == "Quá nhiều yêu cầu" && api.headers["retry-after"] != nil)
            // Another client is not affected; entries a client adds to the left of the header
            // are not believed (the right-most one is what the trusted proxy saw).
            #expect(try await Self.get(root + "/thu-tuc?q=ho+tich", headers: ["X-Forwarded-For": "203.0.113.8"]).status == 200)
            let madeUp = try await Self.get(root + "/thu-tuc?q=ho+tich", headers: ["X-Forwarded-For": "198.51.100.99, 203.0.113.7"])
            #expect(madeUp.status == 429)

            // Binary RPC, anonymous: by the connection's address.
            let client = RPCClient(peers: [platform.gateway.address])
            defer { Task { await client.close() } }
            try await Self.expectLimited("address") {
                _ = try await client.unary(GatewayV1.PublicService.searchProcedures, Self.search, options: CallOptions(timeout: .seconds(10)))
            }

            // By API key, whoever it acts for; another key has its own allowance, and a key id
            // sent with a wrong secret spends nothing of the real key's.
            let gatewayData = platform.gateway.scratch.appendingPathComponent("data")
            let keyA = try await makeAPIKey(gatewayData: gatewayData, agency: "000.01.20.H26", scopes: "citizens")
            let keyB = try await makeAPIKey(gatewayData: gatewayData, agency: "000.01.20.H26", scopes: "citizens")
            let forged = String(keyA.prefix { $0 != "." }) + ".sai-bi-mat"
            for _ in 0..<5 {
                let error = await rpcError {
                    try await client.unary(GatewayV1.PublicService.searchProcedures, Self.search,
                                           options: PaymentFlowTests.options(forged))
                }
                #expect(error?.code == .unauthenticated)
            }
            try await Self.expectLimited("key") {
                _ = try await client.unary(GatewayV1.PublicService.searchProcedures, Self.search,
                                           options: PaymentFlowTests.options(keyA, as: "citizen:001099012345"))
            }
            _ = try await client.unary(GatewayV1.PublicService.searchProcedures, Self.search, options: PaymentFlowTests.options(keyB))
            // The wait it names is enough: after it, the key is served again.
            let refusal = await rpcError {
                try await client.unary(GatewayV1.PublicService.searchProcedures, Self.search, options: PaymentFlowTests.options(keyA))
            }
            let wait = Int(refusal?.metadata["retry-after-ms"] ?? "") ?? 0
            #expect(wait > 0 && wait <= 1_001)
            try await Task.sleep(for: .milliseconds(wait + 50))
            _ = try await client.unary(GatewayV1.PublicService.searchProcedures, Self.search, options: PaymentFlowTests.options(keyA))

            // By person: a signed-in citizen's calls, whichever door; another citizen is not affected.
            var tokens: [String] = []
            for (n, id) in ["001099012345", "001099012346"].enumerated() {
                let proxy = ["X-Forwarded-For": "192.0.2.\(n * 2 + 1)"]
                let made = try await CitizenAccountHTTPTests.call(
                    "POST", root + "/api/v1/citizens", json: ["id": id, "password": "Hoa sen 2026!", "full_name": "Nguyễn Văn An"], headers: proxy)
                #expect(made.status == 202)
                let signedIn = try await CitizenAccountHTTPTests.call(
                    "POST", root + "/api/v1/sessions", json: ["id": id, "password": "Hoa sen 2026!"],
                    headers: ["X-Forwarded-For": "192.0.2.\(n * 2 + 2)"])
                tokens.append(try #require(signedIn.json["token"] as? String))
            }
            func asCitizen(_ token: String) -> CallOptions {
                CallOptions(timeout: .seconds(10), metadata: [MetadataKey.authorization: "Bearer \(token)"])
            }
            try await Self.expectLimited("person") {
                _ = try await client.unary(GatewayV1.PublicService.searchProcedures, Self.search, options: asCitizen(tokens[0]))
            }
            _ = try await client.unary(GatewayV1.PublicService.searchProcedures, Self.search, options: asCitizen(tokens[1]))
        }
    }

    @Test("a bad limit in the config stops the gateway at start, naming the key")
    func badLimits() async throws {
        for (key, value) in [("rate_per_key", "nhiều"), ("rate_per_address", "-1"), ("max_in_flight", "0")] {
            let finished = try await runToCompletion(try Executables.url("gateway"), [
                "--listen", "127.0.0.1:0", "--data-dir", try makeTemporaryFolder("gateway-bad").path,
                "--catalog", "127.0.0.1:1", "--config", try Self.config([key: value]),
            ])
            #expect(finished.exited && finished.status != 0 && finished.stderr.contains(key), "\(key)=\(value): \(finished)")
        }
    }

    @Test("behind a TLS proxy (an https public_url) the gateway will not start without trusted_proxies, nor with a malformed one")
    func proxyWithoutTrustedProxies() async throws {
        for (settings, named) in [(["public_url": "https://dichvucong.example.gov.vn"], "trusted_proxies"),
                                  (["public_url": "https://dichvucong.example.gov.vn", "trusted_proxies": "proxy.example"], "proxy.example")] {
            let finished = try await runToCompletion(try Executables.url("gateway"), [
                "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data-dir", try makeTemporaryFolder("gateway-proxy").path,
                "--catalog", "127.0.0.1:1", "--config", try Self.config(settings),
            ])
            #expect(finished.exited && finished.status != 0 && finished.stderr.contains(named), "\(settings): \(finished)")
        }
    }

    final class Tally: Sendable {
        let state = Mutex((accepted: [Duration](), refused: [Duration](), other: [String]()))
    }

    @Test("overload: the excess is refused at once (RESOURCE_EXHAUSTED, HTTP 503 + Retry-After), the rest served in time, recovery at once")
    func overload() async throws {
        let config = try Self.config(["max_in_flight": "4", "rate_per_address": "0", "rate_per_person": "0", "rate_per_key": "0"])
        try await withHTTPGateway(gatewayArguments: ["--config", config]) { platform in
            let gatewayData = platform.gateway.scratch.appendingPathComponent("data")
            let key = try await makeAPIKey(gatewayData: gatewayData, agency: "000.01.20.H26", scopes: "citizens")
            // Far more than 4 in flight, for 2 s: 200 callers on four connections, each sending
            // its next submission (with an attachment) the moment the last one is answered,
            // refused or not — clients that do not back off.
            let clients = (0..<4).map { _ in RPCClient(peers: [platform.gateway.address]) }
            defer { Task { for client in clients { await client.close() } } }
            let deadline = Duration.seconds(20)
            /// 200 callers submitting without pause for `seconds`; what each call got.
            func saturate(for seconds: Int, round: String) async -> Tally {
                let tally = Tally()
                let end = ContinuousClock.now + .seconds(seconds)
                await withTaskGroup(of: Void.self) { group in
                    for caller in 0..<200 {
                        group.addTask {
                            var n = 0
                            while ContinuousClock.now < end {
                                n += 1
                                var options = PaymentFlowTests.options(key, as: "citizen:001099012345",
                                                                       idempotencyKey: "overload-\(round)-\(caller)-\(n)")
                                options.timeout = deadline
                                let started = ContinuousClock.now
                                do {
                                    _ = try await clients[caller % 4].unary(GatewayV1.DossierService.submitDossier,
                                                                            ShardingTests.submission("000.01.20.H26"), options: options)
                                    tally.state.withLock { $0.accepted.append(.now - started) }
                                } catch let error as RPCError where error.code == .resourceExhausted
                                            && error.metadata["retry-after-ms"] == "1000" && error.message.contains("quá tải") {
                                    tally.state.withLock { $0.refused.append(.now - started) }
                                } catch {
                                    tally.state.withLock { $0.other.append("\(error)") }
                                }
                            }
                        }
                    }
                }
                return tally
            }
            let tally = await saturate(for: 2, round: "rpc")
            let (accepted, refused, other) = tally.state.withLock { ($0.accepted, $0.refused, $0.other) }
            func p99(_ values: [Duration]) -> Duration { values.isEmpty ? .zero : values.sorted()[min(values.count - 1, values.count * 99 / 100)] }
            print("overload over RPC: \(accepted.count) accepted (p99 \(p99(accepted)), slowest \(accepted.max() ?? .zero)), "
                  + "\(refused.count) refused (p99 \(p99(refused))), \(other.count) other")
            #expect(other.isEmpty, "\(other.prefix(3))")
            // Served all along (more than one capacity's worth), the excess refused.
            #expect(accepted.count > 4 && refused.count > accepted.count)
            // Bounded: nothing accepted ran into its deadline (which would show as DEADLINE_EXCEEDED above).
            #expect((accepted.max() ?? .zero) < deadline)

            // The HTTP door shares that capacity: while the RPC callers keep it full, pages are
            // refused with 503, Retry-After and a page saying why. (A burst of pages alone may
            // never have five in flight at once: a cached catalog page takes a millisecond.)
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpMaximumConnectionsPerHost = 64
            let browsers = URLSession(configuration: configuration)
            async let busy = saturate(for: 3, round: "beside-http")
            try await Task.sleep(for: .milliseconds(300))
            // What each request got: status, Retry-After, page.
            let answers = try await withThrowingTaskGroup(of: (Int, String?, String).self) { group in
                for n in 0..<200 {
                    group.addTask {
                        let answer = try await Self.get(platform.root + "/thu-tuc?q=\(["khai+sinh", "ket+hon", "giay+phep"][n % 3])",
                                                        session: browsers)
                        return (answer.status, answer.headers["retry-after"], answer.text)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let statuses = answers.map(\.0)
            print("overload over HTTP: \(statuses.filter { $0 == 200 }.count) served, \(statuses.filter { $0 == 503 }.count) refused")
            #expect(Set(statuses).isSubset(of: [200, 503]), "\(Set(statuses))")
            let shed = try #require(answers.first { $0.0 == 503 }, "no HTTP request was refused")
            #expect(shed.1 == "1" && shed.2.contains("Hệ thống đang quá tải"))
            let beside = await busy
            #expect(beside.state.withLock { $0.other.isEmpty && !$0.accepted.isEmpty })

            // The load is gone: served at once, by both doors.
            let started = ContinuousClock.now
            _ = try await clients[0].unary(GatewayV1.DossierService.submitDossier, ShardingTests.submission("000.01.20.H26"),
                                           options: PaymentFlowTests.options(key, as: "citizen:001099012345", idempotencyKey: "after"))
            #expect(try await Self.get(platform.root + "/thu-tuc?q=ho+tich").status == 200)
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }
}
