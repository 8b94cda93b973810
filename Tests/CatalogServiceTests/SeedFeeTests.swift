import CatalogService
import DVCProto
import Foundation
import OneStop
import RPCCore
import Testing

/// Every seed procedure's fee, computed by `FeeCalculator` from the seed's fee lines, against
/// what its regulation gives, for several quantities and categories each. A procedure added to
/// the seed without a row here fails `everySeedProcedureHasItsRegulationsCases`.
@Suite struct SeedFeeTests {
    /// One case: the category, the form's quantities, and the amount the regulation gives.
    struct Case: Sendable, CustomStringConvertible {
        var category = ""
        var quantities: [String: UInt32] = [:]
        var expected: Int64
        var description: String { "category \"\(category)\", quantities \(quantities): \(expected) đồng" }
    }

    static let civilStatusExemption = "Gia đình có công với cách mạng, hộ nghèo, người khuyết tật"

    /// Standard fee, then the civil-status exemption of Luật Hộ tịch 2014, Điều 11 khoản 1 điểm a.
    static func civilStatus(_ amount: Int64) -> [Case] {
        [Case(expected: amount), Case(category: civilStatusExemption, expected: 0)]
    }

    static func flat(_ amount: Int64) -> [Case] { [Case(expected: amount)] }

    static let judicialReduced = "Học sinh từ đủ 16 tuổi, sinh viên, người có công với cách mạng, thân nhân liệt sĩ"
    static let judicialExempt = "Trẻ em, người cao tuổi, người khuyết tật, hộ nghèo, người cư trú ở xã đặc biệt khó khăn"

    /// By procedure code: what the regulations give.
    static let cases: [String: [Case]] = [
        // Birth and death: late registration charged (Hà Nội's resolution), on time exempt
        // (Luật Hộ tịch Điều 11 khoản 1 điểm b), and the families of điểm a exempt.
        "1.001193": civilStatus(5_000) + [Case(category: "Đăng ký đúng hạn (trong 60 ngày kể từ ngày sinh)", expected: 0)],
        "1.000656": civilStatus(5_000) + [Case(category: "Đăng ký đúng hạn (trong 15 ngày kể từ ngày chết)", expected: 0)],
        "1.000894": flat(0),
        "1.004873": civilStatus(3_000),
        "1.001022": civilStatus(8_000),
        "HN-HT-006": civilStatus(15_000),
        "HN-HT-007": flat(0),
        // Thông tư 281/2016/TT-BTC: 8.000 đồng per copy of an extract.
        "HN-HT-101": [1, 3, 10].map { Case(quantities: ["so_ban_sao": $0], expected: 8_000 * Int64($0)) },
        "HN-HT-102": [1, 2].map { Case(quantities: ["so_ban_sao": $0], expected: 8_000 * Int64($0)) },
        "HN-HT-103": [1, 5].map { Case(quantities: ["so_ban_sao": $0], expected: 8_000 * Int64($0)) },
        "HN-HT-104": civilStatus(75_000),
        // Thông tư 226/2016/TT-BTC Điều 4: 2.000 đồng a page, 1.000 from the third, at most
        // 200.000 đồng a copy; pages of the original, each copy charged.
        "HN-CT-001": [
            Case(quantities: ["so_trang": 1, "so_ban": 1], expected: 2_000),
            Case(quantities: ["so_trang": 2, "so_ban": 1], expected: 4_000),
            Case(quantities: ["so_trang": 3, "so_ban": 1], expected: 5_000),
            Case(quantities: ["so_trang": 5, "so_ban": 3], expected: 21_000),
            Case(quantities: ["so_trang": 198, "so_ban": 1], expected: 200_000),
            Case(quantities: ["so_trang": 199, "so_ban": 1], expected: 200_000),
            Case(quantities: ["so_trang": 500, "so_ban": 2], expected: 400_000),
        ],
        "HN-CT-002": flat(10_000),
        "HN-CT-003": [Case(expected: 50_000), Case(category: "Sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch", expected: 30_000)],
        "HN-XD-001": [Case(expected: 75_000),
                      Case(category: "Trẻ em, hộ nghèo, người cao tuổi, người khuyết tật, người có công với cách mạng", expected: 0)],
        "HN-XD-002": flat(150_000),
        "HN-XD-003": flat(75_000),
        "HN-XD-004": flat(15_000),
        "HN-QH-001": flat(2_000_000),
        "HN-QH-002": flat(0),
        "HN-TT-001": flat(400_000),
        "HN-KD-001": flat(100_000),
        "HN-CTH-001": flat(2_200_000),
        "HN-DL-001": flat(3_000_000),
        "HN-DL-002": flat(650_000),
        "HN-LD-001": flat(400_000),
        "HN-TC-001": flat(0),
        "HN-MT-001": flat(0),
        // Thông tư 16/2025/TT-BTC Điều 4: 200.000 đồng a request (two certificates), 100.000
        // for the reduced category, and 5.000 đồng per certificate from the third; exemptions
        // as Thông tư 244/2016/TT-BTC Điều 5 listed them.
        "HN-TP-001": [
            Case(quantities: ["so_luong_phieu": 1], expected: 200_000),
            Case(quantities: ["so_luong_phieu": 2], expected: 200_000),
            Case(quantities: ["so_luong_phieu": 3], expected: 205_000),
            Case(quantities: ["so_luong_phieu": 5], expected: 215_000),
            Case(category: judicialReduced, quantities: ["so_luong_phieu": 1], expected: 100_000),
            Case(category: judicialReduced, quantities: ["so_luong_phieu": 3], expected: 105_000),
            Case(category: judicialExempt, quantities: ["so_luong_phieu": 3], expected: 0),
        ],
        // Thông tư 110/2025/TT-BTC Điều 4 khoản 1: 1.000.000 đồng a room, at most 6.000.000.
        "HN-VH-001": [1, 4, 6, 7, 20].map { Case(quantities: ["so_phong": $0], expected: min(6, Int64($0)) * 1_000_000) },
        // Thông tư 38/2022/TT-BTC Điều 4: 300.000 đồng; reissue, extension: 50%.
        "HN-XD-101": [Case(expected: 300_000), Case(category: "Cấp lại, bổ sung, gia hạn chứng chỉ", expected: 150_000)],
        "HN-YT-001": flat(500_000),
    ]

    /// The RPCError `body` throws, nil if it succeeds.
    static func refusal(_ body: () throws -> Void) -> RPCError? {
        do {
            try body()
            return nil
        } catch {
            return error as? RPCError
        }
    }

    static func seedProcedures() throws -> [String: CatalogV1.Procedure] {
        let document = try SeedCatalog.load(from: SeedCatalog.bundled).document
        return Dictionary(uniqueKeysWithValues: document.procedures.map { ($0.code, $0) })
    }

    @Test func everySeedProcedureHasItsRegulationsCases() throws {
        let procedures = try Self.seedProcedures()
        #expect(Set(procedures.keys) == Set(Self.cases.keys))
    }

    @Test(arguments: cases.keys.sorted())
    func feeAsTheRegulationWritesIt(code: String) throws {
        let procedure = try #require(try Self.seedProcedures()[code])
        for item in Self.cases[code] ?? [] {
            let quote = try FeeCalculator.quote(procedure, category: item.category, quantities: item.quantities)
            #expect(quote.totalVnd == item.expected, "\(code): \(item)")
            // Every category the regulation grants is offered, and each line cites its law.
            #expect(quote.lines.allSatisfy { !$0.legalBasis.isEmpty }, "\(code): \(item)")
        }
        // Every category in the catalog is covered by a case, and the form offers it.
        let covered = Set((Self.cases[code] ?? []).map(\.category))
        for category in FeeCalculator.categories(of: procedure) {
            #expect(covered.contains(category), "\(code): no case for \(category)")
            let offered = procedure.forms.flatMap(\.fields).filter { $0.name == FeeCalculator.categoryField }
            if !procedure.forms.isEmpty { #expect(offered.contains { $0.options.contains(category) }, "\(code): the form does not offer \(category)") }
        }
    }

    /// The two reported cases, from the form as a citizen fills it in: one certificate is
    /// 200.000 đồng, three are 205.000; the reduced rate is chosen on the form.
    @Test func judicialRecordFromTheForm() throws {
        let procedure = try #require(try Self.seedProcedures()["HN-TP-001"])
        #expect(procedure.forms.flatMap(\.fields).contains { $0.name == "so_luong_phieu" && $0.type == "number" })
        #expect(try FeeCalculator.quote(procedure, formData: ["so_luong_phieu": "1"]).totalVnd == 200_000)
        #expect(try FeeCalculator.quote(procedure, formData: ["so_luong_phieu": "3"]).totalVnd == 205_000)
        let reduced = try FeeCalculator.quote(procedure, formData: ["so_luong_phieu": "3", FeeCalculator.categoryField: Self.judicialReduced])
        #expect(reduced.totalVnd == 105_000)
        #expect(reduced.category == Self.judicialReduced)
        #expect(reduced.lines.map(\.subtotalVnd) == [100_000, 5_000])
        #expect(reduced.lines.map(\.quantity) == [1, 1])
        let exempt = try FeeCalculator.quote(procedure, formData: ["so_luong_phieu": "2", FeeCalculator.categoryField: Self.judicialExempt])
        #expect(exempt.isExemption)
        #expect(exempt.legalBasis == ["Thông tư 244/2016/TT-BTC, Điều 5"])
    }

    @Test(arguments: ["0", "-1", "2.5", "1.000", "hai", "10001", "1e3", "+3"])
    func quantityMustBeAPositiveWholeNumber(value: String) throws {
        let procedure = try #require(try Self.seedProcedures()["HN-TP-001"])
        let error = Self.refusal { _ = try FeeCalculator.quote(procedure, formData: ["so_luong_phieu": value]) }
        #expect(error?.code == .invalidArgument, "\(value) was accepted")
        #expect(error?.violations.map(\.field) == ["form_data.so_luong_phieu"])
        #expect(FeeCalculator.parseQuantity(value) == nil)
    }

    @Test func blankQuantityCountsOneAndOfficersCountsOverride() throws {
        let procedure = try #require(try Self.seedProcedures()["HN-CT-001"])
        #expect(try FeeCalculator.quantities(for: procedure, formData: [:]) == ["so_trang": 1, "so_ban": 1])
        let counted = try FeeCalculator.quantities(for: procedure, formData: ["so_trang": "3", "so_ban": "2"], overrides: ["so_trang": 4])
        #expect(counted == ["so_trang": 4, "so_ban": 2])
        #expect(try FeeCalculator.quote(procedure, category: "", quantities: counted).totalVnd == 12_000)
        #expect(throws: RPCError.self) { try FeeCalculator.quantities(for: procedure, formData: [:], overrides: ["so_phong": 2]) }
        #expect(throws: RPCError.self) { try FeeCalculator.quantities(for: procedure, formData: [:], overrides: ["so_trang": 0]) }
    }

    @Test func unknownCategoryIsRefusedNamingTheField() throws {
        let procedure = try #require(try Self.seedProcedures()["HN-TP-001"])
        let error = Self.refusal { _ = try FeeCalculator.quote(procedure, formData: [FeeCalculator.categoryField: "Người nổi tiếng"]) }
        #expect(error?.violations.map(\.field) == ["form_data.doi_tuong_le_phi"], "an unknown category was accepted")
        #expect(throws: RPCError.self) { try FeeCalculator.quote(procedure, category: "Người nổi tiếng", quantities: [:]) }
    }

    /// The loader refuses fee lines the forms cannot feed.
    @Test func feeLinesMustBeComputableFromTheForms() throws {
        let url = SeedCatalog.bundled
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var procedures = try #require(json["procedures"] as? [[String: Any]])
        let index = try #require(procedures.firstIndex { $0["code"] as? String == "HN-TP-001" })
        var fees = try #require(procedures[index]["fees"] as? [[String: Any]])
        fees[1]["quantityField"] = "so_ban_khong_co"
        procedures[index]["fees"] = fees
        json["procedures"] = procedures
        let data = try JSONSerialization.data(withJSONObject: json)
        do {
            _ = try SeedCatalog.load(json: data, formsRelativeTo: url.deletingLastPathComponent())
            Issue.record("loaded")
        } catch {
            #expect("\(error)".contains("fees[1].quantity_field"), "\(error)")
            #expect("\(error)".contains("so_ban_khong_co"), "\(error)")
        }
    }
}
