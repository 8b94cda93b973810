import DVCProto
import RPCCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The interop `TestService` of docs/protocol.md, after gRPC's interop test service: what
/// cross-implementation tests and the RPC benchmark talk to.
public struct TestService: RegistrableRPCService {
    /// Response metadata echoed back: request keys with this prefix.
    public static let echoPrefix = "x-test-echo-"

    public init() {}

    public func registerMethods(with router: inout RPCRouter) {
        router.register(TestingV1.TestService.emptyCall) { _, _ in TestingV1.Empty() }
        router.register(TestingV1.TestService.unaryCall) { request, context in
            try await unaryCall(request, context: context)
        }
    }

    /// Sleeps `sleep_ms` (a deadline or CANCEL cancels the task, which ends the sleep), then
    /// fails with the requested status, or answers `response_size` zero bytes, or echoes the
    /// payload.
    func unaryCall(_ request: TestingV1.SimpleRequest, context: ServerContext) async throws -> TestingV1.SimpleResponse {
        for (key, value) in context.metadata where key.hasPrefix(Self.echoPrefix) {
            context.responseMetadata[key] = value
        }
        if request.sleepMs > 0 {
            try await Task.sleep(for: .milliseconds(Int64(request.sleepMs)))
        }
        if let status = request.responseStatus, status.code != 0 {
            throw RPCError(StatusCode(wireValue: status.code), status.message)
        }
        var response = TestingV1.SimpleResponse()
        response.payload = request.responseSize > 0 ? Data(count: Int(request.responseSize)) : request.payload
        return response
    }
}
