import CatalogService
import DVCProto
import Foundation
import TestKit
import RPCCore
import Testing

/// `dvcctl catalog ...` as a process against a CatalogService served in the test process
/// (`FakeCatalog`), which records every request and its metadata.
@Suite(.serialized) struct DVCCtlCatalogTests {
    static let seedFolder = repoRoot.appendingPathComponent("Tests/ToolTests/Fixtures/seed")
    static let seedFile = seedFolder.appendingPathComponent("catalog.json")

    /// The fixture as catalog-svc's own loader reads it (forms with their size and SHA-256).
    static func seedDocument() throws -> CatalogV1.CatalogDocument {
        try SeedCatalog.load(from: seedFile).document
    }

    static func templateBytes() throws -> Data {
        try Data(contentsOf: seedFolder.appendingPathComponent("forms/tk-khai-sinh.pdf"))
    }

    @Test func importSendsTheDocumentTheTemplatesAndTheActor() async throws {
        try await withFakeCatalog { fake in
            let result = try await dvcctl(["catalog", "import", Self.seedFile.path, "--catalog", fake.address,
                                           "--actor", "nguyen.van.a"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "imported 3 agencies, 1 fields, 1 procedures, 1 levels, 1 calendar overrides, 0 procedure groups, 1 form templates; catalog version 7\n")
            let request = try #require(fake.requests(CatalogV1.ImportCatalogRequest.self).first)
            #expect(request.catalog == (try Self.seedDocument()))
            #expect(request.formContents == ["tk-khai-sinh": try Self.templateBytes()])
            #expect(fake.recorded.first?.metadata["x-dvc-actor"] == "nguyen.van.a")
        }
    }

    @Test func theActorDefaultsToUSER() async throws {
        try await withFakeCatalog { fake in
            let result = try await dvcctl(["catalog", "set-level", "000.01.05.H26", "1.001193", "3"],
                                          environment: ["DVC_CATALOG": fake.address, "USER": "ops-on-call"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "000.01.05.H26 offers 1.001193 at level 3; catalog version 8\n")
            let request = try #require(fake.requests(CatalogV1.SetLevelRequest.self).first)
            #expect(request.agencyCode == "000.01.05.H26")
            #expect(request.procedureCode == "1.001193")
            #expect(request.level == 3)
            #expect(fake.recorded.first?.metadata["x-dvc-actor"] == "ops-on-call")
        }
    }

    @Test func readsSendNoActor() async throws {
        try await withFakeCatalog(document: try Self.seedDocument()) { fake in
            let result = try await dvcctl(["catalog", "list-agencies", "--catalog", fake.address])
            #expect(result.status == 0, "\(result)")
            #expect(fake.recorded.first?.metadata["x-dvc-actor"] == nil)
        }
    }

    @Test func importRefusesABadFileAndSendsNothing() async throws {
        let folder = try makeTemporaryFolder("seed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try String(contentsOf: Self.seedFile, encoding: .utf8)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("forms"), withIntermediateDirectories: true)
        try Self.templateBytes().write(to: folder.appendingPathComponent("forms/tk-khai-sinh.pdf"))
        let file = folder.appendingPathComponent("catalog.json")
        let prefix = "dvcctl: \(file.path): "

        // (what, text replaced, by what, the message)
        let cases: [(String, String, String, String)] = [
            ("misspelt key", #""resultDocument""#, #""resultDocumnet""#,
             "procedures[0]: unknown field 'resultDocumnet' in dvc.catalog.v1.Procedure (did you mean 'resultDocument'?)"),
            ("misspelt nested key", #""formOfCopy": "bản chính", "count": 1}"#, #""formOfCopy": "bản chính", "counts": 1}"#,
             "procedures[0].documents[1]: unknown field 'counts' in dvc.catalog.v1.RequiredDocument (did you mean 'count'?)"),
            ("wrong type", #""amountVnd": 0"#, #""amountVnd": "không đồng""#,
             #"procedures[0].fees[0].amountVnd: expected an integer, got a string "không đồng""#),
            ("bad JSON", #""fields": ["#, #""fields": [,"#,
             "invalid JSON at line 8, column 14: unexpected ','; expected a JSON value"),
            ("unknown kind", #""kind": "city""#, #""kind": "CITY""#,
             #"agencies[0] (000.00.00.H26): unknown kind "CITY" (city, district, ward-commune, department, service-centre, police or social-insurance)"#),
            ("level above the ceiling", #""level": 4}"#, #""level": 5}"#,
             "levels[0] (000.01.05.H26, 1.001193): level 5 is outside 1...4"),
            ("missing template", "forms/tk-khai-sinh.pdf", "forms/missing.pdf",
             "procedures[0] (1.001193).forms[0]: form file forms/missing.pdf of form tk-khai-sinh is missing"),
        ]
        try await withFakeCatalog { fake in
            for (name, from, to, message) in cases {
                let changed = text.replacingOccurrences(of: from, with: to)
                #expect(changed != text, "\(name): the fixture has no \(from)")
                try Data(changed.utf8).write(to: file)
                let result = try await dvcctl(["catalog", "import", file.path, "--catalog", fake.address])
                #expect(result.status == 1, "\(name): \(result)")
                #expect(result.stderr.hasPrefix(prefix + message), "\(name): \(result.stderr)")
                #expect(result.stderr.hasSuffix("; nothing was sent\n"), "\(name): \(result.stderr)")
            }
            #expect(fake.recorded.isEmpty, "a refused import sent \(fake.recorded.map(\.method))")
        }
    }

    @Test func importDryRunSendsNothing() async throws {
        let result = try await dvcctl(["catalog", "import", "--dry-run", Self.seedFile.path, "--catalog", "127.0.0.1:1"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasSuffix("3 agencies, 1 fields, 1 procedures, 1 levels, 1 calendar overrides, 0 procedure groups, 1 form templates; nothing was sent\n"))
    }

    @Test func exportAndImportAgainRoundTrips() async throws {
        let document = try Self.seedDocument()
        let template = try Self.templateBytes()
        try await withFakeCatalog(document: document, forms: ["tk-khai-sinh": template]) { fake in
            let stdout = try await dvcctl(["catalog", "export", "--catalog", fake.address])
            #expect(stdout.status == 0, "\(stdout)")
            // The seed format: every key, kinds as words, no "file" without a FILE to put templates beside.
            #expect(stdout.stdout.contains(#""kind": "ward-commune""#))
            #expect(stdout.stdout.contains(#""agencyKinds": [\#n        "ward-commune"\#n      ]"#))
            #expect(stdout.stdout.contains(#""amountVnd": 0,"#))
            #expect(!stdout.stdout.contains(#""file""#))

            let folder = try makeTemporaryFolder("export")
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("exported.json")
            let exported = try await dvcctl(["catalog", "export", file.path, "--catalog", fake.address])
            #expect(exported.status == 0, "\(exported)")
            #expect(exported.stderr == "exported 3 agencies, 1 procedures and 1 form templates to \(file.path)\n")
            #expect(try Data(contentsOf: folder.appendingPathComponent("forms/tk-khai-sinh.pdf")) == template)
            #expect(try String(contentsOf: file, encoding: .utf8).contains(#""file": "forms/tk-khai-sinh.pdf""#))

            let imported = try await dvcctl(["catalog", "import", file.path, "--catalog", fake.address])
            #expect(imported.status == 0, "\(imported)")
            let request = try #require(fake.requests(CatalogV1.ImportCatalogRequest.self).first)
            #expect(request.catalog == document)
            #expect(request.formContents == ["tk-khai-sinh": template])
            // catalog-svc's loader reads the export as it reads the seed.
            #expect(try SeedCatalog.load(from: file).document == document)
        }
    }

    @Test func listAgenciesSearchGetAudit() async throws {
        try await withFakeCatalog(document: try Self.seedDocument()) { fake in
            let agencies = try await dvcctl(["catalog", "list-agencies", "--parent", "000.00.00.H26", "--catalog", fake.address])
            #expect(agencies.status == 0, "\(agencies)")
            #expect(agencies.stdout == """
                CODE           KIND          CEILING  NAME
                000.00.07.H26  department    4        Sở Tư pháp
                000.01.05.H26  ward-commune  4        UBND phường Phúc Xá

                """)
            #expect(fake.requests(CatalogV1.ListAgenciesRequest.self).first?.parentCode == "000.00.00.H26")

            let search = try await dvcctl(["catalog", "search", "khai sinh", "--agency", "000.01.05.H26", "--field", "TP",
                                           "--min-level", "3", "--page-size", "5", "--page-token", "abc", "--catalog", fake.address])
            #expect(search.status == 0, "\(search)")
            let sent = try #require(fake.requests(CatalogV1.SearchProceduresRequest.self).first)
            #expect(sent.query == "khai sinh")
            #expect(sent.agencyCode == "000.01.05.H26")
            #expect(sent.fieldCode == "TP")
            #expect(sent.minLevel == 3)
            #expect(sent.pageSize == 5)
            #expect(sent.pageToken == "abc")
            #expect(search.stdout.contains("1.001193  4      TP     1.50   Đăng ký khai sinh"), "\(search.stdout)")
            #expect(search.stdout.hasSuffix("1 shown, 41 found; next page: --page-token page-2\n"))

            let get = try await dvcctl(["catalog", "get", "1.001193", "--catalog", fake.address])
            #expect(get.status == 0, "\(get)")
            let response = try CatalogV1.GetProcedureResponse(jsonString: get.stdout)
            #expect(response.procedure == (try Self.seedDocument()).procedures.first)

            let missing = try await dvcctl(["catalog", "get", "9.999", "--catalog", fake.address])
            #expect(missing.status == 6, "\(missing)")
            #expect(missing.stderr == "NOT_FOUND: procedure 9.999 does not exist\n  code: unknown procedure\n")

            let audit = try await dvcctl(["catalog", "audit", "--catalog", fake.address])
            #expect(audit.status == 0, "\(audit)")
            #expect(audit.stdout.contains("12  2025-01-01 07:00:00  ops    set_level  000.01.05.H26/1.001193"), "\(audit.stdout)")

            let json = try await dvcctl(["catalog", "audit", "--json", "--catalog", fake.address])
            #expect(try CatalogV1.ListAuditResponse(jsonString: json.stdout).entries.first?.id == 12)
        }
    }

    @Test func calendar() async throws {
        try await withFakeCatalog(document: try Self.seedDocument()) { fake in
            let set = try await dvcctl(["catalog", "calendar", "set", "2025-04-26", "--working", "--reason", "Làm bù",
                                        "--catalog", fake.address, "--actor", "a"])
            #expect(set.status == 0, "\(set)")
            #expect(set.stdout == "2025-04-26 is now a working day; catalog version 9\n")
            let off = try await dvcctl(["catalog", "calendar", "set", "2025-05-02", "--day-off", "--reason", "Nghỉ bù",
                                        "--catalog", fake.address])
            #expect(off.status == 0, "\(off)")
            let remove = try await dvcctl(["catalog", "calendar", "remove", "2025-04-26", "--catalog", fake.address])
            #expect(remove.status == 0, "\(remove)")
            let requests = fake.requests(CatalogV1.SetCalendarOverrideRequest.self)
            #expect(requests.count == 3)
            #expect(requests[0].entry?.date == "2025-04-26" && requests[0].entry?.working == true && requests[0].entry?.reason == "Làm bù")
            #expect(requests[1].entry?.working == false && !requests[1].remove)
            #expect(requests[2].entry?.date == "2025-04-26" && requests[2].remove)
            #expect(fake.recorded.allSatisfy { $0.metadata["x-dvc-actor"] != nil })

            let list = try await dvcctl(["catalog", "calendar", "list", "2025", "--catalog", fake.address])
            #expect(list.status == 0, "\(list)")
            #expect(list.stdout == """
                DATE        KIND     SOURCE    NAME
                2025-04-26  working  override  Làm bù cho ngày 02/5/2025
                2025-09-02  day off  fixed     Quốc khánh

                """)
        }
    }

    @Test func commandLineMistakesAreUsageErrors() async throws {
        let cases: [([String], String)] = [
            (["catalog", "set-level", "A", "P", "5", "--catalog", "127.0.0.1:1"], "LEVEL must be 0 (withdraw) or 1 to 4, not 5"),
            (["catalog", "calendar", "set", "2025-02-30", "--working", "--reason", "x", "--catalog", "127.0.0.1:1"],
             "DATE '2025-02-30' is not a date written yyyy-MM-dd"),
            (["catalog", "calendar", "set", "2025-02-03", "--reason", "x", "--catalog", "127.0.0.1:1"], "--working"),
            (["catalog", "list-agencies"], "give catalog-svc's address with --catalog HOST:PORT or DVC_CATALOG"),
            (["catalog", "list-agencies", "--catalog", "nowhere"], "--catalog 'nowhere' is not HOST:PORT[,HOST:PORT...]"),
            (["catalog", "search", "x", "--min-level", "9", "--catalog", "127.0.0.1:1"], "--min-level must be 1 to 4, not 9"),
        ]
        for (arguments, message) in cases {
            let result = try await dvcctl(arguments)
            #expect(result.status == 64, "\(arguments): \(result)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }

    @Test func aRefusedChangeReportsTheServersReason() async throws {
        try await withFakeCatalog { fake in
            let result = try await dvcctl(["catalog", "set-level", "capped", "1.001193", "4", "--catalog", fake.address])
            #expect(result.status == 10, "\(result)")  // FAILED_PRECONDITION is 9
            #expect(result.stderr == "FAILED_PRECONDITION: agency capped caps at level 3\n")
        }
    }
}
