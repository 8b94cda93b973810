import DVCProto
import Foundation
import TestKit
import Testing

/// The built `dvcctl` against `rpc-interop-server`, both as processes: `call`, `health`, and
/// input refused before anything is sent.
@Suite(.serialized) struct DVCCtlCallTests {
    static let emptyCall = "/dvc.testing.v1.TestService/EmptyCall"
    static let unaryCall = "/dvc.testing.v1.TestService/UnaryCall"

    @Test func emptyCallAndUnaryCall() async throws {
        try await withInteropServer { server in
            let empty = try await dvcctl(["call", server.address, Self.emptyCall, "{}"])
            #expect(empty.status == 0, "\(empty)")
            #expect(empty.stdout == "{}\n")
            #expect(empty.stderr == "")

            // The JSON may be left out for an empty request; grpcurl's spelling works too.
            let noJSON = try await dvcctl(["call", server.address, "dvc.testing.v1.TestService.EmptyCall"])
            #expect(noJSON.status == 0, "\(noJSON)")
            #expect(noJSON.stdout == "{}\n")

            let echo = try await dvcctl(["call", server.address, Self.unaryCall, #"{"payload": "aGVsbG8gSMOgIE7hu5lp"}"#])
            #expect(echo.status == 0, "\(echo)")
            #expect(echo.stdout == "{\n  \"payload\": \"aGVsbG8gSMOgIE7hu5lp\"\n}\n")

            let sized = try await dvcctl(["call", "--compact", server.address, Self.unaryCall, #"{"response_size": 4}"#])
            #expect(sized.status == 0, "\(sized)")
            #expect(sized.stdout == "{\"payload\":\"AAAAAA==\"}\n")
        }
    }

    @Test func requestFromStandardInputAndFromAFile() async throws {
        try await withInteropServer { server in
            let fromStdin = try await dvcctl(["call", server.address, Self.unaryCall, "-"], stdin: #"{"payload": "AQID"}"#)
            #expect(fromStdin.status == 0, "\(fromStdin)")
            #expect(try SimpleResponse(fromStdin.stdout).payload == Data([1, 2, 3]))

            let folder = try makeTemporaryFolder("request")
            defer { try? FileManager.default.removeItem(at: folder) }
            try Data(#"{"payload": "BAUG", "sleepMs": 1}"#.utf8).write(to: folder.appendingPathComponent("request.json"))
            let fromFile = try await dvcctl(["call", server.address, Self.unaryCall, "@request.json"], in: folder)
            #expect(fromFile.status == 0, "\(fromFile)")
            #expect(try SimpleResponse(fromFile.stdout).payload == Data([4, 5, 6]))
        }
    }

    @Test func aFailedCallPrintsCodeMessageAndExitsWithCodePlusOne() async throws {
        try await withInteropServer { server in
            let json = #"{"responseStatus": {"code": 5, "message": "Không tìm thấy hồ sơ 🙂  "}}"#
            let failed = try await dvcctl(["call", server.address, Self.unaryCall, json])
            #expect(failed.status == 6, "\(failed)")  // NOT_FOUND is 5
            #expect(failed.stdout == "")
            #expect(failed.stderr == "NOT_FOUND: Không tìm thấy hồ sơ 🙂  \n")

            let slow = try await dvcctl(["call", "--timeout", "0.3", server.address, Self.unaryCall, #"{"sleepMs": 5000}"#])
            #expect(slow.status == 5, "\(slow)")  // DEADLINE_EXCEEDED is 4
            #expect(slow.stderr.hasPrefix("DEADLINE_EXCEEDED: "), "\(slow)")
        }
    }

    @Test func metadataFlags() async throws {
        try await withInteropServer { server in
            let ok = try await dvcctl(["call", "-H", "x-request-id: abc", "-H", "X-Test-Echo-A:b", server.address, Self.emptyCall])
            #expect(ok.status == 0, "\(ok)")
            let bad = try await dvcctl(["call", "-H", "no-colon", server.address, Self.emptyCall])
            #expect(bad.status == 64, "\(bad)")
            #expect(bad.stderr.contains("-H 'no-colon' is not key:value"), "\(bad)")
        }
    }

    @Test func health() async throws {
        try await withInteropServer { server in
            let serving = try await dvcctl(["health", server.address])
            #expect(serving.status == 0, "\(serving)")
            #expect(serving.stdout == "\(server.address)  SERVING\n")

            let service = try await dvcctl(["health", "--service", "dvc.testing.v1.TestService", server.address])
            #expect(service.status == 0, "\(service)")
            #expect(service.stdout.hasSuffix("SERVING\n"))

            let unknownService = try await dvcctl(["health", "--service", "dvc.nope.v1.Nope", server.address])
            #expect(unknownService.status == 1, "\(unknownService)")
            #expect(unknownService.stdout.hasSuffix("SERVICE_UNKNOWN\n"))

            let closed = try closedPort()
            let mixed = try await dvcctl(["health", server.address, closed])
            #expect(mixed.status == 1, "\(mixed)")
            let lines = mixed.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 2)
            #expect(lines.first?.hasSuffix("SERVING") == true)
            #expect(lines.last?.hasPrefix(closed) == true)
            #expect(lines.last?.contains("UNREACHABLE (UNAVAILABLE: ") == true, "\(mixed)")
        }
    }

    @Test func unreachableServer() async throws {
        let result = try await dvcctl(["call", try closedPort(), Self.emptyCall])
        #expect(result.status == 15, "\(result)")  // UNAVAILABLE is 14
        #expect(result.stderr.hasPrefix("UNAVAILABLE: "), "\(result)")
    }

    // MARK: - Refused before sending

    /// Each bad input: its message, exit status 1, and no connection made at all.
    static let refusals: [(name: String, arguments: [String], message: String)] = [
        ("unknown method", ["/dvc.testing.v1.TestService/UnaryCal", "{}"],
         """
         dvcctl: unknown method '/dvc.testing.v1.TestService/UnaryCal'; nothing was sent
         did you mean:
           /dvc.testing.v1.TestService/UnaryCall
         """),
        ("unknown service", ["/dvc.testing.v1.TestServic/EmptyCall"],
         "  /dvc.testing.v1.TestService/EmptyCall"),
        ("bad JSON", [unaryCall, #"{"payload": "aGk=",}"#],
         """
         dvcctl: the request (dvc.testing.v1.SimpleRequest, from the argument) is not valid; nothing was sent:
           invalid JSON at line 1, column 20: a trailing comma is not allowed before '}'
         """),
        ("bad JSON on line 2", [unaryCall, "{\n  \"payload\" \"aGk=\"\n}"],
         "  invalid JSON at line 2, column 13: expected ':' after the object key \"payload\", found '\"'"),
        ("unknown field", [unaryCall, #"{"payloads": "aGk="}"#],
         "  unknown field 'payloads' in dvc.testing.v1.SimpleRequest (did you mean 'payload'?)"),
        ("unknown nested field", [unaryCall, #"{"responseStatus": {"code": 1, "msg": "x"}}"#],
         "  responseStatus: unknown field 'msg' in dvc.testing.v1.EchoStatus"),
        ("wrong type", [unaryCall, #"{"responseSize": "big"}"#],
         #"  responseSize: expected an integer, got a string "big""#),
        ("wrong nested type", [unaryCall, #"{"responseStatus": {"code": "NOT_FOUND"}}"#],
         #"  responseStatus.code: expected an integer, got a string "NOT_FOUND""#),
        ("out of range", [unaryCall, #"{"sleepMs": -1}"#],
         "  sleepMs: -1 is out of range for uint32 (0 to 4294967295)"),
        ("bad base64", [unaryCall, #"{"payload": "not base64!"}"#],
         "  payload: expected base64 (standard or URL-safe alphabet): ' ' at offset 3 is not a base64 character"),
        ("missing file", [unaryCall, "@/nonexistent/request.json"],
         "dvcctl: cannot read /nonexistent/request.json: "),
    ]

    @Test(arguments: 0..<refusals.count)
    func refusedInputSendsNothing(_ index: Int) async throws {
        let refusal = Self.refusals[index]
        let listener = try SilentListener()
        let result = try await dvcctl(["call", listener.address] + refusal.arguments)
        #expect(result.status == 1, "\(refusal.name): \(result)")
        #expect(result.stdout == "", "\(refusal.name)")
        #expect(result.stderr.contains(refusal.message), "\(refusal.name): \(result.stderr)")
        #expect(!listener.connectionAttempted, "\(refusal.name): dvcctl connected although the input was refused")
    }

    @Test func theSilentListenerNoticesAConnection() async throws {
        // The control for the test above: a valid request does connect.
        let listener = try SilentListener()
        let result = try await dvcctl(["call", "--timeout", "0.5", listener.address, Self.emptyCall])
        #expect(result.status != 0)
        #expect(listener.connectionAttempted)
    }

    @Test func refusedInputAgainstTheRealServerLeavesItServing() async throws {
        try await withInteropServer { server in
            for refusal in Self.refusals {
                let result = try await dvcctl(["call", server.address] + refusal.arguments)
                #expect(result.status == 1, "\(refusal.name): \(result)")
                #expect(result.stderr.contains(refusal.message), "\(refusal.name): \(result.stderr)")
            }
            let health = try await dvcctl(["health", server.address])
            #expect(health.status == 0, "\(health)")
        }
    }

    @Test func methodsListsEveryMethod() async throws {
        let result = try await dvcctl(["methods"])
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == ProtoRegistry.methodPaths.count)
        #expect(lines.contains { $0.hasPrefix(Self.unaryCall) && $0.hasSuffix("dvc.testing.v1.SimpleRequest -> dvc.testing.v1.SimpleResponse") })
        let filtered = try await dvcctl(["methods", "health"])
        #expect(filtered.stdout.split(separator: "\n").count == 1)
    }

    // MARK: - Helpers

    private func SimpleResponse(_ text: String) throws -> TestingV1.SimpleResponse {
        try TestingV1.SimpleResponse(jsonString: text)
    }

    /// An address nothing listens on: a port bound, then released.
    private func closedPort() throws -> String {
        let listener = try SilentListener()
        return "127.0.0.1:\(listener.port)"
    }
}
