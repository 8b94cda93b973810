import ArgumentParser
import BenchKit
import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Storage
import StorageTestKit

/// Online submissions per second with a durable commit (synchronous=FULL, files fsynced)
/// and two 100 KB attachments each: catalog-svc, dossier-svc and (by default) the gateway as
/// child processes, an agency system's key acting for citizens, C submissions in flight on one
/// connection; one JSON line per storage backend measured (`--database`: dossier-svc's data in
/// SQLite, in PostgreSQL, or both one after the other in the same run).
@main
struct DossierBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dossier-bench",
        abstract: "Dossier submission benchmark (not a test: it prints numbers)."
    )

    @Option(help: "Submissions in flight, on one connection.")
    var concurrency: Int = 64

    @Option(help: "Seconds measured.")
    var duration: Double = 5

    @Option(help: "Seconds of warm-up.")
    var warmup: Double = 1

    @Option(help: "Bytes per attachment (two per submission).")
    var attachmentBytes: Int = 100_000

    @Option(help: "gateway (end to end, as an agency system calls) or direct (straight to dossier-svc).")
    var via: Via = .gateway

    enum Via: String, ExpressibleByArgument { case gateway, direct }

    @Option(help: "Where dossier-svc keeps its data: sqlite (the default), postgres, or both (one after the other, same run).")
    var database: Backends = .sqlite

    enum Backends: String, ExpressibleByArgument { case sqlite, postgres, both }

    @Option(help: "With --database postgres or both: a connection string to a PostgreSQL server where the role may create databases (a fresh one is made per run), e.g. the failover cluster's multi-host URL of scripts/pg-cluster.sh. Default: a private server started for the run.")
    var postgres: String?

    @Option(help: "A running gateway's RPC address HOST:PORT: submit through it instead of starting the services (with --api-key, --agency and --procedure; scripts/bench-http.sh compares the HTTP door with it).")
    var gateway: String?

    @Option(help: "With --gateway: the Authorization value of an agency system's key (as `gateway api-key create` prints it).")
    var apiKey: String?

    @Option(help: "With --gateway: the agency and the procedure (level 3 or above, no form fields) submitted to.")
    var agency: String?

    @Option(help: "With --gateway: see --agency.")
    var procedure: String?

    func run() async throws {
        if let gateway {
            guard let address = PeerAddress(gateway), let apiKey, let agency, let procedure else {
                throw ValidationError("--gateway takes HOST:PORT and needs --api-key, --agency and --procedure")
            }
            try await measure(target: address, authorization: apiKey, agency: agency, procedure: procedure)
            return
        }
        let catalog = try await ChildService("catalog-svc")
        defer { catalog.stop() }
        for backend: SQLBackend in database == .both ? [.sqlite, .postgres] : (database == .sqlite ? [.sqlite] : [.postgres]) {
            var config: [String: String] = [:]
            if backend == .postgres {
                let server = try postgres ?? TestPostgres.server
                let name = "dvc_bench_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
                config["database"] = try PostgresAdministration.createDatabase(name, on: server)
            }
            try await measure(catalog: catalog, backend: backend, config: config)
        }
    }

    /// One measurement with a fresh dossier-svc (and gateway) whose data is in `backend`.
    func measure(catalog: ChildService, backend: SQLBackend, config: [String: String]) async throws {
        let dossier = try await ChildService("dossier-svc", arguments: ["--catalog", catalog.address.description], config: config)
        defer { dossier.stop() }
        var gateway: ChildService?
        if via == .gateway {
            gateway = try await ChildService("gateway", arguments: ["--catalog", catalog.address.description,
                                                                    "--dossier", dossier.address.description],
                                             config: ChildService.gatewayLimitsOutOfReach)
        }
        defer { gateway?.stop() }

        let setup = RPCClient(peers: [catalog.address])
        let export = try await setup.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest())
        await setup.close()
        // No form fields, and at most two papers in all: the two files of each submission are
        // taken for whatever papers it must file (dossier-svc refuses an incomplete dossier).
        let simple = Set(export.procedures.filter { $0.forms.allSatisfy { $0.fields.isEmpty } && $0.documents.count <= 2 }
            .map(\.code))
        guard let level = export.levels.first(where: { $0.level >= 3 && simple.contains($0.procedureCode) }) else {
            throw BenchError("the seed has no level-3 procedure without form fields and with at most two papers")
        }
        let authorization = try gateway.map { try $0.makeAPIKey(agency: level.agencyCode, label: "dossier-bench") }
        try await measure(target: gateway?.address ?? dossier.address, authorization: authorization,
                          agency: level.agencyCode, procedure: level.procedureCode, backend: backend)
    }

    /// Submissions to `target` for the measured time; through the gateway when `authorization`
    /// is an agency system's key, straight to dossier-svc when nil.
    func measure(target: PeerAddress, authorization: String?, agency: String, procedure: String,
                 backend: SQLBackend? = nil) async throws {
        // Distinct attachments per submission would measure the random generator; the store
        // keeps identical bytes once, so every submission gets its own by changing a header.
        let body = Data(repeating: 0x41, count: attachmentBytes)
        let (eventLoop, executor) = ClosedLoop.eventLoop()
        let client = RPCClient(peers: [target], group: eventLoop)
        let load = ClosedLoop(concurrency: concurrency, warmup: .milliseconds(Int64(warmup * 1000)),
                              duration: .milliseconds(Int64(duration * 1000)))
        let run = UUID().uuidString.prefix(8)
        let result = try await load.run(executor: executor) { iteration in
            var request = DossierV1.SubmitDossierRequest()
            request.agencyCode = agency
            request.procedureCode = procedure
            request.attachments = (0..<2).map { number in
                var upload = DossierV1.AttachmentUpload()
                upload.name = "tep-\(number).pdf"
                upload.content = Data("%PDF-1.4\n% \(run)-\(iteration)-\(number)\n".utf8) + body + Data("\n%%EOF\n".utf8)
                return upload
            }
            var options = CallOptions(timeout: .seconds(30))
            let citizen = "citizen:" + String(format: "0010990%05d", iteration % 100_000)
            options.metadata[MetadataKey.idempotencyKey] = "\(run)-\(iteration)"
            guard let authorization else {
                options.metadata[CallerIdentity.metadataKey] = citizen
                return try await client.unary(DossierV1.DossierService.submitDossier, request, options: options).dossier != nil
            }
            options.metadata[MetadataKey.authorization] = authorization
            options.metadata["x-dvc-on-behalf-of"] = citizen
            return try await client.unary(GatewayV1.DossierService.submitDossier, request, options: options).dossier != nil
        }
        await client.close()
        emit(result.json(impl: "dossier.SubmitDossier", extra: [
            ("via", "\"\(gateway != nil || via == .gateway ? "gateway" : "direct")\""),
            ("database", backend.map { "\"\($0.rawValue)\"" } ?? "null"), ("concurrency", "\(concurrency)"), ("attachments", "2"), ("attachment_bytes", "\(attachmentBytes)"),
        ]))
    }
}
