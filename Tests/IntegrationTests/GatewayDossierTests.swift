import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// catalog-svc, dossier-svc and the gateway as real processes, an agency system calling the
/// gateway with API keys made by `gateway api-key create`: the lifecycle of a level-3 and a
/// level-4 dossier through the gateway, and every identity, agency and level refusal.
@Suite(.timeLimit(.minutes(3))) struct GatewayDossierTests {
    static let citizen = "001099012345"
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    /// The running platform and what the tests call it with.
    struct Platform {
        var catalog: RPCClient
        /// dossier-svc itself, for what only another service does (payment-svc's "paid").
        var dossiers: RPCClient
        var gateway: RPCClient
        var gatewayData: URL

        func makeKey(agency: String, scopes: String) async throws -> String {
            try await makeAPIKey(gatewayData: gatewayData, agency: agency, scopes: scopes)
        }

        func revokeKey(_ authorization: String) async throws {
            let id = String(authorization.dropFirst("ApiKey ".count).prefix { $0 != "." })
            let finished = try await runToCompletion(
                try BuiltExecutables.url("gateway"), ["api-key", "revoke", "--data-dir", gatewayData.path, id])
            guard finished.exited, finished.status == 0 else { throw TestFailure(description: "api-key revoke: \(finished)") }
        }
    }

    func withPlatform(_ body: (Platform) async throws -> Void) async throws {
        try await withService("catalog-svc") { catalogProcess in
            let catalogAddress = catalogProcess.address.description
            try await withService("dossier-svc", extraArguments: ["--catalog", catalogAddress]) { dossierProcess in
                try await withService("gateway", extraArguments: ["--catalog", catalogAddress,
                                                                  "--dossier", dossierProcess.address.description]) { gatewayProcess in
                    try await withClient(catalogProcess) { catalog in
                        try await withClient(dossierProcess) { dossiers in
                            try await withClient(gatewayProcess) { gateway in
                                try await body(Platform(catalog: catalog, dossiers: dossiers, gateway: gateway,
                                                        gatewayData: try #require(gatewayProcess.dataDirectory)))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Call options of an agency system: its key, and the person it acts for.
    static func options(_ key: String?, as person: String? = nil, idempotencyKey: String? = nil,
                        extra: Metadata = [:]) -> CallOptions {
        var options = CallOptions(timeout: .seconds(10))
        if let key { options.metadata[MetadataKey.authorization] = key }
        if let person { options.metadata["x-dvc-on-behalf-of"] = person }
        if let idempotencyKey { options.metadata[MetadataKey.idempotencyKey] = idempotencyKey }
        for (name, value) in extra { options.metadata[name] = value }
        return options
    }

    /// The first (agency, procedure) at exactly `level` whose forms declare no fields, with a
    /// fee or without.
    func offered(_ platform: Platform, level: UInt32, withFee: Bool? = nil) async throws -> (agency: String, procedure: String) {
        let export = try await platform.catalog.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                                      options: CallOptions(timeout: .seconds(10)))
        let simple = export.procedures.filter { procedure in
            procedure.isSimpleToSubmit
                && withFee.map { $0 == procedure.fees.contains { $0.amountVnd > 0 } } ?? true
        }
        let codes = Set(simple.map(\.code))
        let found = try #require(export.levels.first { $0.level == level && codes.contains($0.procedureCode) })
        return (found.agencyCode, found.procedureCode)
    }

    func submit(_ platform: Platform, key: String?, as person: String? = "citizen:\(citizen)", agency: String,
                procedure: String, idempotencyKey: String, extra: Metadata = [:]) async throws -> DossierV1.SubmitDossierResponse {
        var request = DossierV1.SubmitDossierRequest()
        request.agencyCode = agency
        request.procedureCode = procedure
        request.channel = .online
        var upload = DossierV1.AttachmentUpload()
        upload.name = "to-khai.pdf"
        upload.content = Self.pdf
        request.attachments = [upload]
        return try await platform.gateway.unary(GatewayV1.DossierService.submitDossier, request,
                                                options: Self.options(key, as: person, idempotencyKey: idempotencyKey, extra: extra))
    }

    func act(_ platform: Platform, _ dossier: DossierV1.Dossier, _ action: DossierV1.Action, key: String, as person: String,
             configure: (inout DossierV1.ActRequest) -> Void = { _ in }) async throws -> DossierV1.Dossier {
        var request = DossierV1.ActRequest()
        request.dossierId = dossier.id
        request.action = action
        request.expectedVersion = dossier.version
        configure(&request)
        return try await platform.gateway.unary(GatewayV1.DossierService.act, request, options: Self.options(key, as: person))
    }

    func file(_ platform: Platform, _ dossier: DossierV1.Dossier, _ id: String, key: String, as person: String?) async throws -> DossierV1.File {
        var request = DossierV1.GetFileRequest()
        request.dossierId = dossier.id
        request.fileId = id
        return try await platform.gateway.unary(GatewayV1.DossierService.getFile, request, options: Self.options(key, as: person))
    }

    func track(_ platform: Platform, _ receipt: String, _ pin: String, key: String? = nil) async throws -> DossierV1.TrackedDossier {
        var request = DossierV1.TrackDossierRequest()
        request.receiptCode = receipt
        request.pin = pin
        return try await platform.gateway.unary(GatewayV1.DossierService.trackDossier, request, options: Self.options(key))
    }

    @Test("a level-3 dossier through the gateway: submitted, received, supplemented, approved, returned; 05 and 06 kept")
    func levelThreeLifecycle() async throws {
        try await withPlatform { platform in
            let (agency, procedure) = try await offered(platform, level: 3)
            let key = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
            let citizen = "citizen:\(Self.citizen)"

            let submitted = try await submit(platform, key: key, agency: agency, procedure: procedure, idempotencyKey: "g-1")
            var dossier = try #require(submitted.dossier)
            #expect(dossier.state == .submitted && dossier.applicantId == Self.citizen)
            // A retry through the gateway is the same dossier.
            let retried = try await submit(platform, key: key, agency: agency, procedure: procedure, idempotencyKey: "g-1")
            #expect(retried.dossier?.id == dossier.id && retried.trackingPin == submitted.trackingPin)
            // The same key for another submission (other files) is refused naming the key,
            // instead of answering with the first dossier and losing the second.
            var corrected = DossierV1.SubmitDossierRequest()
            corrected.agencyCode = agency
            corrected.procedureCode = procedure
            var changed = DossierV1.AttachmentUpload()
            changed.name = "to-khai.pdf"
            changed.content = Self.pdf + Data("% ban sua\n".utf8)
            corrected.attachments = [changed]
            let reused = await rpcError {
                try await platform.gateway.unary(GatewayV1.DossierService.submitDossier, corrected,
                                                 options: Self.options(key, as: citizen, idempotencyKey: "g-1"))
            }
            #expect(reused?.code == .failedPrecondition && reused?.violations.first?.field == "idempotency-key", "\(String(describing: reused))")
            // An action without the version it was decided on is refused naming the field.
            var unversioned = DossierV1.ActRequest()
            unversioned.dossierId = dossier.id
            unversioned.action = .receive
            let noVersion = await rpcError {
                try await platform.gateway.unary(GatewayV1.DossierService.act, unversioned,
                                                 options: Self.options(key, as: "officer:tn01:receiver"))
            }
            #expect(noVersion?.code == .invalidArgument && noVersion?.violations.first?.field == "expected_version", "\(String(describing: noVersion))")

            dossier = try await act(platform, dossier, .receive, key: key, as: "officer:tn01:receiver")
            #expect(dossier.state == .received && !dossier.receiptCode.isEmpty)
            dossier = try await act(platform, dossier, .startProcessing, key: key, as: "officer:xl01:processor")
            dossier = try await act(platform, dossier, .requestSupplement, key: key, as: "officer:xl01:processor") {
                $0.missingDocuments = ["Bản sao sổ hộ khẩu"]
            }
            dossier = try await act(platform, dossier, .resubmit, key: key, as: citizen) {
                var upload = DossierV1.AttachmentUpload()
                upload.name = "so-ho-khau.pdf"
                upload.content = Self.pdf + Data("% bổ sung\n".utf8)
                $0.attachments = [upload]
            }
            #expect(dossier.state == .processing && dossier.attachments.count == 2)
            dossier = try await act(platform, dossier, .approve, key: key, as: "officer:ld01:approver") {
                $0.resultNote = "Đã giải quyết"
                var result = DossierV1.AttachmentUpload()
                result.name = "ket-qua.pdf"
                result.content = Self.pdf + Data("% kết quả\n".utf8)
                $0.resultDocument = result
            }
            let result = try #require(dossier.resultDocument)

            // Level 3 is not 4: the citizen does not receive the result online; the officer
            // who returns it in person does read it.
            let online = await rpcError { try await file(platform, dossier, result.id, key: key, as: citizen) }
            #expect(online?.code == .failedPrecondition)
            #expect(online?.metadata["dvc-level-needed"] == "4" && online?.metadata["dvc-level-enabled"] == "3")
            let officerCopy = try await file(platform, dossier, result.id, key: key, as: "officer:tn01:receiver")
            #expect(officerCopy.isResult && officerCopy.content == Self.pdf + Data("% kết quả\n".utf8))
            // The citizen's own attachment, byte for byte.
            let own = try await file(platform, dossier, dossier.attachments[0].id, key: key, as: citizen)
            #expect(own.content == Self.pdf && own.mediaType == "application/pdf")

            dossier = try await act(platform, dossier, .returnResult, key: key, as: "officer:tn01:receiver")
            #expect(dossier.state == .resultReturned)

            // Anyone with the receipt code and PIN tracks it, without credentials.
            let tracked = try await track(platform, dossier.receiptCode, submitted.trackingPin)
            #expect(tracked.receiptCode == dossier.receiptCode && tracked.state == .resultReturned)
            let wrongPIN = await rpcError { try await track(platform, dossier.receiptCode, "00000000") }
            #expect(wrongPIN?.code == .notFound)

            // The processing-control slip (05 of the tests' 2018 set): numbered on receipt, every
            // step on it.
            let control = try #require(dossier.documents.first { $0.form == "05" && $0.circular == "01/2018/TT-VPCP" })
            let html = String(decoding: control.content, as: UTF8.self)
            #expect(control.number.hasPrefix("05/") && control.number.contains(agency))
            for step in ["Tiếp nhận hồ sơ", "Chuyển xử lý", "Yêu cầu bổ sung, hoàn thiện hồ sơ", "Bổ sung hồ sơ",
                         "Phê duyệt kết quả", "Trả kết quả"] {
                #expect(html.contains(step), "05 lacks \(step)")
            }
            #expect(dossier.documents.filter { $0.form == "05" }.count == 1)
            #expect(dossier.documents.allSatisfy { $0.circular == "01/2018/TT-VPCP" })

            // The tracking book (06) lists it; a citizen may not read the book.
            var book = DossierV1.TrackingBookRequest()
            book.agencyCode = agency
            let page = try await platform.gateway.unary(GatewayV1.DossierService.getTrackingBook, book,
                                                        options: Self.options(key, as: "officer:tn01:receiver"))
            #expect(page.form == "06" && page.circular == "01/2018/TT-VPCP")
            #expect(String(decoding: page.content, as: UTF8.self).contains(dossier.receiptCode))
            let citizenBook = await rpcError {
                try await platform.gateway.unary(GatewayV1.DossierService.getTrackingBook, book, options: Self.options(key, as: citizen))
            }
            #expect(citizenBook?.code == .permissionDenied)

            // The history through the gateway, and the public statistics without credentials.
            var history = DossierV1.GetHistoryRequest()
            history.dossierId = dossier.id
            let entries = try await platform.gateway.unary(GatewayV1.DossierService.getHistory, history,
                                                           options: Self.options(key, as: citizen)).entries
            #expect(entries.map(\.action) == [.unspecified, .receive, .startProcessing, .requestSupplement, .resubmit,
                                              .approve, .returnResult])
            #expect(entries[1].actor == "officer:tn01")
            var statistics = DossierV1.AgencyStatisticsRequest()
            statistics.agencyCode = agency
            let counts = try await platform.gateway.unary(GatewayV1.DossierService.getAgencyStatistics, statistics,
                                                          options: Self.options(nil))
            #expect(counts.received == 1 && counts.resolvedOnTime == 1)
        }
    }

    @Test("a level-4 dossier: the fee confirmed by payment-svc's identity, the result received online")
    func levelFourLifecycle() async throws {
        try await withPlatform { platform in
            let (agency, procedure) = try await offered(platform, level: 4, withFee: true)
            let key = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
            let citizen = "citizen:\(Self.citizen)"
            let submitted = try await submit(platform, key: key, agency: agency, procedure: procedure, idempotencyKey: "g4")
            var dossier = try #require(submitted.dossier)
            dossier = try await act(platform, dossier, .receive, key: key, as: "officer:tn01:receiver")
            dossier = try await act(platform, dossier, .startProcessing, key: key, as: "officer:xl01:processor")
            // Approving before the fee is paid is refused.
            let unpaid = await rpcError {
                try await act(platform, dossier, .approve, key: key, as: "officer:ld01:approver") { $0.resultNote = "x" }
            }
            #expect(unpaid?.code == .failedPrecondition)
            dossier = try await act(platform, dossier, .requestPayment, key: key, as: "officer:xl01:processor")
            #expect(dossier.state == .awaitingPayment)
            // Nobody outside the platform confirms a payment: not the citizen, not the agency.
            for person in [citizen, "officer:xl01:processor,approver"] {
                let refused = await rpcError { try await act(platform, dossier, .confirmPayment, key: key, as: person) }
                #expect(refused?.code == .permissionDenied, "\(person)")
            }
            let itself = await rpcError {
                try await platform.gateway.unary(GatewayV1.DossierService.act, {
                    var request = DossierV1.ActRequest()
                    request.dossierId = dossier.id
                    request.action = .confirmPayment
                    request.expectedVersion = dossier.version
                    return request
                }(), options: Self.options(key))
            }
            #expect(itself?.code == .permissionDenied)
            // payment-svc's "paid" event, as it will arrive: the system identity on dossier-svc.
            var confirm = DossierV1.ActRequest()
            confirm.dossierId = dossier.id
            confirm.action = .confirmPayment
            confirm.expectedVersion = dossier.version
            var system = CallOptions(timeout: .seconds(10))
            system.metadata[CallerIdentity.metadataKey] = "system:payment-svc"
            dossier = try await platform.dossiers.unary(DossierV1.DossierService.act, confirm, options: system)
            #expect(dossier.state == .processing)
            dossier = try await act(platform, dossier, .approve, key: key, as: "officer:ld01:approver") {
                var result = DossierV1.AttachmentUpload()
                result.name = "giay-phep.pdf"
                result.content = Self.pdf + Data("% giấy phép\n".utf8)
                $0.resultDocument = result
            }
            #expect(dossier.state == .processed)
            // Level 4: the citizen receives the result online.
            let result = try await file(platform, dossier, try #require(dossier.resultDocument).id, key: key, as: citizen)
            #expect(result.isResult && result.content == Self.pdf + Data("% giấy phép\n".utf8))
            dossier = try await act(platform, dossier, .returnResult, key: key, as: "officer:tn01:receiver")
            #expect(dossier.state == .resultReturned)
        }
    }

    @Test("credentials, not headers: no key, a bad or revoked key, a forged identity, missing scopes, bad on-behalf-of")
    func identityComesFromCredentials() async throws {
        try await withPlatform { platform in
            let (agency, procedure) = try await offered(platform, level: 3)
            let full = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
            let bare = try await platform.makeKey(agency: agency, scopes: "")
            let forged: Metadata = [CallerIdentity.metadataKey: "citizen:\(Self.citizen)"]

            // No key: UNAUTHENTICATED, even with a forged x-dvc-identity.
            let anonymous = await rpcError {
                try await submit(platform, key: nil, as: nil, agency: agency, procedure: procedure, idempotencyKey: "a", extra: forged)
            }
            #expect(anonymous?.code == .unauthenticated)
            // A key of the agency itself, with a forged x-dvc-identity: the gateway ignores the
            // header and sees an agency system, which does not submit.
            let systemSubmits = await rpcError {
                try await submit(platform, key: bare, as: nil, agency: agency, procedure: procedure, idempotencyKey: "b", extra: forged)
            }
            #expect(systemSubmits?.code == .permissionDenied)
            // on-behalf-of without a key, a wrong secret, a malformed header, a revoked key.
            let noKey = await rpcError { try await submit(platform, key: nil, agency: agency, procedure: procedure, idempotencyKey: "c") }
            #expect(noKey?.code == .unauthenticated)
            let wrongSecret = String(full.dropLast(4)) + "AAAA"
            for authorization in [wrongSecret, "Bearer abc", "ApiKey", "ApiKey nodot", "ApiKey k1.ab/cd"] {
                let refused = await rpcError {
                    try await submit(platform, key: authorization, agency: agency, procedure: procedure, idempotencyKey: "d")
                }
                #expect(refused?.code == .unauthenticated, "\(authorization)")
            }
            let revoked = try await platform.makeKey(agency: agency, scopes: "citizens")
            try await platform.revokeKey(revoked)
            let afterRevoke = await rpcError { try await submit(platform, key: revoked, agency: agency, procedure: procedure, idempotencyKey: "e") }
            #expect(afterRevoke?.code == .unauthenticated)
            // Scopes: a key without 'citizens' acts for no citizen, without 'officers' for no officer.
            let noCitizens = await rpcError { try await submit(platform, key: bare, agency: agency, procedure: procedure, idempotencyKey: "f") }
            #expect(noCitizens?.code == .permissionDenied)
            // A malformed person: INVALID_ARGUMENT naming the header.
            for person in ["citizen:123", "officer:tn01", "officer:tn01:boss", "officer:a@b:receiver", "admin:root"] {
                let refused = await rpcError {
                    try await submit(platform, key: full, as: person, agency: agency, procedure: procedure, idempotencyKey: "g")
                }
                #expect(refused?.code == .invalidArgument, "\(person)")
                #expect(refused?.violations.first?.field == "x-dvc-on-behalf-of", "\(person)")
            }
            let dossier = try #require(try await submit(platform, key: full, agency: agency, procedure: procedure, idempotencyKey: "h").dossier)
            let officerWithoutScope = await rpcError { try await act(platform, dossier, .receive, key: bare, as: "officer:tn01:receiver") }
            #expect(officerWithoutScope?.code == .permissionDenied)
            // Nothing was created by any refused call.
            var mine = DossierV1.ListDossiersRequest()
            mine.pageSize = 50
            let listed = try await platform.gateway.unary(GatewayV1.DossierService.listDossiers, mine,
                                                          options: Self.options(full, as: "citizen:\(Self.citizen)"))
            #expect(listed.dossiers.map(\.id) == [dossier.id])
            // The agency's own system reads its dossiers but takes no step.
            var get = DossierV1.GetDossierRequest()
            get.id = dossier.id
            let read = try await platform.gateway.unary(GatewayV1.DossierService.getDossier, get, options: Self.options(bare))
            #expect(read.id == dossier.id)
            let systemActs = await rpcError {
                try await platform.gateway.unary(GatewayV1.DossierService.act, {
                    var request = DossierV1.ActRequest()
                    request.dossierId = dossier.id
                    request.action = .receive
                    request.expectedVersion = dossier.version
                    return request
                }(), options: Self.options(bare))
            }
            #expect(systemActs?.code == .permissionDenied)
        }
    }

    @Test("a key reaches its own agency only; a citizen only their own dossiers")
    func agencyAndOwnerBounds() async throws {
        try await withPlatform { platform in
            let (agency, procedure) = try await offered(platform, level: 3)
            let export = try await platform.catalog.unary(CatalogV1.CatalogService.listAgencies, CatalogV1.ListAgenciesRequest(),
                                                          options: CallOptions(timeout: .seconds(10)))
            let otherAgency = try #require(export.agencies.first { $0.code != agency }).code
            let mine = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
            let theirs = try await platform.makeKey(agency: otherAgency, scopes: "citizens,officers")
            let submitted = try await submit(platform, key: mine, agency: agency, procedure: procedure, idempotencyKey: "own")
            var dossier = try #require(submitted.dossier)
            dossier = try await act(platform, dossier, .receive, key: mine, as: "officer:tn01:receiver")

            // Another agency's key: submitting here is PERMISSION_DENIED; the dossier, its
            // tracking and its queue are out of reach.
            let elsewhere = await rpcError { try await submit(platform, key: theirs, agency: agency, procedure: procedure, idempotencyKey: "x") }
            #expect(elsewhere?.code == .permissionDenied || elsewhere?.code == .failedPrecondition)
            var get = DossierV1.GetDossierRequest()
            get.id = dossier.id
            for person in ["citizen:\(Self.citizen)", nil] {
                let refused = await rpcError {
                    try await platform.gateway.unary(GatewayV1.DossierService.getDossier, get, options: Self.options(theirs, as: person))
                }
                #expect(refused?.code == .notFound, "\(person ?? "system")")
            }
            // This agency's officer is not theirs: their key cannot act for them at all.
            let notTheirOfficer = await rpcError {
                try await platform.gateway.unary(GatewayV1.DossierService.getDossier, get,
                                                 options: Self.options(theirs, as: "officer:tn01:receiver"))
            }
            #expect(notTheirOfficer?.code == .permissionDenied && notTheirOfficer?.violations.first?.field == "x-dvc-on-behalf-of")
            let tracked = await rpcError { try await track(platform, dossier.receiptCode, submitted.trackingPin, key: theirs) }
            #expect(tracked?.code == .notFound)
            var queue = DossierV1.ListDossiersRequest()
            queue.agencyCode = agency
            let otherQueue = await rpcError {
                try await platform.gateway.unary(GatewayV1.DossierService.listDossiers, queue,
                                                 options: Self.options(theirs, as: "officer:tn01:receiver"))
            }
            #expect(otherQueue?.code == .permissionDenied)
            // The same citizen through the other agency's key sees none of this agency's dossiers.
            let throughOther = try await platform.gateway.unary(GatewayV1.DossierService.listDossiers, DossierV1.ListDossiersRequest(),
                                                                options: Self.options(theirs, as: "citizen:\(Self.citizen)"))
            #expect(throughOther.dossiers.isEmpty)
            // Another citizen through the right key: NOT_FOUND, and cannot withdraw it.
            let stranger = "citizen:001099099999"
            let strangerRead = await rpcError {
                try await platform.gateway.unary(GatewayV1.DossierService.getDossier, get, options: Self.options(mine, as: stranger))
            }
            #expect(strangerRead?.code == .notFound)
            let strangerWithdraws = await rpcError { try await act(platform, dossier, .withdraw, key: mine, as: stranger) }
            #expect(strangerWithdraws?.code == .notFound)
            // This agency's queue shows it to its officer.
            let own = try await platform.gateway.unary(GatewayV1.DossierService.listDossiers, queue,
                                                       options: Self.options(mine, as: "officer:tn01:receiver"))
            #expect(own.dossiers.map(\.id) == [dossier.id])
        }
    }

    @Test("retries racing with one idempotency key make one dossier; bad files through the gateway create nothing")
    func retriesAndBadFiles() async throws {
        try await withPlatform { platform in
            let (agency, procedure) = try await offered(platform, level: 3)
            let key = try await platform.makeKey(agency: agency, scopes: "citizens")
            // Twelve copies of one submission at once (a client retrying on timeouts): they can
            // land in one commit group, and still make one dossier with one PIN.
            let answers = try await withThrowingTaskGroup(of: DossierV1.SubmitDossierResponse.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await submit(platform, key: key, agency: agency, procedure: procedure, idempotencyKey: "race") }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(answers.compactMap { $0.dossier?.id }).count == 1)
            #expect(Set(answers.map(\.trackingPin)).count == 1)

            // Over 10 MiB, empty, spoofed (an executable named .pdf), truncated: INVALID_ARGUMENT
            // naming the file, and nothing is created.
            let oversize = Data("%PDF-1.4\n".utf8) + Data(repeating: 0x20, count: 10 * 1024 * 1024) + Data("\n%%EOF\n".utf8)
            let elf = Data([0x7F, 0x45, 0x4C, 0x46] + Array(repeating: 0, count: 60))
            for (name, content) in [("oversize", oversize), ("empty", Data()), ("elf", elf), ("cut", Self.pdf.prefix(20))] {
                var request = DossierV1.SubmitDossierRequest()
                request.agencyCode = agency
                request.procedureCode = procedure
                var upload = DossierV1.AttachmentUpload()
                upload.name = "\(name).pdf"
                upload.content = Data(content)
                request.attachments = [upload]
                let refused = await rpcError {
                    try await platform.gateway.unary(GatewayV1.DossierService.submitDossier, request,
                                                     options: Self.options(key, as: "citizen:\(Self.citizen)", idempotencyKey: name))
                }
                #expect(refused?.code == .invalidArgument, "\(name)")
                #expect(refused?.violations.first?.field == "attachments[0].content", "\(name)")
            }
            let listed = try await platform.gateway.unary(GatewayV1.DossierService.listDossiers, DossierV1.ListDossiersRequest(),
                                                          options: Self.options(key, as: "citizen:\(Self.citizen)"))
            #expect(listed.dossiers.count == 1)
        }
    }

    @Test("levels: submitting needs 3; when the agency lowers the level, the citizen's steps and tracking stop, officers go on")
    func levelsPerDossier() async throws {
        try await withPlatform { platform in
            let (lowAgency, lowProcedure) = try await offered(platform, level: 2)
            let lowKey = try await platform.makeKey(agency: lowAgency, scopes: "citizens")
            let refused = await rpcError {
                try await submit(platform, key: lowKey, agency: lowAgency, procedure: lowProcedure, idempotencyKey: "low")
            }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.metadata["dvc-level-needed"] == "3" && refused?.metadata["dvc-level-enabled"] == "2")

            let (agency, procedure) = try await offered(platform, level: 3)
            let key = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
            let submitted = try await submit(platform, key: key, agency: agency, procedure: procedure, idempotencyKey: "lvl")
            var dossier = try #require(submitted.dossier)
            dossier = try await act(platform, dossier, .receive, key: key, as: "officer:tn01:receiver")

            // The agency takes the procedure down to level 2.
            var setLevel = CatalogV1.SetLevelRequest()
            setLevel.agencyCode = agency
            setLevel.procedureCode = procedure
            setLevel.level = 2
            var admin = CallOptions(timeout: .seconds(10))
            admin.metadata["x-dvc-actor"] = "quan-tri-vien"
            _ = try await platform.catalog.unary(CatalogV1.CatalogService.setLevel, setLevel, options: admin)
            try await Task.sleep(for: .milliseconds(1_300))  // the gateway caches levels for 1 s

            let withdraw = await rpcError { try await act(platform, dossier, .withdraw, key: key, as: "citizen:\(Self.citizen)") }
            #expect(withdraw?.code == .failedPrecondition)
            #expect(withdraw?.metadata["dvc-level-needed"] == "3" && withdraw?.metadata["dvc-level-enabled"] == "2")
            let tracking = await rpcError { try await track(platform, dossier.receiptCode, submitted.trackingPin) }
            #expect(tracking?.code == .failedPrecondition)
            // The dossier already received goes on in the officers' hands.
            dossier = try await act(platform, dossier, .startProcessing, key: key, as: "officer:xl01:processor")
            #expect(dossier.state == .processing)
        }
    }
}
