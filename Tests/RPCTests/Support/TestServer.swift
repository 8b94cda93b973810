import DVCProto
import Foundation
import InteropService
import Logging
import NIOCore
import RPCCore
import RPCNIO
import Testing

/// Methods only the tests serve, on a service of their own. Requests are `SimpleRequest`s
/// whose `payload` is a token naming the call in the probe's records.
enum ProbeMethods {
    static let service = "dvc.testing.v1.Probe"
    /// Sleeps `sleep_ms`, recording start, cancellation and end; echoes the token.
    static let sleep = ProtoMethod<TestingV1.SimpleRequest, TestingV1.SimpleResponse>("/\(service)/Sleep")
    /// Sleeps `sleep_ms` ignoring cancellation, like a handler stuck in work it cannot stop.
    static let stubborn = ProtoMethod<TestingV1.SimpleRequest, TestingV1.SimpleResponse>("/\(service)/Stubborn")
    /// Sleeps `sleep_ms` (if any), then records what the handler's context says.
    static let context = ProtoMethod<TestingV1.SimpleRequest, TestingV1.SimpleResponse>("/\(service)/Context")
}

/// What a handler's `ServerContext` said, as the probe recorded it.
struct SeenContext: Sendable {
    var method: String
    var metadata: Metadata
    var requestID: String
    var traceID: String
    var spanID: String
    var remainingTime: Duration?
    var downstream: CallOptions
    var downstreamAskingForAMinute: CallOptions
    var downstreamAskingForLittle: CallOptions
}

/// Where the probe handlers write what happened to them, for tests to query.
actor Probe {
    private(set) var started: [String: ContinuousClock.Instant] = [:]
    private(set) var cancelled: Set<String> = []
    private(set) var completed: Set<String> = []
    private(set) var contexts: [String: SeenContext] = [:]

    func start(_ token: String) { started[token] = .now }
    func cancel(_ token: String) { cancelled.insert(token) }
    func complete(_ token: String) { completed.insert(token) }
    func record(_ token: String, _ context: SeenContext) { contexts[token] = context }

    func hasStarted(_ token: String) -> Bool { started[token] != nil }
    func wasCancelled(_ token: String) -> Bool { cancelled.contains(token) }
    func hasCompleted(_ token: String) -> Bool { completed.contains(token) }
    func context(_ token: String) -> SeenContext? { contexts[token] }
    var startedCount: Int { started.count }
}

struct ProbeService: RegistrableRPCService {
    let probe: Probe

    func registerMethods(with router: inout RPCRouter) {
        let probe = probe
        router.register(ProbeMethods.sleep) { request, _ in
            let token = String(decoding: request.payload, as: UTF8.self)
            await probe.start(token)
            do {
                try await Task.sleep(for: .milliseconds(Int64(request.sleepMs)))
            } catch {
                // Either way the handler saw its task cancelled.
                if Task.isCancelled || error is CancellationError { await probe.cancel(token) }
                throw error
            }
            if Task.isCancelled { await probe.cancel(token) }
            await probe.complete(token)
            var response = TestingV1.SimpleResponse()
            response.payload = request.payload
            return response
        }
        router.register(ProbeMethods.stubborn) { request, _ in
            let token = String(decoding: request.payload, as: UTF8.self)
            await probe.start(token)
            // Awaiting a detached task does not pass cancellation on.
            await Task.detached { try? await Task.sleep(for: .milliseconds(Int64(request.sleepMs))) }.value
            await probe.complete(token)
            var response = TestingV1.SimpleResponse()
            response.payload = request.payload
            return response
        }
        router.register(ProbeMethods.context) { request, context in
            let token = String(decoding: request.payload, as: UTF8.self)
            await probe.start(token)
            if request.sleepMs > 0 {
                try await Task.sleep(for: .milliseconds(Int64(request.sleepMs)))
            }
            let seen = SeenContext(
                method: context.method,
                metadata: context.metadata,
                requestID: context.requestID,
                traceID: context.trace.traceID,
                spanID: context.trace.spanID,
                remainingTime: context.remainingTime,
                downstream: context.downstreamOptions(),
                downstreamAskingForAMinute: context.downstreamOptions(CallOptions(timeout: .seconds(60))),
                downstreamAskingForLittle: context.downstreamOptions(CallOptions(timeout: .milliseconds(5)))
            )
            await probe.record(token, seen)
            context.responseMetadata["x-probe-token"] = token
            var response = TestingV1.SimpleResponse()
            response.payload = request.payload
            return response
        }
    }
}

/// A running RPCServer on 127.0.0.1 serving TestService and the probe methods.
struct TestServer: Sendable {
    let server: RPCServer
    let port: Int
    let probe: Probe

    var peer: PeerAddress { PeerAddress(host: "127.0.0.1", port: port) }

    /// Server settings for tests: the protocol's defaults, but a drain never waits long.
    static func configuration(_ adjust: (inout RPCServerConfiguration) -> Void = { _ in }) -> RPCServerConfiguration {
        var configuration = RPCServerConfiguration()
        configuration.drainTimeout = .seconds(2)
        adjust(&configuration)
        return configuration
    }

    static func start(
        port: Int = 0,
        configuration: RPCServerConfiguration = TestServer.configuration()
    ) async throws -> TestServer {
        let probe = Probe()
        var router = RPCRouter()
        router.register(TestService())
        router.register(ProbeService(probe: probe))
        let server = RPCServer(router: router, configuration: configuration, logger: quietLogger("test.server"))
        let address = try await withTimeout(.seconds(2), "bind") {
            try await server.bind(host: "127.0.0.1", port: port)
        }
        return TestServer(server: server, port: address.port!, probe: probe)
    }

    /// Drains and stops the server; records an issue if that takes more than `limit`.
    func stop(within limit: Duration = .seconds(5)) async {
        let server = server
        do {
            try await withTimeout(limit, "server shutdown") { await server.shutdownGracefully() }
        } catch {
            Issue.record("the server did not shut down: \(error)")
        }
    }
}

/// Runs `body` with a started server, and stops the server afterwards whatever happens.
func withServer<T>(
    configuration: RPCServerConfiguration = TestServer.configuration(),
    _ body: (TestServer) async throws -> T
) async throws -> T {
    let server = try await TestServer.start(configuration: configuration)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Runs `body` with a client of `peers`, closed afterwards whatever happens.
func withClient<T>(
    _ peers: [PeerAddress],
    configuration: RPCClientConfiguration = RPCClientConfiguration(),
    _ body: (RPCClient) async throws -> T
) async throws -> T {
    let client = RPCClient(peers: peers, configuration: configuration, logger: quietLogger("test.client"))
    do {
        let result = try await body(client)
        try? await withTimeout(.seconds(2), "client close") { await client.close() }
        return result
    } catch {
        try? await withTimeout(.seconds(2), "client close") { await client.close() }
        throw error
    }
}

/// Protocol errors are logged at info by design; tests provoke many of them on purpose.
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .critical
    return logger
}

/// A request for a probe or TestService method.
func simpleRequest(token: String = "", sleepMs: UInt32 = 0) -> TestingV1.SimpleRequest {
    var request = TestingV1.SimpleRequest()
    request.payload = Data(token.utf8)
    request.sleepMs = sleepMs
    return request
}

/// The status code a call failed with; nil when it succeeded, or failed with no RPCError.
func statusCode(of call: () async throws -> some Any) async -> StatusCode? {
    do {
        _ = try await call()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        Issue.record("expected an RPCError, got \(error)")
        return nil
    }
}

/// A port on 127.0.0.1 where nothing listens (bound once, then released).
func refusingPort() async throws -> Int {
    let server = try await TestServer.start()
    await server.stop()
    return server.port
}
