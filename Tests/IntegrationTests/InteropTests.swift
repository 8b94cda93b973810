import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// The interop cases of gRPC's interop test descriptions, against the real
/// `rpc-interop-server` process over TCP with our Swift client.
///
/// Response metadata of a successful call is not visible through `RPCClient.unary` (it returns
/// only the response message); the metadata echo of an OK call is checked by
/// Tests/python/dvc_rpc_client.py (PythonClientTests), and here on failed calls, whose
/// `RPCError` carries the response metadata.
@Suite struct InteropTests {
    static let server = Executables.interopServer

    /// "Hồ sơ không hợp lệ:<TAB>thiếu giấy tờ<LF>", "Nguyễn" decomposed (NFD), CRLF, a family
    /// emoji (ZWJ sequence) and the flag of Viet Nam: every byte must come back unchanged.
    static let statusMessage = "H\u{1ED3} s\u{1A1} kh\u{F4}ng h\u{1EE3}p l\u{1EC7}:\tthi\u{1EBF}u gi\u{1EA5}y t\u{1EDD}\n"
        + "Nguye\u{302}\u{303}n \u{2014} \r\n"
        + "\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466} \u{1F1FB}\u{1F1F3}"

    static func request(payload: Data = Data(), responseSize: UInt32 = 0, sleepMs: UInt32 = 0,
                        status: (UInt32, String)? = nil) -> TestingV1.SimpleRequest {
        var request = TestingV1.SimpleRequest()
        request.payload = payload
        request.responseSize = responseSize
        request.sleepMs = sleepMs
        if let status {
            var echo = TestingV1.EchoStatus()
            echo.code = status.0
            echo.message = status.1
            request.responseStatus = echo
        }
        return request
    }

    static let fiveSeconds = CallOptions(timeout: .seconds(5))

    @Test("empty_unary: EmptyCall answers an empty message")
    func emptyUnary() async throws {
        try await withService(Self.server) { server in
            try await withClient(server) { client in
                let response = try await client.unary(TestingV1.TestService.emptyCall, TestingV1.Empty(),
                                                      options: Self.fiveSeconds)
                #expect(response == TestingV1.Empty())
            }
        }
    }

    @Test("large_unary: 1 MiB request, 1 MiB response; and 1 MiB echoed intact")
    func largeUnary() async throws {
        let size = 1 << 20
        let payload = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) })
        try await withService(Self.server) { server in
            try await withClient(server) { client in
                let options = CallOptions(timeout: .seconds(20))
                let sized = try await client.unary(
                    TestingV1.TestService.unaryCall, Self.request(payload: payload, responseSize: UInt32(size)),
                    options: options)
                #expect(sized.payload.count == size)
                #expect(sized.payload.allSatisfy { $0 == 0 }, "response_size asks for zero bytes")
                let echoed = try await client.unary(
                    TestingV1.TestService.unaryCall, Self.request(payload: payload), options: options)
                #expect(echoed.payload == payload, "the 1 MiB echo came back different (\(echoed.payload.count) bytes)")
            }
        }
    }

    @Test("status_code_and_message: every code 1…16, message byte for byte")
    func statusCodeAndMessage() async throws {
        try await withService(Self.server) { server in
            try await withClient(server) { client in
                for code in UInt32(1)...16 {
                    let error = await rpcError {
                        try await client.unary(TestingV1.TestService.unaryCall,
                                               Self.request(payload: Data("x".utf8), status: (code, Self.statusMessage)),
                                               options: Self.fiveSeconds)
                    }
                    #expect(error?.code == StatusCode(wireValue: code), "code \(code): got \(String(describing: error))")
                    #expect(error.map { sameBytes($0.message, Self.statusMessage) } == true,
                            "code \(code): message bytes \(Array((error?.message ?? "").utf8)), want \(Array(Self.statusMessage.utf8))")
                }
                // A status with code 0 is no failure: the call answers normally.
                let ok = try await client.unary(TestingV1.TestService.unaryCall,
                                                Self.request(payload: Data("ok".utf8), status: (0, "ignored")),
                                                options: Self.fiveSeconds)
                #expect(ok.payload == Data("ok".utf8))
            }
        }
    }

    @Test("custom_metadata: x-test-echo-* keys come back in the response metadata, others do not")
    func customMetadata() async throws {
        let sent: Metadata = [
            "x-test-echo-initial": "gi\u{E1} tr\u{1ECB} \u{1F389}",
            "x-test-echo-t\u{EA}n": "Nguye\u{302}\u{303}n",
            "x-other": "not echoed",
        ]
        try await withService(Self.server) { server in
            try await withClient(server) { client in
                let error = await rpcError {
                    try await client.unary(TestingV1.TestService.unaryCall,
                                           Self.request(status: (5, "not found")),
                                           options: CallOptions(timeout: .seconds(5), metadata: sent))
                }
                let got = error?.metadata ?? [:]
                let want = sent.filter { $0.key.hasPrefix("x-test-echo-") }
                let gotBytes = Set(got.map { [Array($0.key.utf8), Array($0.value.utf8)] })
                let wantBytes = Set(want.map { [Array($0.key.utf8), Array($0.value.utf8)] })
                #expect(gotBytes == wantBytes, "response metadata \(got), want \(want)")
            }
        }
    }

    @Test("timeout_on_sleeping_server: DEADLINE_EXCEEDED promptly, and the server carries on")
    func deadlineExceeded() async throws {
        try await withService(Self.server) { server in
            try await withClient(server) { client in
                let started = ContinuousClock.now
                let error = await rpcError {
                    try await client.unary(TestingV1.TestService.unaryCall, Self.request(sleepMs: 10_000),
                                           options: CallOptions(timeout: .milliseconds(300)))
                }
                let elapsed = ContinuousClock.now - started
                #expect(error?.code == .deadlineExceeded, "\(String(describing: error))")
                #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(2), "DEADLINE_EXCEEDED after \(elapsed)")
                // The connection and the server are fine.
                _ = try await client.unary(TestingV1.TestService.emptyCall, TestingV1.Empty(), options: Self.fiveSeconds)
            }
        }
    }

    @Test("cancel_after_begin: a sleeping call cancelled by its caller; the server stays healthy")
    func cancelWhileSleeping() async throws {
        try await withService(Self.server) { server in
            try await withClient(server) { client in
                let call = Task {
                    try await client.unary(TestingV1.TestService.unaryCall, Self.request(sleepMs: 10_000))
                }
                try await Task.sleep(for: .milliseconds(200))
                let cancelled = ContinuousClock.now
                call.cancel()
                let result = await call.result
                let elapsed = ContinuousClock.now - cancelled
                switch result {
                case .success(let response):
                    Issue.record("the cancelled call succeeded: \(response)")
                case .failure(let error):
                    let status = (error as? RPCError)?.code
                    #expect(status == .cancelled || error is CancellationError, "\(error)")
                }
                #expect(elapsed < .seconds(2), "the cancelled call returned after \(elapsed)")
                // The same connection serves the next calls, and the server still answers Health.
                _ = try await client.unary(TestingV1.TestService.emptyCall, TestingV1.Empty(), options: Self.fiveSeconds)
                let echoed = try await client.unary(TestingV1.TestService.unaryCall,
                                                    Self.request(payload: Data("after".utf8)), options: Self.fiveSeconds)
                #expect(echoed.payload == Data("after".utf8))
                #expect(try await health(client, "") == .serving)
            }
            // The server is told, and logs it; the handler's sleep is interrupted.
            let deadline = ContinuousClock.now + .seconds(3)
            while !server.stderr.contains("code=CANCELLED"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(server.stderr.contains("code=CANCELLED"), "the server did not log the cancelled call:\n\(server.stderr)")
        }
    }

    @Test("unimplemented_method and unimplemented_service: UNIMPLEMENTED")
    func unimplemented() async throws {
        try await withService(Self.server) { server in
            try await withClient(server) { client in
                let method = ProtoMethod<TestingV1.Empty, TestingV1.Empty>("/dvc.testing.v1.TestService/Nope")
                let service = ProtoMethod<TestingV1.Empty, TestingV1.Empty>("/dvc.testing.v1.NoService/X")
                let methodError = await rpcError { try await client.unary(method, TestingV1.Empty(), options: Self.fiveSeconds) }
                let serviceError = await rpcError { try await client.unary(service, TestingV1.Empty(), options: Self.fiveSeconds) }
                #expect(methodError?.code == .unimplemented, "\(String(describing: methodError))")
                #expect(serviceError?.code == .unimplemented, "\(String(describing: serviceError))")
                #expect(methodError?.message.contains("Nope") == true, "\(String(describing: methodError))")
                #expect(serviceError?.message.contains("dvc.testing.v1.NoService") == true, "\(String(describing: serviceError))")
                // Still serving.
                _ = try await client.unary(TestingV1.TestService.emptyCall, TestingV1.Empty(), options: Self.fiveSeconds)
            }
        }
    }

    @Test("many calls in flight on one connection, answered out of order")
    func multiplexed() async throws {
        try await withService(Self.server) { server in
            try await withClient(server) { client in
                let started = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<50 {
                        group.addTask {
                            let payload = Data("call \(index)".utf8)
                            let response = try await client.unary(
                                TestingV1.TestService.unaryCall,
                                Self.request(payload: payload, sleepMs: UInt32((49 - index) * 10)),
                                options: Self.fiveSeconds)
                            #expect(response.payload == payload)
                        }
                    }
                    try await group.waitForAll()
                }
                // Run one after another they would take 12 s; side by side about 0.5 s.
                let elapsed = ContinuousClock.now - started
                #expect(elapsed < .seconds(4), "50 sleeping calls took \(elapsed): not concurrent")
            }
        }
    }

    @Test("graceful drain: SIGTERM during a 1 s call; the call completes OK and the process exits 0")
    func gracefulDrain() async throws {
        let server = try await ServiceProcess.start(Self.server)
        let client = RPCClient(peers: [server.address])
        do {
            let payload = Data("finished during the drain".utf8)
            let call = Task {
                try await client.unary(TestingV1.TestService.unaryCall,
                                       Self.request(payload: payload, sleepMs: 1_000),
                                       options: CallOptions(timeout: .seconds(10)))
            }
            try await Task.sleep(for: .milliseconds(300))
            server.send(SIGTERM)
            let response = try await call.value
            #expect(response.payload == payload)
            #expect(server.stderr.contains("draining"), "no drain logged:\n\(server.stderr)")
            await client.close()
        } catch {
            await client.close()
            server.forceKill()
            Issue.record("rpc-interop-server stderr:\n\(server.stderr)")
            throw error
        }
        let exit = await server.expectExit(timeout: .seconds(5))
        #expect(exit == .success)
    }
}
