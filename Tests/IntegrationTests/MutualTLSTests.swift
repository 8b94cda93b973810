import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// Trust between services (docs/tls.md): real executables started with `--tls-cert`,
/// `--tls-key`, `--tls-ca` from certificates that deploy/tls/make-ca.sh makes in a temporary
/// folder. Only a caller with a certificate of the platform's CA is served; a caller without
/// one (plain TCP, TLS without a certificate), with one of another CA, or with an expired one
/// is refused with UNAVAILABLE naming the reason, and the server logs the refusal; a client
/// refuses a server whose certificate is of another CA or does not name its address; the
/// gateway reaches catalog-svc over mutual TLS and serves agency systems over TLS.
@Suite(.serialized, .timeLimit(.minutes(3))) struct MutualTLSTests {
    /// Certificates of one test run.
    struct Certificates {
        var folder: URL
        var other: URL

        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        /// The service flags of `name`'s certificate under the platform CA.
        func flags(_ name: String) -> [String] {
            ["--tls-cert", path("\(name).pem"), "--tls-key", path("\(name).key"), "--tls-ca", path("ca.pem")]
        }
        /// Client TLS with `name`'s certificate (nil: none), trusting the platform CA.
        func client(_ name: String?) throws -> RPCTLS {
            try RPCTLS.load(certificate: name.map { path("\($0).pem") }, privateKey: name.map { path("\($0).key") },
                            authority: path("ca.pem"))
        }
    }

    static func makeCA(_ arguments: [String]) async throws {
        let script = repoRoot.appendingPathComponent("deploy/tls/make-ca.sh")
        let run = try await runToCompletion(script, arguments)
        guard run.exited, run.status == 0 else { throw TestFailure(description: "make-ca.sh \(arguments): \(run)") }
    }

    /// The platform CA with certificates for the services and an operator, an operator whose
    /// certificate has expired, a service certificate naming another address, and a second
    /// CA (an intruder's) with its own catalog-svc and client certificates.
    static func makeCertificates() async throws -> Certificates {
        let folder = try makeTemporaryFolder("tls")
        let other = try makeTemporaryFolder("tls-other")
        try await makeCA([folder.path, "catalog-svc=127.0.0.1,localhost", "dossier-svc=127.0.0.1", "gateway=127.0.0.1",
                          "elsewhere=10.9.9.9,elsewhere.internal", "operator"])
        try await makeCA(["--days", "-1", folder.path, "expired-operator"])
        try await makeCA(["--ca-name", "Intruder CA", other.path, "catalog-svc=127.0.0.1", "intruder"])
        let certificates = Certificates(folder: folder, other: other)
        // The script's promises: keys only for their owner, the CA reused on the second run.
        let attributes = try FileManager.default.attributesOfItem(atPath: certificates.path("operator.key"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        return certificates
    }

    static let call = CallOptions(timeout: .seconds(5))

    func healthCheck(_ address: PeerAddress, tls: RPCTLS?) async throws -> HealthV1.HealthCheckResponse.ServingStatus {
        var configuration = RPCClientConfiguration()
        configuration.tls = tls
        let client = RPCClient(peers: [address], configuration: configuration)
        do {
            let status = try await client.unary(HealthV1.Health.check, HealthV1.HealthCheckRequest(), options: Self.call).status
            await client.close()
            return status
        } catch {
            await client.close()
            throw error
        }
    }

    @Test("catalog-svc with mutual TLS serves a platform certificate and refuses every other caller, saying why")
    func callersNeedAPlatformCertificate() async throws {
        let certificates = try await Self.makeCertificates()
        try await withService("catalog-svc", extraArguments: certificates.flags("catalog-svc")) { catalog in
            // The right certificate: served, both by health and by the catalog's own methods.
            #expect(try await healthCheck(catalog.address, tls: certificates.client("operator")) == .serving)
            var configuration = RPCClientConfiguration()
            configuration.tls = try certificates.client("dossier-svc")
            let client = RPCClient(peers: [catalog.address], configuration: configuration)
            let export = try await client.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                                options: Self.call)
            #expect(!export.procedures.isEmpty)
            await client.close()

            // Plain TCP: the server never answers the preface.
            let plain = await rpcError { try await healthCheck(catalog.address, tls: nil) }
            #expect(plain?.code == .unavailable)
            #expect(plain?.message.contains("does it require TLS") == true, "\(plain?.message ?? "")")

            // TLS that verifies the server but presents no certificate.
            let anonymous = await rpcError { try await healthCheck(catalog.address, tls: certificates.client(nil)) }
            #expect(anonymous?.code == .unavailable)
            #expect(anonymous?.message.contains("certificate") == true, "\(anonymous?.message ?? "")")

            // A certificate of another CA. The intruder trusts the platform CA to get as far
            // as presenting its own certificate.
            let intruder = try RPCTLS.load(certificate: certificates.other.appendingPathComponent("intruder.pem").path,
                                           privateKey: certificates.other.appendingPathComponent("intruder.key").path,
                                           authority: certificates.path("ca.pem"))
            let foreign = await rpcError { try await healthCheck(catalog.address, tls: intruder) }
            #expect(foreign?.code == .unavailable)
            #expect(foreign?.message.contains("refused this side's certificate") == true, "\(foreign?.message ?? "")")

            // An expired certificate of the platform CA.
            let expired = await rpcError { try await healthCheck(catalog.address, tls: certificates.client("expired-operator")) }
            #expect(expired?.code == .unavailable)
            #expect(expired?.message.contains("expired") == true, "\(expired?.message ?? "")")

            // Each refusal left a line in the service's log, and none of them reached a handler.
            try await Task.sleep(for: .milliseconds(200))
            let refusals = catalog.stderr.split(separator: "\n").filter { $0.contains("TLS handshake refused") }
            #expect(refusals.count >= 4, "stderr:\n\(catalog.stderr)")
            #expect(catalog.stderr.contains("RPC over TLS"))
        }
    }

    @Test("a client refuses a server whose certificate is of another CA or does not name the address it dialled")
    func serversNeedAPlatformCertificateForTheirAddress() async throws {
        let certificates = try await Self.makeCertificates()
        let otherCA = certificates.other
        let impostor = ["--tls-cert", otherCA.appendingPathComponent("catalog-svc.pem").path,
                        "--tls-key", otherCA.appendingPathComponent("catalog-svc.key").path,
                        "--tls-ca", certificates.path("ca.pem")]
        try await withService("catalog-svc", extraArguments: impostor) { catalog in
            let refused = await rpcError { try await healthCheck(catalog.address, tls: certificates.client("operator")) }
            #expect(refused?.code == .unavailable)
            #expect(refused?.message.contains("peer's certificate is not accepted") == true, "\(refused?.message ?? "")")
        }
        // Signed by the platform CA, but for 10.9.9.9, not 127.0.0.1.
        try await withService("catalog-svc", extraArguments: certificates.flags("elsewhere")) { catalog in
            let refused = await rpcError { try await healthCheck(catalog.address, tls: certificates.client("operator")) }
            #expect(refused?.code == .unavailable)
            #expect(refused?.message.contains("not accepted") == true, "\(refused?.message ?? "")")
        }
    }

    @Test("the gateway reaches catalog-svc over mutual TLS and serves a public search to a TLS caller without a certificate")
    func gatewayOverMutualTLS() async throws {
        let certificates = try await Self.makeCertificates()
        var search = CatalogV1.SearchProceduresRequest()
        search.query = "giay phep xay dung"
        search.pageSize = 5
        try await withService("catalog-svc", extraArguments: certificates.flags("catalog-svc")) { catalog in
            try await withService("gateway", extraArguments: ["--catalog", catalog.address.description]
                                  + certificates.flags("gateway")) { gateway in
                // An agency system: TLS trusting the platform CA, no certificate (API keys
                // say who it is).
                var configuration = RPCClientConfiguration()
                configuration.tls = try certificates.client(nil)
                let agency = RPCClient(peers: [gateway.address], configuration: configuration)
                let found = try await agency.unary(GatewayV1.PublicService.searchProcedures, search, options: Self.call)
                #expect(!found.procedures.isEmpty)
                await agency.close()
                // Plain TCP to the gateway's TLS port is refused.
                let plain = await rpcError { try await healthCheck(gateway.address, tls: nil) }
                #expect(plain?.code == .unavailable)
                #expect(gateway.stderr.contains("not asked for"), "stderr:\n\(gateway.stderr)")
            }
            // A gateway without the platform's certificate is refused by catalog-svc: the
            // search fails instead of being answered.
            try await withService("gateway", extraArguments: ["--catalog", catalog.address.description]) { gateway in
                try await withClient(gateway) { client in
                    let refused = await rpcError {
                        try await client.unary(GatewayV1.PublicService.searchProcedures, search, options: Self.call)
                    }
                    #expect(refused?.code == .unavailable, "\(String(describing: refused))")
                }
            }
        }
    }

    @Test("dvcctl calls a service with mutual TLS given --tls-cert, --tls-key and --tls-ca, and fails clearly without")
    func operatorCommandLine() async throws {
        let certificates = try await Self.makeCertificates()
        let dvcctl = try Executables.url("dvcctl")
        try await withService("catalog-svc", extraArguments: certificates.flags("catalog-svc")) { catalog in
            let address = catalog.address.description
            let served = try await runToCompletion(dvcctl, ["health", address,
                                                            "--tls-cert", certificates.path("operator.pem"),
                                                            "--tls-key", certificates.path("operator.key"),
                                                            "--tls-ca", certificates.path("ca.pem")])
            #expect(served.exited && served.status == 0, "\(served)")
            #expect(served.stdout.contains("SERVING"), "\(served)")
            let refused = try await runToCompletion(dvcctl, ["health", address])
            #expect(refused.status != 0, "\(refused)")
            #expect((refused.stdout + refused.stderr).contains("TLS"), "\(refused)")
            let missing = try await runToCompletion(dvcctl, ["health", address, "--tls-cert", certificates.path("operator.pem"),
                                                             "--tls-key", certificates.path("nothing.key"),
                                                             "--tls-ca", certificates.path("ca.pem")])
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("nothing.key"), "\(missing)")
        }
    }

    @Test("a service refuses to start when a TLS file is missing, naming it")
    func missingFileStopsTheService() async throws {
        let certificates = try await Self.makeCertificates()
        let data = try makeTemporaryFolder("tls-missing")
        let run = try await runToCompletion(try Executables.url("catalog-svc"), [
            "--listen", "127.0.0.1:0", "--data-dir", data.path,
            "--tls-cert", certificates.path("catalog-svc.pem"), "--tls-key", certificates.path("catalog-svc.key"),
            "--tls-ca", certificates.path("no-such-ca.pem"),
        ])
        #expect(run.status != 0)
        #expect(run.stderr.contains("no-such-ca.pem") && run.stderr.contains("does not exist"), "\(run)")
    }
}
