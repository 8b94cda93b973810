import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import RPCCore
import RPCNIO
import Synchronization
import TestKit
import Testing

/// One client against the real gateway's HTTP side: bodies it may not send are refused before
/// they are read, a sign-in flood is refused at once instead of queueing, wrong credentials stop
/// being looked up. Each would hold the gateway (or everyone's access to it) before.
@Suite(.timeLimit(.minutes(3))) struct GatewayDoSTests {
    /// Sends `head` (request line and headers, no body or part of one) on a raw connection and
    /// returns the start of the answer, or nil when none came within `timeout` — a gateway that
    /// waits for the rest of a body before answering gives none.
    static func answerWithoutBody(_ root: String, _ head: String, body: [UInt8] = [], timeout: Duration = .seconds(5)) throws -> String? {
        let url = try #require(URL(string: root))
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(url.port ?? 80).bigEndian)
        inet_pton(AF_INET, url.host ?? "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        var wait = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(head.utf8) + body
        var buffer = [UInt8](repeating: 0, count: 4096)
        var count = 0
        var sent = 0
        // In pieces, looking for an answer between them: a server that refuses a body answers
        // and closes while it is still being sent, and once the connection is reset an answer
        // not yet read is lost.
        while sent < bytes.count, count <= 0 {
            let piece = min(16 << 10, bytes.count - sent)
            let written = bytes[sent..<(sent + piece)].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { break }
            sent += written
            count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        }
        if count <= 0 { count = recv(fd, &buffer, buffer.count, 0) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// The status of the answer to `head` (and `body`), or nil when none came in time.
    static func statusWithoutBody(_ root: String, _ head: String, body: [UInt8] = [], timeout: Duration = .seconds(5)) throws -> Int? {
        let answer = try answerWithoutBody(root, head, body: body, timeout: timeout) ?? ""
        let line = answer.split(separator: "\r\n").first ?? ""
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    static func head(_ path: String, length: Int, headers: [String: String] = [:]) -> String {
        var text = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(length)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return text + "\r\n"
    }

    final class Statuses: Sendable {
        let list = Mutex<[Int]>([])
    }

    static let submit = "/api/v1/dvc.gateway.v1.DossierService/SubmitDossier"

    @Test("bodies: every method's limit before reading; large ones only for a known caller, within its allowance and the budget")
    func bodiesAreBoundedBeforeTheyAreRead() async throws {
        let config = try GatewayAdmissionTests.config(["large_bodies_mib": "1", "large_bodies_per_caller": "2", "rate_per_upload": "1",
                                                          "trusted_proxies": "127.0.0.1"])
        try await withHTTPGateway(gatewayArguments: ["--config", config]) { platform in
            let root = platform.root
            let key = try await makeAPIKey(gatewayData: try #require(platform.gateway.dataDirectory), agency: "000.00.07.H26", scopes: "citizens")
            // Anonymous: a maximal submission is refused (401) from its headers, its 72 MiB never read.
            #expect(try Self.statusWithoutBody(root, Self.head(Self.submit, length: 72 << 20)) == 401)
            // With a key, a body declared over the method's limit: 413 at once.
            #expect(try Self.statusWithoutBody(root, Self.head(Self.submit, length: 80 << 20, headers: ["Authorization": key])) == 413)
            // A method without files takes 256 KiB, declared or streamed.
            #expect(try Self.statusWithoutBody(root, Self.head("/api/v1/dvc.gateway.v1.PublicService/SearchProcedures", length: 300 << 10)) == 413)
            // Sent in chunks with no length declared: refused once it streams past the limit.
            let chunk = [UInt8](repeating: 0x61, count: 300 << 10)
            let chunked = "POST /api/v1/dvc.gateway.v1.PublicService/SearchProcedures HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + String(chunk.count, radix: 16) + "\r\n"
            #expect(try Self.statusWithoutBody(root, chunked, body: chunk + Array("\r\n".utf8)) == 413)

            // A budget of 1 MiB: while a body that declared 1 MiB is being read (sent slowly here),
            // another is refused at once with 503 and Retry-After, before its body is read.
            // (A JSON body reserves four times its size: what it costs while decoded and sent on.)
            let slow = Task.detached { try Self.statusWithoutBody(root, Self.head(Self.submit, length: 200 << 10, headers: [
                "Authorization": key, "X-Forwarded-For": "203.0.113.1"]), timeout: .seconds(4)) }
            try await Task.sleep(for: .milliseconds(500))
            let busy = try Self.answerWithoutBody(root, Self.head(Self.submit, length: 100 << 10, headers: [
                "Authorization": key, "X-Forwarded-For": "203.0.113.2"])) ?? ""
            #expect(busy.hasPrefix("HTTP/1.1 503") && busy.lowercased().contains("retry-after: 2"), "\(busy)")
            #expect(try await slow.value == nil, "the slow body is still awaited, holding its reservation")
            // The budget free again; the key's allowance of large requests (1/s, burst 2) runs out next.
            try await Task.sleep(for: .seconds(2))
            var statuses: [Int] = []
            for _ in 0..<4 {
                statuses.append(try await CitizenAccountHTTPTests.call("POST", root + Self.submit, json: ["agencyCode": "000.00.07.H26"],
                                                                       headers: ["Authorization": key]).status)
            }
            #expect(statuses.first != 503 && statuses.first != 429 && statuses.contains(429), "\(statuses)")
        }
    }

    @Test("a sign-in flood from many addresses is refused at once beyond the hashing queue (503); everyone else is served")
    func signInFloodLeavesOthersServed() async throws {
        let config = try GatewayAdmissionTests.config(["trusted_proxies": "127.0.0.1"])
        try await withHTTPGateway(gatewayArguments: ["--config", config]) { platform in
            let root = platform.root
            // Many connections at once, as many clients would open (URLSession's default is 6 a host).
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpMaximumConnectionsPerHost = 100
            let wide = URLSession(configuration: configuration)
            let flood = Statuses()
            let others = Statuses()
            await withTaskGroup(of: Void.self) { group in
                for n in 0..<48 {
                    group.addTask {
                        var request = URLRequest(url: URL(string: root + "/api/v1/sessions")!)
                        request.httpMethod = "POST"
                        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                        request.setValue("10.9.0.\(n + 1)", forHTTPHeaderField: "X-Forwarded-For")
                        request.httpBody = Data(#"{"id":"00109901\#(String(format: "%04d", n))","password":"doan bua \#(n)"}"#.utf8)
                        let sent = ContinuousClock.now
                        let status = (try? await wide.data(for: request).1 as? HTTPURLResponse)?.statusCode ?? 0
                        // A refusal's wait, in tenths of a second, kept beside its status.
                        let tenths = Int((ContinuousClock.now - sent).components.seconds * 10)
                        flood.list.withLock { $0.append(status == 503 ? 503_000 + tenths : status) }
                    }
                }
                for n in 0..<16 {
                    group.addTask {
                        let answer = try? await GatewayAdmissionTests.get(root + "/thu-tuc?q=khai+sinh", headers: ["X-Forwarded-For": "10.8.0.\(n + 1)"],
                                                                          session: wide)
                        others.list.withLock { $0.append(answer?.status ?? 0) }
                    }
                }
            }
            let answers = flood.list.withLock { $0 }
            let statuses = answers.map { $0 >= 503_000 ? 503 : $0 }
            #expect(statuses.contains(503), "beyond the bounded queue the flood is refused: \(statuses.sorted())")
            #expect(statuses.allSatisfy { $0 == 401 || $0 == 503 }, "\(statuses.sorted())")
            // Refused at once, not after waiting behind the hashes (48 of them would take tens of
            // seconds on two threads).
            let waits = answers.filter { $0 >= 503_000 }.map { $0 - 503_000 }
            #expect(waits.allSatisfy { $0 < 30 }, "503s after (tenths of a second): \(waits.sorted())")
            let served = others.list.withLock { $0 }
            #expect(served.count == 16 && served.allSatisfy { $0 == 200 }, "\(served)")
        }
    }

    @Test("wrong credentials: after ten from one address, its credentials are not even looked up; another address is served")
    func wrongCredentialsFromOneAddress() async throws {
        let config = try GatewayAdmissionTests.config(["trusted_proxies": "127.0.0.1"])
        try await withHTTPGateway(gatewayArguments: ["--config", config]) { platform in
            let root = platform.root
            let key = try await makeAPIKey(gatewayData: try #require(platform.gateway.dataDirectory), agency: "000.00.07.H26", scopes: "citizens")
            let search = root + "/api/v1/dvc.gateway.v1.PublicService/SearchProcedures"
            var statuses: [Int] = []
            for n in 0..<14 {
                statuses.append(try await CitizenAccountHTTPTests.call("POST", search, json: ["query": "a"], headers: [
                    "Authorization": "Bearer gia-mao-\(n)", "X-Forwarded-For": "203.0.113.50"]).status)
            }
            // Ten, then one every ten seconds: of the four after the tenth, at most one is looked up.
            #expect(statuses.prefix(10).allSatisfy { $0 == 401 } && statuses.suffix(4).filter { $0 == 429 }.count >= 3, "\(statuses)")
            // Even a good key from that address waits its turn; from another address it is served.
            #expect(try await CitizenAccountHTTPTests.call("POST", search, json: ["query": "a"], headers: [
                "Authorization": key, "X-Forwarded-For": "203.0.113.50"]).status == 429)
            #expect(try await CitizenAccountHTTPTests.call("POST", search, json: ["query": "a"], headers: [
                "Authorization": key, "X-Forwarded-For": "203.0.113.51"]).status == 200)

            // The binary RPC door, by the connection's address.
            let client = RPCClient(peers: [platform.gateway.address])
            defer { Task { await client.close() } }
            var codes: [StatusCode] = []
            var kinds: Set<String> = []
            for n in 0..<14 {
                var options = CallOptions(timeout: .seconds(10))
                options.metadata[MetadataKey.authorization] = "ApiKey k\(n).sai"
                do {
                    _ = try await client.unary(GatewayV1.PublicService.searchProcedures, GatewayAdmissionTests.search, options: options)
                    codes.append(.ok)
                } catch let error as RPCError {
                    codes.append(error.code)
                    if error.code == .resourceExhausted { kinds.insert(error.metadata["dvc-rate-limit"] ?? "") }
                }
            }
            #expect(codes.prefix(10).allSatisfy { $0 == .unauthenticated } && codes.suffix(4).filter { $0 == .resourceExhausted }.count >= 3,
                    "\(codes)")
            #expect(kinds == ["credentials"])
        }
    }
}
