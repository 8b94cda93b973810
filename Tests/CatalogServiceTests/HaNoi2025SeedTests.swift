import CatalogService
import DVCProto
import Foundation
import Testing

/// The `hanoi-2025` seed (two tiers from 1 July 2025) beside the `hanoi-2020` one, and which
/// file a `seed=` setting names.
@Suite struct HaNoi2025SeedTests {
    static func seed() throws -> (document: CatalogV1.CatalogDocument, formContents: [String: Data]) {
        try SeedCatalog.load(from: SeedCatalog.hanoi2025)
    }

    @Test func seedSettingsNameTheShippedSeedsOrAFile() {
        #expect(SeedCatalog.resolve(nil) == SeedCatalog.hanoi2025)
        #expect(SeedCatalog.defaultSeedName == "hanoi-2025")
        #expect(SeedCatalog.resolve("hanoi-2025") == SeedCatalog.hanoi2025)
        #expect(SeedCatalog.resolve("hanoi-2020") == SeedCatalog.bundled)
        #expect(SeedCatalog.resolve("/srv/tinh/catalog.json") == URL(fileURLWithPath: "/srv/tinh/catalog.json"))
        #expect(SeedCatalog.hanoi2025.lastPathComponent == "hanoi-2025.json")
    }

    @Test func twoTiersWithEveryWardAndCommune() throws {
        let (document, forms) = try Self.seed()
        let roots = document.agencies.filter { $0.parentCode.isEmpty }
        #expect(roots.map(\.code) == ["000.00.00.H26"])
        #expect(document.agencies.filter { $0.kind == .district }.isEmpty, "no districts after 1 July 2025")
        let communes = document.agencies.filter { $0.kind == .wardCommune }
        // Nghị quyết 1656/NQ-UBTVQH15: 51 wards and 75 communes.
        #expect(communes.count == 126)
        #expect(communes.filter { $0.name.hasPrefix("UBND Phường ") }.count == 51)
        #expect(communes.filter { $0.name.hasPrefix("UBND Xã ") }.count == 75)
        #expect(communes.allSatisfy { $0.parentCode == "000.00.00.H26" })
        #expect(Set(document.agencies.map(\.code)).count == document.agencies.count)
        #expect(forms.count == document.procedures.reduce(0) { $0 + $1.forms.count })
        let text = try String(contentsOf: SeedCatalog.hanoi2025, encoding: .utf8)
        #expect(text.unicodeScalars.elementsEqual(text.precomposedStringWithCanonicalMapping.unicodeScalars))
    }

    @Test func everyCommuneHasItsOwnCentreAndTheCityHasBranches() throws {
        let (document, _) = try Self.seed()
        let centres = document.agencies.filter { $0.kind == .serviceCentre }
        for commune in document.agencies where commune.kind == .wardCommune {
            #expect(centres.filter { $0.parentCode == commune.code }.count == 1, "\(commune.name)")
        }
        let cityCentre = centres.filter { $0.parentCode == "000.00.00.H26" }
        #expect(cityCentre.count == 1)
        #expect(centres.contains { $0.parentCode == cityCentre.first?.code }, "the city centre's branches")
        // "*" expanded: every centre receives for every agency that is not a centre, whatever
        // the boundary (Nghị định 118/2025/NĐ-CP), and lists no centre.
        let ordinary = document.agencies.filter { $0.kind != .serviceCentre }.map(\.code)
        for centre in centres {
            #expect(centre.receivesFor == ordinary, "\(centre.name)")
        }
        #expect(document.agencies.filter { $0.kind != .serviceCentre }.allSatisfy { $0.receivesFor.isEmpty })
    }

    @Test func departmentsAsMergedIn2025() throws {
        let (document, _) = try Self.seed()
        let names = Set(document.agencies.filter { $0.kind == .department }.map { SeedCatalogTests.fold($0.name) })
        for merged in ["so noi vu", "so nong nghiep va moi truong", "so khoa hoc va cong nghe", "so tai chinh", "so xay dung"] {
            #expect(names.contains(merged), "\(merged)")
        }
        for gone in ["so lao dong thuong binh va xa hoi", "so tai nguyen va moi truong", "so ke hoach va dau tu"] {
            #expect(!names.contains(gone), "\(gone)")
        }
    }

    @Test func the2020ProceduresCarryOverWithTheirFees() throws {
        let old = try SeedCatalog.load(from: SeedCatalog.bundled).document
        let (document, _) = try Self.seed()
        let new = Dictionary(uniqueKeysWithValues: document.procedures.map { ($0.code, $0) })
        for procedure in old.procedures {
            guard let moved = new[procedure.code] else {
                Issue.record("\(procedure.code) is missing from hanoi-2025")
                continue
            }
            #expect(moved.fees == procedure.fees, "\(procedure.code): fees are copied as they are")
            #expect(moved.documents == procedure.documents, "\(procedure.code)")
            #expect(!moved.agencyKinds.contains(.district), "\(procedure.code) still at a district")
        }
        // A district's procedure goes to the communes (Nghị định 120/2025/NĐ-CP, Điều 4).
        #expect(new["HN-HT-104"]?.agencyKinds == [.wardCommune])
        #expect(new["HN-HT-104"]?.description.contains("Nghị định 120/2025/NĐ-CP") == true)
    }

    @Test func everyProcedureIsOfferedByAnAgencyOfItsKind() throws {
        let (document, _) = try Self.seed()
        let agencies = Dictionary(uniqueKeysWithValues: document.agencies.map { ($0.code, $0) })
        for procedure in document.procedures {
            let offering = document.levels.filter { $0.procedureCode == procedure.code }
            #expect(!offering.isEmpty, "\(procedure.code) is offered nowhere")
            #expect(offering.allSatisfy { procedure.agencyKinds.contains(agencies[$0.agencyCode]!.kind) }, "\(procedure.code)")
        }
        // Phường Hoàn Kiếm offers đăng ký khai sinh at level 4, as a 2020 ward did.
        #expect(document.levels.contains { $0.agencyCode == "000.01.40.H26" && $0.procedureCode == "1.001193" && $0.level == 4 })
    }

    @Test func theTwoGroupsOfDecree63() throws {
        let (document, _) = try Self.seed()
        #expect(document.procedureGroups.count == 2)
        let birth = try #require(document.procedureGroups.first { $0.code == "LT-KS-TT-BHYT" })
        #expect(birth.steps.map(\.procedureCode) == ["1.001193", "HN-CA-001", "HN-BH-001"])
        #expect(birth.steps.map(\.agencyKind) == ["ward-commune", "police", "social-insurance"])
        #expect(birth.legalBasis.contains("Nghị định 63/2024/NĐ-CP"))
        let death = try #require(document.procedureGroups.first { $0.code == "LT-KT-XTT-MT" })
        #expect(death.steps.map(\.procedureCode) == ["1.000656", "HN-CA-002", "HN-BH-002"])
        for group in document.procedureGroups {
            #expect(group.steps.allSatisfy { $0.processingWorkingDays >= 1 })
            #expect(group.steps.first?.agencyCode.isEmpty == true, "step 1 is wherever the citizen submits")
        }
        // The police step is chosen among police offices that do it: there are some.
        let police = Set(document.agencies.filter { $0.kind == .police }.map(\.code))
        #expect(document.levels.filter { $0.procedureCode == "HN-CA-001" && police.contains($0.agencyCode) }.count >= 3)
    }

    @Test func the2020SeedStaysThreeTierWithoutGroups() throws {
        let document = try SeedCatalog.load(from: SeedCatalog.bundled).document
        #expect(document.procedureGroups.isEmpty)
        let threeTier: [CatalogV1.AgencyKind] = [.city, .district, .wardCommune, .department]
        #expect(document.agencies.allSatisfy { threeTier.contains($0.kind) })
        #expect(document.agencies.allSatisfy { $0.receivesFor.isEmpty })
    }
}
