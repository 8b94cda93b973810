import DVCProto
import Foundation
import TestKit
import RPCCore
import RPCNIO
import Testing

/// catalog-svc with its seed catalog and the gateway in front of it, as real processes over
/// TCP: Vietnamese search, level gating at every boundary, an administrative change reaching
/// the gateway, and bad input that gets a clear error and changes nothing.
@Suite(.timeLimit(.minutes(2))) struct CatalogGatewayTests {
    static let admin = CallOptions(timeout: .seconds(10), metadata: ["x-dvc-actor": "integration-test"])
    static let read = CallOptions(timeout: .seconds(10))

    /// catalog-svc (seeded on first start) and a gateway pointing at it.
    func withPlatform(_ body: (_ catalog: RPCClient, _ gateway: RPCClient) async throws -> Void) async throws {
        try await withService("catalog-svc") { catalogProcess in
            try await withService("gateway", extraArguments: ["--catalog", catalogProcess.address.description]) { gatewayProcess in
                try await withClient(catalogProcess) { catalog in
                    try await withClient(gatewayProcess) { gateway in
                        try await body(catalog, gateway)
                    }
                }
            }
        }
    }

    func search(_ client: RPCClient, _ query: String, pageSize: UInt32 = 20, token: String = "",
                agency: String = "") async throws -> CatalogV1.SearchProceduresResponse {
        var request = CatalogV1.SearchProceduresRequest()
        request.query = query
        request.pageSize = pageSize
        request.pageToken = token
        request.agencyCode = agency
        return try await client.unary(GatewayV1.PublicService.searchProcedures, request, options: Self.read)
    }

    @Test("search folds diacritics, đ/Đ and case, matches prefixes, and pages stably")
    func vietnameseSearch() async throws {
        try await withPlatform { _, gateway in
            let plain = try await search(gateway, "giay phep xay dung")
            let accented = try await search(gateway, "Giấy phép xây dựng")
            let upper = try await search(gateway, "GIẤY PHÉP XÂY DỰNG")
            let decomposed = try await search(gateway, "Giấy phép xây dựng".decomposedStringWithCanonicalMapping)
            #expect(!plain.procedures.isEmpty)
            #expect(plain.procedures.map(\.code) == accented.procedures.map(\.code))
            #expect(plain.procedures.map(\.code) == upper.procedures.map(\.code))
            #expect(plain.procedures.map(\.code) == decomposed.procedures.map(\.code))
            // The best match has the phrase in its name.
            let top = try #require(plain.procedures.first)
            #expect(top.name.lowercased().contains("giấy phép xây dựng"), "top result: \(top.name)")

            // "trich luc" finds the extract copies, by whole words and by prefix.
            let extracts = try await search(gateway, "trich luc")
            #expect(extracts.procedures.filter { $0.name.lowercased().contains("trích lục") }.count >= 3)
            let prefix = try await search(gateway, "trich lu")
            #expect(Set(prefix.procedures.map(\.code)).isSuperset(of: extracts.procedures.map(\.code)))

            // "đăng ký" and "dang ky" are the same, and a page walk returns each result once.
            let all = try await search(gateway, "dang ky", pageSize: 100)
            #expect(all.total >= 3)
            var walked: [String] = []
            var token = ""
            repeat {
                let page = try await search(gateway, "Đăng ký", pageSize: 2, token: token)
                #expect(page.procedures.count <= 2)
                walked += page.procedures.map(\.code)
                token = page.nextPageToken
            } while !token.isEmpty
            #expect(walked == all.procedures.map(\.code))
        }
    }

    /// A procedure with a form template, and one agency that offers it.
    func procedureWithForm(_ catalog: RPCClient) async throws -> (procedure: CatalogV1.Procedure, agency: String, form: String) {
        let export = try await catalog.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                             options: Self.read)
        let procedure = try #require(export.procedures.first { !$0.forms.isEmpty && $0.forms[0].sizeBytes > 0 })
        let level = try #require(export.levels.first { $0.procedureCode == procedure.code && $0.level > 0 })
        return (procedure, level.agencyCode, procedure.forms[0].id)
    }

    func setLevel(_ catalog: RPCClient, agency: String, procedure: String, _ level: UInt32) async throws {
        var request = CatalogV1.SetLevelRequest()
        request.agencyCode = agency
        request.procedureCode = procedure
        request.level = level
        _ = try await catalog.unary(CatalogV1.CatalogService.setLevel, request, options: Self.admin)
    }

    func download(_ gateway: RPCClient, agency: String, procedure: String, form: String) async throws -> CatalogV1.GetFormResponse {
        var request = GatewayV1.DownloadFormRequest()
        request.agencyCode = agency
        request.procedureCode = procedure
        request.formId = form
        return try await gateway.unary(GatewayV1.PublicService.downloadForm, request, options: Self.read)
    }

    func getProcedure(_ gateway: RPCClient, agency: String, procedure: String) async throws -> GatewayV1.ProcedureAtAgency {
        var request = GatewayV1.GetProcedureRequest()
        request.agencyCode = agency
        request.procedureCode = procedure
        return try await gateway.unary(GatewayV1.PublicService.getProcedure, request, options: Self.read)
    }

    /// Polls `condition` until it holds; returns how long that took, or nil after `limit`.
    func timeUntil(_ limit: Duration, _ condition: () async -> Bool) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if await condition() { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test("level gating at every boundary, and a catalog change reaches the gateway within 2 s")
    func levelGating() async throws {
        try await withPlatform { catalog, gateway in
            let (procedure, agency, form) = try await procedureWithForm(catalog)

            // Level 1: the information is there, the form is not.
            try await setLevel(catalog, agency: agency, procedure: procedure.code, 1)
            let refusedAfter = try await timeUntil(.seconds(2)) {
                (try? await download(gateway, agency: agency, procedure: procedure.code, form: form)) == nil
            }
            #expect(refusedAfter != nil, "the level change did not reach the gateway within 2 s")
            let refusal = await rpcError { try await download(gateway, agency: agency, procedure: procedure.code, form: form) }
            #expect(refusal?.code == .failedPrecondition)
            let message = refusal?.message ?? ""
            #expect(message.contains(agency) && message.contains(procedure.code), "\(message)")
            #expect(message.contains("level 1") && message.contains("needs level 2"), "\(message)")
            #expect(refusal?.metadata["dvc-level-needed"] == "2")
            #expect(refusal?.metadata["dvc-level-enabled"] == "1")
            let info = try await getProcedure(gateway, agency: agency, procedure: procedure.code)
            #expect(info.enabledLevel == 1)
            #expect(info.procedure?.name == procedure.name)

            // Level 2: the form downloads, and it is the template's real bytes.
            try await setLevel(catalog, agency: agency, procedure: procedure.code, 2)
            let allowedAfter = try await timeUntil(.seconds(2)) {
                (try? await download(gateway, agency: agency, procedure: procedure.code, form: form)) != nil
            }
            let seen = try #require(allowedAfter, "the level change did not reach the gateway within 2 s")
            #expect(seen < .seconds(2))
            let downloaded = try await download(gateway, agency: agency, procedure: procedure.code, form: form)
            #expect(downloaded.content.starts(with: Array("%PDF-".utf8)))
            #expect(Int64(downloaded.content.count) == downloaded.form?.sizeBytes)

            // Withdrawn (0): not even level 1 at that agency.
            try await setLevel(catalog, agency: agency, procedure: procedure.code, 0)
            let withdrawn = try await timeUntil(.seconds(2)) {
                (try? await getProcedure(gateway, agency: agency, procedure: procedure.code)) == nil
            }
            #expect(withdrawn != nil)
            let notOffered = await rpcError { try await getProcedure(gateway, agency: agency, procedure: procedure.code) }
            #expect(notOffered?.code == .failedPrecondition)
            #expect(notOffered?.message.contains("does not offer it online") == true, "\(notOffered?.message ?? "")")
        }
    }

    func auditCount(_ catalog: RPCClient) async throws -> Int {
        var request = CatalogV1.ListAuditRequest()
        request.pageSize = 500
        return try await catalog.unary(CatalogV1.CatalogService.listAudit, request, options: Self.read).entries.count
    }

    @Test("bad input gets a clear error and changes nothing")
    func badInput() async throws {
        try await withPlatform { catalog, gateway in
            let (procedure, agency, form) = try await procedureWithForm(catalog)
            let auditBefore = try await auditCount(catalog)
            let exportBefore = try await catalog.unary(CatalogV1.CatalogService.exportCatalog,
                                                       CatalogV1.ExportCatalogRequest(), options: Self.read)

            // Unknown agency, unknown procedure: NOT_FOUND through the gateway.
            let unknownAgency = await rpcError { try await getProcedure(gateway, agency: "999.99.99.X00", procedure: procedure.code) }
            #expect(unknownAgency?.code == .notFound)
            #expect(unknownAgency?.message.contains("999.99.99.X00") == true)
            let unknownProcedure = await rpcError { try await download(gateway, agency: agency, procedure: "no.such", form: form) }
            #expect(unknownProcedure?.code == .notFound)
            let missing = await rpcError { try await getProcedure(gateway, agency: "", procedure: "") }
            #expect(missing?.code == .invalidArgument)
            #expect(Set(missing?.violations.map(\.field) ?? []) == ["agency_code", "procedure_code"])

            // Empty and oversized queries.
            let empty = await rpcError { try await search(gateway, "  ") }
            #expect(empty?.code == .invalidArgument)
            #expect(empty?.violations.first?.field == "query")
            let huge = String(repeating: "giấy phép ", count: 1_000_000)  // about 11 MB
            let tooLong = await rpcError { try await search(gateway, huge) }
            #expect(tooLong?.code == .invalidArgument)
            #expect(tooLong?.violations.first?.field == "query")
            let unknownFilter = await rpcError { try await search(gateway, "giay", agency: "nope") }
            #expect(unknownFilter?.code == .notFound)

            // Level 5 does not exist.
            let five = await rpcError { try await setLevel(catalog, agency: agency, procedure: procedure.code, 5) }
            #expect(five?.code == .invalidArgument)
            #expect(five?.violations.first?.field == "level")

            // An executable named .pdf and declared as a PDF is refused.
            var upload = CatalogV1.PutFormRequest()
            upload.procedureCode = procedure.code
            var template = CatalogV1.FormTemplate()
            template.id = "malware-pdf"
            template.name = "to-khai.pdf"
            template.mediaType = "application/pdf"
            upload.form = template
            upload.content = Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00] + Array(repeating: 0, count: 64))
            let executable = await rpcError {
                try await catalog.unary(CatalogV1.CatalogService.putForm, upload, options: Self.admin)
            }
            #expect(executable?.code == .invalidArgument)
            #expect(executable?.message.contains("executable") == true, "\(executable?.message ?? "")")

            // A change without an actor is not accepted.
            var level = CatalogV1.SetLevelRequest()
            level.agencyCode = agency
            level.procedureCode = procedure.code
            level.level = 2
            let anonymous = await rpcError {
                try await catalog.unary(CatalogV1.CatalogService.setLevel, level, options: Self.read)
            }
            #expect(anonymous?.code == .unauthenticated)

            // Nothing changed.
            #expect(try await auditCount(catalog) == auditBefore)
            let exportAfter = try await catalog.unary(CatalogV1.CatalogService.exportCatalog,
                                                      CatalogV1.ExportCatalogRequest(), options: Self.read)
            #expect(exportAfter == exportBefore)
        }
    }

    @Test("the gateway balances over catalog replicas, skips a dead one, and carries the request id downstream")
    func replicas() async throws {
        let first = try await ServiceProcess.start("catalog-svc", extraArguments: ["--log-level", "debug"])
        let second = try await ServiceProcess.start("catalog-svc", extraArguments: ["--log-level", "debug"])
        let peers = "\(first.address),\(second.address)"
        try await withService("gateway", extraArguments: ["--catalog", peers]) { gatewayProcess in
            try await withClient(gatewayProcess) { gateway in
                // Each search a different one: the gateway keeps a public read's answer for a
                // second (CatalogReads), and the same search again would not reach a replica.
                var request = CatalogV1.SearchProceduresRequest()
                for index in 0..<6 {
                    request.query = ["khai sinh", "kết hôn", "giấy phép", "hộ tịch", "chứng thực", "xây dựng"][index]
                    var options = Self.read
                    options.metadata["x-request-id"] = "replica-test-\(index)"
                    _ = try await gateway.unary(GatewayV1.PublicService.searchProcedures, request, options: options)
                }
                // Round robin: each replica served some, each logged with the caller's request id.
                #expect(first.stderr.contains("request_id=replica-test-"), "first replica: \(first.stderr.suffix(2000))")
                #expect(second.stderr.contains("request_id=replica-test-"), "second replica: \(second.stderr.suffix(2000))")

                // One replica dies: every call still succeeds on the other.
                first.forceKill()
                for query in ["khai", "sinh", "hôn", "phép", "tịch", "chứng"] {
                    request.query = query
                    let found = try await gateway.unary(GatewayV1.PublicService.searchProcedures, request, options: Self.read)
                    #expect(!found.procedures.isEmpty)
                }
            }
        }
        _ = await second.stop()
    }

    @Test("every change is audited with its actor, before and after; the catalog survives a restart")
    func auditAndRestart() async throws {
        let data = try makeTemporaryFolder("catalog-restart").appendingPathComponent("data")
        var agencyCode = ""
        var procedureCode = ""
        try await withService("catalog-svc", arguments: ServiceProcess.standardArguments(dataDirectory: data),
                              dataDirectory: data) { process in
            try await withClient(process) { catalog in
                let (procedure, agency, _) = try await procedureWithForm(catalog)
                agencyCode = agency
                procedureCode = procedure.code
                try await setLevel(catalog, agency: agency, procedure: procedure.code, 1)
                var request = CatalogV1.ListAuditRequest()
                request.pageSize = 1
                let entry = try #require(try await catalog.unary(CatalogV1.CatalogService.listAudit, request,
                                                                options: Self.read).entries.first)
                #expect(entry.actor == "integration-test")
                #expect(entry.action == "level.set")
                #expect(entry.subject == "\(agency)/\(procedure.code)")
                #expect(entry.afterJson == "{\"level\":1}")
                #expect(entry.beforeJson.contains("\"level\""))

                // A record change keeps the record itself, before and after, as proto3 JSON.
                var renamed = procedure
                renamed.name = procedure.name + " (sửa đổi)"
                var put = CatalogV1.PutProcedureRequest()
                put.procedure = renamed
                _ = try await catalog.unary(CatalogV1.CatalogService.putProcedure, put, options: Self.admin)
                let update = try #require(try await catalog.unary(CatalogV1.CatalogService.listAudit, request,
                                                                 options: Self.read).entries.first)
                #expect(update.action == "procedure.update")
                let before = try CatalogV1.Procedure(jsonString: update.beforeJson)
                let after = try CatalogV1.Procedure(jsonString: update.afterJson)
                #expect(before.name == procedure.name)
                #expect(after.name == renamed.name)
            }
        }
        // Restarted on the same data: the change is there, and the seed is not loaded again.
        try await withService("catalog-svc", arguments: ServiceProcess.standardArguments(dataDirectory: data),
                              dataDirectory: data) { process in
            try await withClient(process) { catalog in
                var request = CatalogV1.GetEnabledLevelRequest()
                request.agencyCode = agencyCode
                request.procedureCode = procedureCode
                let level = try await catalog.unary(CatalogV1.CatalogService.getEnabledLevel, request, options: Self.read)
                #expect(level.level == 1)
                #expect(!process.stderr.contains("seed catalog loaded"))
            }
        }
    }
}
