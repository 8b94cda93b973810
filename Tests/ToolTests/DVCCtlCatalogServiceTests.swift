import DVCProto
import Foundation
import TestKit
import Testing

/// `dvcctl catalog ...` against the real catalog-svc as a process, with its seed catalog.
@Suite(.serialized) struct DVCCtlCatalogServiceTests {
    @Test func readsChangesAndAnExportThatImportsAgain() async throws {
        try await withServer(Executables.catalogService) { catalog in
            let environment = ["DVC_CATALOG": catalog.address, "USER": "dvcctl-test"]
            let health = try await dvcctl(["health", catalog.address])
            #expect(health.status == 0, "\(health)")

            let roots = try await dvcctl(["catalog", "list-agencies"], environment: environment)
            #expect(roots.status == 0, "\(roots)")
            #expect(roots.stdout.contains("city"), "\(roots)")

            let search = try await dvcctl(["catalog", "search", "giay phep xay dung"], environment: environment)
            #expect(search.status == 0, "\(search)")
            #expect(search.stdout.contains("Giấy phép xây dựng") || search.stdout.contains("giấy phép xây dựng"), "\(search)")

            // Export (templates beside the file), then take one level of the export and set it
            // again: a change recorded under the actor.
            let folder = try makeTemporaryFolder("catalog-svc-export")
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("catalog.json")
            let exported = try await dvcctl(["catalog", "export", file.path], environment: environment)
            #expect(exported.status == 0, "\(exported)")
            let export = try ProtoJSONParser.parse(utf8: Array(try Data(contentsOf: file)))
            guard case .object(let members) = export,
                  case .array(let levels)? = members.first(where: { $0.key == "levels" })?.value,
                  case .object(let level)? = levels.first else {
                Issue.record("the export has no levels")
                return
            }
            func text(_ key: String) -> String {
                switch level.first(where: { $0.key == key })?.value {
                case .string(let value)?: value
                case .number(let value)?: value
                default: ""
                }
            }
            let setLevel = try await dvcctl(["catalog", "set-level", text("agencyCode"), text("procedureCode"), text("level")],
                                            environment: environment)
            #expect(setLevel.status == 0, "\(setLevel)")
            let audit = try await dvcctl(["catalog", "audit"], environment: environment)
            #expect(audit.status == 0, "\(audit)")
            #expect(audit.stdout.contains("dvcctl-test"), "\(audit)")

            let imported = try await dvcctl(["catalog", "import", file.path], environment: environment)
            #expect(imported.status == 0, "\(imported)")
            #expect(imported.stdout.hasPrefix("imported "), "\(imported)")

            // What comes back out is what went in.
            let again = folder.appendingPathComponent("again.json")
            let reexported = try await dvcctl(["catalog", "export", "--no-forms", again.path], environment: environment)
            #expect(reexported.status == 0, "\(reexported)")
            let first = try SeedFile.document(file)
            let second = try SeedFile.document(again)
            #expect(first == second)
            #expect(first.procedures.count >= 30)

            let missing = try await dvcctl(["catalog", "get", "no-such-procedure"], environment: environment)
            #expect(missing.status == 6, "\(missing)")  // NOT_FOUND
            #expect(missing.stderr.hasPrefix("NOT_FOUND: "), "\(missing)")
        }
    }
}

/// An exported file read back as a `CatalogDocument` (kinds as words to enum names, `file`
/// keys dropped), to compare two exports.
enum SeedFile {
    static func document(_ url: URL) throws -> CatalogV1.CatalogDocument {
        var text = try String(contentsOf: url, encoding: .utf8)
        for (word, name) in [("\"city\"", "\"AGENCY_KIND_CITY\""), ("\"district\"", "\"AGENCY_KIND_DISTRICT\""),
                             ("\"ward-commune\"", "\"AGENCY_KIND_WARD_COMMUNE\""), ("\"department\"", "\"AGENCY_KIND_DEPARTMENT\""),
                             ("\"service-centre\"", "\"AGENCY_KIND_SERVICE_CENTRE\""), ("\"police\"", "\"AGENCY_KIND_POLICE\""),
                             ("\"social-insurance\"", "\"AGENCY_KIND_SOCIAL_INSURANCE\"")] {
            text = text.replacingOccurrences(of: word, with: name)
        }
        text = text.replacingOccurrences(of: #"\n *"file": "[^"]*","#, with: "", options: .regularExpression)
        return try CatalogV1.CatalogDocument(jsonString: text)
    }
}
