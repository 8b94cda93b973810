import CatalogService
import DVCProto
import Foundation
import Testing

/// The loader on the two-tier additions: service centres' `receivesFor` ("*" expanded) and
/// procedure groups, each mistake refused with where it is and what is wrong.
@Suite struct SeedGroupRefusalTests {
    /// The small fixture of SeedCatalogTests plus a centre, a police office with a residence
    /// procedure, and a group joining birth registration to it.
    static func fixture() -> [String: Any] {
        var json = SeedCatalogTests.fixture()
        var agencies = json["agencies"] as! [[String: Any]]
        agencies.append(["code": "000.01.41.H99", "name": "Trung tâm Phục vụ hành chính công", "kind": "service-centre",
                         "parentCode": "000.00.00.H99", "levelCeiling": 4, "receivesFor": ["*"]])
        agencies.append(["code": "000.01.42.H99", "name": "Công an phường", "kind": "police",
                         "parentCode": "000.00.00.H99", "levelCeiling": 4])
        json["agencies"] = agencies
        var procedures = json["procedures"] as! [[String: Any]]
        procedures.append(["code": "CT-001", "name": "Đăng ký thường trú", "fieldCode": "ho-tich", "agencyKinds": ["police"],
                           "processingWorkingDays": 7])
        json["procedures"] = procedures
        var levels = json["levels"] as! [[String: Any]]
        levels.append(["agencyCode": "000.01.42.H99", "procedureCode": "CT-001", "level": 3])
        json["levels"] = levels
        json["procedureGroups"] = [[
            "code": "LT-1", "name": "Khai sinh – thường trú", "legalBasis": "Nghị định 63/2024/NĐ-CP",
            "steps": [
                ["procedureCode": "1.001193", "agencyKind": "ward-commune", "processingWorkingDays": 1],
                ["procedureCode": "CT-001", "agencyKind": "police", "processingWorkingDays": 2, "description": "Công an"],
            ],
        ]]
        return json
    }

    static func modified(_ change: (inout [String: Any]) -> Void) -> [String: Any] {
        var json = fixture()
        change(&json)
        return json
    }

    /// Changes step `index` of the group.
    static func step(_ index: Int, _ change: @escaping (inout [String: Any]) -> Void) -> [String: Any] {
        modified { json in
            SeedCatalogTests.edit(&json, "procedureGroups", 0) { group in
                var steps = group["steps"] as! [[String: Any]]
                change(&steps[index])
                group["steps"] = steps
            }
        }
    }

    static func expectRefusal(_ json: [String: Any], _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let message = SeedCatalogTests.refusal(json)
        #expect(message?.contains(expected) == true, "\(message ?? "loaded")", sourceLocation: sourceLocation)
    }

    @Test func theFixtureLoadsWithStarExpanded() throws {
        let (document, _) = try SeedCatalogTests.load(Self.fixture())
        let centre = try #require(document.agencies.first { $0.kind == .serviceCentre })
        #expect(centre.receivesFor == ["000.00.00.H99", "000.00.20.H99", "000.01.20.H99", "000.01.42.H99"])
        #expect(document.agencies.first { $0.kind == .police }?.code == "000.01.42.H99")
        let group = try #require(document.procedureGroups.first)
        #expect(group.steps.map(\.procedureCode) == ["1.001193", "CT-001"])
        #expect(group.steps.map(\.processingWorkingDays) == [1, 2])
        #expect(group.steps[1].description == "Công an")
        #expect(group.legalBasis == "Nghị định 63/2024/NĐ-CP")
    }

    @Test func anExplicitListIsKept() throws {
        let json = Self.modified { SeedCatalogTests.edit(&$0, "agencies", 3) { $0["receivesFor"] = ["000.01.20.H99"] } }
        let (document, _) = try SeedCatalogTests.load(json)
        #expect(document.agencies[3].receivesFor == ["000.01.20.H99"])
    }

    @Test func unknownReceivesForCodeIsRefused() {
        Self.expectRefusal(Self.modified { SeedCatalogTests.edit(&$0, "agencies", 3) { $0["receivesFor"] = ["000.09.20.H99"] } },
                           "agencies[3] (000.01.41.H99).receivesFor[0]: unknown agency 000.09.20.H99")
    }

    @Test func receivesForOnAnAgencyThatIsNoCentreIsRefused() {
        Self.expectRefusal(Self.modified { SeedCatalogTests.edit(&$0, "agencies", 2) { $0["receivesFor"] = ["*"] } },
                           "agencies[2] (000.01.20.H99).receivesFor: only a service-centre receives for other agencies")
    }

    @Test func starBesideCodesIsRefused() {
        Self.expectRefusal(Self.modified { SeedCatalogTests.edit(&$0, "agencies", 3) { $0["receivesFor"] = ["000.01.20.H99", "*"] } },
                           "receivesFor[1]: \"*\" already means every agency")
    }

    @Test func aCentreReceivingForACentreIsRefused() {
        Self.expectRefusal(Self.modified { SeedCatalogTests.edit(&$0, "agencies", 3) { $0["receivesFor"] = ["000.01.41.H99"] } },
                           "receivesFor[0]: 000.01.41.H99 is itself a service centre")
    }

    @Test func aCodeListedTwiceIsRefused() {
        Self.expectRefusal(Self.modified { SeedCatalogTests.edit(&$0, "agencies", 3) { $0["receivesFor"] = ["000.01.20.H99", "000.01.20.H99"] } },
                           "receivesFor[1]: 000.01.20.H99 is listed twice")
    }

    @Test func aStepWithAnUnknownProcedureIsRefused() {
        Self.expectRefusal(Self.step(1) { $0["procedureCode"] = "CT-999" },
                           "procedureGroups[0] (LT-1).steps[1]: unknown procedure CT-999")
    }

    @Test func aStepWithAnUnknownKindIsRefused() {
        Self.expectRefusal(Self.step(1) { $0["agencyKind"] = "cong-an" },
                           "procedureGroups[0] (LT-1).steps[1]: unknown agency kind \"cong-an\"")
    }

    @Test func aStepAtAKindThatDoesNotHandleItsProcedureIsRefused() {
        Self.expectRefusal(Self.step(1) { $0["agencyKind"] = "ward-commune" },
                           "steps[1]: Đăng ký thường trú (CT-001) is not handled by agencies of kind ward-commune")
    }

    @Test func aStepNoAgencyOfItsKindOffersIsRefused() {
        let json = Self.modified { json in
            var levels = json["levels"] as! [[String: Any]]
            levels.removeLast()
            json["levels"] = levels
        }
        Self.expectRefusal(json, "procedureGroups[0] (LT-1).steps[1]: no agency of kind police offers CT-001")
    }

    @Test func aFixedAgencyThatIsUnknownOfAnotherKindOrNotOfferingIsRefused() {
        Self.expectRefusal(Self.step(1) { $0["agencyCode"] = "000.07.42.H99" }, "steps[1]: unknown agency 000.07.42.H99")
        Self.expectRefusal(Self.step(1) { $0["agencyCode"] = "000.01.20.H99" }, "steps[1]: agency 000.01.20.H99 is not of kind police")
        let notOffering = Self.modified { json in
            var agencies = json["agencies"] as! [[String: Any]]
            agencies.append(["code": "000.02.42.H99", "name": "Công an xã", "kind": "police", "parentCode": "000.00.00.H99", "levelCeiling": 4])
            json["agencies"] = agencies
            SeedCatalogTests.edit(&json, "procedureGroups", 0) { group in
                var steps = group["steps"] as! [[String: Any]]
                steps[1]["agencyCode"] = "000.02.42.H99"
                group["steps"] = steps
            }
        }
        Self.expectRefusal(notOffering, "steps[1]: Công an xã (000.02.42.H99) offers no level of CT-001")
    }

    @Test func aStepWithoutATimeLimitIsRefused() {
        Self.expectRefusal(Self.step(1) { $0["processingWorkingDays"] = 0 },
                           "procedureGroups[0] (LT-1).steps[1].processingWorkingDays: every step needs its time limit")
    }

    @Test func aGroupOfOneStepIsRefused() {
        let json = Self.modified { json in
            SeedCatalogTests.edit(&json, "procedureGroups", 0) { group in
                group["steps"] = [(group["steps"] as! [[String: Any]])[0]]
            }
        }
        Self.expectRefusal(json, "procedureGroups[0] (LT-1).steps: a group joins at least two procedures")
    }

    @Test func aDuplicateGroupOrOneWithoutLegalBasisIsRefused() {
        let twice = Self.modified { json in
            let groups = json["procedureGroups"] as! [[String: Any]]
            json["procedureGroups"] = groups + groups
        }
        Self.expectRefusal(twice, "duplicate procedure group code LT-1")
        Self.expectRefusal(Self.modified { SeedCatalogTests.edit(&$0, "procedureGroups", 0) { $0["legalBasis"] = " " } },
                           "procedureGroups[0] (LT-1).legalBasis is empty")
    }

    @Test func theNewKindsAreKnownAndOthersNamed() {
        Self.expectRefusal(Self.modified { SeedCatalogTests.edit(&$0, "agencies", 4) { $0["kind"] = "cong-an" } },
                           "unknown kind \"cong-an\" (city, district, ward-commune, department, service-centre, police or social-insurance)")
    }
}
