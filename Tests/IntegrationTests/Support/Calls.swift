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
/// at once): the `authorization` value to send. A key with the `officers` scope acts only for
/// its agency's real officers, so `officers` are made there too (`makeOfficers`).
func makeAPIKey(gatewayData: URL, agency: String, scopes: String,
                officers: [String] = standardOfficers) async throws -> String {
    let finished = try await runToCompletion(
        try Executables.url("gateway"),
        ["api-key", "create", "--data-dir", gatewayData.path, "--agency", agency, "--scopes", scopes, "--label", "kiểm thử"])
    guard finished.exited, finished.status == 0, finished.stdout.hasPrefix("ApiKey ") else {
        throw TestFailure(description: "api-key create: \(finished)")
    }
    if scopes.split(separator: ",").contains("officers") {
        try await makeOfficers(gatewayData: gatewayData, agency: agency, ids: officers)
    }
    return finished.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// The officers the suites act for through keys.
let standardOfficers = ["tn01", "xl01", "ld01", "ld02", "kt", "kt01", "cb01"]

/// `gateway officer create` for each id at `agency`, with the three workflow roles (so any
/// role a test claims is held). An id already taken (by another agency's key made earlier in
/// the same test) stays that agency's officer.
func makeOfficers(gatewayData: URL, agency: String, ids: [String],
                  roles: String = "receiver,processor,approver") async throws {
    // One after another: each is a process writing the gateway's database.
    for id in ids {
        let finished = try await runToCompletion(try Executables.url("gateway"), [
            "officer", "create", "--data-dir", gatewayData.path, "--agency", agency, "--id", id,
            "--roles", roles, "--full-name", "Cán bộ \(id)"])
        guard finished.exited, finished.status == 0 || finished.stderr.contains("đã được dùng") else {
            throw TestFailure(description: "officer create \(id): \(finished)")
        }
    }
}
