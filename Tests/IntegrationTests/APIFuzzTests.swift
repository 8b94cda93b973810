import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestKit
import Testing

/// The JSON API fuzzed from its own OpenAPI document with Schemathesis (PyPI; installed by
/// scripts/install-deps.sh) against a real gateway with catalog-svc and dossier-svc behind it:
/// generated and mutated requests for every operation, as an anonymous caller and as an
/// agency system acting for a citizen. No answer may be a 5xx, and every answer must match the
/// document (status, content type, body schema). Bounded in time here; longer by hand:
///
///     st run http://127.0.0.1:7080/api/v1/openapi.json --url http://127.0.0.1:7080 --max-time 600
///
/// A failure prints Schemathesis's report, with the seed and a curl line to reproduce it.
@Suite(.timeLimit(.minutes(3))) struct APIFuzzTests {
    static let checks = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"

    @Test("Schemathesis from the OpenAPI document: no 5xx, no answer outside the document", arguments: ["anonymous", "agency system for a citizen"])
    func fuzzFromTheDocument(caller: String) async throws {
        let python = try #require(PythonClientTests.python3(), "python3 is needed (scripts/install-deps.sh)")
        let probe = try await runToCompletion(python, ["-m", "schemathesis.cli", "--version"])
        try #require(probe.exited && probe.status == 0, "Schemathesis is missing: scripts/install-deps.sh installs it (\(probe.stderr))")
        // The fuzzer sends thousands of requests from one address and one key: the per-client
        // limits (tested in GatewayAdmissionTests) are set out of their way.
        let config = try GatewayAdmissionTests.config(["rate_per_address": "0", "rate_per_person": "0", "rate_per_key": "0"])
        try await withHTTPGateway(gatewayArguments: ["--config", config]) { platform in
            var headers: [String] = []
            if caller != "anonymous" {
                let key = try await makeAPIKey(gatewayData: platform.gateway.scratch.appendingPathComponent("data"),
                                               agency: "000.01.20.H26", scopes: "citizens")
                headers = ["-H", "Authorization: \(key)", "-H", "X-DVC-On-Behalf-Of: citizen:001099012345"]
            }
            let seconds = ProcessInfo.processInfo.environment["DVC_API_FUZZ_SECONDS"] ?? "20"
            let run = try await runToCompletion(python, [
                "-m", "schemathesis.cli", "run", platform.root + "/api/v1/openapi.json", "--url", platform.root,
                // One worker: with two threads, Hypothesis describing the filters of query
                // parameters parses source with `ast` in both at once, which CPython 3.11 can
                // fail with "SystemError: AST constructor recursion depth mismatch" — an error of
                // the tool, not of the gateway.
                "--checks", Self.checks, "--max-time", seconds, "--workers", "1", "--no-color",
            ] + headers, environment: childEnvironment(["SCHEMATHESIS_TELEMETRY": "false"]),
               timeout: .seconds((Int64(seconds) ?? 20) + 60))
            let summary = run.stdout.split(separator: "\n").filter { $0.contains("generated") || $0.contains("Seed") }
            print("schemathesis (\(caller)): \(summary.joined(separator: "; "))")
            #expect(run.exited && run.status == 0, "Schemathesis found answers that break the rules:\n\(run.stdout.suffix(6_000))\n\(run.stderr.suffix(2_000))")
            #expect(run.stdout.contains("passed"), "no test case ran:\n\(run.stdout.suffix(3_000))")

            // The check can fail: against a copy of the document whose search answer must carry a
            // field the gateway never sends, Schemathesis reports the mismatch. The copy gives a
            // search the gateway accepts as the request's example (generated searches are mostly
            // refused with 400, which says nothing about the 200 answer's schema).
            if caller == "anonymous" {
                let (data, _) = try await URLSession.shared.data(from: try #require(URL(string: platform.root + "/api/v1/openapi.json")))
                var document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                var schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
                var answer = try #require(schemas["dvc.catalog.v1.SearchProceduresResponse"] as? [String: Any])
                answer["required"] = ["never_sent"]
                schemas["dvc.catalog.v1.SearchProceduresResponse"] = answer
                var components = try #require(document["components"] as? [String: Any])
                components["schemas"] = schemas
                document["components"] = components
                let searchPath = "/api/v1/dvc.gateway.v1.PublicService/SearchProcedures"
                var paths = try #require(document["paths"] as? [String: Any])
                var search = try #require(paths[searchPath] as? [String: Any])
                var post = try #require(search["post"] as? [String: Any])
                var body = try #require(post["requestBody"] as? [String: Any])
                var content = try #require(body["content"] as? [String: Any])
                var json = try #require(content["application/json"] as? [String: Any])
                json["example"] = ["query": "khai sinh"]
                content["application/json"] = json
                body["content"] = content
                post["requestBody"] = body
                // Without the headers' examples: an anonymous call naming a person to act for
                // (X-DVC-On-Behalf-Of's example) is refused with 401 before any search is made.
                post["parameters"] = [] as [Any]
                search["post"] = post
                paths[searchPath] = search
                document["paths"] = paths
                let broken = try makeTemporaryFolder("openapi-broken").appendingPathComponent("openapi.json")
                try JSONSerialization.data(withJSONObject: document).write(to: broken)
                let caught = try await runToCompletion(python, [
                    "-m", "schemathesis.cli", "run", broken.path, "--url", platform.root, "--checks", Self.checks,
                    "--include-path", searchPath, "--phases", "examples", "--no-color",
                ], environment: childEnvironment(["SCHEMATHESIS_TELEMETRY": "false"]), timeout: .seconds(60))
                #expect(caught.exited && caught.status != 0 && caught.stdout.contains("never_sent"),
                        "a broken document was not caught:\n\(caught.stdout.suffix(3_000))")
            }
        }
    }
}
