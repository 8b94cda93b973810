import CatalogService
import Foundation
import TestKit
import Testing

/// A province writing its own seed (docs/seed-catalog.md, "A province's own seed"):
/// `dvcctl catalog import` checks it and refuses a bad one naming the problem; catalog-svc
/// starts from it; and an operator adding the year's holiday announcement moves appointments
/// at once — all through the real executables.
@Suite(.serialized) struct ProvinceSeedTests {
    /// A two-tier province in the seed format: the province, one commune with its centre
    /// ("*"), a police office, two procedures and a group joining them.
    static let province = """
        {
          "agencies": [
            {"code": "000.00.00.H99", "name": "UBND Tỉnh Thử", "kind": "city", "parentCode": "", "levelCeiling": 4},
            {"code": "000.01.40.H99", "name": "UBND Xã Một", "kind": "ward-commune", "parentCode": "000.00.00.H99", "levelCeiling": 4},
            {"code": "000.01.41.H99", "name": "Trung tâm Phục vụ hành chính công xã Một", "kind": "service-centre",
             "parentCode": "000.01.40.H99", "levelCeiling": 4, "receivesFor": ["*"]},
            {"code": "000.01.42.H99", "name": "Công an xã Một", "kind": "police", "parentCode": "000.00.00.H99", "levelCeiling": 4}
          ],
          "fields": [{"code": "ho-tich", "name": "Hộ tịch"}, {"code": "cu-tru", "name": "Cư trú"}],
          "procedures": [
            {"code": "1.001193", "name": "Đăng ký khai sinh", "fieldCode": "ho-tich", "agencyKinds": ["ward-commune"],
             "processingWorkingHours": 8, "forms": [{"id": "tk", "name": "Tờ khai", "file": "forms/tk.pdf", "mediaType": "application/pdf"}]},
            {"code": "TT-001", "name": "Đăng ký thường trú", "fieldCode": "cu-tru", "agencyKinds": ["police"], "processingWorkingDays": 7}
          ],
          "levels": [
            {"agencyCode": "000.01.40.H99", "procedureCode": "1.001193", "level": 3},
            {"agencyCode": "000.01.42.H99", "procedureCode": "TT-001", "level": 3}
          ],
          "procedureGroups": [
            {"code": "LT-KS-TT", "name": "Khai sinh – thường trú", "legalBasis": "Nghị định 63/2024/NĐ-CP",
             "steps": [
               {"procedureCode": "1.001193", "agencyKind": "ward-commune", "processingWorkingDays": 1},
               {"procedureCode": "TT-001", "agencyKind": "police", "processingWorkingDays": 2}
             ]}
          ]
        }
        """

    /// Writes `text` with its form template into a fresh folder; returns the file.
    static func write(_ text: String) throws -> URL {
        let folder = try makeTemporaryFolder("province")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("forms"), withIntermediateDirectories: true)
        try Data("%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n".utf8).write(to: folder.appendingPathComponent("forms/tk.pdf"))
        let file = folder.appendingPathComponent("catalog.json")
        try Data(text.utf8).write(to: file)
        return file
    }

    @Test func aProvincesOwnSeedIsCheckedAndImported() async throws {
        let good = try Self.write(Self.province)
        defer { try? FileManager.default.removeItem(at: good.deletingLastPathComponent()) }
        let dryRun = try await dvcctl(["catalog", "import", "--dry-run", good.path, "--catalog", "127.0.0.1:1"])
        #expect(dryRun.status == 0, "\(dryRun)")
        #expect(dryRun.stdout.contains("4 agencies, 2 fields, 2 procedures, 2 levels, 0 calendar overrides, 1 procedure groups"), "\(dryRun)")

        // (what, text replaced, by what, the message after "dvcctl: FILE: ")
        let cases: [(String, String, String, String)] = [
            ("unknown receivesFor code", #""receivesFor": ["*"]"#, #""receivesFor": ["000.09.40.H99"]"#,
             "agencies[2] (000.01.41.H99).receivesFor[0]: unknown agency 000.09.40.H99"),
            ("receivesFor on a commune", #""kind": "ward-commune", "parentCode": "000.00.00.H99", "levelCeiling": 4}"#,
             #""kind": "ward-commune", "parentCode": "000.00.00.H99", "levelCeiling": 4, "receivesFor": ["*"]}"#,
             "agencies[1] (000.01.40.H99).receivesFor: only a service-centre receives for other agencies"),
            ("step with an unknown procedure", #"{"procedureCode": "TT-001", "agencyKind": "police""#,
             #"{"procedureCode": "TT-009", "agencyKind": "police""#,
             "procedureGroups[0] (LT-KS-TT).steps[1]: unknown procedure TT-009"),
            ("step with an unknown kind", #""agencyKind": "police", "processingWorkingDays": 2"#,
             #""agencyKind": "cong-an", "processingWorkingDays": 2"#,
             #"procedureGroups[0] (LT-KS-TT).steps[1]: unknown agency kind "cong-an""#),
            ("step without a time limit", #""agencyKind": "police", "processingWorkingDays": 2"#,
             #""agencyKind": "police", "processingWorkingDays": 0"#,
             "procedureGroups[0] (LT-KS-TT).steps[1].processingWorkingDays: every step needs its time limit"),
            ("misspelt group key", #""legalBasis": "Nghị định 63/2024/NĐ-CP""#, #""legalBase": "Nghị định 63/2024/NĐ-CP""#,
             "procedureGroups[0]: unknown field 'legalBase' in dvc.catalog.v1.ProcedureGroup"),
        ]
        for (name, from, to, message) in cases {
            let changed = Self.province.replacingOccurrences(of: from, with: to)
            #expect(changed != Self.province, "\(name): the province has no \(from)")
            let bad = try Self.write(changed)
            defer { try? FileManager.default.removeItem(at: bad.deletingLastPathComponent()) }
            let result = try await dvcctl(["catalog", "import", bad.path, "--catalog", "127.0.0.1:1"])
            #expect(result.status == 1, "\(name): \(result)")
            #expect(result.stderr.hasPrefix("dvcctl: \(bad.path): \(message)"), "\(name): \(result.stderr)")
            #expect(result.stderr.hasSuffix("; nothing was sent\n"), "\(name): \(result.stderr)")
        }

        // The province's file as the seed of a fresh catalog-svc.
        try await withServer(Executables.catalogService, environment: ["DVC_SEED": good.path]) { catalog in
            let environment = ["DVC_CATALOG": catalog.address]
            let roots = try await dvcctl(["catalog", "list-agencies", "--parent", "000.01.40.H99"], environment: environment)
            #expect(roots.status == 0, "\(roots)")
            #expect(roots.stdout.contains("000.01.41.H99") && roots.stdout.contains("service-centre"), "\(roots)")
            let groups = try await dvcctl(["call", catalog.address, "/dvc.catalog.v1.CatalogService/ListProcedureGroups", "{}"])
            #expect(groups.status == 0, "\(groups)")
            #expect(groups.stdout.contains("LT-KS-TT") && groups.stdout.contains("TT-001"), "\(groups)")
            let centre = try await dvcctl(["call", catalog.address, "/dvc.catalog.v1.CatalogService/GetAgency", #"{"code": "000.01.41.H99"}"#])
            #expect(centre.stdout.contains("000.01.42.H99"), "\"*\" expanded to the agencies: \(centre)")
        }
    }

    @Test func the2025SeedChecksAsAProvincesWould() async throws {
        let result = try await dvcctl(["catalog", "import", "--dry-run", SeedCatalog.hanoi2025.path, "--catalog", "127.0.0.1:1"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("2 procedure groups"), "\(result)")
    }

    @Test func addingTheYearsAnnouncementMovesAnAppointment() async throws {
        try await withServer(Executables.catalogService, environment: ["DVC_SEED": "hanoi-2025"]) { catalog in
            let environment = ["DVC_CATALOG": catalog.address, "USER": "van-hanh"]
            // Cấp Phiếu lý lịch tư pháp at Sở Tư pháp: 10 working days, offices 08:00–12:00,
            // 13:00–17:00. Received Monday 1/3/2027 08:00 (+07:00), no holiday in between.
            let ask = #"{"agencyCode": "000.00.07.H26", "procedureCode": "HN-TP-001", "receivedAtUnixMs": "1803862800000"}"#
            let before = try await dvcctl(["call", catalog.address, "/dvc.catalog.v1.CatalogService/ComputeAppointment", ask])
            #expect(before.status == 0, "\(before)")
            #expect(before.stdout.contains("2027-03-12 17:00"), "\(before)")
            let set = try await dvcctl(["catalog", "calendar", "set", "2027-03-03", "--day-off",
                                        "--reason", "Thông báo của Bộ Nội vụ (thử)"], environment: environment)
            #expect(set.status == 0, "\(set)")
            let after = try await dvcctl(["call", catalog.address, "/dvc.catalog.v1.CatalogService/ComputeAppointment", ask])
            #expect(after.stdout.contains("2027-03-15 17:00"), "the day off moves the appointment: \(after)")
        }
    }
}
