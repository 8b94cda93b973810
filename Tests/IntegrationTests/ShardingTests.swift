import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import RPCNIO
import Synchronization
import TestKit
import Testing

/// dossier-svc split by agency (docs/sharding.md): two shards behind one gateway, each agency's
/// dossiers landing on and read from its own shard only, a shard refusing another shard's
/// agency, and a third shard for a new agency added by editing the shard map while the gateway
/// keeps serving (no restart, no failed call).
@Suite(.timeLimit(.minutes(3))) struct ShardingTests {
    /// Calls made and failed by a background reader.
    final class Counts: Sendable {
        private let counts = Mutex((calls: 0, failures: 0, first: ""))
        func record(_ error: (any Error)?) {
            counts.withLock {
                $0.calls += 1
                if let error { $0.failures += 1; if $0.first.isEmpty { $0.first = "\(error)" } }
            }
        }
        var value: (calls: Int, failures: Int, first: String) { counts.withLock { $0 } }
    }

    static let procedure = "1.001193"
    static let phucXa = "000.01.20.H26"     // shard a (the default)
    static let trucBach = "000.02.20.H26"   // shard b
    static let hangTrong = "000.01.21.H26"  // shard c, added later

    static func submission(_ agency: String) -> DossierV1.SubmitDossierRequest {
        var request = DossierV1.SubmitDossierRequest()
        request.agencyCode = agency
        request.procedureCode = procedure
        request.formData = Dictionary(uniqueKeysWithValues: CitizenPortalTests.goodForm)
        var file = DossierV1.AttachmentUpload()
        file.name = "giay-chung-sinh.pdf"
        file.content = PaymentFlowTests.pdf
        request.attachments = [file]
        return request
    }

    /// What a shard itself holds for an agency, asked directly as one of the agency's officers.
    static func held(on shard: RPCClient, agency: String) async throws -> Set<String> {
        var list = DossierV1.ListDossiersRequest()
        list.agencyCode = agency
        var options = CallOptions(timeout: .seconds(10))
        options.metadata[CallerIdentity.metadataKey] = CallerIdentity.officer(id: "kt", agency: agency, roles: ["receiver"]).description
        return Set(try await shard.unary(DossierV1.DossierService.listDossiers, list, options: options).dossiers.map(\.id))
    }

    @Test("two shards by agency; a shard refuses another's agency; a third shard for a new agency added while serving")
    func shards() async throws {
        try await withService("catalog-svc") { catalog in
            let ports = (a: try freeLoopbackPort(), b: try freeLoopbackPort(), c: try freeLoopbackPort())
            let folder = try makeTemporaryFolder("shards")
            let map = folder.appendingPathComponent("dossier-shards.conf")
            try """
                shard.a = 127.0.0.1:\(ports.a)
                shard.b = 127.0.0.1:\(ports.b)
                agency.\(Self.trucBach) = b
                default = a
                """.write(to: map, atomically: true, encoding: .utf8)
            func shardArguments(_ name: String, _ port: Int) throws -> [String] {
                let config = folder.appendingPathComponent("dossier-\(name).conf")
                try "dossier_shards=\(map.path)\nshard_name=\(name)\n".write(to: config, atomically: true, encoding: .utf8)
                return ["--listen", "127.0.0.1:\(port)", "--data-dir", try makeTemporaryFolder("shard-\(name)").path,
                        "--log-format", "text", "--catalog", catalog.address.description, "--config", config.path]
            }
            let gatewayConfig = folder.appendingPathComponent("gateway.conf")
            try "dossier_shards=\(map.path)\n".write(to: gatewayConfig, atomically: true, encoding: .utf8)

            try await withService("dossier-svc", arguments: try shardArguments("a", ports.a)) { shardA in
            try await withService("dossier-svc", arguments: try shardArguments("b", ports.b)) { shardB in
            try await withService("gateway", extraArguments: ["--catalog", catalog.address.description, "--config", gatewayConfig.path]) { gateway in
            try await withClient(gateway) { client in
            try await withClient(shardA) { a in
            try await withClient(shardB) { b in
                let data = try #require(gateway.dataDirectory)
                var keys: [String: String] = [:]
                // An officer of each agency (an officer belongs to one agency, and a key acts
                // only for its own agency's).
                func officer(_ agency: String) -> String { "officer:kt-\(agency.prefix(9)):receiver" }
                for agency in [Self.phucXa, Self.trucBach, Self.hangTrong] {
                    keys[agency] = try await makeAPIKey(gatewayData: data, agency: agency, scopes: "citizens,officers",
                                                        officers: ["kt-\(agency.prefix(9))"])
                }
                func submit(_ agency: String, _ key: String) async throws -> DossierV1.SubmitDossierResponse {
                    try await client.unary(GatewayV1.DossierService.submitDossier, Self.submission(agency),
                                           options: PaymentFlowTests.options(keys[agency], as: "citizen:001099012345", idempotencyKey: key))
                }

                // Each agency's dossiers land on its shard, and only there.
                let onA = [try await submit(Self.phucXa, "a1"), try await submit(Self.phucXa, "a2")]
                let onB = [try await submit(Self.trucBach, "b1"), try await submit(Self.trucBach, "b2")]
                #expect(try await Self.held(on: a, agency: Self.phucXa) == Set(onA.compactMap { $0.dossier?.id }))
                #expect(try await Self.held(on: b, agency: Self.trucBach) == Set(onB.compactMap { $0.dossier?.id }))
                let misplacedOnA = try await Self.held(on: a, agency: Self.trucBach)
                let misplacedOnB = try await Self.held(on: b, agency: Self.phucXa)
                #expect(misplacedOnA.isEmpty && misplacedOnB.isEmpty)

                // ... and are read from it through the gateway: by id, by agency, by receipt code.
                for submitted in onB {
                    var get = DossierV1.GetDossierRequest()
                    get.id = submitted.dossier?.id ?? ""
                    let read = try await client.unary(GatewayV1.DossierService.getDossier, get,
                                                      options: PaymentFlowTests.options(keys[Self.trucBach], as: officer(Self.trucBach)))
                    #expect(read.agencyCode == Self.trucBach)
                }
                var receive = DossierV1.ActRequest()
                receive.dossierId = onB[0].dossier?.id ?? ""
                receive.action = .receive
                receive.expectedVersion = onB[0].dossier?.version ?? 0
                let received = try await client.unary(GatewayV1.DossierService.act, receive,
                                                      options: PaymentFlowTests.options(keys[Self.trucBach], as: officer(Self.trucBach)))
                #expect(received.receiptCode.hasPrefix(Self.trucBach + "-"))
                var track = DossierV1.TrackDossierRequest()
                track.receiptCode = received.receiptCode
                track.pin = onB[0].trackingPin
                let tracked = try await client.unary(GatewayV1.DossierService.trackDossier, track, options: CallOptions(timeout: .seconds(10)))
                #expect(tracked.receiptCode == received.receiptCode && tracked.state == .received)
                var list = DossierV1.ListDossiersRequest()
                list.agencyCode = Self.phucXa
                let listed = try await client.unary(GatewayV1.DossierService.listDossiers, list,
                                                    options: PaymentFlowTests.options(keys[Self.phucXa], as: officer(Self.phucXa)))
                #expect(Set(listed.dossiers.map(\.id)) == Set(onA.compactMap { $0.dossier?.id }))

                // A shard takes only its own agencies, whatever a caller's map says.
                var direct = CallOptions(timeout: .seconds(10))
                direct.metadata[CallerIdentity.metadataKey] = CallerIdentity.citizen(id: "001099012345").description
                direct.metadata[MetadataKey.idempotencyKey] = "lac-duong"
                await #expect(throws: RPCError.self) {
                    do {
                        _ = try await a.unary(DossierV1.DossierService.submitDossier, Self.submission(Self.trucBach), options: direct)
                    } catch let error as RPCError {
                        #expect(error.code == .failedPrecondition && error.message.contains("shard 'b'"), "\(error)")
                        throw error
                    }
                }

                // A third shard for a new agency, added while a reader keeps calling the gateway.
                let counts = Counts()
                var get = DossierV1.GetDossierRequest()
                get.id = onA[0].dossier?.id ?? ""
                let readerOptions = PaymentFlowTests.options(keys[Self.phucXa], as: officer(Self.phucXa))
                let reader = Task { [get] in
                    while !Task.isCancelled {
                        do {
                            _ = try await client.unary(GatewayV1.DossierService.getDossier, get, options: readerOptions)
                            counts.record(nil)
                        } catch {
                            // The test's own cancel at the end is not a failure of the platform.
                            if !Task.isCancelled { counts.record(error) }
                        }
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                }
                try """
                    shard.a = 127.0.0.1:\(ports.a)
                    shard.b = 127.0.0.1:\(ports.b)
                    shard.c = 127.0.0.1:\(ports.c)
                    agency.\(Self.trucBach) = b
                    agency.\(Self.hangTrong) = c
                    default = a
                    """.write(to: map, atomically: true, encoding: .utf8)
                try await withService("dossier-svc", arguments: try shardArguments("c", ports.c)) { shardC in
                    try await Task.sleep(for: .milliseconds(1500))  // the gateway looks at the map once a second
                    let onC = try await submit(Self.hangTrong, "c1")
                    let onShardC = try await withClient(shardC) { c in try await Self.held(on: c, agency: Self.hangTrong) }
                    #expect(onShardC == [onC.dossier?.id ?? "?"])
                    #expect(try await Self.held(on: a, agency: Self.hangTrong).isEmpty, "the new agency's dossier went to the default shard")
                    reader.cancel()
                    _ = await reader.value
                    let (calls, failures, first) = counts.value
                    #expect(calls > 20 && failures == 0, "\(failures) of \(calls) calls failed while the shard was added; the first: \(first)")
                }
            }
            }
            }
            }
            }
            }
        }
    }
}

/// payment-svc split by agency: two payment shards behind the gateway; each agency's fee is
/// taken on its own shard, the provider's notification (which names only its order) reaches
/// the shard that holds it, and the dossier is confirmed paid.
@Suite(.timeLimit(.minutes(3))) struct PaymentShardingTests {
    /// GET, following redirects as a browser does.
    static func browse(_ url: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test("two payment shards by agency: payments land on their agency's shard; the provider's IPN finds its shard")
    func paymentShards() async throws {
        let secret = "bi-mat-phan-manh-\(String(format: "%08x", UInt32.random(in: 0...UInt32.max)))"
        try await withService("payment-sandbox", arguments: ["--listen", "127.0.0.1:0", "--terminal-code", "DVCSHARD"],
                              dataDirectory: try makeTemporaryFolder("sandbox"), environment: ["SANDBOX_HASH_SECRET": secret]) { sandboxProcess in
        let sandbox = "http://\(sandboxProcess.address)"
        try await withService("catalog-svc") { catalog in
        try await withService("dossier-svc", extraArguments: ["--catalog", catalog.address.description]) { dossier in
            let config = try makeTemporaryFolder("payment-shard").appendingPathComponent("payment.env")
            try """
                vnpay_tmn_code=DVCSHARD
                vnpay_hash_secret=\(secret)
                vnpay_pay_url=\(sandbox)/paymentv2/vpcpay.html
                vnpay_api_url=\(sandbox)/merchant_webapi/api/transaction
                """.write(to: config, atomically: true, encoding: .utf8)
            let paymentArguments = ["--catalog", catalog.address.description, "--dossier", dossier.address.description, "--config", config.path]
        try await withService("payment-svc", extraArguments: paymentArguments) { paymentA in
        try await withService("payment-svc", extraArguments: paymentArguments) { paymentB in
            let map = try makeTemporaryFolder("payment-map").appendingPathComponent("payment-shards.conf")
            try """
                shard.a = \(paymentA.address)
                shard.b = \(paymentB.address)
                agency.000.00.22.H26 = b
                default = a
                """.write(to: map, atomically: true, encoding: .utf8)
            let gatewayConfig = map.deletingLastPathComponent().appendingPathComponent("gateway.conf")
            try "payment_shards=\(map.path)\n".write(to: gatewayConfig, atomically: true, encoding: .utf8)
        try await withService("gateway", extraArguments: [
            "--catalog", catalog.address.description, "--dossier", dossier.address.description, "--http", "127.0.0.1:0",
            "--config", gatewayConfig.path,
        ]) { gateway in
            let http = try await PaymentFlowTests.httpAddress(gateway)
            let (status, _) = try await Self.browse("\(sandbox)/sandbox/behaviour?ipn_url=\(http)/payment/vnpay/ipn")
            #expect(status == 200)
            let data = try #require(gateway.dataDirectory)
            try await withClient(gateway) { client in
            try await withClient(paymentA) { a in
            try await withClient(paymentB) { b in
                var paymentIDs: [String: String] = [:]
                for (agency, procedure) in [("000.01.20.H26", "1.004873"), ("000.00.22.H26", "HN-KD-001")] {
                    let key = try await makeAPIKey(gatewayData: data, agency: agency, scopes: "citizens,officers",
                                                   officers: ["kt-\(agency.prefix(9))"])
                    var submit = DossierV1.SubmitDossierRequest()
                    submit.agencyCode = agency
                    submit.procedureCode = procedure
                    // Two files: HN-KD-001 has two papers to file, which unnamed files are taken for.
                    submit.attachments = ["don.pdf", "giay-to.pdf"].map { name in
                        var file = DossierV1.AttachmentUpload()
                        file.name = name
                        file.content = PaymentFlowTests.pdf
                        return file
                    }
                    let citizen = "citizen:001099012345"
                    var dossierNow = try #require(try await client.unary(GatewayV1.DossierService.submitDossier, submit,
                        options: PaymentFlowTests.options(key, as: citizen, idempotencyKey: "nop-\(agency)")).dossier)
                    for action: DossierV1.Action in [.receive, .startProcessing, .requestPayment] {
                        var act = DossierV1.ActRequest()
                        act.dossierId = dossierNow.id
                        act.action = action
                        act.expectedVersion = dossierNow.version
                        dossierNow = try await client.unary(GatewayV1.DossierService.act, act,
                                                            options: PaymentFlowTests.options(key, as: "officer:kt-\(agency.prefix(9)):receiver,processor"))
                    }
                    var create = PaymentV1.CreatePaymentRequest()
                    create.dossierId = dossierNow.id
                    let payment = try await client.unary(GatewayV1.PaymentService.createPayment, create,
                                                         options: PaymentFlowTests.options(key, as: citizen, idempotencyKey: "tra-\(agency)"))
                    paymentIDs[agency] = payment.id
                    // The citizen's browser at the provider; its IPN goes to the gateway, which finds the shard.
                    let (paid, _) = try await Self.browse(payment.redirectUrl)
                    #expect(paid == 200)
                    var get = DossierV1.GetDossierRequest()
                    get.id = dossierNow.id
                    var state = DossierV1.DossierState.awaitingPayment
                    for _ in 0..<100 where state != .processing {
                        state = try await client.unary(GatewayV1.DossierService.getDossier, get,
                                                       options: PaymentFlowTests.options(key, as: "officer:kt-\(agency.prefix(9)):receiver")).state
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    #expect(state == .processing, "the payment at \(agency) never confirmed its dossier")
                }
                // Each payment is on its agency's shard only.
                func holds(_ shard: RPCClient, _ id: String) async -> Bool {
                    var get = PaymentV1.GetPaymentRequest()
                    get.id = id
                    var options = CallOptions(timeout: .seconds(5))
                    options.metadata[CallerIdentity.metadataKey] = CallerIdentity.system(service: "gateway").description
                    return (try? await shard.unary(PaymentV1.PaymentService.getPayment, get, options: options)) != nil
                }
                let onA = paymentIDs["000.01.20.H26"] ?? "", onB = paymentIDs["000.00.22.H26"] ?? ""
                let (aHoldsA, aHoldsB, bHoldsA, bHoldsB) = (await holds(a, onA), await holds(a, onB), await holds(b, onA), await holds(b, onB))
                #expect(aHoldsA && !aHoldsB && bHoldsB && !bHoldsA, "a: \(aHoldsA) \(aHoldsB), b: \(bHoldsA) \(bHoldsB)")
            }
            }
            }
        }
        }
        }
        }
        }
        }
    }
}
