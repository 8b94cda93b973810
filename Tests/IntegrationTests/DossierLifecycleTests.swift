import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Testing

/// dossier-svc with catalog-svc as real processes: a dossier's whole life, the identity and
/// version checks, idempotent submission and tracking by receipt code and PIN.
@Suite(.timeLimit(.minutes(2))) struct DossierLifecycleTests {
    static let citizen = "001099012345"
    static let read = CallOptions(timeout: .seconds(10))

    /// A small but real PDF, as a citizen would attach.
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    func options(_ identity: String, idempotencyKey: String? = nil) -> CallOptions {
        var options = Self.read
        options.metadata[CallerIdentity.metadataKey] = identity
        if let idempotencyKey { options.metadata[MetadataKey.idempotencyKey] = idempotencyKey }
        return options
    }

    func withDossiers(_ body: (_ catalog: RPCClient, _ dossiers: RPCClient) async throws -> Void) async throws {
        try await withService("catalog-svc") { catalogProcess in
            try await withService("dossier-svc", extraArguments: ["--catalog", catalogProcess.address.description]) { dossierProcess in
                try await withClient(catalogProcess) { catalog in
                    try await withClient(dossierProcess) { dossiers in
                        try await body(catalog, dossiers)
                    }
                }
            }
        }
    }

    /// A procedure offered at level 3 (not 4, so no fee stands in the way), whose forms declare
    /// no fields, and the agency offering it.
    func levelThreeProcedure(_ catalog: RPCClient) async throws -> (procedure: String, agency: String) {
        let export = try await catalog.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                             options: Self.read)
        let simple = Set(export.procedures.filter(\.isSimpleToSubmit).map(\.code))
        let level = try #require(export.levels.first { $0.level == 3 && simple.contains($0.procedureCode) })
        return (level.procedureCode, level.agencyCode)
    }

    func submit(_ dossiers: RPCClient, procedure: String, agency: String, key: String,
                attachments: [Data] = [pdf]) async throws -> DossierV1.SubmitDossierResponse {
        var request = DossierV1.SubmitDossierRequest()
        request.agencyCode = agency
        request.procedureCode = procedure
        request.channel = .online
        request.attachments = attachments.enumerated().map { index, content in
            var upload = DossierV1.AttachmentUpload()
            upload.name = "giay-to-\(index).pdf"
            upload.content = content
            return upload
        }
        return try await dossiers.unary(DossierV1.DossierService.submitDossier, request,
                                        options: options("citizen:\(Self.citizen)", idempotencyKey: key))
    }

    func act(_ dossiers: RPCClient, _ dossier: DossierV1.Dossier, _ action: DossierV1.Action, as identity: String,
             note: String = "", missing: [String] = [], result: String = "") async throws -> DossierV1.Dossier {
        var request = DossierV1.ActRequest()
        request.dossierId = dossier.id
        request.action = action
        request.expectedVersion = dossier.version
        request.note = note
        request.missingDocuments = missing
        request.resultNote = result
        return try await dossiers.unary(DossierV1.DossierService.act, request, options: options(identity))
    }

    @Test("a level-3 dossier from submission to the result returned, with history and tracking")
    func lifecycle() async throws {
        try await withDossiers { catalog, dossiers in
            let (procedure, agency) = try await levelThreeProcedure(catalog)
            let receiver = "officer:tn01@\(agency):receiver"
            let processor = "officer:xl01@\(agency):processor"
            let approver = "officer:ld01@\(agency):approver"

            let submitted = try await submit(dossiers, procedure: procedure, agency: agency, key: "k-1")
            var dossier = try #require(submitted.dossier)
            #expect(dossier.state == .submitted)
            #expect(dossier.attachments.count == 1 && dossier.attachments[0].mediaType == "application/pdf")
            #expect(submitted.trackingPin.count == 8)

            // A retry with the same key: the same dossier and PIN, no second dossier.
            let retried = try await submit(dossiers, procedure: procedure, agency: agency, key: "k-1")
            #expect(retried.dossier?.id == dossier.id)
            #expect(retried.trackingPin == submitted.trackingPin)

            dossier = try await act(dossiers, dossier, .receive, as: receiver)
            #expect(dossier.state == .received)
            let receipt = dossier.receiptCode
            #expect(receipt.hasPrefix("\(agency)-") && receipt.hasSuffix("-0001"), "\(receipt)")
            #expect(dossier.appointmentAtUnixMs > dossier.receivedAtUnixMs)
            // The receipt and appointment slip (Mẫu số 01) is kept with the dossier.
            let slip = try #require(dossier.documents.first { $0.form == "01" })
            let html = String(decoding: slip.content, as: UTF8.self)
            #expect(html.contains(receipt) && html.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
            #expect(slip.number.hasPrefix("01/") && slip.number.contains(agency))

            dossier = try await act(dossiers, dossier, .startProcessing, as: processor)
            #expect(dossier.state == .processing && dossier.assignee == "xl01")
            dossier = try await act(dossiers, dossier, .requestSupplement, as: processor, missing: ["Bản sao CCCD"])
            #expect(dossier.state == .supplementRequested)
            #expect(dossier.missingDocuments == ["Bản sao CCCD"])
            let request = try #require(dossier.documents.first { $0.form == "02" })
            #expect(String(decoding: request.content, as: UTF8.self).contains("Bản sao CCCD"))
            let appointmentBefore = dossier.appointmentAtUnixMs
            // Resubmitting with form data the procedure does not declare (here: someone else's
            // identity and contacts) is refused like a submission, and changes nothing.
            var smuggled = DossierV1.ActRequest()
            smuggled.dossierId = dossier.id
            smuggled.action = .resubmit
            smuggled.expectedVersion = dossier.version
            smuggled.formData = ["nguoi_yeu_cau_so_dinh_danh": "079203000123", "email": "nguoi-khac@example.vn"]
            let refusedResubmit = await rpcError {
                try await dossiers.unary(DossierV1.DossierService.act, smuggled, options: options("citizen:\(Self.citizen)"))
            }
            #expect(refusedResubmit?.code == .invalidArgument
                    && refusedResubmit?.violations.contains { $0.field.hasPrefix("form_data.") } == true, "\(String(describing: refusedResubmit))")
            var unchanged = DossierV1.GetDossierRequest()
            unchanged.id = dossier.id
            let still = try await dossiers.unary(DossierV1.DossierService.getDossier, unchanged, options: options("citizen:\(Self.citizen)"))
            #expect(still.state == .supplementRequested && still.formData.isEmpty && still.version == dossier.version)
            dossier = try await act(dossiers, dossier, .resubmit, as: "citizen:\(Self.citizen)")
            #expect(dossier.state == .processing)
            #expect(dossier.appointmentAtUnixMs >= appointmentBefore)
            dossier = try await act(dossiers, dossier, .approve, as: approver, result: "Đã cấp")
            #expect(dossier.state == .processed)
            dossier = try await act(dossiers, dossier, .returnResult, as: receiver)
            #expect(dossier.state == .resultReturned)

            // History: append-only, who, from, to, in order.
            var historyRequest = DossierV1.GetHistoryRequest()
            historyRequest.dossierId = dossier.id
            let history = try await dossiers.unary(DossierV1.DossierService.getHistory, historyRequest,
                                                   options: options("citizen:\(Self.citizen)")).entries
            #expect(history.map(\.toState) == [.submitted, .received, .processing, .supplementRequested, .processing,
                                               .processed, .resultReturned])
            #expect(history[1].actor == "officer:tn01")

            // Tracking: the receipt code and PIN show it; a wrong PIN shows nothing.
            var track = DossierV1.TrackDossierRequest()
            track.receiptCode = receipt
            track.pin = submitted.trackingPin
            #expect(try await dossiers.unary(DossierV1.DossierService.trackDossier, track, options: Self.read).state == .resultReturned)
            track.pin = "00000000"
            let wrong = await rpcError { try await dossiers.unary(DossierV1.DossierService.trackDossier, track, options: Self.read) }
            #expect(wrong?.code == .notFound)

            // Statistics count it as received and resolved.
            var statistics = DossierV1.AgencyStatisticsRequest()
            statistics.agencyCode = agency
            let counted = try await dossiers.unary(DossierV1.DossierService.getAgencyStatistics, statistics, options: Self.read)
            #expect(counted.received == 1)
            #expect(counted.resolvedOnTime + counted.resolvedLate == 1)
        }
    }

    @Test("the apology (document 04): a later date and a reason, by the head of the agency, clearing the overdue mark")
    func apology() async throws {
        try await withDossiers { catalog, dossiers in
            let (procedure, agency) = try await levelThreeProcedure(catalog)
            var dossier = try #require(try await submit(dossiers, procedure: procedure, agency: agency, key: "k-3").dossier)
            dossier = try await act(dossiers, dossier, .receive, as: "officer:tn01@\(agency):receiver")
            let approver = "officer:ld01@\(agency):approver"

            // An apology needs a reason and a later date.
            var apology = DossierV1.ActRequest()
            apology.dossierId = dossier.id
            apology.action = .apologize
            apology.expectedVersion = dossier.version
            apology.note = "Cần xác minh thêm thông tin"
            apology.newAppointmentAtUnixMs = dossier.appointmentAtUnixMs - 1
            let early = await rpcError {
                try await dossiers.unary(DossierV1.DossierService.act, apology, options: options(approver))
            }
            #expect(early?.code == .invalidArgument)
            #expect(early?.violations.first?.field == "new_appointment_at_unix_ms")

            apology.newAppointmentAtUnixMs = dossier.appointmentAtUnixMs + 3 * 86_400_000
            let apologised = try await dossiers.unary(DossierV1.DossierService.act, apology, options: options(approver))
            #expect(apologised.state == .received)
            #expect(apologised.appointmentAtUnixMs == apology.newAppointmentAtUnixMs)
            #expect(!apologised.overdue)
            let letter = try #require(apologised.documents.first { $0.form == "04" })
            let html = String(decoding: letter.content, as: UTF8.self)
            #expect(html.contains("Cần xác minh thêm thông tin"))

            // Only the head of the agency apologises.
            var again = apology
            again.expectedVersion = apologised.version
            let wrongRole = await rpcError {
                try await dossiers.unary(DossierV1.DossierService.act, again,
                                         options: options("officer:xl01@\(agency):processor"))
            }
            #expect(wrongRole?.code == .permissionDenied)
        }
    }

    @Test("illegal actions, wrong roles, other agencies and citizens, stale versions and bad files are refused")
    func refusals() async throws {
        try await withDossiers { catalog, dossiers in
            let (procedure, agency) = try await levelThreeProcedure(catalog)
            let dossier = try #require(try await submit(dossiers, procedure: procedure, agency: agency, key: "k-2").dossier)

            // Approving a dossier that is only submitted: FAILED_PRECONDITION naming both.
            let illegal = await rpcError { try await act(dossiers, dossier, .approve, as: "officer:ld01@\(agency):approver", result: "x") }
            #expect(illegal?.code == .failedPrecondition)
            #expect(illegal?.message.contains("Mới đăng ký") == true, "\(illegal?.message ?? "")")
            // A processor cannot receive; an officer of another agency sees nothing.
            let role = await rpcError { try await act(dossiers, dossier, .receive, as: "officer:xl01@\(agency):processor") }
            #expect(role?.code == .permissionDenied)
            let elsewhere = await rpcError { try await act(dossiers, dossier, .receive, as: "officer:tn09@999.99.99.H26:receiver") }
            #expect(elsewhere?.code == .notFound)
            // Another citizen cannot read it; no identity at all is UNAUTHENTICATED.
            var get = DossierV1.GetDossierRequest()
            get.id = dossier.id
            let stranger = await rpcError {
                try await dossiers.unary(DossierV1.DossierService.getDossier, get, options: options("citizen:001099099999"))
            }
            #expect(stranger?.code == .notFound)
            let anonymous = await rpcError { try await dossiers.unary(DossierV1.DossierService.getDossier, get, options: Self.read) }
            #expect(anonymous?.code == .unauthenticated)

            // Two receivers on the same version: one wins, the other gets ABORTED.
            let receivers = ["officer:tn01@\(agency):receiver", "officer:tn02@\(agency):receiver"]
            let outcomes = await withTaskGroup(of: Result<DossierV1.Dossier, any Error>.self) { group in
                for receiver in receivers {
                    group.addTask {
                        do {
                            return .success(try await act(dossiers, dossier, .receive, as: receiver))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                var all: [Result<DossierV1.Dossier, any Error>] = []
                for await outcome in group { all.append(outcome) }
                return all
            }
            let won = outcomes.filter { if case .success = $0 { true } else { false } }
            #expect(won.count == 1)
            let lost = outcomes.compactMap { outcome -> RPCError? in
                if case .failure(let error) = outcome { return error as? RPCError }
                return nil
            }
            #expect(lost.map(\.code) == [.aborted])

            // Spoofed, empty and truncated attachments: nothing is created.
            let elf = Data([0x7F, 0x45, 0x4C, 0x46] + Array(repeating: 0, count: 60))
            let truncated = Self.pdf.prefix(20)
            for (key, content) in [("k-elf", elf), ("k-empty", Data()), ("k-cut", Data(truncated))] {
                let refused = await rpcError { try await submit(dossiers, procedure: procedure, agency: agency, key: key, attachments: [content]) }
                #expect(refused?.code == .invalidArgument, "\(key)")
                #expect(refused?.violations.first?.field == "attachments[0].content", "\(key)")
            }
            var mine = DossierV1.ListDossiersRequest()
            mine.pageSize = 50
            let listed = try await dossiers.unary(DossierV1.DossierService.listDossiers, mine,
                                                  options: options("citizen:\(Self.citizen)"))
            #expect(listed.dossiers.map(\.id) == [dossier.id])
        }
    }
}
