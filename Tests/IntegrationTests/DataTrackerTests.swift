import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import RPCNIO
import TestKit
import Testing

/// The data tracker ("Ai đã xem hồ sơ của tôi") and anonymous tracking, with catalog-svc,
/// dossier-svc and the gateway as real processes: reads by an officer and an agency system
/// recorded in dossier-svc with who, where, which key and why, shown to the citizen alone;
/// tracking that answers the status only and stops a guesser.
@Suite(.timeLimit(.minutes(3))) struct DataTrackerTests {
    static let citizen = "001099012345"
    static let otherCitizen = "079199000001"
    /// How long failed tracking PINs count here (an hour in production).
    static let lockoutSeconds = 2

    let calls = GatewayDossierTests()

    func withPlatform(_ body: (GatewayDossierTests.Platform, _ http: String) async throws -> Void) async throws {
        let folder = try makeTemporaryFolder("tracker-config")
        let config = folder.appendingPathComponent("dossier.env")
        try Data("tracking_lockout_seconds=\(Self.lockoutSeconds)\n".utf8).write(to: config)
        try await withService("catalog-svc") { catalogProcess in
            let catalogAddress = catalogProcess.address.description
            try await withService("dossier-svc", extraArguments: ["--catalog", catalogAddress, "--config", config.path]) { dossierProcess in
                try await withService("gateway", extraArguments: ["--catalog", catalogAddress, "--dossier", dossierProcess.address.description,
                                                                  "--http", "127.0.0.1:0"]) { gatewayProcess in
                    let http = try await PaymentFlowTests.httpAddress(gatewayProcess)
                    try await withClient(catalogProcess) { catalog in
                        try await withClient(dossierProcess) { dossiers in
                            try await withClient(gatewayProcess) { gateway in
                                try await body(GatewayDossierTests.Platform(catalog: catalog, dossiers: dossiers, gateway: gateway,
                                                                            gatewayData: try #require(gatewayProcess.dataDirectory)), http)
                            }
                        }
                    }
                }
            }
        }
    }

    func accessLog(_ platform: GatewayDossierTests.Platform, key: String, as person: String) async throws -> [DossierV1.AccessEntry] {
        try await platform.gateway.unary(GatewayV1.DossierService.listAccessLog, DossierV1.ListAccessLogRequest(),
                                         options: GatewayDossierTests.options(key, as: person)).entries
    }

    func getDossier(_ platform: GatewayDossierTests.Platform, _ id: String, key: String, as person: String?) async throws -> DossierV1.Dossier {
        var get = DossierV1.GetDossierRequest()
        get.id = id
        return try await platform.gateway.unary(GatewayV1.DossierService.getDossier, get, options: GatewayDossierTests.options(key, as: person))
    }

    @Test("an officer opening a dossier and downloading its file, and an agency system reading it, are in the citizen's access log with who, agency, key and method; the citizen's own reads are not; nobody else sees it")
    func accessLogThroughTheGateway() async throws {
        try await withPlatform { platform, _ in
            let (agency, procedure) = try await calls.offered(platform, level: 3)
            let key = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
            let keyID = String(key.dropFirst("ApiKey ".count).prefix { $0 != "." })
            let citizen = "citizen:\(Self.citizen)"
            let submitted = try await calls.submit(platform, key: key, agency: agency, procedure: procedure, idempotencyKey: "t-1")
            let dossier = try #require(submitted.dossier)

            // The citizen reads their own dossier and file: not recorded.
            _ = try await getDossier(platform, dossier.id, key: key, as: citizen)
            _ = try await calls.file(platform, dossier, dossier.attachments[0].id, key: key, as: citizen)
            #expect(try await accessLog(platform, key: key, as: citizen).isEmpty)

            // An officer opens it and downloads the file; the agency's system reads it.
            _ = try await getDossier(platform, dossier.id, key: key, as: "officer:tn01:receiver")
            _ = try await calls.file(platform, dossier, dossier.attachments[0].id, key: key, as: "officer:tn01:receiver")
            _ = try await getDossier(platform, dossier.id, key: key, as: nil)

            let entries = try await accessLog(platform, key: key, as: citizen)
            // One entry per read, newest first (the gateway's own look-up before the file is not a second one).
            #expect(entries.map(\.method) == ["/dvc.gateway.v1.DossierService/GetDossier", "/dvc.gateway.v1.DossierService/GetFile",
                                              "/dvc.gateway.v1.DossierService/GetDossier"], "\(entries)")
            #expect(entries.map(\.reader) == ["agency-system:\(agency)", "officer:tn01", "officer:tn01"])
            #expect(entries.allSatisfy { $0.agencyCode == agency && $0.apiKeyId == keyID && $0.dossierId == dossier.id && $0.atUnixMs > 0 })
            #expect(entries[1].fileId == dossier.attachments[0].id && entries[1].fileName == "to-khai.pdf")
            #expect(entries[0].fileName.isEmpty && entries[2].fileName.isEmpty)

            // An officer's work queue shows dossiers whole: each listed is a read.
            var queue = DossierV1.ListDossiersRequest()
            queue.agencyCode = agency
            _ = try await platform.gateway.unary(GatewayV1.DossierService.listDossiers, queue,
                                                 options: GatewayDossierTests.options(key, as: "officer:tn01:receiver"))
            #expect(try await accessLog(platform, key: key, as: citizen).first?.method == "/dvc.gateway.v1.DossierService/ListDossiers")

            // Another citizen sees none of it; an officer or the agency system cannot ask for it.
            #expect(try await accessLog(platform, key: key, as: "citizen:\(Self.otherCitizen)").isEmpty)
            let officer = await rpcError { try await accessLog(platform, key: key, as: "officer:tn01:receiver") }
            #expect(officer?.code == .permissionDenied)
            let system = await rpcError {
                try await platform.gateway.unary(GatewayV1.DossierService.listAccessLog, DossierV1.ListAccessLogRequest(),
                                                 options: GatewayDossierTests.options(key))
            }
            #expect(system?.code == .permissionDenied)
            // Anonymous: no access log.
            let anonymous = await rpcError {
                try await platform.gateway.unary(GatewayV1.DossierService.listAccessLog, DossierV1.ListAccessLogRequest(),
                                                 options: GatewayDossierTests.options(nil))
            }
            #expect(anonymous?.code == .unauthenticated)
        }
    }

    /// A tracking call over the JSON API, anonymous; the status and the decoded answer.
    func trackJSON(_ http: String, _ receipt: String, _ pin: String) async throws -> (Int, [String: Any], String) {
        var request = URLRequest(url: try #require(URL(string: http + "/api/v1/dvc.gateway.v1.DossierService/TrackDossier")))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["receiptCode": receipt, "pin": pin])
        let (data, response) = try await URLSession.shared.data(for: request)
        let body = String(decoding: data, as: UTF8.self)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:], body)
    }

    @Test("tracking answers the status only; an unknown code and a wrong PIN answer alike; the 6th try at a code is refused even with the right PIN until the window passes; 20 failures lock an address")
    func trackingAnswersLittleAndStopsGuessing() async throws {
        try await withPlatform { platform, http in
            let (agency, procedure) = try await calls.offered(platform, level: 3)
            let key = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
            let submitted = try await calls.submit(platform, key: key, agency: agency, procedure: procedure, idempotencyKey: "t-2")
            let dossier = try await calls.act(platform, try #require(submitted.dossier), .receive, key: key, as: "officer:tn01:receiver")
            let receipt = dossier.receiptCode
            let pin = submitted.trackingPin

            // The status, the procedure, the agency and the appointment; nothing about the applicant.
            let (status, tracked, body) = try await trackJSON(http, receipt, pin)
            #expect(status == 200, "\(body)")
            #expect(tracked["state"] as? String == "DOSSIER_STATE_RECEIVED" && tracked["agencyCode"] as? String == agency)
            #expect(tracked["receiptCode"] as? String == receipt && tracked["appointmentAtUnixMs"] != nil)
            #expect(!(tracked["procedureName"] as? String ?? "").isEmpty)
            for field in ["applicantId", "formData", "documents", "attachments", "id", "assignee"] {
                #expect(tracked[field] == nil, "tracking answered \(field)")
            }
            #expect(!body.contains(Self.citizen), "the identity number is in the tracking answer")

            // An unknown code and a wrong PIN: the same answer.
            let wrong = await rpcError { try await calls.track(platform, receipt, "00000000") }
            let unknown = await rpcError { try await calls.track(platform, "\(agency)-990101-9999", "00000000") }
            #expect(wrong?.code == .notFound && unknown?.code == .notFound && wrong?.message == unknown?.message)

            // Four more wrong PINs (five in all), then the right one: refused, until the window passes.
            for _ in 0..<4 {
                #expect(await rpcError { try await calls.track(platform, receipt, "11111111") }?.code == .notFound)
            }
            let locked = await rpcError { try await calls.track(platform, receipt, pin) }
            #expect(locked?.code == .resourceExhausted && locked?.metadata["retry-after-ms"] != nil, "\(String(describing: locked))")
            let (lockedStatus, _, _) = try await trackJSON(http, receipt, pin)
            #expect(lockedStatus == 429)
            try await Task.sleep(for: .seconds(Double(Self.lockoutSeconds) + 0.5))
            #expect(try await calls.track(platform, receipt, pin).state == .received)

            // One address spreading guesses over many codes: the 21st is refused, whatever the code.
            for index in 0..<20 {
                _ = await rpcError { try await calls.track(platform, "\(agency)-990101-\(1000 + index)", "22222222") }
            }
            let address = await rpcError { try await calls.track(platform, receipt, pin) }
            #expect(address?.code == .resourceExhausted)
        }
    }
}
