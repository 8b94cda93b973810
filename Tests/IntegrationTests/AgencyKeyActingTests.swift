import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// An agency system's key acting for its officers, through the real gateway and dossier-svc:
/// only real, active officers of the key's agency with the roles claimed; every step recorded
/// with both the officer and the key; an action retried with its idempotency key done once.
@Suite(.timeLimit(.minutes(3))) struct AgencyKeyActingTests {
    let dossiers = GatewayDossierTests()

    static func keyID(_ authorization: String) -> String {
        String(authorization.dropFirst("ApiKey ".count).prefix { $0 != "." })
    }

    func history(_ platform: GatewayDossierTests.Platform, _ dossier: DossierV1.Dossier, key: String) async throws -> [DossierV1.HistoryEntry] {
        var request = DossierV1.GetHistoryRequest()
        request.dossierId = dossier.id
        return try await platform.gateway.unary(GatewayV1.DossierService.getHistory, request,
                                                options: GatewayDossierTests.options(key, as: "officer:tn01:receiver")).entries
    }

    func receive(_ dossier: DossierV1.Dossier, note: String = "") -> DossierV1.ActRequest {
        var request = DossierV1.ActRequest()
        request.dossierId = dossier.id
        request.action = .receive
        request.expectedVersion = dossier.version
        request.note = note
        return request
    }

    @Test("an officer who does not exist receives nothing; the one who does is recorded with the key, whatever key a caller claims")
    func officersAndKeyRecorded() async throws {
        try await dossiers.withPlatform { platform in
            let (agency, procedure) = try await dossiers.offered(platform, level: 3)
            let key = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
            let submitted = try await dossiers.submit(platform, key: key, agency: agency, procedure: procedure, idempotencyKey: "k-1")
            let dossier = try #require(submitted.dossier)

            for person in ["officer:khong.ton.tai:receiver", "officer:tn01:receiver,admin"] {
                let refused = await rpcError {
                    try await platform.gateway.unary(GatewayV1.DossierService.act, receive(dossier),
                                                     options: GatewayDossierTests.options(key, as: person))
                }
                #expect(refused?.code == .permissionDenied || refused?.code == .invalidArgument, "\(person)")
                #expect(refused?.violations.first?.field == "x-dvc-on-behalf-of", "\(person)")
            }
            // A key id the caller sends itself is not the one recorded.
            let received = try await platform.gateway.unary(
                GatewayV1.DossierService.act, receive(dossier),
                options: GatewayDossierTests.options(key, as: "officer:tn01:receiver", extra: ["x-dvc-api-key": "khoa-gia-mao"]))
            #expect(received.state == .received)

            let entries = try await history(platform, received, key: key)
            #expect(entries.map(\.action) == [.unspecified, .receive])
            #expect(entries.map(\.actor) == ["citizen:\(GatewayDossierTests.citizen)", "officer:tn01"])
            #expect(entries.map(\.apiKeyId) == [Self.keyID(key), Self.keyID(key)], "\(entries.map(\.apiKeyId))")
        }
    }

    @Test("an action retried with its idempotency key is done once and answers the same; the key reused for another is refused")
    func actRetried() async throws {
        try await dossiers.withPlatform { platform in
            let (agency, procedure) = try await dossiers.offered(platform, level: 3)
            let key = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
            let dossier = try #require(try await dossiers.submit(platform, key: key, agency: agency, procedure: procedure,
                                                                 idempotencyKey: "k-2").dossier)
            let once = GatewayDossierTests.options(key, as: "officer:tn01:receiver", idempotencyKey: "nhan-\(dossier.id)")
            let first = try await platform.gateway.unary(GatewayV1.DossierService.act, receive(dossier), options: once)
            // The client timed out and sends the very same call again.
            let again = try await platform.gateway.unary(GatewayV1.DossierService.act, receive(dossier), options: once)
            #expect(again.version == first.version && again.receiptCode == first.receiptCode && again.state == .received)
            #expect(try await history(platform, first, key: key).count == 2)

            // The same key for another action: refused naming the key, nothing done.
            let reused = await rpcError {
                try await platform.gateway.unary(GatewayV1.DossierService.act, receive(dossier, note: "khác"), options: once)
            }
            #expect(reused?.code == .failedPrecondition && reused?.violations.first?.field == "idempotency-key", "\(String(describing: reused))")
            // Without a key a repeat is what it always was: a decision on a stale version.
            let stale = await rpcError {
                try await platform.gateway.unary(GatewayV1.DossierService.act, receive(dossier),
                                                 options: GatewayDossierTests.options(key, as: "officer:tn01:receiver"))
            }
            #expect(stale?.code == .aborted)
            #expect(try await history(platform, first, key: key).count == 2)
        }
    }
}
