import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import RPCNIO
import TestKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The admin HTTP side of real processes (`--admin 127.0.0.1:0`): health, readiness through a
/// graceful drain, Prometheus metrics that move by what the calls did, and JSON log lines that
/// carry one trace id and request id across the gateway and catalog-svc.
@Suite(.timeLimit(.minutes(2))) struct ObservabilityTests {
    static let read = CallOptions(timeout: .seconds(10))
    static let adminFlag = ["--admin", "127.0.0.1:0"]

    // MARK: - Metrics

    @Test("RPC server and client counters and histograms move by the calls made, per method and code")
    func rpcMetrics() async throws {
        try await withService("catalog-svc", extraArguments: Self.adminFlag) { catalogProcess in
            try await withService("gateway", extraArguments: Self.adminFlag + [
                "--catalog", catalogProcess.address.description, "--http", "127.0.0.1:0",
            ]) { gatewayProcess in
                let catalogAdmin = try await Self.adminAddress(catalogProcess)
                let gatewayAdmin = try await Self.adminAddress(gatewayProcess)
                let http = try await PaymentFlowTests.httpAddress(gatewayProcess)

                // Liveness and readiness of both.
                for admin in [catalogAdmin, gatewayAdmin] {
                    #expect(try await Self.get("\(admin)/healthz").status == 200)
                    let ready = try await Self.get("\(admin)/readyz")
                    #expect(ready.status == 200, "readyz: \(ready.body)")
                }

                let catalogBefore = try await Metrics(scraping: catalogAdmin)
                let gatewayBefore = try await Metrics(scraping: gatewayAdmin)

                try await withClient(catalogProcess) { catalog in
                    try await withClient(gatewayProcess) { gateway in
                        // Three different requests: the gateway answers a repeated public read
                        // from memory for a second (CatalogReads), and each must reach catalog-svc.
                        for parent in ["", "000.00.00.H26", "000.01.00.H26"] {
                            var request = CatalogV1.ListAgenciesRequest()
                            request.parentCode = parent
                            _ = try await gateway.unary(GatewayV1.PublicService.listAgencies, request, options: Self.read)
                        }
                        var missing = CatalogV1.GetProcedureRequest()
                        missing.code = "KHONG-TON-TAI"
                        for _ in 0..<2 {
                            let error = await rpcError {
                                try await catalog.unary(CatalogV1.CatalogService.getProcedure, missing, options: Self.read)
                            }
                            #expect(error?.code == .notFound)
                        }
                    }
                }
                // One HTTP request the gateway's middleware counts.
                #expect(try await Self.get("\(http)/healthz").status == 200)

                let catalogAfter = try await Metrics(scraping: catalogAdmin)
                let gatewayAfter = try await Metrics(scraping: gatewayAdmin)
                func moved(_ before: Metrics, _ after: Metrics, _ name: String, _ labels: [String: String]) -> Double {
                    after.value(name, labels) - before.value(name, labels)
                }

                // catalog-svc, the server side.
                let list = "/dvc.catalog.v1.CatalogService/ListAgencies"
                let get = "/dvc.catalog.v1.CatalogService/GetProcedure"
                #expect(moved(catalogBefore, catalogAfter, "dvc_rpc_server_calls_total", ["method": list, "code": "OK"]) == 3)
                #expect(moved(catalogBefore, catalogAfter, "dvc_rpc_server_duration_seconds_count", ["method": list]) == 3)
                #expect(catalogAfter.value("dvc_rpc_server_duration_seconds_bucket", ["method": list, "le": "+Inf"]) >= 3)
                #expect(moved(catalogBefore, catalogAfter, "dvc_rpc_server_calls_total", ["method": get, "code": "NOT_FOUND"]) == 2)
                #expect(moved(catalogBefore, catalogAfter, "dvc_rpc_server_errors_total", ["method": get, "code": "NOT_FOUND"]) == 2)
                #expect(moved(catalogBefore, catalogAfter, "dvc_rpc_server_calls_total", ["method": get, "code": "OK"]) == 0)
                #expect(catalogAfter.value("dvc_rpc_server_errors_total", ["method": list, "code": "NOT_FOUND"]) == 0)
                #expect(catalogAfter.has("dvc_rpc_server_in_flight"))
                #expect(catalogAfter.value("process_resident_memory_bytes", [:]) > 1_000_000)
                #expect(catalogAfter.value("process_open_fds", [:]) > 3)

                // The gateway: its own server side, its client calls to catalog-svc, its HTTP side.
                let gatewayList = "/dvc.gateway.v1.PublicService/ListAgencies"
                #expect(moved(gatewayBefore, gatewayAfter, "dvc_rpc_server_calls_total", ["method": gatewayList, "code": "OK"]) == 3)
                #expect(moved(gatewayBefore, gatewayAfter, "dvc_rpc_client_calls_total",
                              ["peer": "catalog", "method": list, "code": "OK"]) == 3)
                #expect(moved(gatewayBefore, gatewayAfter, "dvc_rpc_client_duration_seconds_count",
                              ["peer": "catalog", "method": list]) == 3)
                #expect(moved(gatewayBefore, gatewayAfter, "dvc_http_requests_total",
                              ["route": "/healthz", "http_method": "GET", "status": "200"]) == 1,
                        "\(gatewayAfter.lines(named: "dvc_http_requests_total"))")
                #expect(gatewayAfter.has("dvc_http_request_duration_seconds_bucket"))
            }
        }
    }

    @Test("dossier-svc shows its outbox backlog and overdue count; readiness is 200 once it serves")
    func outboxBacklogGauge() async throws {
        try await withService("catalog-svc") { catalogProcess in
            try await withService("dossier-svc", extraArguments: Self.adminFlag + [
                "--catalog", catalogProcess.address.description,
            ]) { dossierProcess in
                let admin = try await Self.adminAddress(dossierProcess)
                #expect(try await Self.get("\(admin)/readyz").status == 200)
                let metrics = try await Metrics(scraping: admin)
                #expect(metrics.has("dvc_outbox_backlog"), "\(metrics.text)")
                #expect(metrics.value("dvc_outbox_backlog", [:]) == 0)
                #expect(metrics.has("dvc_outbox_oldest_pending_seconds"))
                #expect(metrics.has("dvc_dossier_overdue"))
                // catalog-svc has no outbox, so no such gauge there (checked through the text).
                #expect(!metrics.text.contains("dvc_metrics_sample_errors_total"), "a sampler failed:\n\(metrics.text)")
            }
        }
    }

    // MARK: - Readiness through a drain

    @Test("readyz turns 503 as soon as a graceful drain starts, while a call is still in flight; healthz stays 200")
    func readinessDuringDrain() async throws {
        let server = try await ServiceProcess.start("rpc-interop-server", extraArguments: Self.adminFlag)
        defer { server.forceKill() }
        let admin = try await Self.adminAddress(server)
        #expect(try await Self.get("\(admin)/readyz").status == 200)

        let client = RPCClient(peers: [server.address])
        var request = TestingV1.SimpleRequest()
        request.sleepMs = 2500
        request.payload = Data("chậm".utf8)
        let slow = request
        let call = Task { [client] in try await client.unary(TestingV1.TestService.unaryCall, slow, options: CallOptions(timeout: .seconds(10))) }

        // The call is in flight: the gauge says so.
        var inFlight = 0.0
        for _ in 0..<50 where inFlight < 1 {
            inFlight = try await Metrics(scraping: admin).value("dvc_rpc_server_in_flight", [:])
            if inFlight < 1 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(inFlight == 1)

        server.send(SIGTERM)
        var readyz = try await Self.get("\(admin)/readyz")
        for _ in 0..<100 where readyz.status == 200 {
            try await Task.sleep(for: .milliseconds(10))
            readyz = try await Self.get("\(admin)/readyz")
        }
        #expect(readyz.status == 503)
        #expect(readyz.body.contains("draining"), "\(readyz.body)")
        #expect(try await Self.get("\(admin)/healthz").status == 200)
        #expect(server.isRunning, "the server should still be draining its call")

        // The call in flight still finishes, and the process exits 0.
        let response = try await call.value
        #expect(response.payload == slow.payload)
        await client.close()
        await server.expectExit(timeout: .seconds(10))
    }

    // MARK: - Logs

    @Test("one traceparent and request id: gateway and catalog-svc log the same trace id and request id, over RPC and HTTP")
    func traceAcrossHops() async throws {
        let logs = ["--log-format", "json", "--log-level", "debug"]
        try await withService("catalog-svc", extraArguments: logs) { catalogProcess in
            try await withService("gateway", extraArguments: logs + [
                "--catalog", catalogProcess.address.description, "--http", "127.0.0.1:0",
            ]) { gatewayProcess in
                // Over RPC: the caller's traceparent and x-request-id.
                let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
                let requestID = "obs-test-rpc-1"
                var options = Self.read
                options.metadata[MetadataKey.traceparent] = "00-\(traceID)-00f067aa0ba902b7-01"
                options.metadata[MetadataKey.requestID] = requestID
                try await withClient(gatewayProcess) { gateway in
                    _ = try await gateway.unary(GatewayV1.PublicService.listAgencies, CatalogV1.ListAgenciesRequest(),
                                                options: options)
                }

                // Over HTTP: the JSON API with the same headers.
                let httpTrace = "0af7651916cd43dd8448eb211c80319c"
                let httpRequestID = "obs-test-http-1"
                let root = try await PaymentFlowTests.httpAddress(gatewayProcess)
                var request = URLRequest(url: URL(string: "\(root)/api/v1/dvc.gateway.v1.PublicService/ListAgencies")!)
                request.httpMethod = "POST"
                // Not the request made over RPC just before: that answer the gateway would give
                // from its one-second memory of public reads, and catalog-svc would log nothing.
                request.httpBody = Data(#"{"parentCode": "000.00.00.H26"}"#.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.setValue("00-\(httpTrace)-b7ad6b7169203331-01", forHTTPHeaderField: "traceparent")
                request.setValue(httpRequestID, forHTTPHeaderField: "X-Request-Id")
                // A browser of its own: cookies other tests' gateways set on 127.0.0.1 stay out.
                let (_, answer) = try await cookielessBrowser().data(for: request)
                #expect((answer as? HTTPURLResponse)?.statusCode == 200)

                for (trace, id) in [(traceID, requestID), (httpTrace, httpRequestID)] {
                    let gatewayLines = try await Self.logLines(gatewayProcess, traceID: trace)
                    let catalogLines = try await Self.logLines(catalogProcess, traceID: trace)
                    #expect(!gatewayLines.isEmpty, "no gateway line with trace \(trace):\n\(gatewayProcess.stderr)")
                    #expect(!catalogLines.isEmpty, "no catalog-svc line with trace \(trace):\n\(catalogProcess.stderr)")
                    for line in gatewayLines + catalogLines {
                        #expect(line["request_id"] as? String == id, "\(line)")
                        #expect(line["method"] != nil, "\(line)")
                    }
                    #expect(catalogLines.contains { $0["method"] as? String == "/dvc.catalog.v1.CatalogService/ListAgencies" })
                    #expect(gatewayLines.contains { $0["method"] as? String == "/dvc.gateway.v1.PublicService/ListAgencies" })
                }
            }
        }
    }

    // MARK: - Helpers

    /// The JSON log lines of `process` with `trace_id` equal to `traceID`; waits a little for
    /// them, since a line is written as the call ends.
    static func logLines(_ process: ServiceProcess, traceID: String) async throws -> [[String: Any]] {
        for attempt in 0..<50 {
            let lines = process.stderr.split(separator: "\n").compactMap { line -> [String: Any]? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
                return object["trace_id"] as? String == traceID ? object : nil
            }
            if !lines.isEmpty || attempt == 49 { return lines }
            try await Task.sleep(for: .milliseconds(20))
        }
        return []
    }

    /// A process prints `admin listening on HOST:PORT` once its admin side is bound.
    static func adminAddress(_ process: ServiceProcess) async throws -> String {
        for _ in 0..<200 {
            if let line = process.stdout.split(separator: "\n").first(where: { $0.hasPrefix("admin listening on ") }) {
                return "http://" + line.dropFirst("admin listening on ".count)
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestFailure(description: "\(process.name) never said where its admin side listens:\n\(process.stdout)")
    }

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 5
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// One scrape of `/metrics`, parsed: `name{label="value",...} number` lines.
    struct Metrics {
        var text: String
        var samples: [(name: String, labels: [String: String], value: Double)] = []

        init(scraping admin: String) async throws {
            let (status, body) = try await ObservabilityTests.get("\(admin)/metrics")
            guard status == 200 else { throw TestFailure(description: "/metrics answered \(status): \(body)") }
            self.init(text: body)
        }

        init(text: String) {
            self.text = text
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
                let series = line[..<space]
                var labels: [String: String] = [:]
                let name: Substring
                if let brace = series.firstIndex(of: "{") {
                    name = series[..<brace]
                    let inner = series[series.index(after: brace)..<(series.lastIndex(of: "}") ?? series.endIndex)]
                    // Label values here never hold `",` (method paths, codes, routes).
                    for pair in inner.split(separator: "\",") {
                        guard let equals = pair.firstIndex(of: "=") else { continue }
                        var raw = pair[pair.index(after: equals)...]
                        if raw.hasPrefix("\"") { raw = raw.dropFirst() }
                        if raw.hasSuffix("\"") { raw = raw.dropLast() }
                        labels[String(pair[..<equals]).trimmingCharacters(in: .whitespaces)] = String(raw)
                    }
                } else {
                    name = series
                }
                samples.append((String(name), labels, value))
            }
        }

        /// The sum over the series of `name` whose labels include `labels`; 0 when none.
        func value(_ name: String, _ labels: [String: String]) -> Double {
            samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
                .reduce(0) { $0 + $1.value }
        }

        func has(_ name: String) -> Bool { samples.contains { $0.name == name } }

        func lines(named name: String) -> String {
            text.split(separator: "\n").filter { $0.hasPrefix(name) }.joined(separator: "\n")
        }
    }
}
