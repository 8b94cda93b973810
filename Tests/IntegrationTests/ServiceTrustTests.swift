import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Services that trust each other only as far as their certificates say (docs/security.md,
/// "Services that trust each other"; docs/tls.md): real executables with mutual TLS, called
/// with the certificates deploy/tls/make-ca.sh makes for each service and operator. The
/// gateway's certificate cannot post a payment event to dossier-svc nor change the catalog as
/// `system:*`; an operator's change is audited under the certificate's name; a revoked
/// certificate is refused once the deny list is reloaded (SIGHUP).
@Suite(.serialized, .timeLimit(.minutes(3))) struct ServiceTrustTests {
    static let call = CallOptions(timeout: .seconds(10))
    static let citizen = "001099012399"

    static func makeCertificates() async throws -> MutualTLSTests.Certificates {
        let folder = try makeTemporaryFolder("trust")
        try await MutualTLSTests.makeCA([folder.path, "catalog-svc=127.0.0.1", "dossier-svc=127.0.0.1",
                                         "payment-svc=127.0.0.1", "gateway=127.0.0.1", "ops-nguyen", "ops-tran"])
        return MutualTLSTests.Certificates(folder: folder, other: folder)
    }

    func client(_ process: ServiceProcess, as name: String, _ certificates: MutualTLSTests.Certificates) throws -> RPCClient {
        var configuration = RPCClientConfiguration()
        configuration.tls = try certificates.client(name)
        return RPCClient(peers: [process.address], configuration: configuration)
    }

    static func options(_ identity: String?, idempotencyKey: String? = nil, actor: String? = nil) -> CallOptions {
        var options = call
        if let identity { options.metadata[CallerIdentity.metadataKey] = identity }
        if let idempotencyKey { options.metadata[MetadataKey.idempotencyKey] = idempotencyKey }
        if let actor { options.metadata["x-dvc-actor"] = actor }
        return options
    }

    @Test("the gateway's certificate posting a 'payment.paid' to dossier-svc is PERMISSION_DENIED and changes nothing; payment-svc's is applied; ratings for the gateway alone")
    func onlyPaymentSvcDeliversPaymentEvents() async throws {
        let certificates = try await Self.makeCertificates()
        try await withService("catalog-svc", extraArguments: certificates.flags("catalog-svc")) { catalogProcess in
            try await withService("dossier-svc", extraArguments: ["--catalog", catalogProcess.address.description]
                                  + certificates.flags("dossier-svc")) { dossierProcess in
                let catalog = try client(catalogProcess, as: "ops-nguyen", certificates)
                let gateway = try client(dossierProcess, as: "gateway", certificates)
                let payments = try client(dossierProcess, as: "payment-svc", certificates)
                defer { Task { await catalog.close(); await gateway.close(); await payments.close() } }

                // A level-4 dossier awaiting its fee, made the way the gateway makes it.
                let export = try await catalog.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                                     options: Self.call)
                let simple = Set(export.procedures.filter { procedure in
                    procedure.isSimpleToSubmit && procedure.fees.contains { $0.amountVnd > 0 }
                }.map(\.code))
                let level = try #require(export.levels.first { $0.level == 4 && simple.contains($0.procedureCode) })
                var submit = DossierV1.SubmitDossierRequest()
                submit.agencyCode = level.agencyCode
                submit.procedureCode = level.procedureCode
                submit.channel = .online
                var upload = DossierV1.AttachmentUpload()
                upload.name = "to-khai.pdf"
                upload.content = PaymentFlowTests.pdf
                submit.attachments = [upload]
                var dossier = try #require(try await gateway.unary(
                    DossierV1.DossierService.submitDossier, submit,
                    options: Self.options("citizen:\(Self.citizen)", idempotencyKey: "trust-1")).dossier)
                for (action, person) in [(DossierV1.Action.receive, "tn01"), (.startProcessing, "xl01"), (.requestPayment, "xl01")] {
                    var act = DossierV1.ActRequest()
                    act.dossierId = dossier.id
                    act.action = action
                    act.expectedVersion = dossier.version
                    let role = action == .receive ? "receiver" : "processor"
                    dossier = try await gateway.unary(DossierV1.DossierService.act, act,
                                                      options: Self.options("officer:\(person)@\(level.agencyCode):\(role)"))
                }
                #expect(dossier.state == .awaitingPayment)

                // payment-svc's event, exactly as its outbox would send it, but from the gateway.
                var payment = PaymentV1.Payment()
                payment.id = "thanh-toan-gia"
                payment.dossierId = dossier.id
                payment.amountVnd = try #require(export.procedures.first { $0.code == level.procedureCode }?
                    .fees.first { $0.amountVnd > 0 }).amountVnd
                payment.state = .paid
                payment.receiptNumber = "BL/2026/GIA-1"
                var body = PaymentV1.PaymentEvent()
                body.payment = payment
                var event = EventsV1.Event()
                event.id = UUID().uuidString.lowercased()
                event.type = "payment.paid"
                event.source = "payment-svc"
                event.aggregateId = payment.id
                event.payload = body.protobufData
                for identity in [nil, "system:payment-svc"] {
                    let refused = await rpcError {
                        try await gateway.unary(EventsV1.EventSink.deliver, event, options: Self.options(identity))
                    }
                    #expect(refused?.code == .permissionDenied, "\(String(describing: refused))")
                }
                // An operator's certificate may not post events either.
                let operatorClient = try client(dossierProcess, as: "ops-nguyen", certificates)
                let byOperator = await rpcError {
                    try await operatorClient.unary(EventsV1.EventSink.deliver, event, options: Self.call)
                }
                await operatorClient.close()
                #expect(byOperator?.code == .permissionDenied)

                var get = DossierV1.GetDossierRequest()
                get.id = dossier.id
                let after = try await gateway.unary(DossierV1.DossierService.getDossier, get,
                                                    options: Self.options("citizen:\(Self.citizen)"))
                #expect(after.state == .awaitingPayment && after.version == dossier.version, "nothing changed")
                #expect(dossierProcess.stderr.contains("refused a call the caller's certificate does not allow"))

                // The same event id from payment-svc's certificate is new to dossier-svc (the
                // refused ones were not recorded) and is applied.
                let applied = try await payments.unary(EventsV1.EventSink.deliver, event, options: Self.call)
                #expect(!applied.duplicate)
                let paid = try await gateway.unary(DossierV1.DossierService.getDossier, get,
                                                   options: Self.options("citizen:\(Self.citizen)"))
                #expect(paid.version > dossier.version)

                // Satisfaction ratings (docs/satisfaction.md): the gateway's certificate alone;
                // payment-svc's and an operator's are refused even the aggregates.
                var summary = DossierV1.RatingSummaryRequest()
                summary.agencyCode = level.agencyCode
                _ = try await gateway.unary(DossierV1.RatingService.getRatingSummary, summary, options: Self.call)
                let ratingOperator = try client(dossierProcess, as: "ops-nguyen", certificates)
                for (name, other) in [("payment-svc", payments), ("ops-nguyen", ratingOperator)] {
                    let refused = await rpcError {
                        try await other.unary(DossierV1.RatingService.getRatingSummary, summary, options: Self.call)
                    }
                    #expect(refused?.code == .permissionDenied, "\(name): \(String(describing: refused))")
                }
                await ratingOperator.close()
            }
        }
    }

    @Test("the gateway's certificate cannot change a fee in catalog-svc, as system:x or anyone; an operator's change is audited under its certificate's name")
    func catalogChangesNeedAnOperatorCertificate() async throws {
        let certificates = try await Self.makeCertificates()
        try await withService("catalog-svc", extraArguments: certificates.flags("catalog-svc")) { catalogProcess in
            let gateway = try client(catalogProcess, as: "gateway", certificates)
            let operatorClient = try client(catalogProcess, as: "ops-nguyen", certificates)
            defer { Task { await gateway.close(); await operatorClient.close() } }
            let export = try await gateway.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                                 options: Self.call)
            let original = try #require(export.procedures.first { $0.fees.contains { $0.amountVnd > 0 } })
            var cheaper = original
            cheaper.fees = cheaper.fees.map { fee in
                var fee = fee
                fee.amountVnd = 1
                return fee
            }
            var put = CatalogV1.PutProcedureRequest()
            put.procedure = cheaper
            for identity in ["system:x", "system:dvcctl", "officer:cb01@000.00.20.H26:admin"] {
                let refused = await rpcError {
                    try await gateway.unary(CatalogV1.CatalogService.putProcedure, put,
                                            options: Self.options(identity, actor: "ai-do"))
                }
                #expect(refused?.code == .permissionDenied, "\(identity): \(String(describing: refused))")
            }
            var get = CatalogV1.GetProcedureRequest()
            get.code = original.code
            let unchanged = try await gateway.unary(CatalogV1.CatalogService.getProcedure, get, options: Self.call)
            #expect(unchanged.procedure?.fees == original.fees, "the fee did not change")

            // The operator's change goes through, audited under the certificate, whatever
            // x-dvc-actor claims (kept only as a note).
            _ = try await operatorClient.unary(CatalogV1.CatalogService.putProcedure, put,
                                               options: Self.options("system:dvcctl", actor: "someone-else"))
            var audit = CatalogV1.ListAuditRequest()
            audit.pageSize = 1
            let entry = try #require(try await operatorClient.unary(CatalogV1.CatalogService.listAudit, audit,
                                                                    options: Self.call).entries.first)
            #expect(entry.actor == "ops-nguyen (says: someone-else)", "\(entry.actor)")
            // An operator may not pretend to be a citizen or an officer.
            let pretending = await rpcError {
                try await operatorClient.unary(CatalogV1.CatalogService.putProcedure, put,
                                               options: Self.options("officer:cb01@000.00.20.H26:admin"))
            }
            #expect(pretending?.code == .permissionDenied)
        }
    }

    @Test("a revoked certificate is refused on new connections and on open ones once the deny list is reloaded")
    func revokedCertificates() async throws {
        let certificates = try await Self.makeCertificates()
        let denyList = certificates.folder.appendingPathComponent("revoked.txt")
        try "# revoked certificates of the platform CA\n".write(to: denyList, atomically: true, encoding: .utf8)
        try await withService("catalog-svc", extraArguments: certificates.flags("catalog-svc")
                              + ["--tls-revoked", denyList.path]) { catalog in
            let open = try client(catalog, as: "ops-tran", certificates)
            defer { Task { await open.close() } }
            let health = HealthV1.HealthCheckRequest()
            #expect(try await open.unary(HealthV1.Health.check, health, options: Self.call).status == .serving)

            let serial = try await runToCompletion(URL(fileURLWithPath: "/usr/bin/openssl"),
                                                   ["x509", "-noout", "-serial", "-in", certificates.path("ops-tran.pem")])
            #expect(serial.exited && serial.status == 0, "\(serial)")
            try "# revoked certificates of the platform CA\n\(serial.stdout)".write(to: denyList, atomically: true, encoding: .utf8)
            catalog.send(SIGHUP)
            for _ in 0..<100 where !catalog.stderr.contains("certificate deny list reloaded") {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(catalog.stderr.contains("certificate deny list reloaded"), "stderr:\n\(catalog.stderr)")

            // A new connection with the revoked certificate: closed before its preface is answered.
            let fresh = try client(catalog, as: "ops-tran", certificates)
            let refused = await rpcError { try await fresh.unary(HealthV1.Health.check, health, options: Self.call) }
            await fresh.close()
            #expect(refused?.code == .unavailable, "\(String(describing: refused))")
            #expect(catalog.stderr.contains("TLS peer certificate revoked"), "stderr:\n\(catalog.stderr)")
            // The connection opened before the revocation: refused call by call.
            let stale = await rpcError { try await open.unary(HealthV1.Health.check, health, options: Self.call) }
            #expect(stale?.code == .unauthenticated && stale?.message.contains("revoked") == true, "\(String(describing: stale))")
            // Another operator is still served.
            let other = try client(catalog, as: "ops-nguyen", certificates)
            #expect(try await other.unary(HealthV1.Health.check, health, options: Self.call).status == .serving)
            await other.close()
        }
    }
}
