import DVCProto
import Foundation
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
        private let counts = Mutex((calls: 0, failures: 0))
        func record(_ ok: Bool) { counts.withLock { $0.calls += 1; if !ok { $0.failures += 1 } } }
        var value: (calls: Int, failures: Int) { counts.withLock { $0 } }
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
                for agency in [Self.phucXa, Self.trucBach, Self.hangTrong] {
                    keys[agency] = try await makeAPIKey(gatewayData: data, agency: agency, scopes: "citizens,officers")
                }
                func submit(_ agency: String, _ key: String) async throws -> DossierV1.SubmitDossierResponse {
                    try await client.unary(GatewayV1.DossierService.submitDossier, Self.submission(agency),
                                           options: PaymentFlowTests.options(keys[agency], as: "citizen:001099012345", idempotencyKey: key))
                }
                let officer = "officer:kt01:receiver"

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
                                                      options: PaymentFlowTests.options(keys[Self.trucBach], as: officer))
                    #expect(read.agencyCode == Self.trucBach)
                }
                var receive = DossierV1.ActRequest()
                receive.dossierId = onB[0].dossier?.id ?? ""
                receive.action = .receive
                receive.expectedVersion = onB[0].dossier?.version ?? 0
                let received = try await client.unary(GatewayV1.DossierService.act, receive,
                                                      options: PaymentFlowTests.options(keys[Self.trucBach], as: officer))
                #expect(received.receiptCode.hasPrefix(Self.trucBach + "-"))
                var track = DossierV1.TrackDossierRequest()
                track.receiptCode = received.receiptCode
                track.pin = onB[0].trackingPin
                let tracked = try await client.unary(GatewayV1.DossierService.trackDossier, track, options: CallOptions(timeout: .seconds(10)))
                #expect(tracked.id == received.id && tracked.state == .received)
                var list = DossierV1.ListDossiersRequest()
                list.agencyCode = Self.phucXa
                let listed = try await client.unary(GatewayV1.DossierService.listDossiers, list,
                                                    options: PaymentFlowTests.options(keys[Self.phucXa], as: officer))
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
                let readerOptions = PaymentFlowTests.options(keys[Self.phucXa], as: officer)
                let reader = Task { [get] in
                    while !Task.isCancelled {
                        let ok = (try? await client.unary(GatewayV1.DossierService.getDossier, get, options: readerOptions)) != nil
                        counts.record(ok)
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
                    let (calls, failures) = counts.value
                    #expect(calls > 20 && failures == 0, "\(failures) of \(calls) calls failed while the shard was added")
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
