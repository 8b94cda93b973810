import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Testing

/// Reception anywhere, processing by the competent agency (Decree 118/2025/NĐ-CP), with
/// catalog-svc and dossier-svc as real processes: a centre registers a paper dossier for a
/// commune, the commune processes it, the centre returns the result; a transfer to the
/// competent agency; an inter-agency (liên thông) dossier through three agencies; the citizen's
/// digitised papers used again.
@Suite(.timeLimit(.minutes(3))) struct ReceptionAnywhereTests {
    static let citizen = "001099012345"
    static let read = CallOptions(timeout: .seconds(10))
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    /// Phường Nghĩa Đô and its neighbour offer birth registration at level 2 only (forms to
    /// download): online submission is refused there, the counter takes it.
    static let commune = "000.02.22.H26"
    static let neighbour = "000.02.23.H26"
    static let centre = "000.99.01.H26"
    static let otherCentre = "000.99.02.H26"
    static let police = "000.99.10.H26"
    static let insurance = "000.99.20.H26"
    static let birth = "1.001193"
    static let birthCertificate = "Giấy chứng sinh; nếu không có thì văn bản của người làm chứng xác nhận về việc sinh, hoặc giấy cam đoan về việc sinh"
    static let residence = "TEST-CT-001"
    static let healthCard = "TEST-BH-001"
    static let group = "lien-thong-khai-sinh"

    static let birthForm: [String: String] = [
        "nguoi_yeu_cau_ho_ten": "Nguyễn Văn An", "nguoi_yeu_cau_so_dinh_danh": citizen,
        "nguoi_yeu_cau_noi_cu_tru": "12 Phúc Xá, Ba Đình", "quan_he_voi_nguoi_duoc_khai_sinh": "Cha",
        "ho_ten": "Nguyễn Minh Khôi", "ngay_sinh": "2026-11-01", "gioi_tinh": "Nam", "dan_toc": "Kinh",
        "quoc_tich": "Việt Nam", "noi_sinh": "Bệnh viện Phụ sản Hà Nội", "que_quan": "Hà Nội",
    ]

    func options(_ identity: String, key: String? = nil) -> CallOptions {
        var options = Self.read
        options.metadata[CallerIdentity.metadataKey] = identity
        if let key { options.metadata[MetadataKey.idempotencyKey] = key }
        return options
    }

    /// Two centres (one receiving for both communes, one for the commune only), a police and a
    /// social-insurance agency, the two procedures they do and the group that joins the three.
    func addReceptionCatalog(_ catalog: RPCClient) async throws {
        func agency(_ code: String, _ name: String, _ kind: CatalogV1.AgencyKind, receivesFor: [String] = []) -> CatalogV1.Agency {
            var agency = CatalogV1.Agency()
            agency.code = code
            agency.name = name
            agency.kind = kind
            agency.parentCode = "000.00.00.H26"
            agency.levelCeiling = 4
            agency.receivesFor = receivesFor
            return agency
        }
        func procedure(_ code: String, _ name: String, kind: CatalogV1.AgencyKind) -> CatalogV1.Procedure {
            var procedure = CatalogV1.Procedure()
            procedure.code = code
            procedure.name = name
            procedure.fieldCode = "ho-tich"
            procedure.agencyKinds = [kind]
            procedure.processingWorkingDays = 3
            return procedure
        }
        func level(_ agency: String, _ procedure: String) -> CatalogV1.SetLevelRequest {
            var level = CatalogV1.SetLevelRequest()
            level.agencyCode = agency
            level.procedureCode = procedure
            level.level = 2
            return level
        }
        func step(_ procedure: String, _ kind: String, _ agency: String = "") -> CatalogV1.GroupStep {
            var step = CatalogV1.GroupStep()
            step.procedureCode = procedure
            step.agencyKind = kind
            step.agencyCode = agency
            step.processingWorkingDays = 3
            return step
        }
        var document = CatalogV1.CatalogDocument()
        document.agencies = [
            agency(Self.centre, "Trung tâm Phục vụ hành chính công số 1", .serviceCentre, receivesFor: [Self.commune, Self.neighbour]),
            agency(Self.otherCentre, "Trung tâm Phục vụ hành chính công số 2", .serviceCentre, receivesFor: [Self.neighbour]),
            agency(Self.police, "Công an phường Nghĩa Đô", .police),
            agency(Self.insurance, "Bảo hiểm xã hội khu vực I", .socialInsurance),
        ]
        document.procedures = [procedure(Self.residence, "Đăng ký thường trú", kind: .police),
                               procedure(Self.healthCard, "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", kind: .socialInsurance)]
        document.levels = [level(Self.police, Self.residence), level(Self.insurance, Self.healthCard)]
        var group = CatalogV1.ProcedureGroup()
        group.code = Self.group
        group.name = "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"
        group.legalBasis = "Nghị định 63/2024/NĐ-CP, Điều 5"
        group.steps = [step(Self.birth, "ward-commune"), step(Self.residence, "police"), step(Self.healthCard, "social-insurance", Self.insurance)]
        document.procedureGroups = [group]
        var request = CatalogV1.ImportCatalogRequest()
        request.catalog = document
        var admin = Self.read
        admin.metadata["x-dvc-actor"] = "test:reception"
        _ = try await catalog.unary(CatalogV1.CatalogService.importCatalog, request, options: admin)
    }

    func withReception(_ body: (_ dossiers: RPCClient) async throws -> Void) async throws {
        try await withService("catalog-svc") { catalogProcess in
            try await withService("dossier-svc", extraArguments: ["--catalog", catalogProcess.address.description]) { dossierProcess in
                try await withClient(catalogProcess) { catalog in
                    try await addReceptionCatalog(catalog)
                    try await withClient(dossierProcess) { dossiers in try await body(dossiers) }
                }
            }
        }
    }

    /// A birth registration brought to a centre's counter, scanned and confirmed by its receiver.
    func register(_ dossiers: RPCClient, at desk: String = centre, for agency: String = commune, key: String,
                  files: [(String, Bool)] = [(birthCertificate, true)],
                  resultReturn: DossierV1.ResultReturn? = nil,
                  group: String = "") async throws -> DossierV1.SubmitDossierResponse {
        var request = DossierV1.SubmitDossierRequest()
        request.agencyCode = agency
        request.procedureCode = Self.birth
        request.channel = .inPerson
        request.applicantId = Self.citizen
        request.formData = Self.birthForm
        request.groupCode = group
        request.resultReturn = resultReturn
        request.attachments = files.map { name, digitised in
            var upload = DossierV1.AttachmentUpload()
            upload.name = "scan.pdf"
            upload.content = Self.pdf
            upload.requiredDocument = name
            upload.digitised = digitised
            return upload
        }
        return try await dossiers.unary(DossierV1.DossierService.submitDossier, request,
                                        options: options("officer:tn01@\(desk):receiver", key: key))
    }

    func act(_ dossiers: RPCClient, _ dossier: DossierV1.Dossier, _ action: DossierV1.Action, as identity: String,
             note: String = "", target: String = "", result: String = "") async throws -> DossierV1.Dossier {
        var request = DossierV1.ActRequest()
        request.dossierId = dossier.id
        request.action = action
        request.expectedVersion = dossier.version
        request.note = note
        request.targetAgencyCode = target
        request.resultNote = result
        return try await dossiers.unary(DossierV1.DossierService.act, request, options: options(identity))
    }

    func queue(_ dossiers: RPCClient, of agency: String) async throws -> [String] {
        var request = DossierV1.ListDossiersRequest()
        request.agencyCode = agency
        return try await dossiers.unary(DossierV1.DossierService.listDossiers, request,
                                        options: options("officer:q@\(agency):receiver")).dossiers.map(\.id)
    }

    func statistics(_ dossiers: RPCClient, of agency: String) async throws -> DossierV1.AgencyStatistics {
        var request = DossierV1.AgencyStatisticsRequest()
        request.agencyCode = agency
        return try await dossiers.unary(DossierV1.DossierService.getAgencyStatistics, request, options: Self.read)
    }

    func track(_ dossiers: RPCClient, _ code: String, _ pin: String) async throws -> DossierV1.TrackedDossier {
        var request = DossierV1.TrackDossierRequest()
        request.receiptCode = code
        request.pin = pin
        return try await dossiers.unary(DossierV1.DossierService.trackDossier, request, options: Self.read)
    }

    func history(_ dossiers: RPCClient, _ id: String, as identity: String) async throws -> [DossierV1.HistoryEntry] {
        var request = DossierV1.GetHistoryRequest()
        request.dossierId = id
        return try await dossiers.unary(DossierV1.DossierService.getHistory, request, options: options(identity)).entries
    }

    @Test("a centre registers a paper dossier for a commune at level 2, the commune processes it, the centre returns the result; queues, documents, statistics and history show both")
    func receivedAtACentreProcessedByTheCommune() async throws {
        try await withReception { dossiers in
            let centreReceiver = "officer:tn01@\(Self.centre):receiver"
            let communeOfficer = "officer:cb01@\(Self.commune):receiver,processor,approver"

            // Online, level 2 is refused; at the counter the same procedure is registered.
            var online = DossierV1.SubmitDossierRequest()
            online.agencyCode = Self.commune
            online.procedureCode = Self.birth
            online.formData = Self.birthForm
            let refusedOnline = await rpcError {
                try await dossiers.unary(DossierV1.DossierService.submitDossier, online,
                                         options: options("citizen:\(Self.citizen)", key: "online-1"))
            }
            #expect(refusedOnline?.code == .failedPrecondition, "\(String(describing: refusedOnline))")

            let registered = try await register(dossiers, key: "counter-1")
            var dossier = try #require(registered.dossier)
            #expect(dossier.state == .submitted && dossier.channel == .inPerson)
            #expect(dossier.agencyCode == Self.commune && dossier.receivingAgencyCode == Self.centre)
            #expect(dossier.registeredBy == "officer:tn01" && dossier.applicantId == Self.citizen)
            #expect(dossier.resultReturn?.method == .atCentre && dossier.resultReturn?.agencyCode == Self.centre)
            let scan = try #require(dossier.attachments.first)
            #expect(scan.requiredDocument == Self.birthCertificate && scan.digitisedBy == "officer:tn01" && scan.digitisedAtUnixMs > 0)
            let first = try await history(dossiers, dossier.id, as: centreReceiver)
            #expect(first.first?.actor == "officer:tn01" && first.first?.note.contains("tiếp nhận trực tiếp") == true,
                    "\(first)")

            // Both queues show it; a centre that does not receive for the commune sees nothing.
            #expect(try await queue(dossiers, of: Self.centre).contains(dossier.id))
            #expect(try await queue(dossiers, of: Self.commune).contains(dossier.id))
            #expect(try await queue(dossiers, of: Self.otherCentre).contains(dossier.id) == false)

            // The centre receives it: the receipt slip is the centre's, on its sequence.
            dossier = try await act(dossiers, dossier, .receive, as: centreReceiver)
            #expect(dossier.state == .received && dossier.receiptCode.hasPrefix("\(Self.commune)-"))
            let slip = try #require(dossier.documents.first { $0.form == "01" })
            #expect(slip.number.contains(Self.centre), "\(slip.number)")
            #expect(String(decoding: slip.content, as: UTF8.self).contains("Trung tâm Phục vụ hành chính công số 1".uppercased())
                    || String(decoding: slip.content, as: UTF8.self).contains("Trung tâm Phục vụ hành chính công số 1"))

            // Processing is the commune's: the centre's officer is refused, whatever their roles.
            let centreProcessor = "officer:xl01@\(Self.centre):receiver,processor,approver"
            let refusedProcessing = await rpcError { try await act(dossiers, dossier, .startProcessing, as: centreProcessor) }
            #expect(refusedProcessing?.code == .permissionDenied, "\(String(describing: refusedProcessing))")
            dossier = try await act(dossiers, dossier, .startProcessing, as: communeOfficer)
            dossier = try await act(dossiers, dossier, .approve, as: communeOfficer, result: "Đã cấp Giấy khai sinh")
            #expect(dossier.state == .processed)

            // The result goes back at the centre, where the applicant chose.
            dossier = try await act(dossiers, dossier, .returnResult, as: centreReceiver)
            #expect(dossier.state == .resultReturned)

            // Statistics: the commune resolved it; the centre received it.
            let communeStats = try await statistics(dossiers, of: Self.commune)
            let centreStats = try await statistics(dossiers, of: Self.centre)
            #expect(communeStats.received == 1 && communeStats.resolvedOnTime == 1)
            #expect(centreStats.received == 1 && centreStats.resolvedOnTime == 1)
            let otherStats = try await statistics(dossiers, of: Self.otherCentre)
            #expect(otherStats.received == 0)

            // Tracking names the agency holding it.
            let tracked = try await track(dossiers, dossier.receiptCode, registered.trackingPin)
            #expect(tracked.state == .resultReturned && tracked.agencyName == "UBND Phường Nghĩa Đô", "\(tracked)")
        }
    }

    @Test("counter registration is refused with the field named: not a receiver, a commune the centre does not receive for, no identity number, a paper not confirmed, a citizen claiming the counter, the required papers missing")
    func registrationRefusals() async throws {
        try await withReception { dossiers in
            // The other centre does not receive for the commune.
            let notFor = await rpcError { try await register(dossiers, at: Self.otherCentre, key: "r-1") }
            #expect(notFor?.code == .permissionDenied && notFor?.violations.map(\.field) == ["agency_code"], "\(String(describing: notFor))")
            // A processor does not register.
            var request = DossierV1.SubmitDossierRequest()
            request.agencyCode = Self.commune
            request.procedureCode = Self.birth
            request.applicantId = Self.citizen
            request.formData = Self.birthForm
            let processor = await rpcError {
                try await dossiers.unary(DossierV1.DossierService.submitDossier, request,
                                         options: options("officer:xl01@\(Self.centre):processor", key: "r-2"))
            }
            #expect(processor?.code == .permissionDenied)
            // No identity number.
            request.applicantId = "12345"
            let noID = await rpcError {
                try await dossiers.unary(DossierV1.DossierService.submitDossier, request,
                                         options: options("officer:tn01@\(Self.centre):receiver", key: "r-3"))
            }
            #expect(noID?.code == .invalidArgument && noID?.violations.map(\.field) == ["applicant_id"])
            // A scan the officer did not confirm.
            let unconfirmed = await rpcError { try await register(dossiers, key: "r-4", files: [(Self.birthCertificate, false)]) }
            #expect(unconfirmed?.violations.map(\.field) == ["attachments[0].digitised"], "\(String(describing: unconfirmed))")
            // None of the required papers (a submission without them used to be accepted).
            let none = await rpcError { try await register(dossiers, key: "r-5", files: []) }
            #expect(none?.code == .invalidArgument && none?.violations.map(\.field) == ["attachments"], "\(String(describing: none))")
            #expect(none?.violations.first?.description.contains("Giấy chứng sinh") == true)
            // A paper that is not one of the procedure's.
            let unknown = await rpcError { try await register(dossiers, key: "r-6", files: [("Sổ hộ khẩu", true)]) }
            #expect(unknown?.violations.map(\.field).contains("attachments[0].required_document") == true)
            // A citizen does not claim the counter channel.
            var citizen = DossierV1.SubmitDossierRequest()
            citizen.agencyCode = "000.01.20.H26"
            citizen.procedureCode = Self.birth
            citizen.channel = .inPerson
            let claimed = await rpcError {
                try await dossiers.unary(DossierV1.DossierService.submitDossier, citizen,
                                         options: options("citizen:\(Self.citizen)", key: "r-7"))
            }
            #expect(claimed?.violations.map(\.field) == ["channel"])
            // Nothing was kept of any of these.
            let kept = try await queue(dossiers, of: Self.centre)
            #expect(kept.isEmpty)
            // The result at a centre that does not receive for the commune is refused.
            var elsewhere = DossierV1.ResultReturn()
            elsewhere.method = .atCentre
            elsewhere.agencyCode = Self.otherCentre
            let badReturn = await rpcError { try await register(dossiers, key: "r-8", resultReturn: elsewhere) }
            #expect(badReturn?.violations.map(\.field) == ["result_return.agency_code"], "\(String(describing: badReturn))")
            var online = DossierV1.ResultReturn()
            online.method = .online
            let notFour = await rpcError { try await register(dossiers, key: "r-9", resultReturn: online) }
            #expect(notFour?.code == .failedPrecondition)
        }
    }

    @Test("a dossier at the wrong commune is transferred: receipt code, history and appointment kept, both communes see the handoff, the first no longer acts")
    func transfer() async throws {
        try await withReception { dossiers in
            let communeOfficer = "officer:cb01@\(Self.commune):receiver,processor,approver"
            let neighbourOfficer = "officer:cb02@\(Self.neighbour):receiver,processor,approver"
            let registered = try await register(dossiers, key: "t-1")
            var dossier = try await act(dossiers, try #require(registered.dossier), .receive, as: communeOfficer)
            let (code, appointment) = (dossier.receiptCode, dossier.appointmentAtUnixMs)
            dossier = try await act(dossiers, dossier, .startProcessing, as: communeOfficer)

            let noTarget = await rpcError { try await act(dossiers, dossier, .transfer, as: communeOfficer, note: "Sai thẩm quyền") }
            #expect(noTarget?.violations.map(\.field) == ["target_agency_code"])
            dossier = try await act(dossiers, dossier, .transfer, as: communeOfficer, note: "Nơi cư trú thuộc phường bên cạnh",
                                    target: Self.neighbour)
            #expect(dossier.agencyCode == Self.neighbour && dossier.state == .processing)
            #expect(dossier.receiptCode == code && dossier.appointmentAtUnixMs == appointment && dossier.assignee.isEmpty)
            let handoff = try #require(dossier.handoffs.last)
            #expect(handoff.fromAgencyCode == Self.commune && handoff.toAgencyCode == Self.neighbour && handoff.action == .transfer)

            // Queues: the neighbour holds it; the commune no longer does but still reads it and its history.
            #expect(try await queue(dossiers, of: Self.neighbour).contains(dossier.id))
            #expect(try await queue(dossiers, of: Self.commune).contains(dossier.id) == false)
            let seen = try await history(dossiers, dossier.id, as: communeOfficer)
            #expect(seen.last?.action == .transfer && seen.last?.note == "Nơi cư trú thuộc phường bên cạnh")
            let refused = await rpcError { try await act(dossiers, dossier, .approve, as: communeOfficer, result: "x") }
            #expect(refused?.code == .permissionDenied)
            // Statistics follow the competent agency.
            #expect(try await statistics(dossiers, of: Self.neighbour).inProgress == 1)
            #expect(try await statistics(dossiers, of: Self.commune).inProgress == 0)

            dossier = try await act(dossiers, dossier, .approve, as: neighbourOfficer, result: "Đã cấp")
            #expect(dossier.state == .processed)
            let tracked = try await track(dossiers, code, registered.trackingPin)
            #expect(tracked.agencyCode == Self.neighbour)
        }
    }

    @Test("an inter-agency dossier: birth registration, permanent residence, health-insurance card; one receipt code, each step at its agency with its own deadline, each queue in turn, the citizen tracking which agency holds it")
    func interAgency() async throws {
        try await withReception { dossiers in
            let commune = "officer:cb01@\(Self.commune):receiver,processor,approver"
            let police = "officer:ca01@\(Self.police):receiver,processor,approver"
            let insurance = "officer:bh01@\(Self.insurance):receiver,processor,approver"
            let registered = try await register(dossiers, key: "g-1", group: Self.group)
            var dossier = try #require(registered.dossier)
            #expect(dossier.groupCode == Self.group && dossier.groupSteps.count == 3 && dossier.currentStep == 1)
            dossier = try await act(dossiers, dossier, .receive, as: commune)
            let code = dossier.receiptCode
            dossier = try await act(dossiers, dossier, .startProcessing, as: commune)
            // Step 1 is not the last: it is completed, not approved.
            let early = await rpcError { try await act(dossiers, dossier, .approve, as: commune, result: "x") }
            #expect(early?.code == .failedPrecondition)
            // Step 2 names only a kind of agency: the officer picks the police station.
            let unnamed = await rpcError { try await act(dossiers, dossier, .completeStep, as: commune) }
            #expect(unnamed?.violations.map(\.field) == ["target_agency_code"])
            let wrongKind = await rpcError { try await act(dossiers, dossier, .completeStep, as: commune, target: Self.insurance) }
            #expect(wrongKind?.violations.map(\.field) == ["target_agency_code"])
            dossier = try await act(dossiers, dossier, .completeStep, as: commune, note: "Đã cấp Giấy khai sinh", target: Self.police)
            #expect(dossier.state == .received && dossier.agencyCode == Self.police && dossier.procedureCode == Self.residence)
            #expect(dossier.receiptCode == code && dossier.currentStep == 2)
            #expect(dossier.groupSteps[0].completedBy == "officer:cb01" && dossier.groupSteps[1].dueAtUnixMs == dossier.appointmentAtUnixMs)
            #expect(try await queue(dossiers, of: Self.police).contains(dossier.id))
            #expect(try await queue(dossiers, of: Self.commune).contains(dossier.id) == false)
            #expect(try await queue(dossiers, of: Self.insurance).contains(dossier.id) == false)
            var tracked = try await track(dossiers, code, registered.trackingPin)
            #expect(tracked.agencyName == "Công an phường Nghĩa Đô" && tracked.currentStep == 2 && tracked.stepCount == 3)
            // The commune can no longer act on it.
            let gone = await rpcError { try await act(dossiers, dossier, .startProcessing, as: commune) }
            #expect(gone?.code == .permissionDenied)

            dossier = try await act(dossiers, dossier, .startProcessing, as: police)
            // Step 3's agency is fixed: no choice needed.
            dossier = try await act(dossiers, dossier, .completeStep, as: police, note: "Đã đăng ký thường trú")
            #expect(dossier.agencyCode == Self.insurance && dossier.currentStep == 3)
            tracked = try await track(dossiers, code, registered.trackingPin)
            #expect(tracked.agencyName == "Bảo hiểm xã hội khu vực I" && tracked.currentStep == 3)
            dossier = try await act(dossiers, dossier, .startProcessing, as: insurance)
            let last = await rpcError { try await act(dossiers, dossier, .completeStep, as: insurance, target: Self.police) }
            #expect(last?.code == .failedPrecondition)
            dossier = try await act(dossiers, dossier, .approve, as: insurance, result: "Đã cấp thẻ BHYT")
            #expect(dossier.state == .processed && dossier.groupSteps.allSatisfy { $0.completedAtUnixMs > 0 })
            #expect(dossier.handoffs.map(\.toAgencyCode) == [Self.police, Self.insurance])
            // The result goes back at the centre that received it.
            dossier = try await act(dossiers, dossier, .returnResult, as: "officer:tn01@\(Self.centre):receiver")
            #expect(dossier.state == .resultReturned)
        }
    }

    @Test("the citizen's digitised papers and results are offered again and reused instead of an upload; another citizen's are refused")
    func reuse() async throws {
        try await withReception { dossiers in
            let registered = try await register(dossiers, key: "u-1")
            let original = try #require(registered.dossier)
            var list = DossierV1.ListReusableDocumentsRequest()
            list.requiredDocument = Self.birthCertificate
            let offered = try await dossiers.unary(DossierV1.DossierService.listReusableDocuments, list,
                                                   options: options("citizen:\(Self.citizen)")).documents
            let paper = try #require(offered.first)
            #expect(paper.dossierId == original.id && paper.file?.digitisedBy == "officer:tn01")
            // Another citizen has nothing to reuse, and cannot name this one's.
            let other = try await dossiers.unary(DossierV1.DossierService.listReusableDocuments, list,
                                                 options: options("citizen:079201000001")).documents
            #expect(other.isEmpty)

            var reused = DossierV1.ReusedDocument()
            reused.dossierId = original.id
            reused.fileId = try #require(paper.file?.id)
            reused.requiredDocument = Self.birthCertificate
            var again = DossierV1.SubmitDossierRequest()
            again.agencyCode = Self.commune
            again.procedureCode = Self.birth
            again.applicantId = Self.citizen
            again.formData = Self.birthForm
            again.reusedDocuments = [reused]
            let second = try await dossiers.unary(DossierV1.DossierService.submitDossier, again,
                                                  options: options("officer:tn02@\(Self.centre):receiver", key: "u-2"))
            let file = try #require(second.dossier?.attachments.first)
            #expect(file.reusedFrom == "\(original.id)/\(reused.fileId)" && file.sha256Hex == paper.file?.sha256Hex)
            #expect(file.requiredDocument == Self.birthCertificate)

            again.applicantId = "079201000001"
            let stranger = await rpcError {
                try await dossiers.unary(DossierV1.DossierService.submitDossier, again,
                                         options: options("officer:tn02@\(Self.centre):receiver", key: "u-3"))
            }
            #expect(stranger?.violations.map(\.field) == ["reused_documents[0]"], "\(String(describing: stranger))")
        }
    }
}
