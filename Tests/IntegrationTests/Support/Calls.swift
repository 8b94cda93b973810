import Foundation
import TestKit
import DVCProto
import RPCCore
import RPCNIO
import Testing

/// An `RPCClient` to one running process, closed when `body` is done.
func withClient<T>(_ service: ServiceProcess, _ body: (RPCClient) async throws -> T) async throws -> T {
    let client = RPCClient(peers: [service.address])
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch {
        await client.close()
        throw error
    }
}

typealias ServingStatus = HealthV1.HealthCheckResponse.ServingStatus

/// `/dvc.health.v1.Health/Check` for one service name.
func health(_ client: RPCClient, _ service: String) async throws -> ServingStatus {
    var request = HealthV1.HealthCheckRequest()
    request.service = service
    return try await client.unary(HealthV1.Health.check, request, options: CallOptions(timeout: .seconds(5))).status
}

/// The error a call threw, or a recorded issue when it succeeded or threw something else.
func rpcError<T>(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ call: () async throws -> T
) async -> RPCError? {
    do {
        let value = try await call()
        Issue.record("the call succeeded with \(value); an error was expected", sourceLocation: sourceLocation)
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        Issue.record("the call threw \(type(of: error)) \(error), not an RPCError", sourceLocation: sourceLocation)
        return nil
    }
}

/// Swift's `==` on strings is canonical equivalence; wire checks compare the UTF-8 bytes.
func sameBytes(_ a: String, _ b: String) -> Bool {
    Array(a.utf8) == Array(b.utf8)
}

/// `gateway api-key create` against a gateway's data folder (the running gateway sees the key
/// at once): the `authorization` value to send.
func makeAPIKey(gatewayData: URL, agency: String, scopes: String) async throws -> String {
    let finished = try await runToCompletion(
        try Executables.url("gateway"),
        ["api-key", "create", "--data-dir", gatewayData.path, "--agency", agency, "--scopes", scopes, "--label", "kiểm thử"])
    guard finished.exited, finished.status == 0, finished.stdout.hasPrefix("ApiKey ") else {
        throw TestFailure(description: "api-key create: \(finished)")
    }
    return finished.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}
