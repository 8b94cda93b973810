import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// Under mutual TLS (docs/tls.md), the connector's certificate may submit a dossier to
/// dossier-svc as the citizen the national portal identified and read it as itself, and
/// nothing else (docs/national-portal.md, docs/security.md).
@Suite(.timeLimit(.minutes(2))) struct NationalPortalTrustTests {
    static let citizen = "001099054399"

    @Test("national-portal-sync's certificate submits as the citizen and reads as itself; it takes no workflow step and asserts no other system")
    func connectorCertificate() async throws {
        let folder = try makeTemporaryFolder("portal-trust")
        try await MutualTLSTests.makeCA([folder.path, "catalog-svc=127.0.0.1", "dossier-svc=127.0.0.1",
                                         "national-portal-sync=127.0.0.1", "ops-nguyen"])
        let certificates = MutualTLSTests.Certificates(folder: folder, other: folder)
        try await withService("catalog-svc", extraArguments: certificates.flags("catalog-svc")) { catalogProcess in
            try await withService("dossier-svc", extraArguments: ["--catalog", catalogProcess.address.description]
                                  + certificates.flags("dossier-svc")) { dossierProcess in
                func client(_ process: ServiceProcess, as name: String) throws -> RPCClient {
                    var configuration = RPCClientConfiguration()
                    configuration.tls = try certificates.client(name)
                    return RPCClient(peers: [process.address], configuration: configuration)
                }
                let catalog = try client(catalogProcess, as: "ops-nguyen")
                let connector = try client(dossierProcess, as: "national-portal-sync")
                let operator_ = try client(dossierProcess, as: "ops-nguyen")
                defer { Task { await catalog.close(); await connector.close(); await operator_.close() } }
                func options(_ identity: String, key: String? = nil) -> CallOptions {
                    var options = CallOptions(timeout: .seconds(10))
                    options.metadata[CallerIdentity.metadataKey] = identity
                    if let key { options.metadata[MetadataKey.idempotencyKey] = key }
                    return options
                }
                let export = try await catalog.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                                     options: CallOptions(timeout: .seconds(10)))
                let simple = Set(export.procedures.filter(\.isSimpleToSubmit).map(\.code))
                let level = try #require(export.levels.first { $0.level == 3 && simple.contains($0.procedureCode) })
                var submit = DossierV1.SubmitDossierRequest()
                submit.agencyCode = level.agencyCode
                submit.procedureCode = level.procedureCode
                submit.channel = .nationalPortal
                var upload = DossierV1.AttachmentUpload()
                upload.name = "to-khai.pdf"
                upload.content = NationalPortalPlatform.pdf
                submit.attachments = [upload]

                // The connector: as the citizen, then reading as itself.
                let dossier = try #require(try await connector.unary(
                    DossierV1.DossierService.submitDossier, submit,
                    options: options("citizen:\(Self.citizen)", key: "dvcqg:G22.TLS.1")).dossier)
                #expect(dossier.channel == .nationalPortal)
                var get = DossierV1.GetDossierRequest()
                get.id = dossier.id
                #expect(try await connector.unary(DossierV1.DossierService.getDossier, get,
                                                  options: options("system:national-portal-sync")).id == dossier.id)

                func refused(_ call: () async throws -> Void) async -> StatusCode? {
                    do { try await call(); return nil } catch let error as RPCError { return error.code } catch { return nil }
                }
                // No workflow step, no other system's name, no other method.
                var act = DossierV1.ActRequest()
                act.dossierId = dossier.id
                act.action = .receive
                act.expectedVersion = dossier.version
                #expect(await refused {
                    _ = try await connector.unary(DossierV1.DossierService.act, act, options: options("officer:tn01@\(level.agencyCode):receiver"))
                } == .permissionDenied)
                #expect(await refused {
                    _ = try await connector.unary(DossierV1.DossierService.getDossier, get, options: options("system:payment-svc"))
                } == .permissionDenied)
                #expect(await refused {
                    _ = try await connector.unary(DossierV1.DossierService.listDossiers, DossierV1.ListDossiersRequest(),
                                                  options: options("system:national-portal-sync"))
                } == .permissionDenied)
                // An operator's certificate cannot submit as a citizen.
                #expect(await refused {
                    _ = try await operator_.unary(DossierV1.DossierService.submitDossier, submit,
                                                  options: options("citizen:\(Self.citizen)", key: "dvcqg:G22.TLS.2"))
                } == .permissionDenied)
            }
        }
    }
}
