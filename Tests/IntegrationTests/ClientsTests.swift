import DVCClient
import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Synchronization
import TestKit
import Testing

/// The clients agency systems import (docs/clients.md) against the real platform over TLS:
/// catalog-svc, dossier-svc and the gateway started with certificates of a test CA, the
/// gateway's RPC port serving TLS without client certificates, a key made by `gateway api-key
/// create`. The Swift library is called from here; the C client is built with its Makefile and
/// the Python client pip-installed, and their examples run as processes. Each submits a
/// dossier for a citizen and polls it while officers (through the Swift client) receive,
/// process and approve it; the example then fetches the result, and the test reads the
/// dossier back. Bad input is refused the same way in the three: a wrong key, a missing
/// field, a deadline too short; and a read is retried with back-off while nothing answers.
@Suite(.serialized, .timeLimit(.minutes(4))) struct ClientsTests {
    static let citizen = "001099012345"
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    /// What the examples and the test share.
    struct Platform {
        var gateway: String
        var ca: String
        var key: String
        var agency: String
        var procedure: String
        var work: URL
        var python: Python
        var cExample: URL
        /// The Swift client as the agency's officers, who move dossiers along.
        var officers: DVCClient
    }

    /// python3, and the folder `pip install --target` put the client in.
    struct Python {
        var executable: URL
        var site: URL

        func run(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> Finished {
            try await runToCompletion(executable, ["-m", "dvc_client.examples.submit_and_poll"] + arguments,
                                      environment: childEnvironment(["PYTHONPATH": site.path]), timeout: timeout)
        }

        func start(_ arguments: [String], output: URL) throws -> ChildProcess {
            try ChildProcess(executable, ["-m", "dvc_client.examples.submit_and_poll"] + arguments,
                             environment: childEnvironment(["PYTHONPATH": site.path]), outputFolder: output)
        }
    }

    static func program(_ name: String) throws -> URL {
        for folder in ["/usr/bin", "/usr/local/bin", "/bin"] {
            let url = URL(fileURLWithPath: folder).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw TestFailure(description: "\(name) is not installed (scripts/install-deps.sh installs it)")
    }

    /// `make` and `make install` (into `folder/prefix`) in Clients/c, with a build folder of the
    /// test's own; the example's path.
    static func buildC(into folder: URL) async throws -> URL {
        let run = try await runToCompletion(try program("make"), ["-C", repoRoot.appendingPathComponent("Clients/c").path,
                                                                 "BUILD=\(folder.path)", "PREFIX=\(folder.path)/prefix", "install"],
                                            timeout: .seconds(180))
        guard run.exited, run.status == 0 else { throw TestFailure(description: "make in Clients/c: \(run)") }
        return folder.appendingPathComponent("submit_and_poll")
    }

    /// `pip install --target` of Clients/python, without build isolation (setuptools and wheel
    /// from scripts/install-deps.sh) and without dependencies (protobuf is installed): offline.
    static func installPython(into folder: URL) async throws -> Python {
        // python3 on PATH, as PythonClientTests finds it: the one install-deps.sh installed into.
        guard let python = PythonClientTests.python3() else {
            throw TestFailure(description: "python3 is not on PATH (scripts/install-deps.sh installs it)")
        }
        let run = try await runToCompletion(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                                     "--no-deps", "--no-build-isolation", "--target", folder.path,
                                                     repoRoot.appendingPathComponent("Clients/python").path],
                                            timeout: .seconds(180))
        guard run.exited, run.status == 0 else { throw TestFailure(description: "pip install Clients/python: \(run)") }
        return Python(executable: python, site: folder)
    }

    /// A test CA with certificates for the three services (127.0.0.1) and an operator.
    static func makeCertificates(_ folder: URL) async throws {
        let run = try await runToCompletion(repoRoot.appendingPathComponent("deploy/tls/make-ca.sh"),
                                            [folder.path, "catalog-svc=127.0.0.1", "dossier-svc=127.0.0.1",
                                             "gateway=127.0.0.1", "operator"])
        guard run.exited, run.status == 0 else { throw TestFailure(description: "make-ca.sh: \(run)") }
    }

    /// A level-4 procedure without a fee that a test can submit with one file: the citizen then
    /// receives the result online.
    static func offered(_ catalog: RPCClient) async throws -> (agency: String, procedure: String) {
        let export = try await catalog.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                             options: CallOptions(timeout: .seconds(10)))
        let codes = Set(export.procedures.filter { $0.isSimpleToSubmit && !$0.fees.contains { $0.amountVnd > 0 } }.map(\.code))
        let found = try #require(export.levels.first { $0.level == 4 && codes.contains($0.procedureCode) })
        return (found.agencyCode, found.procedureCode)
    }

    /// The C example and the installed Python client, made once for both tests (while the
    /// first one starts its platform).
    static let built = Task {
        let folder = try makeTemporaryFolder("clients-built")
        async let c = buildC(into: folder.appendingPathComponent("c"))
        async let python = installPython(into: folder.appendingPathComponent("python"))
        return (c: try await c, python: try await python)
    }

    func withPlatform(_ body: (Platform) async throws -> Void) async throws {
        let work = try makeTemporaryFolder("clients")
        let built = Self.built
        let tls = work.appendingPathComponent("tls")
        try await Self.makeCertificates(tls)
        func flags(_ name: String) -> [String] {
            ["--tls-cert", tls.appendingPathComponent("\(name).pem").path, "--tls-key", tls.appendingPathComponent("\(name).key").path,
             "--tls-ca", tls.appendingPathComponent("ca.pem").path]
        }
        try await withService("catalog-svc", extraArguments: flags("catalog-svc")) { catalogProcess in
            let catalogAddress = catalogProcess.address.description
            try await withService("dossier-svc", extraArguments: ["--catalog", catalogAddress] + flags("dossier-svc")) { dossierProcess in
                try await withService("gateway", extraArguments: ["--catalog", catalogAddress, "--dossier",
                                                                  dossierProcess.address.description] + flags("gateway")) { gatewayProcess in
                    var configuration = RPCClientConfiguration()
                    configuration.tls = try RPCTLS.load(certificate: tls.appendingPathComponent("operator.pem").path,
                                                        privateKey: tls.appendingPathComponent("operator.key").path,
                                                        authority: tls.appendingPathComponent("ca.pem").path)
                    let catalog = RPCClient(peers: [catalogProcess.address], configuration: configuration)
                    let (agency, procedure) = try await Self.offered(catalog)
                    await catalog.close()
                    let key = try await makeAPIKey(gatewayData: try #require(gatewayProcess.dataDirectory), agency: agency,
                                                   scopes: "citizens,officers")
                    let ca = tls.appendingPathComponent("ca.pem").path
                    let officers = try DVCClient(address: gatewayProcess.address.description, apiKey: key, tlsCA: ca)
                    do {
                        try await body(Platform(gateway: gatewayProcess.address.description, ca: ca, key: key, agency: agency,
                                                procedure: procedure, work: work, python: try await built.value.python,
                                                cExample: try await built.value.c, officers: officers))
                        await officers.close()
                    } catch {
                        await officers.close()
                        throw error
                    }
                }
            }
        }
        try? FileManager.default.removeItem(at: work)
    }

    /// Receives, starts and approves a dossier as the agency's officers, with `result` as the
    /// result document.
    static func process(_ id: String, result: Data, on platform: Platform) async throws {
        let receiver = platform.officers.actingFor(.officer("tn01", roles: ["receiver"]))
        let processor = platform.officers.actingFor(.officer("xl01", roles: ["processor"]))
        let approver = platform.officers.actingFor(.officer("ld01", roles: ["approver"]))
        var dossier = try await receiver.dossiers.get(id)
        func step(_ client: DVCClient, _ action: DossierV1.Action, configure: (inout DossierV1.ActRequest) -> Void = { _ in }) async throws {
            var request = DossierV1.ActRequest()
            request.dossierId = id
            request.action = action
            request.expectedVersion = dossier.version
            configure(&request)
            // A key per step: the client may retry it, and it is done once.
            dossier = try await client.dossiers.act(request, options: DVCCallOptions(idempotencyKey: "\(id)-\(action)"))
        }
        try await step(receiver, .receive)
        try await step(processor, .startProcessing)
        try await step(approver, .approve) {
            $0.resultNote = "Đã giải quyết"
            var document = DossierV1.AttachmentUpload()
            document.name = "ket-qua.pdf"
            document.content = result
            $0.resultDocument = document
        }
        #expect(dossier.state == .processed)
    }

    /// The dossier read back as the agency's system: the citizen's, processed, with the paper filed.
    static func readBack(_ id: String, result: Data, on platform: Platform) async throws {
        let dossier = try await platform.officers.dossiers.get(id)
        #expect(dossier.state == .processed && dossier.applicantId == citizen && dossier.agencyCode == platform.agency)
        #expect(dossier.attachments.count == 1 && dossier.attachments.first?.sizeBytes == Int64(pdf.count))
        let file = try await platform.officers.dossiers.file(dossier: id, file: try #require(dossier.resultDocument?.id))
        #expect(file.content == result)
    }

    /// Runs an example (C or Python) that submits and polls until PROCESSED, processing the
    /// dossier once it printed its id; checks its output and the result it saved.
    func runExample(_ name: String, on platform: Platform, start: ([String], URL) throws -> ChildProcess) async throws {
        let folder = platform.work.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let paper = folder.appendingPathComponent("to-khai.pdf")
        try Self.pdf.write(to: paper)
        let resultFile = folder.appendingPathComponent("ket-qua.pdf")
        let result = Self.pdf + Data("% kết quả \(name)\n".utf8)
        let child = try start(["--gateway", platform.gateway, "--api-key", platform.key, "--tls-ca", platform.ca,
                               "--citizen", Self.citizen, "--agency", platform.agency, "--procedure", platform.procedure,
                               "--file", paper.path, "--until", "PROCESSED", "--poll-interval", "0.2", "--max-wait", "60",
                               "--result-out", resultFile.path], folder)
        let id = try await child.waitForLine(timeout: .seconds(60), what: "`submitted ID ...`") { line in
            line.hasPrefix("submitted ") ? String(line.split(separator: " ")[1]) : nil
        }
        try await Self.process(id, result: result, on: platform)
        let exit = await child.waitForExit(timeout: .seconds(60))
        #expect(exit == .success, "\(name) example: \(String(describing: exit))\nstdout:\n\(child.stdout)\nstderr:\n\(child.stderr)")
        let lines = child.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("submitted \(id) state SUBMITTED pin ") == true, "\(lines)")
        // The states it saw, in the workflow's order (the officers may be quicker than a poll).
        let seen = lines.filter { $0.hasPrefix("state ") }.map { $0.split(separator: " ")[1] }
        let order = ["SUBMITTED", "RECEIVED", "PROCESSING", "PROCESSED"]
        #expect(seen.map { order.firstIndex(of: String($0)) ?? -1 } == seen.compactMap { order.firstIndex(of: String($0)) }.sorted()
                && seen.last == "PROCESSED", "\(lines)")
        #expect(lines.contains { $0.hasPrefix("state PROCESSED ") && $0.contains(" receipt ") }, "\(lines)")
        #expect(lines.last == "result ket-qua.pdf \(result.count) bytes application/pdf", "\(lines)")
        #expect((try? Data(contentsOf: resultFile)) == result)
        try await Self.readBack(id, result: result, on: platform)
    }

    /// Runs an example to its end with `extra` in place of the usual arguments' values.
    func refused(_ platform: Platform, _ run: ([String]) async throws -> Finished, key: String? = nil,
                 procedure: String? = nil, timeout: String = "10") async throws -> Finished {
        let paper = platform.work.appendingPathComponent("refused.pdf")
        try Self.pdf.write(to: paper)
        return try await run(["--gateway", platform.gateway, "--api-key", key ?? platform.key, "--tls-ca", platform.ca,
                              "--citizen", Self.citizen, "--agency", platform.agency,
                              "--procedure", procedure ?? platform.procedure, "--file", paper.path, "--timeout", timeout])
    }

    @Test("Swift, C and Python clients submit and track dossiers over TLS; a wrong key, a missing field and a short deadline are refused with status and field")
    func threeClients() async throws {
        try await withPlatform { platform in
            // Swift, as a library.
            let citizen = try DVCClient(address: platform.gateway, apiKey: platform.key, actingFor: .citizen(Self.citizen),
                                        tlsCA: platform.ca)
            var request = DossierV1.SubmitDossierRequest()
            request.agencyCode = platform.agency
            request.procedureCode = platform.procedure
            request.channel = .online
            var upload = DossierV1.AttachmentUpload()
            upload.name = "to-khai.pdf"
            upload.content = Self.pdf
            request.attachments = [upload]
            let once = DVCCallOptions(idempotencyKey: "swift-1")
            let submitted = try await citizen.dossiers.submit(request, options: once)
            let id = try #require(submitted.dossier?.id)
            #expect(submitted.dossier?.state == .submitted && submitted.trackingPin.count >= 6)
            // The same submission sent again with its key is the same dossier.
            let again = try await citizen.dossiers.submit(request, options: once)
            #expect(again.dossier?.id == id && again.trackingPin == submitted.trackingPin)
            #expect(try await citizen.dossiers.get(id).state == .submitted)
            let result = Self.pdf + Data("% kết quả swift\n".utf8)
            try await Self.process(id, result: result, on: platform)
            let processed = try await citizen.dossiers.get(id)
            #expect(processed.state == .processed && !processed.receiptCode.isEmpty)
            #expect(try await citizen.dossiers.file(dossier: id, file: try #require(processed.resultDocument?.id)).content == result)
            let tracked = try await citizen.actingFor(nil).dossiers.track(receiptCode: processed.receiptCode, pin: submitted.trackingPin)
            #expect(tracked.state == .processed)
            try await Self.readBack(id, result: result, on: platform)

            // Swift's refusals.
            let wrongKey = try DVCClient(address: platform.gateway, apiKey: "ApiKey kkhongco000.sai", actingFor: .citizen(Self.citizen),
                                         tlsCA: platform.ca)
            let unauthenticated = await rpcError { try await wrongKey.dossiers.submit(request) }
            #expect(unauthenticated?.code == .unauthenticated, "\(String(describing: unauthenticated))")
            await wrongKey.close()
            var incomplete = request
            incomplete.procedureCode = ""
            let invalid = await rpcError { try await citizen.dossiers.submit(incomplete) }
            #expect(invalid?.code == .invalidArgument && invalid?.field == "procedure_code", "\(String(describing: invalid))")
            let late = await rpcError { try await citizen.dossiers.submit(request, options: DVCCallOptions(timeout: .milliseconds(1))) }
            #expect(late?.code == .deadlineExceeded, "\(String(describing: late))")
            await citizen.close()

            // C and Python: the examples, as an agency's developer runs them.
            // The C example under valgrind: no invalid access, nothing definitely lost.
            try await runExample("c", on: platform) { arguments, folder in
                try ChildProcess(try Self.program("valgrind"),
                                 ["--quiet", "--leak-check=full", "--errors-for-leak-kinds=definite", "--error-exitcode=3",
                                  platform.cExample.path] + arguments, outputFolder: folder)
            }
            try await runExample("python", on: platform) { arguments, folder in
                try platform.python.start(arguments, output: folder)
            }
            // Python acting for officers: a real one lists the agency's queue; one the key may
            // not vouch for is refused naming x-dvc-on-behalf-of.
            let officers = try await runToCompletion(platform.python.executable, ["-c", """
                import sys
                from dvc_client import Client, RPCError
                client = Client(sys.argv[1], api_key=sys.argv[2], tls_ca=sys.argv[3])
                queue = client.acting_for("officer:tn01:receiver").dossiers.list_dossiers(agency_code=sys.argv[4])
                # Three submitted here; the one given 1 ms may have been committed too.
                print("queue", "ok" if len(queue.dossiers) >= 3 else len(queue.dossiers))
                try:
                    client.dossiers.list_dossiers(agency_code=sys.argv[4], on_behalf_of="officer:khong.co:receiver")
                except RPCError as error:
                    print("refused", error.code.name, error.field)
                """, platform.gateway, platform.key, platform.ca, platform.agency],
                environment: childEnvironment(["PYTHONPATH": platform.python.site.path]))
            #expect(officers.status == 0 && officers.stdout == "queue ok\nrefused PERMISSION_DENIED x-dvc-on-behalf-of\n", "\(officers)")

            let runC: ([String]) async throws -> Finished = { try await runToCompletion(platform.cExample, $0) }
            let runPython: ([String]) async throws -> Finished = { try await platform.python.run($0) }
            for (name, run) in [("c", runC), ("python", runPython)] {
                let unauthenticated = try await refused(platform, run, key: "ApiKey kkhongco000.sai")
                #expect(unauthenticated.status == 1 && unauthenticated.stderr.hasPrefix("error UNAUTHENTICATED: "), "\(name): \(unauthenticated)")
                let invalid = try await refused(platform, run, procedure: "")
                #expect(invalid.status == 1 && invalid.stderr.hasPrefix("error INVALID_ARGUMENT: ")
                        && invalid.stderr.contains("[procedure_code: required]"), "\(name): \(invalid)")
                let late = try await refused(platform, run, timeout: "0.001")
                #expect(late.status == 1 && late.stderr.hasPrefix("error DEADLINE_EXCEEDED: "), "\(name): \(late)")
            }
        }
    }

    @Test("a read is retried with back-off while nothing answers, then fails UNAVAILABLE, in each client")
    func retries() async throws {
        let work = try makeTemporaryFolder("clients-retry")
        let nowhere = "127.0.0.1:\(try freeLoopbackPort())"

        // Swift: four tries in all, each wait longer than none, then the connection's error.
        let retried = RetryLog()
        let client = try DVCClient(address: nowhere, apiKey: "ApiKey k.s", actingFor: .citizen(Self.citizen), timeout: .seconds(10),
                                   retry: RetryPolicy(attempts: 4, initialBackoff: .milliseconds(50), maximumBackoff: .milliseconds(400)))
        var get = DossierV1.GetDossierRequest()
        get.id = "khong-co"
        let failed = await rpcError {
            try await client.call(GatewayV1.DossierService.getDossier, get, kind: .read) { attempt, wait, error in
                retried.append(attempt, wait, error.code)
            }
        }
        #expect(failed?.code == .unavailable)
        #expect(retried.attempts == [1, 2, 3], "\(retried.attempts)")
        #expect(retried.codes.allSatisfy { $0 == .unavailable })
        // A write without an idempotency key is not sent twice.
        retried.clear()
        var act = DossierV1.ActRequest()
        act.dossierId = "khong-co"
        _ = await rpcError {
            try await client.call(GatewayV1.DossierService.act, act, kind: .write) { attempt, wait, error in
                retried.append(attempt, wait, error.code)
            }
        }
        #expect(retried.attempts.isEmpty)
        await client.close()

        // A program of an agency's own, built against the installed library with pkg-config
        // (the C quickstart): it reaches the client and gets its error.
        let prefix = try await Self.built.value.c.deletingLastPathComponent().appendingPathComponent("prefix")
        let program = work.appendingPathComponent("my_agency.c")
        try """
            #include <stdio.h>
            #include <dvc_client.h>
            int main(int argc, char **argv) {
                dvc_client_options options = {0};
                options.address = argv[1];
                options.api_key = "k.s";
                options.max_attempts = 2;
                dvc_client *client;
                dvc_status status;
                if (dvc_client_new(&options, &client, &status) != 0) return 2;
                Dvc__Dossier__V1__GetDossierRequest request = DVC__DOSSIER__V1__GET_DOSSIER_REQUEST__INIT;
                request.id = "khong-co";
                Dvc__Dossier__V1__Dossier *dossier;
                int code = dvc_dossier_get_dossier(client, &request, &dossier, NULL, &status);
                printf("%s\\n", dvc_code_name(code));
                dvc_client_free(client);
                return 0;
            }
            """.write(to: program, atomically: true, encoding: .utf8)
        let compiled = try await runToCompletion(URL(fileURLWithPath: "/bin/sh"), ["-c", """
            export PKG_CONFIG_PATH="$1/lib/pkgconfig" && cc "$2" $(pkg-config --cflags --libs dvcclient) -o "$3" \
              && LD_LIBRARY_PATH="$1/lib" "$3" "$4"
            """, "sh", prefix.path, program.path, work.appendingPathComponent("my_agency").path, nowhere])
        #expect(compiled.status == 0 && compiled.stdout == "UNAVAILABLE\n", "\(compiled)")

        // C and Python: a submission carries an idempotency key, so it is retried too.
        let paper = work.appendingPathComponent("to-khai.pdf")
        try Self.pdf.write(to: paper)
        let arguments = ["--gateway", nowhere, "--api-key", "ApiKey k.s", "--citizen", Self.citizen, "--agency", "A",
                         "--procedure", "P", "--file", paper.path]
        let c = try await runToCompletion(try await Self.built.value.c, arguments)
        let python = try await Self.built.value.python.run(arguments)
        for (name, run) in [("c", c), ("python", python)] {
            let lines = run.stderr.split(separator: "\n")
            #expect(run.status == 1 && lines.last?.hasPrefix("error UNAVAILABLE: ") == true, "\(name): \(run)")
            #expect(lines.filter { $0.hasPrefix("retry ") && $0.hasSuffix(" after UNAVAILABLE") }.count == 3, "\(name): \(run)")
        }
        try? FileManager.default.removeItem(at: work)
    }
}

/// The retries a client reported, from its callback.
final class RetryLog: Sendable {
    private let entries = Mutex<[(Int, Duration, StatusCode)]>([])
    func append(_ attempt: Int, _ wait: Duration, _ code: StatusCode) { entries.withLock { $0.append((attempt, wait, code)) } }
    func clear() { entries.withLock { $0.removeAll() } }
    var attempts: [Int] { entries.withLock { $0.map(\.0) } }
    var codes: [StatusCode] { entries.withLock { $0.map(\.2) } }
}
