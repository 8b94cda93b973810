@testable import CatalogService
import DVCProto
import Foundation
import Logging
import RPCCore
import Storage
import Testing

/// catalog-svc's catalog (in process, on an in-memory database) with the two-tier additions:
/// the hanoi-2025 seed imported, procedure groups listed, and changes that break a centre's
/// `receives_for` or a group refused with the field named and nothing written.
@Suite struct TwoTierCatalogTests {
    static func catalog(seed: URL? = nil) async throws -> (Catalog, CatalogAPI) {
        let database = try ServiceDatabase.inMemory(migrations: CatalogServiceApp.migrations)
        let catalog = try Catalog(store: CatalogStore(database: database), logger: Logger(label: "test"))
        if let seed {
            let loaded = try SeedCatalog.load(from: seed)
            _ = try await catalog.importDocument(loaded.document, formContents: loaded.formContents, actor: "test")
        }
        return (catalog, CatalogAPI(catalog: catalog))
    }

    static func rpcError(_ body: () async throws -> Void) async -> RPCError? {
        do {
            try await body()
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func theHaNoi2025SeedImportsWithItsGroups() async throws {
        let (catalog, api) = try await Self.catalog(seed: SeedCatalog.hanoi2025)
        let snapshot = catalog.snapshot
        #expect(snapshot.agencies.values.filter { $0.kind == .wardCommune }.count == 126)
        let all = try api.listProcedureGroups(.init())
        #expect(all.groups.map(\.code) == ["LT-KS-TT-BHYT", "LT-KT-XTT-MT"])
        var byProcedure = CatalogV1.ListProcedureGroupsRequest()
        byProcedure.procedureCode = "HN-CA-002"
        #expect(try api.listProcedureGroups(byProcedure).groups.map(\.code) == ["LT-KT-XTT-MT"])
        byProcedure.procedureCode = "no-such-procedure"
        let unknown = await Self.rpcError { _ = try api.listProcedureGroups(byProcedure) }
        #expect(unknown?.code == .notFound)
        // The export carries the groups and the centres' lists, so it imports again.
        let document = snapshot.document()
        #expect(document.procedureGroups.count == 2)
        #expect(document.agencies.first { $0.code == "000.00.30.H26" }?.receivesFor.count
            == document.agencies.filter { $0.kind != .serviceCentre }.count)
    }

    @Test func receivesForIsCheckedOnEveryChange() async throws {
        let (catalog, _) = try await Self.catalog(seed: SeedCatalog.hanoi2025)
        let before = catalog.snapshot.version
        var centre = try #require(catalog.snapshot.agencies["000.00.30.H26"])
        centre.receivesFor = ["000.00.07.H26", "000.99.99.H26"]
        let unknown = await Self.rpcError { _ = try await catalog.putAgency(centre, actor: "test") }
        #expect(unknown?.code == .notFound)
        #expect(unknown?.violations.map(\.field) == ["agency.receives_for[1]"])

        centre.receivesFor = ["*"]
        let star = await Self.rpcError { _ = try await catalog.putAgency(centre, actor: "test") }
        #expect(star?.code == .invalidArgument)
        #expect(star?.violations.map(\.field) == ["agency.receives_for[0]"])

        centre.receivesFor = ["000.01.41.H26"]
        let aCentre = await Self.rpcError { _ = try await catalog.putAgency(centre, actor: "test") }
        #expect(aCentre?.message.contains("is itself a service centre") == true)

        var department = try #require(catalog.snapshot.agencies["000.00.07.H26"])
        department.receivesFor = ["000.00.05.H26"]
        let notCentre = await Self.rpcError { _ = try await catalog.putAgency(department, actor: "test") }
        #expect(notCentre?.code == .invalidArgument)
        #expect(notCentre?.violations.map(\.field) == ["agency.receives_for"])
        #expect(catalog.snapshot.version == before, "a refused change writes nothing")

        centre.receivesFor = ["000.00.07.H26"]
        _ = try await catalog.putAgency(centre, actor: "test")
        #expect(catalog.snapshot.agencies["000.00.30.H26"]?.receivesFor == ["000.00.07.H26"])
    }

    /// A group whose step names a procedure, kind or agency that is not there.
    static func group(_ change: (inout CatalogV1.GroupStep) -> Void) -> CatalogV1.CatalogDocument {
        var first = CatalogV1.GroupStep()
        first.procedureCode = "1.001193"
        first.agencyKind = "ward-commune"
        first.processingWorkingDays = 1
        var second = CatalogV1.GroupStep()
        second.procedureCode = "HN-CA-001"
        second.agencyKind = "police"
        second.processingWorkingDays = 2
        change(&second)
        var group = CatalogV1.ProcedureGroup()
        group.code = "LT-THU"
        group.name = "Thử"
        group.legalBasis = "Nghị định 63/2024/NĐ-CP"
        group.steps = [first, second]
        var document = CatalogV1.CatalogDocument()
        document.procedureGroups = [group]
        return document
    }

    @Test func importRefusesABadGroupNamingTheField() async throws {
        let (catalog, _) = try await Self.catalog(seed: SeedCatalog.hanoi2025)
        let before = catalog.snapshot.version
        let cases: [(String, (inout CatalogV1.GroupStep) -> Void, String)] = [
            ("unknown procedure", { $0.procedureCode = "HN-CA-999" }, "catalog.procedure_groups[0].steps[1].procedure_code"),
            ("unknown kind", { $0.agencyKind = "cong-an" }, "catalog.procedure_groups[0].steps[1].agency_kind"),
            ("kind not handling it", { $0.agencyKind = "ward-commune" }, "catalog.procedure_groups[0].steps[1].agency_kind"),
            ("unknown agency", { $0.agencyCode = "000.99.42.H26" }, "catalog.procedure_groups[0].steps[1].agency_code"),
            ("agency of another kind", { $0.agencyCode = "000.00.70.H26" }, "catalog.procedure_groups[0].steps[1].agency_code"),
            ("police office not offering it", { $0.agencyCode = "000.00.60.H26" }, "catalog.procedure_groups[0].steps[1].agency_code"),
            ("no time limit", { $0.processingWorkingDays = 0 }, "catalog.procedure_groups[0].steps[1].processing_working_days"),
        ]
        for (name, change, field) in cases {
            let error = await Self.rpcError {
                _ = try await catalog.importDocument(Self.group(change), formContents: [:], actor: "test")
            }
            #expect(error?.code == .invalidArgument, "\(name): \(String(describing: error))")
            #expect(error?.violations.map(\.field).contains(field) == true, "\(name): \(error?.violations ?? [])")
        }
        #expect(catalog.snapshot.groups["LT-THU"] == nil)
        #expect(catalog.snapshot.version == before, "a refused import writes nothing")

        // The same group, well formed, is added beside the seed's.
        _ = try await catalog.importDocument(Self.group { _ in }, formContents: [:], actor: "test")
        #expect(catalog.snapshot.groups.keys.sorted() == ["LT-KS-TT-BHYT", "LT-KT-XTT-MT", "LT-THU"])
    }

    @Test func groupsSurviveARestart() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("two-tier-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let database = try ServiceDatabase(directory: folder, name: "catalog", migrations: CatalogServiceApp.migrations)
            let catalog = try Catalog(store: CatalogStore(database: database), logger: Logger(label: "test"))
            _ = try await catalog.importDocument(Self.group { _ in }.merging(try SeedCatalog.load(from: SeedCatalog.hanoi2025).document),
                                                 formContents: try SeedCatalog.load(from: SeedCatalog.hanoi2025).formContents,
                                                 actor: "test")
        }
        let database = try ServiceDatabase(directory: folder, name: "catalog", migrations: CatalogServiceApp.migrations)
        let reopened = try Catalog(store: CatalogStore(database: database), logger: Logger(label: "test"))
        #expect(reopened.snapshot.groups.count == 3)
        #expect(reopened.snapshot.groups["LT-KS-TT-BHYT"]?.steps.count == 3)
    }
}

extension CatalogV1.CatalogDocument {
    /// `other` with this document's groups added.
    func merging(_ other: CatalogV1.CatalogDocument) -> CatalogV1.CatalogDocument {
        var result = other
        result.procedureGroups += procedureGroups
        return result
    }
}
