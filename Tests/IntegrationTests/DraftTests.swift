import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import RPCNIO
import TestKit
import Testing

/// Drafts (docs/drafts.md) against the real dossier-svc, catalog-svc and gateway: the owner
/// alone sees them (another citizen gets NOT_FOUND, officers and agency keys are refused), a
/// stale version is ABORTED naming `expected_version`, the limits are RESOURCE_EXHAUSTED in
/// Vietnamese with nothing lost, and submitting a draft is SubmitDossier's submission (its
/// checks, its idempotency) that also deletes the draft, or leaves it whole when refused.
@Suite(.serialized, .timeLimit(.minutes(3))) struct DraftTests {
    static let agency = "000.01.20.H26"      // offers 1.001193 at level 4
    static let levelTwo = "000.02.22.H26"    // only the forms to download
    static let procedure = "1.001193"        // Đăng ký khai sinh
    static let an = "001099012345"
    static let binh = "001099054321"
    static let birthCertificate = "Giấy chứng sinh; nếu không có thì văn bản của người làm chứng xác nhận về việc sinh, hoặc giấy cam đoan về việc sinh"
    static let pdf = CitizenPortalTests.pdf

    static func options(_ identity: String, key: String? = nil, apiKeyID: String? = nil) -> CallOptions {
        var options = CallOptions(timeout: .seconds(10))
        options.metadata[CallerIdentity.metadataKey] = identity
        if let key { options.metadata[MetadataKey.idempotencyKey] = key }
        if let apiKeyID { options.metadata[MetadataKey.apiKeyID] = apiKeyID }
        return options
    }

    /// The value of the text input named `name` in a page (its other attributes come between).
    static func inputValue(_ name: String, in html: String) -> String? {
        guard let input = html.range(of: "name=\"\(name)\""),
              let value = html[input.upperBound...].prefix(while: { $0 != ">" }).range(of: "value=\"") else { return nil }
        return String(html[value.upperBound...].prefix { $0 != "\"" })
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// dossier-svc's config file with these settings.
    static func config(_ lines: [String: String]) throws -> String {
        let url = try makeTemporaryFolder("dossier-config").appendingPathComponent("dossier.conf")
        try (lines.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n") + "\n")
            .write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The error `work` is refused with; a test failure if it succeeds.
    static func refusal<T>(_ what: String, _ work: () async throws -> T) async throws -> RPCError {
        do {
            let answer = try await work()
            throw TestFailure(description: "\(what) was accepted: \(answer)")
        } catch let error as RPCError {
            return error
        }
    }

    static func upload(_ name: String, _ content: Data, document: String = birthCertificate) -> DossierV1.AttachmentUpload {
        var upload = DossierV1.AttachmentUpload()
        upload.name = name
        upload.content = content
        upload.requiredDocument = document
        return upload
    }

    @Test("at dossier-svc: owner only, versions, limits, and a submission like SubmitDossier that deletes the draft")
    func draftsAtDossierService() async throws {
        let config = try Self.config(["draft_owner_limit_mib": "1", "draft_max_per_owner": "3"])
        try await withHTTPGateway(dossierArguments: ["--config", config]) { platform in
            try await withClient(platform.dossier) { dossiers in
                let asAn = Self.options("citizen:\(Self.an)")
                func save(_ request: DossierV1.SaveDraftRequest, _ options: CallOptions = asAn) async throws -> DossierV1.Draft {
                    try await dossiers.unary(DossierV1.DraftService.saveDraft, request, options: options)
                }
                func get(_ id: String, _ options: CallOptions = asAn) async throws -> DossierV1.Draft {
                    var get = DossierV1.GetDraftRequest()
                    get.draftId = id
                    return try await dossiers.unary(DossierV1.DraftService.getDraft, get, options: options)
                }
                func submit(_ id: String, version: UInt64, key: String?, _ identity: String = "citizen:\(Self.an)") async throws -> DossierV1.SubmitDossierResponse {
                    var submit = DossierV1.SubmitDraftRequest()
                    submit.draftId = id
                    submit.expectedVersion = version
                    return try await dossiers.unary(DossierV1.DraftService.submitDraft, submit, options: Self.options(identity, key: key))
                }

                // A new draft needs its agency and procedure, offered online there.
                let missing = try await Self.refusal("a draft without procedure") { try await save(DossierV1.SaveDraftRequest()) }
                #expect(missing.code == .invalidArgument && Set(missing.violations.map(\.field)) == ["agency_code", "procedure_code"])
                var atLevelTwo = DossierV1.SaveDraftRequest()
                atLevelTwo.agencyCode = Self.levelTwo
                atLevelTwo.procedureCode = Self.procedure
                #expect(try await Self.refusal("a draft at level 2") { try await save(atLevelTwo) }.code == .failedPrecondition)

                // Saved half done, with one file.
                var first = DossierV1.SaveDraftRequest()
                first.agencyCode = Self.agency
                first.procedureCode = Self.procedure
                first.formData = ["nguoi_yeu_cau_ho_ten": "Nguyễn Văn An", "ho_ten": "Nguyễn Minh Khôi"]
                first.attachments = [Self.upload("giấy chứng sinh.pdf", Self.pdf)]
                let before = Self.nowMs()
                let saved = try await save(first)
                #expect(saved.version == 1 && saved.ownerId == Self.an && saved.files.count == 1 && saved.files.first?.mediaType == "application/pdf")
                #expect(saved.files.first?.requiredDocument == Self.birthCertificate)
                let thirtyDays: Int64 = 30 * 86_400_000
                #expect(saved.expiresAtUnixMs >= before + thirtyDays && saved.expiresAtUnixMs <= Self.nowMs() + thirtyDays)

                // A file that is not a PDF, JPEG or PNG: refused naming it; the draft as it was.
                var bad = DossierV1.SaveDraftRequest()
                bad.draftId = saved.id
                bad.expectedVersion = 1
                bad.attachments = [Self.upload("virus.exe", Data("MZ\u{90}".utf8))]
                let badFile = try await Self.refusal("a file of another type") { try await save(bad) }
                #expect(badFile.code == .invalidArgument && badFile.violations.map(\.field) == ["attachments[0].content"])
                #expect(try await get(saved.id) == saved)

                // A save from a page older than the last save (another device): ABORTED, nothing overwritten.
                var second = DossierV1.SaveDraftRequest()
                second.draftId = saved.id
                second.expectedVersion = 1
                second.formData = first.formData.merging(["nguoi_yeu_cau_noi_cu_tru": "12 Phúc Xá, Ba Đình"]) { $1 }
                let resaved = try await save(second)
                #expect(resaved.version == 2 && resaved.files == saved.files && resaved.formData["nguoi_yeu_cau_noi_cu_tru"] == "12 Phúc Xá, Ba Đình")
                var stale = second
                stale.formData = ["ho_ten": "ghi đè"]
                let staleRefusal = try await Self.refusal("a stale save") { try await save(stale) }
                #expect(staleRefusal.code == .aborted && staleRefusal.violations.map(\.field) == ["expected_version"])
                #expect(try await get(saved.id) == resaved)
                var moved = second
                moved.expectedVersion = 2
                moved.agencyCode = Self.levelTwo
                let movedRefusal = try await Self.refusal("moving a draft to another agency") { try await save(moved) }
                #expect(movedRefusal.code == .invalidArgument && movedRefusal.violations.map(\.field) == ["agency_code"])

                // Another citizen: NOT_FOUND for every call, as for an id that does not exist.
                let asBinh = Self.options("citizen:\(Self.binh)")
                #expect(try await Self.refusal("Bình reading An's draft") { try await get(saved.id, asBinh) }.code == .notFound)
                var overwrite = second
                overwrite.expectedVersion = 2
                #expect(try await Self.refusal("Bình saving over An's draft") { try await save(overwrite, asBinh) }.code == .notFound)
                var delete = DossierV1.DeleteDraftRequest()
                delete.draftId = saved.id
                #expect(try await Self.refusal("Bình deleting An's draft") {
                    try await dossiers.unary(DossierV1.DraftService.deleteDraft, delete, options: asBinh)
                }.code == .notFound)
                #expect(try await Self.refusal("Bình submitting An's draft") {
                    try await submit(saved.id, version: 2, key: "binh-1", "citizen:\(Self.binh)")
                }.code == .notFound)
                #expect(try await Self.refusal("an id that does not exist") { try await get("khong-co") }.code == .notFound)
                #expect(try await dossiers.unary(DossierV1.DraftService.listDrafts, DossierV1.ListDraftsRequest(), options: asBinh).drafts.isEmpty)

                // Officers, agency systems, and a citizen through an agency's key: refused.
                for options in [Self.options("officer:tn01@\(Self.agency):receiver"), Self.options("agency-system:\(Self.agency)"),
                                Self.options("citizen:\(Self.an)", apiKeyID: "k0123456789ab")] {
                    #expect(try await Self.refusal("\(options.metadata)") { try await get(saved.id, options) }.code == .permissionDenied)
                    #expect(try await Self.refusal("\(options.metadata)") {
                        try await dossiers.unary(DossierV1.DraftService.listDrafts, DossierV1.ListDraftsRequest(), options: options)
                    }.code == .permissionDenied)
                }

                // Over the owner's 1 MiB: RESOURCE_EXHAUSTED naming the files, in Vietnamese; nothing lost.
                var tooMuch = DossierV1.SaveDraftRequest()
                tooMuch.draftId = saved.id
                tooMuch.expectedVersion = 2
                tooMuch.formData = ["ho_ten": "bị mất?"]
                tooMuch.attachments = [Self.upload("lon.pdf", Self.pdf + Data(count: 1 << 20))]
                let full = try await Self.refusal("more than the owner's limit") { try await save(tooMuch) }
                #expect(full.code == .resourceExhausted && full.violations.map(\.field) == ["attachments"])
                #expect(full.message.contains("Tổng dung lượng tệp của các hồ sơ nháp vượt quá 1 MiB"), "\(full.message)")
                #expect(try await get(saved.id) == resaved)

                // At most 3 drafts each here: the fourth is refused naming draft_id.
                var other = DossierV1.SaveDraftRequest()
                other.agencyCode = Self.agency
                other.procedureCode = Self.procedure
                let two = try await save(other)
                let three = try await save(other)
                let fourth = try await Self.refusal("a fourth draft") { try await save(other) }
                #expect(fourth.code == .resourceExhausted && fourth.violations.map(\.field) == ["draft_id"] && fourth.message.contains("tối đa 3"))
                let listed = try await dossiers.unary(DossierV1.DraftService.listDrafts, DossierV1.ListDraftsRequest(), options: asAn)
                #expect(Set(listed.drafts.map(\.id)) == [saved.id, two.id, three.id] && listed.limitBytes == 1 << 20 && listed.maxDrafts == 3)
                #expect(listed.usedBytes == Int64(Self.pdf.count))
                // Deleting names the version seen, or none.
                delete.draftId = three.id
                delete.expectedVersion = 7
                let staleDelete = try await Self.refusal("a stale delete") {
                    try await dossiers.unary(DossierV1.DraftService.deleteDraft, delete, options: asAn)
                }
                #expect(staleDelete.code == .aborted && staleDelete.violations.map(\.field) == ["expected_version"])
                delete.expectedVersion = 1
                _ = try await dossiers.unary(DossierV1.DraftService.deleteDraft, delete, options: asAn)
                #expect(try await Self.refusal("a deleted draft") { try await get(three.id) }.code == .notFound)

                // Submitting: the idempotency key is required, the version checked, and the
                // procedure's form checked as for SubmitDossier; each refusal keeps the draft.
                let noKey = try await Self.refusal("a submission without a key") { try await submit(saved.id, version: 2, key: nil) }
                #expect(noKey.code == .invalidArgument && noKey.violations.map(\.field) == [MetadataKey.idempotencyKey])
                let staleSubmit = try await Self.refusal("a stale submission") { try await submit(saved.id, version: 1, key: "nop-1") }
                #expect(staleSubmit.code == .aborted && staleSubmit.violations.map(\.field) == ["expected_version"])
                let incomplete = try await Self.refusal("an incomplete form") { try await submit(saved.id, version: 2, key: "nop-1") }
                #expect(incomplete.code == .invalidArgument && incomplete.violations.contains { $0.field == "form_data.ngay_sinh" }, "\(incomplete)")
                #expect(try await get(saved.id) == resaved)

                // Completed, then submitted: the dossier holds the draft's values and file; the draft is gone.
                var complete = DossierV1.SaveDraftRequest()
                complete.draftId = saved.id
                complete.expectedVersion = 2
                complete.formData = Dictionary(CitizenPortalTests.goodForm, uniquingKeysWith: { $1 })
                let ready = try await save(complete)
                let submitted = try await submit(saved.id, version: ready.version, key: "nop-2")
                let dossier = try #require(submitted.dossier)
                #expect(dossier.state == .submitted && dossier.applicantId == Self.an && dossier.formData == complete.formData)
                #expect(dossier.attachments.map(\.sha256Hex) == saved.files.map(\.sha256Hex) && submitted.trackingPin.count == 8)
                #expect(try await Self.refusal("a submitted draft") { try await get(saved.id) }.code == .notFound)
                // A retry with the same key: the same dossier, once; another key is told it was submitted.
                let retried = try await submit(saved.id, version: ready.version, key: "nop-2")
                #expect(retried.dossier?.id == dossier.id && retried.trackingPin == submitted.trackingPin)
                let again = try await Self.refusal("a second submission") { try await submit(saved.id, version: ready.version, key: "nop-3") }
                #expect(again.code == .failedPrecondition && again.violations.map(\.field) == ["draft_id"])
                var mine = DossierV1.ListDossiersRequest()
                mine.applicantId = Self.an
                let dossiersOfAn = try await dossiers.unary(DossierV1.DossierService.listDossiers, mine, options: asAn).dossiers
                #expect(dossiersOfAn.map(\.id) == [dossier.id])
                let file = try await dossiers.unary(DossierV1.DossierService.getFile, {
                    var get = DossierV1.GetFileRequest()
                    get.dossierId = dossier.id
                    get.fileId = dossier.attachments[0].id
                    return get
                }(), options: asAn)
                #expect(file.content == Self.pdf)
            }
        }
    }

    @Test("through the gateway: the citizen's session only; API keys and officers are refused")
    func draftsThroughTheGateway() async throws {
        try await withHTTPGateway { platform in
            let session = cookielessBrowser()
            let root = platform.root
            func json(_ path: String, _ body: String, token: String) async throws -> (Int, [String: Any]) {
                let answer = try await PortalPagesTests.send(session, "POST", root + path, body: Data(body.utf8), headers: [
                    "Content-Type": "application/json", "Authorization": token])
                return (answer.status, (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]) ?? [:])
            }
            func signIn(_ body: String) async throws -> String {
                let (status, answer) = try await json("/api/v1/sessions", body, token: "")
                #expect(status == 201, "\(answer)")
                return "Bearer " + (answer["token"] as? String ?? "")
            }
            let registered = try await json("/api/v1/citizens", #"{"id":"\#(Self.an)","full_name":"Nguyễn Văn An","password":"Hoa sen 2026!"}"#, token: "")
            #expect(registered.0 == 202)
            let an = try await signIn(#"{"id":"\#(Self.an)","password":"Hoa sen 2026!"}"#)
            let draftService = "/api/v1/dvc.gateway.v1.DraftService/"

            let (savedStatus, saved) = try await json(draftService + "SaveDraft",
                #"{"agencyCode":"\#(Self.agency)","procedureCode":"\#(Self.procedure)","formData":{"ho_ten":"Nguyễn Minh Khôi"}}"#, token: an)
            #expect(savedStatus == 200 && saved["version"] as? String == "1", "\(saved)")
            let id = try #require(saved["id"] as? String)
            let (listStatus, list) = try await json(draftService + "ListDrafts", "{}", token: an)
            #expect(listStatus == 200 && (list["drafts"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            // A level-2 agency: the gate refuses before dossier-svc is asked.
            let (levelTwo, _) = try await json(draftService + "SaveDraft",
                #"{"agencyCode":"\#(Self.levelTwo)","procedureCode":"\#(Self.procedure)"}"#, token: an)
            #expect(levelTwo == 422)

            // An agency system's key, acting for the same citizen or for itself: refused.
            let key = try await makeAPIKey(gatewayData: try #require(platform.gateway.dataDirectory), agency: Self.agency, scopes: "citizens")
            for onBehalf in [Self.an, nil] {
                var headers = ["Content-Type": "application/json", "Authorization": key]
                if let onBehalf { headers["X-DVC-On-Behalf-Of"] = "citizen:\(onBehalf)" }
                let answer = try await PortalPagesTests.send(session, "POST", root + draftService + "GetDraft",
                                                             body: Data(#"{"draftId":"\#(id)"}"#.utf8), headers: headers)
                #expect(answer.status == 403, "\(answer.body)")
            }
            try await withClient(platform.gateway) { gateway in
                var get = DossierV1.GetDraftRequest()
                get.draftId = id
                let refused = try await Self.refusal("a key over the binary RPC") {
                    try await gateway.unary(GatewayV1.DraftService.getDraft, get, options: PaymentFlowTests.options(key, as: "citizen:\(Self.an)"))
                }
                #expect(refused.code == .permissionDenied)
            }
            // An officer of the agency, signed in: refused too.
            let made = try await runToCompletion(try Executables.url("gateway"), [
                "officer", "create", "--data-dir", try #require(platform.gateway.dataDirectory).path, "--agency", Self.agency,
                "--id", "cb.nhap", "--roles", "receiver", "--full-name", "Cán bộ một cửa"])
            let password = String(made.stdout.split(separator: "\t").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let officer = try await signIn(#"{"officer_id":"cb.nhap","password":"\#(password)"}"#)
            let (officerStatus, _) = try await json(draftService + "ListDrafts", "{}", token: officer)
            #expect(officerStatus == 403)
            // No credentials at all.
            let (anonymous, _) = try await json(draftService + "ListDrafts", "{}", token: "")
            #expect(anonymous == 401)
        }
    }
    @Test("expiry with real processes: the owner's notice through notify-svc in Vietnamese, then the draft and its file deleted")
    func expiryNoticeAndDeletion() async throws {
        // A lifetime of about 8.6 s, the notice about 6 s before, a scan every second.
        let config = try Self.config(["draft_ttl_days": "0.0001", "draft_notice_days": "0.00007", "draft_scan_seconds": "1"])
        try await withService("catalog-svc") { catalog in
            try await withService("notify-svc") { notify in
                try await withService("dossier-svc", extraArguments: [
                    "--catalog", catalog.address.description, "--notify", notify.address.description, "--config", config,
                ]) { dossier in
                    try await withClient(dossier) { dossiers in
                        try await withClient(notify) { notifier in
                            let asAn = Self.options("citizen:\(Self.an)")
                            var save = DossierV1.SaveDraftRequest()
                            save.agencyCode = Self.agency
                            save.procedureCode = Self.procedure
                            save.formData = ["nguoi_yeu_cau_ho_ten": "Nguyễn Văn An"]
                            // Bytes of this draft only: no dossier holds them.
                            save.attachments = [Self.upload("rieng.pdf", Self.pdf + Data("nhap-het-han".utf8))]
                            let draft = try await dossiers.unary(DossierV1.DraftService.saveDraft, save, options: asAn)
                            let sha = try #require(draft.files.first?.sha256Hex)
                            let data = try #require(dossier.dataDirectory)
                            let file = data.appendingPathComponent("attachments/\(sha.prefix(2))/\(sha)")
                            #expect(FileManager.default.fileExists(atPath: file.path))

                            // The notice reaches the owner's inbox before the draft goes.
                            var inbox = NotifyV1.ListInboxRequest()
                            inbox.pageSize = 10
                            var notice: NotifyV1.InboxMessage?
                            for _ in 0..<80 where notice == nil {
                                notice = try await notifier.unary(NotifyV1.NotifyService.listInbox, inbox, options: asAn).messages
                                    .first { $0.subject.hasPrefix("Hồ sơ nháp của Ông/Bà sẽ bị xóa vào") }
                                if notice == nil { try await Task.sleep(for: .milliseconds(100)) }
                            }
                            let message = try #require(notice, "no notice of the coming deletion in the inbox")
                            #expect(message.body.contains("Kính gửi Nguyễn Văn An") && message.body.contains("thủ tục \(Self.procedure)"))
                            #expect(message.body.contains("“Hồ sơ nháp”"), "\(message.body)")
                            var get = DossierV1.GetDraftRequest()
                            get.draftId = draft.id
                            #expect(try await dossiers.unary(DossierV1.DraftService.getDraft, get, options: asAn).version == 1,
                                    "the draft went before its expiry")

                            // Past the expiry: NOT_FOUND for every call, and the file deleted by the scan.
                            try await Task.sleep(for: .milliseconds(max(0, draft.expiresAtUnixMs - Self.nowMs()) + 100))
                            #expect(try await Self.refusal("an expired draft") {
                                try await dossiers.unary(DossierV1.DraftService.getDraft, get, options: asAn)
                            }.code == .notFound)
                            var resave = DossierV1.SaveDraftRequest()
                            resave.draftId = draft.id
                            resave.expectedVersion = 1
                            #expect(try await Self.refusal("saving an expired draft") {
                                try await dossiers.unary(DossierV1.DraftService.saveDraft, resave, options: asAn)
                            }.code == .notFound)
                            var submit = DossierV1.SubmitDraftRequest()
                            submit.draftId = draft.id
                            submit.expectedVersion = 1
                            #expect(try await Self.refusal("submitting an expired draft") {
                                try await dossiers.unary(DossierV1.DraftService.submitDraft, submit, options: Self.options("citizen:\(Self.an)", key: "het-han"))
                            }.code == .notFound)
                            for _ in 0..<50 where FileManager.default.fileExists(atPath: file.path) {
                                try await Task.sleep(for: .milliseconds(100))
                            }
                            #expect(!FileManager.default.fileExists(atPath: file.path), "the expired draft's file is still on disk")
                        }
                    }
                }
            }
        }
    }
    @Test("in two separate headless Chromium sessions: saved with a file on one, resumed and submitted on the other")
    func draftAcrossTwoBrowsers() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            Issue.record("\(tool) is missing: scripts/install-deps.sh installs chromium and chromium-driver")
            return
        }
        let python = try #require(PythonClientTests.python3(), "python3 is needed (scripts/install-deps.sh)")
        let shots = BrowserPortalTests.shots.deletingLastPathComponent().appendingPathComponent("drafts")
        try? FileManager.default.removeItem(at: shots)
        let attachment = try makeTemporaryFolder("draft-browser").appendingPathComponent("giay-chung-sinh.pdf")
        let content = Self.pdf + Data("trình duyệt".utf8)
        try content.write(to: attachment)
        try await withHTTPGateway { platform in
            let run = try await runToCompletion(python, [
                repoRoot.appendingPathComponent("Tests/python/draft_flow.py").path,
                "--portal", platform.root, "--citizen-id", Self.an, "--citizen-password", "Hoa sen 2026!",
                "--attachment", attachment.path, "--shots", shots.path,
            ], timeout: .seconds(150))
            let report = try #require(try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                                      "the draft flow printed no report: \(run)")
            try #require(run.exited && run.status == 0, "the draft flow failed: \(report["failure"] ?? run)")
            #expect(report["saved_files_second"] as? [String] == ["giay-chung-sinh.pdf"])
            #expect((report["pin"] as? String)?.count == 8)

            // At dossier-svc: one dossier, with the file saved on the first browser; no draft left.
            try await withClient(platform.dossier) { dossiers in
                let asAn = Self.options("citizen:\(Self.an)")
                var mine = DossierV1.ListDossiersRequest()
                mine.applicantId = Self.an
                let all = try await dossiers.unary(DossierV1.DossierService.listDossiers, mine, options: asAn).dossiers
                #expect(all.count == 1 && report["dossier_path"] as? String == "/ho-so/\(all.first?.id ?? "")", "\(all.map(\.id)) \(report)")
                let dossier = try #require(all.first)
                #expect(dossier.attachments.map(\.name) == ["giay-chung-sinh.pdf"])
                #expect(dossier.formData["ho_ten"] == "Nguyễn Minh Khôi" && dossier.formData["que_quan"] == "Hà Nội")
                var get = DossierV1.GetFileRequest()
                get.dossierId = dossier.id
                get.fileId = try #require(dossier.attachments.first).id
                #expect(try await dossiers.unary(DossierV1.DossierService.getFile, get, options: asAn).content == content)
                #expect(try await dossiers.unary(DossierV1.DraftService.listDrafts, DossierV1.ListDraftsRequest(), options: asAn).drafts.isEmpty)
            }
        }
    }
    @Test("the portal's pages: 'Lưu nháp', an older page from another device refused, the limit, removing a file, another citizen, deleting")
    func draftPages() async throws {
        let config = try Self.config(["draft_owner_limit_mib": "1"])
        // Every save is a large body, within the citizen's 2 a second: this test posts faster.
        let gatewayConfig = try Self.config(["rate_per_upload": "0"])
        try await withHTTPGateway(gatewayArguments: ["--config", gatewayConfig], dossierArguments: ["--config", config]) { platform in
            let root = platform.root
            let session = cookielessBrowser()
            let formURL = root + "/nop-ho-so/\(Self.procedure)?co_quan=\(Self.agency)"
            let an = try await CitizenPortalTests.citizen(session, root, id: Self.an, name: "Nguyễn Văn An")
            let binh = try await CitizenPortalTests.citizen(session, root, id: Self.binh, name: "Trần Thị Bình")
            let asAn = ["Cookie": an.cookie, "Origin": root]
            let boundary = "----ranh-gioi-\(UInt32.random(in: 0...UInt32.max))"
            func post(_ fields: [(String, String)], files: [CitizenPortalTests.Part] = [], url: String = formURL,
                      csrf: String = an.csrf, headers: [String: String] = asAn) async throws -> PortalPagesTests.Answer {
                let parts = fields.map { CitizenPortalTests.Part.field($0.0, $0.1) } + files + [.field("csrf_token", csrf)]
                return try await CitizenPortalTests.post(session, url, body: CitizenPortalTests.multipart(parts, boundary: boundary),
                                                         boundary: boundary, headers: headers)
            }
            func page(_ path: String, cookie: String = an.cookie) async throws -> PortalPagesTests.Answer {
                try await PortalPagesTests.send(session, "GET", root + path, headers: ["Cookie": cookie])
            }
            let blank = try await page("/nop-ho-so/\(Self.procedure)?co_quan=\(Self.agency)")
            #expect(blank.body.contains("value=\"luu_nhap\" class=\"secondary\" formnovalidate>Lưu nháp</button>"))
            #expect(blank.body.contains("<a href=\"/ho-so-nhap\">Hồ sơ nháp</a>"))

            // "Lưu nháp" with required fields empty and a file: saved, back on the draft's form.
            let saved = try await post([("hanh_dong", "luu_nhap"), ("ho_ten", "Nguyễn Minh Khôi")],
                                       files: [.file("tep_1", filename: "giấy chứng sinh.pdf", Self.pdf)])
            let location = try #require(saved.headers["location"], "\(saved.status) \(saved.body.prefix(600))")
            #expect(saved.status == 303 && location.contains("&nhap=") && location.hasSuffix("&da_luu=1"))
            let draftPath = String(location.dropLast("&da_luu=1".count))
            let draftID = String(try #require(location.components(separatedBy: "&nhap=").last).prefix { $0 != "&" })
            let resumed = try await page(location)
            #expect(resumed.status == 200 && resumed.body.contains("Đã lưu hồ sơ nháp"))
            #expect(CitizenPortalTests.value(of: "nhap_id", in: resumed.body) == draftID)
            #expect(CitizenPortalTests.value(of: "nhap_phien_ban", in: resumed.body) == "1")
            #expect(Self.inputValue("ho_ten", in: resumed.body) == "Nguyễn Minh Khôi")
            #expect(resumed.body.contains("<span class=\"saved-file\">giấy chứng sinh.pdf</span>"))

            // Another device saves (version 2); the first device's older page (version 1) is refused.
            let draftFields = [("nhap_id", draftID), ("hanh_dong", "luu_nhap")]
            let other = try await post(draftFields + [("nhap_phien_ban", "1"), ("ho_ten", "Nguyễn Minh Khang")])
            #expect(other.status == 303)
            let older = try await post(draftFields + [("nhap_phien_ban", "1"), ("ho_ten", "ghi đè")])
            #expect(older.status == 409 && older.body.contains("Hồ sơ nháp đã được lưu ở nơi khác"), "\(older.status)")
            #expect(older.body.contains("<span class=\"saved-file\">giấy chứng sinh.pdf</span>"), "the saved file is not shown with the refusal")
            #expect(Self.inputValue("ho_ten", in: try await page(draftPath).body) == "Nguyễn Minh Khang")

            // Over the owner's limit: refused in Vietnamese, the saved file kept.
            let tooBig = try await post(draftFields + [("nhap_phien_ban", "2")],
                                        files: [.file("tep_0", filename: "lon.pdf", Self.pdf + Data(count: 1 << 20))])
            #expect(tooBig.status == 413 && tooBig.body.contains("Tổng dung lượng tệp của các hồ sơ nháp vượt quá 1 MiB"), "\(tooBig.status)")
            let afterTooBig = try await page(draftPath)
            #expect(CitizenPortalTests.value(of: "nhap_phien_ban", in: afterTooBig.body) == "2")
            #expect(afterTooBig.body.contains("<span class=\"saved-file\">giấy chứng sinh.pdf</span>"))

            // Ticking "Bỏ tệp này" removes the saved file at the next save.
            let box = try #require(afterTooBig.body.components(separatedBy: "name=\"bo_tep_").dropFirst().first?.prefix { $0 != "\"" })
            let removed = try await post(draftFields + [("nhap_phien_ban", "2"), ("bo_tep_\(box)", "1")])
            #expect(removed.status == 303)
            let withoutFile = try await page(draftPath)
            #expect(!withoutFile.body.contains("saved-file") && CitizenPortalTests.value(of: "nhap_phien_ban", in: withoutFile.body) == "3")

            // Another citizen: the draft's form is 404, deleting it too; the draft stays.
            let asBinh = try await page(draftPath, cookie: binh.cookie)
            #expect(asBinh.status == 404 && asBinh.body.contains("Không tìm thấy hồ sơ nháp") && !asBinh.body.contains("Nguyễn Minh Khang"))
            let binhDeletes = try await PortalPagesTests.send(session, "POST", root + "/ho-so-nhap/xoa", form: [
                ("csrf_token", binh.csrf), ("nhap_id", draftID), ("nhap_phien_ban", "3")], headers: ["Cookie": binh.cookie, "Origin": root])
            #expect(binhDeletes.status == 404)
            #expect(!(try await page("/ho-so-nhap", cookie: binh.cookie)).body.contains(draftID))

            // The owner's list: the draft with its expiry; deleting needs the token and the version shown.
            let list = try await page("/ho-so-nhap")
            #expect(list.status == 200 && list.body.contains(draftID) && list.body.contains("Tự động xóa vào"))
            func delete(_ version: String, csrf: String = an.csrf) async throws -> PortalPagesTests.Answer {
                try await PortalPagesTests.send(session, "POST", root + "/ho-so-nhap/xoa", form: [
                    ("csrf_token", csrf), ("nhap_id", draftID), ("nhap_phien_ban", version)], headers: asAn)
            }
            #expect(try await delete("3", csrf: "gia-mao").status == 403)
            let staleDelete = try await delete("2")
            #expect(staleDelete.status == 409 && staleDelete.body.contains("vừa được lưu ở nơi khác nên chưa bị xóa"))
            let deleted = try await delete("3")
            #expect(deleted.status == 303 && deleted.headers["location"] == "/ho-so-nhap?da_xoa=1")
            let empty = try await page("/ho-so-nhap?da_xoa=1")
            #expect(empty.body.contains("Đã xóa hồ sơ nháp.") && empty.body.contains("Bạn chưa có hồ sơ nháp nào"))
            #expect(try await page(draftPath).status == 404)
        }
    }
    @Test("with mutual TLS: dossier-svc's DraftService answers the gateway's certificate only, not payment-svc's nor an operator's")
    func onlyTheGatewayCallsDraftService() async throws {
        let certificates = try await ServiceTrustTests.makeCertificates()
        try await withService("catalog-svc", extraArguments: certificates.flags("catalog-svc")) { catalog in
            try await withService("dossier-svc", extraArguments: ["--catalog", catalog.address.description]
                                  + certificates.flags("dossier-svc")) { dossier in
                let trust = ServiceTrustTests()
                let gateway = try trust.client(dossier, as: "gateway", certificates)
                let payments = try trust.client(dossier, as: "payment-svc", certificates)
                let operators = try trust.client(dossier, as: "ops-nguyen", certificates)
                defer { Task { await gateway.close(); await payments.close(); await operators.close() } }
                var save = DossierV1.SaveDraftRequest()
                save.agencyCode = Self.agency
                save.procedureCode = Self.procedure
                let asAn = Self.options("citizen:\(Self.an)")
                let draft = try await gateway.unary(DossierV1.DraftService.saveDraft, save, options: asAn)
                var get = DossierV1.GetDraftRequest()
                get.draftId = draft.id
                for (name, client, identity) in [("payment-svc", payments, "citizen:\(Self.an)"), ("ops-nguyen", operators, "system:dvcctl")] {
                    let refused = try await Self.refusal("\(name) reading a draft") {
                        try await client.unary(DossierV1.DraftService.getDraft, get, options: Self.options(identity))
                    }
                    #expect(refused.code == .permissionDenied && refused.message.contains("may not call /dvc.dossier.v1.DraftService/GetDraft"),
                            "\(name): \(refused)")
                }
                #expect(try await gateway.unary(DossierV1.DraftService.getDraft, get, options: asAn) == draft)
            }
        }
    }
}
