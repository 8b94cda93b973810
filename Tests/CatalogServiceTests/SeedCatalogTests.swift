import CatalogService
import Crypto
import DVCProto
import Foundation
import Testing

/// The seed catalog shipped in the CatalogService bundle, and the loader's refusals.
@Suite struct SeedCatalogTests {
    typealias Loaded = (document: CatalogV1.CatalogDocument, formContents: [String: Data])

    static func seed() throws -> Loaded {
        try SeedCatalog.load(from: SeedCatalog.bundled)
    }

    /// Lower case without diacritics, đ as d, so names can be matched as a citizen would type them.
    static func fold(_ text: String) -> String {
        text.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "D")
            .decomposedStringWithCanonicalMapping.unicodeScalars
            .filter { !(0x300...0x36F).contains($0.value) }
            .reduce(into: "") { $0.unicodeScalars.append($1) }
            .lowercased()
    }

    static func procedure(_ document: CatalogV1.CatalogDocument, named folded: String) -> CatalogV1.Procedure? {
        document.procedures.first { fold($0.name) == folded }
    }

    // MARK: - The bundled seed

    @Test func bundledSeedLoads() throws {
        let (document, forms) = try Self.seed()
        #expect(SeedCatalog.bundled.lastPathComponent == "catalog.json")
        #expect(document.procedures.count >= 30)
        #expect(document.agencies.count >= 20)
        #expect(document.fields.count >= 10)
        #expect(forms.count == document.procedures.reduce(0) { $0 + $1.forms.count })
        #expect(document.calendarOverrides.isEmpty)
    }

    @Test func structureOfHaNoi() throws {
        let (document, _) = try Self.seed()
        let roots = document.agencies.filter { $0.parentCode.isEmpty }
        #expect(roots.count == 1)
        #expect(roots.first?.kind == .city)
        #expect(roots.first?.code == "000.00.00.H26")
        let departments = document.agencies.filter { $0.kind == .department }
        #expect(departments.count == 10)
        #expect(departments.allSatisfy { $0.parentCode == roots.first?.code })
        let expected = [
            "so cong thuong", "so du lich", "so lao dong thuong binh va xa hoi", "so quy hoach va kien truc",
            "so tai chinh", "so tai nguyen va moi truong", "so tu phap", "so van hoa va the thao", "so xay dung", "so y te",
        ]
        #expect(Set(departments.map { Self.fold($0.name) }) == Set(expected))
        let districts = document.agencies.filter { $0.kind == .district }
        let wards = document.agencies.filter { $0.kind == .wardCommune }
        #expect(districts.count >= 3)
        #expect(wards.count >= 6)
        let districtCodes = Set(districts.map(\.code))
        #expect(wards.allSatisfy { districtCodes.contains($0.parentCode) })
        // QCVN 102:2016 form: three digits, two, two, then the province's code.
        #expect(document.agencies.allSatisfy { $0.code.wholeMatch(of: /[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.H26/) != nil })
    }

    @Test func everyDepartmentOffersAProcedure() throws {
        let (document, _) = try Self.seed()
        let offered = Set(document.levels.filter { $0.level >= 1 }.map(\.agencyCode))
        for department in document.agencies where department.kind == .department {
            #expect(offered.contains(department.code), "\(department.name) offers nothing")
        }
    }

    @Test(arguments: [
        "cap giay phep xay dung moi doi voi nha o rieng le",
        "cap giay phep xay dung moi doi voi cong trinh",
        "cap giay phep quy hoach du an dau tu xay dung cong trinh",
        "cap ban sao trich luc khai sinh",
        "cap ban sao trich luc khai tu",
        "cap ban sao trich luc ket hon",
        "dang ky khai sinh",
        "dang ky khai tu",
        "dang ky ket hon",
    ])
    func requiredProcedureIsPresentAndComplete(name: String) throws {
        let (document, _) = try Self.seed()
        let procedure = try #require(Self.procedure(document, named: name), "missing: \(name)")
        #expect(!procedure.documents.isEmpty)
        #expect(!procedure.steps.isEmpty)
        #expect(!procedure.legalBasis.isEmpty)
        #expect(!procedure.processingTimeBasis.isEmpty)
        #expect(!procedure.resultDocument.isEmpty)
        #expect((procedure.processingWorkingDays == 0) != (procedure.processingWorkingHours == 0))
        #expect(procedure.fees.allSatisfy { !$0.legalBasis.isEmpty })
        #expect(document.levels.contains { $0.procedureCode == procedure.code && $0.level >= 1 })
    }

    @Test func factsOfTheCoreProcedures() throws {
        let (document, _) = try Self.seed()
        let birth = try #require(Self.procedure(document, named: "dang ky khai sinh"))
        #expect(birth.code == "1.001193")
        #expect(birth.agencyKinds == [.wardCommune])
        #expect(birth.fees.contains { $0.amountVnd == 0 && Self.fold($0.description).contains("dung han") })
        let house = try #require(Self.procedure(document, named: "cap giay phep xay dung moi doi voi nha o rieng le"))
        #expect(house.processingWorkingDays == 15)
        let building = try #require(Self.procedure(document, named: "cap giay phep xay dung moi doi voi cong trinh"))
        #expect(building.processingWorkingDays == 20)
        for event in ["khai sinh", "khai tu", "ket hon"] {
            let copy = try #require(Self.procedure(document, named: "cap ban sao trich luc \(event)"))
            #expect(copy.fees.map(\.amountVnd) == [8000])
            #expect(copy.fees.first?.unit == "per_copy")
        }
    }

    @Test func levelsVaryAndStayUnderCeilings() throws {
        let (document, _) = try Self.seed()
        let agencies = Dictionary(uniqueKeysWithValues: document.agencies.map { ($0.code, $0) })
        #expect(Set(document.levels.map(\.level)) == [1, 2, 3, 4])
        #expect(document.agencies.contains { $0.levelCeiling == 3 })
        for level in document.levels {
            let agency = try #require(agencies[level.agencyCode])
            #expect(level.level <= agency.levelCeiling, "\(level.agencyCode) \(level.procedureCode)")
        }
    }

    @Test func aDistrictOffersTheExtractCopiesAtLevel4() throws {
        let (document, _) = try Self.seed()
        let copies = try ["khai sinh", "khai tu", "ket hon"].map {
            try #require(Self.procedure(document, named: "cap ban sao trich luc \($0)")).code
        }
        let districts = document.agencies.filter { $0.kind == .district && $0.levelCeiling == 4 }
        let atLevel4 = districts.filter { district in
            copies.allSatisfy { code in
                document.levels.contains { $0.agencyCode == district.code && $0.procedureCode == code && $0.level == 4 }
            }
        }
        #expect(!atLevel4.isEmpty)
    }

    @Test func aWardOffersBirthRegistrationAtLevel4() throws {
        let (document, _) = try Self.seed()
        let birth = try #require(Self.procedure(document, named: "dang ky khai sinh"))
        let wards = Set(document.agencies.filter { $0.kind == .wardCommune }.map(\.code))
        #expect(document.levels.contains { wards.contains($0.agencyCode) && $0.procedureCode == birth.code && $0.level == 4 })
    }

    @Test func everyProcedureIsOfferedByAnAgencyOfItsKind() throws {
        let (document, _) = try Self.seed()
        let agencies = Dictionary(uniqueKeysWithValues: document.agencies.map { ($0.code, $0) })
        for procedure in document.procedures {
            let offering = document.levels.filter { $0.procedureCode == procedure.code }.compactMap { agencies[$0.agencyCode] }
            #expect(offering.contains { procedure.agencyKinds.contains($0.kind) }, "\(procedure.name) is offered nowhere")
            #expect(offering.allSatisfy { procedure.agencyKinds.contains($0.kind) })
        }
    }

    @Test func feesAreWholeDongInTheFile() throws {
        let (document, _) = try Self.seed()
        let fees = document.procedures.flatMap(\.fees)
        #expect(fees.contains { $0.amountVnd > 0 })
        #expect(fees.allSatisfy { $0.amountVnd >= 0 })
        // In the file itself, every amountVnd is written as an integer literal.
        let text = try String(contentsOf: SeedCatalog.bundled, encoding: .utf8)
        let amounts = text.matches(of: /"amountVnd": *([^,}\s]+)/).map { String($0.output.1) }
        #expect(amounts.count == fees.count)
        #expect(amounts.allSatisfy { $0.wholeMatch(of: /0|[1-9][0-9]*/) != nil })
    }

    @Test func formsAreRealPDFsWithTheirDigests() throws {
        let (document, contents) = try Self.seed()
        let folder = SeedCatalog.bundled.deletingLastPathComponent()
        let forms = document.procedures.flatMap(\.forms)
        #expect(forms.count >= 5)
        for form in forms {
            let bytes = try #require(contents[form.id])
            let onDisk = try Data(contentsOf: folder.appendingPathComponent("forms/\(form.id).pdf"))
            #expect(bytes == onDisk)
            // WeasyPrint writes PDF 1.7 (Services/catalog-svc/Seed/make-forms.py).
            #expect(bytes.starts(with: Array("%PDF-1.7".utf8)))
            let tail = String(decoding: bytes.suffix(8), as: UTF8.self)
            #expect(tail.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("%%EOF"))
            #expect(form.mediaType == "application/pdf")
            #expect(form.sizeBytes == Int64(bytes.count))
            #expect(form.sha256Hex == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
            #expect(form.sha256Hex.count == 64)
        }
    }

    @Test func birthAndBuildingFormsDeclareTheirFields() throws {
        let (document, _) = try Self.seed()
        for name in ["dang ky khai sinh", "cap giay phep xay dung moi doi voi nha o rieng le", "cap giay phep xay dung moi doi voi cong trinh"] {
            let procedure = try #require(Self.procedure(document, named: name))
            let form = try #require(procedure.forms.first)
            #expect(form.fields.count >= 8)
            #expect(form.fields.contains { $0.required })
            #expect(procedure.documents.contains { $0.formId == form.id })
            for field in form.fields where field.type == "citizen_id" {
                #expect(field.pattern == "^[0-9]{12}$")
            }
            #expect(form.fields.contains { $0.type == "citizen_id" })
        }
        let birth = try #require(Self.procedure(document, named: "dang ky khai sinh")?.forms.first)
        let sex = try #require(birth.fields.first { $0.name == "gioi_tinh" })
        #expect(sex.type == "select")
        #expect(sex.options == ["Nam", "Nữ"])
    }

    @Test func allTextIsNFC() throws {
        let text = try String(contentsOf: SeedCatalog.bundled, encoding: .utf8)
        #expect(text.unicodeScalars.elementsEqual(text.precomposedStringWithCanonicalMapping.unicodeScalars))
    }

    // MARK: - Refusals, on small fixtures

    /// A minimal valid catalog: a city with one district and one ward, one field, one procedure
    /// with one form, levels at the ward.
    static func fixture() -> [String: Any] {
        [
            "agencies": [
                ["code": "000.00.00.H99", "name": "Thành phố", "kind": "city", "parentCode": "", "levelCeiling": 4],
                ["code": "000.00.20.H99", "name": "Quận", "kind": "district", "parentCode": "000.00.00.H99", "levelCeiling": 4],
                ["code": "000.01.20.H99", "name": "Phường", "kind": "ward-commune", "parentCode": "000.00.20.H99", "levelCeiling": 3,
                 "officeHours": [["startMinute": 480, "endMinute": 720]]],
            ],
            "fields": [["code": "ho-tich", "name": "Hộ tịch"]],
            "procedures": [[
                "code": "1.001193", "name": "Đăng ký khai sinh", "fieldCode": "ho-tich", "agencyKinds": ["ward-commune"],
                "description": "", "steps": ["Nộp hồ sơ."],
                "documents": [["name": "Tờ khai", "formOfCopy": "bản chính", "count": 1, "formId": "tk"]],
                "processingWorkingHours": 8, "processingTimeBasis": "Luật Hộ tịch 2014",
                "fees": [["description": "Lệ phí", "amountVnd": 0, "unit": "per_dossier", "condition": "", "legalBasis": "Luật Hộ tịch 2014"]],
                "legalBasis": "Luật Hộ tịch 2014", "resultDocument": "Giấy khai sinh",
                "forms": [["id": "tk", "name": "Tờ khai", "file": "forms/tk.pdf", "mediaType": "application/pdf",
                           "fields": [["name": "so_dinh_danh", "label": "Số định danh", "type": "citizen_id", "required": true, "pattern": "^[0-9]{12}$"]]]],
            ]],
            "levels": [["agencyCode": "000.01.20.H99", "procedureCode": "1.001193", "level": 3]],
            "calendarOverrides": [],
        ]
    }

    static let pdf = Data("%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n".utf8)

    /// Writes `json` and (unless `withForm` is false) forms/tk.pdf into a new folder and loads it.
    static func load(_ json: [String: Any], withForm: Bool = true) throws -> Loaded {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("forms"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        if withForm { try pdf.write(to: folder.appendingPathComponent("forms/tk.pdf")) }
        let url = folder.appendingPathComponent("catalog.json")
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: url)
        return try SeedCatalog.load(from: url)
    }

    /// The message of the refusal, or nil when the catalog loads.
    static func refusal(_ json: [String: Any], withForm: Bool = true) -> String? {
        do {
            _ = try load(json, withForm: withForm)
            return nil
        } catch let error as SeedCatalog.LoadError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    static func modified(_ change: (inout [String: Any]) -> Void) -> [String: Any] {
        var json = fixture()
        change(&json)
        return json
    }

    static func edit(_ json: inout [String: Any], _ key: String, _ index: Int, _ change: (inout [String: Any]) -> Void) {
        var list = json[key] as! [[String: Any]]
        change(&list[index])
        json[key] = list
    }

    @Test func theFixtureLoads() throws {
        let (document, forms) = try Self.load(Self.fixture())
        #expect(document.agencies.count == 3)
        #expect(document.agencies[2].officeHours.first?.startMinute == 480)
        #expect(document.procedures.first?.forms.first?.sizeBytes == Int64(Self.pdf.count))
        #expect(forms["tk"] == Self.pdf)
        // SHA-256 against an independent digest of the same bytes (sha256sum of the fixture).
        #expect(document.procedures.first?.forms.first?.sha256Hex
            == SHA256.hash(data: Self.pdf).map { String(format: "%02x", $0) }.joined())
        #expect(document.levels.first?.level == 3)
    }

    @Test func sha256IsTheStandardDigest() throws {
        // FIPS 180-2 test vector: SHA-256("abc").
        let digest = SHA256.hash(data: Data("abc".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func unknownParentIsRefused() {
        let message = Self.refusal(Self.modified { Self.edit(&$0, "agencies", 2) { $0["parentCode"] = "000.00.99.H99" } })
        #expect(message?.contains("unknown parent 000.00.99.H99") == true, "\(message ?? "loaded")")
    }

    @Test func unknownFieldIsRefused() {
        let message = Self.refusal(Self.modified { Self.edit(&$0, "procedures", 0) { $0["fieldCode"] = "khong-co" } })
        #expect(message?.contains("unknown field khong-co") == true, "\(message ?? "loaded")")
    }

    @Test func levelAboveTheCeilingIsRefused() {
        let message = Self.refusal(Self.modified { Self.edit(&$0, "levels", 0) { $0["level"] = 4 } })
        #expect(message?.contains("above the ceiling 3") == true, "\(message ?? "loaded")")
    }

    @Test(arguments: [0, 5])
    func levelOutside1To4IsRefused(level: Int) {
        let message = Self.refusal(Self.modified { Self.edit(&$0, "levels", 0) { $0["level"] = level } })
        #expect(message?.contains("level \(level) is outside 1...4") == true, "\(message ?? "loaded")")
    }

    @Test func ceilingOutside1To4IsRefused() {
        let message = Self.refusal(Self.modified { Self.edit(&$0, "agencies", 0) { $0["levelCeiling"] = 5 } })
        #expect(message?.contains("ceiling 5 is outside 1...4") == true, "\(message ?? "loaded")")
    }

    @Test func levelAtAnAgencyOfTheWrongKindIsRefused() {
        let message = Self.refusal(Self.modified { Self.edit(&$0, "levels", 0) { $0["agencyCode"] = "000.00.20.H99" } })
        #expect(message?.contains("not of a kind") == true, "\(message ?? "loaded")")
    }

    @Test func missingFormFileIsRefused() {
        let message = Self.refusal(Self.fixture(), withForm: false)
        #expect(message?.contains("form file forms/tk.pdf of form tk is missing") == true, "\(message ?? "loaded")")
    }

    @Test func formFileOutsideTheFolderIsRefused() {
        let json = Self.modified { json in
            Self.edit(&json, "procedures", 0) { procedure in
                var forms = procedure["forms"] as! [[String: Any]]
                forms[0]["file"] = "../catalog.json"
                procedure["forms"] = forms
            }
        }
        #expect(Self.refusal(json)?.contains("must be a relative path inside") == true)
    }

    @Test func duplicateAgencyCodeIsRefused() {
        let message = Self.refusal(Self.modified { Self.edit(&$0, "agencies", 2) { $0["code"] = "000.00.20.H99" } })
        #expect(message?.contains("duplicate agency code 000.00.20.H99") == true, "\(message ?? "loaded")")
    }

    @Test func duplicateProcedureCodeIsRefused() {
        let json = Self.modified { json in
            var procedures = json["procedures"] as! [[String: Any]]
            var copy = procedures[0]
            copy["forms"] = []
            copy["documents"] = []
            procedures.append(copy)
            json["procedures"] = procedures
        }
        let message = Self.refusal(json)
        #expect(message?.contains("duplicate procedure code 1.001193") == true, "\(message ?? "loaded")")
    }

    @Test func duplicateFieldCodeIsRefused() {
        let json = Self.modified { json in
            json["fields"] = [["code": "ho-tich", "name": "Hộ tịch"], ["code": "ho-tich", "name": "Hộ tịch (2)"]]
        }
        #expect(Self.refusal(json)?.contains("duplicate field code ho-tich") == true)
    }

    @Test func textNotInNFCIsRefused() {
        // "Phường" with the horn and the grave accent as combining marks (NFD).
        let decomposed = "Phu\u{031B}o\u{031B}\u{0300}ng"
        #expect(decomposed == "Phường") // equal as Swift Strings, different bytes
        let message = Self.refusal(Self.modified { Self.edit(&$0, "agencies", 2) { $0["name"] = decomposed } })
        #expect(message?.contains("not in Unicode NFC") == true, "\(message ?? "loaded")")
    }

    @Test func fractionalFeeIsRefused() {
        let json = Self.modified { json in
            Self.edit(&json, "procedures", 0) { procedure in
                var fees = procedure["fees"] as! [[String: Any]]
                fees[0]["amountVnd"] = 1500.5
                procedure["fees"] = fees
            }
        }
        let message = Self.refusal(json)
        #expect(message?.contains("fees[0].amountVnd: 1500.5 is not a whole number of đồng") == true, "\(message ?? "loaded")")
    }

    @Test func unknownKindIsRefused() {
        let message = Self.refusal(Self.modified { Self.edit(&$0, "agencies", 1) { $0["kind"] = "province" } })
        #expect(message?.contains("unknown kind \"province\"") == true, "\(message ?? "loaded")")
    }

    @Test func bothOrNeitherProcessingTimeIsRefused() {
        let json = Self.modified { Self.edit(&$0, "procedures", 0) { $0["processingWorkingDays"] = 3 } }
        #expect(Self.refusal(json)?.contains("exactly one of processingWorkingDays") == true)
    }

    @Test func badFormFieldIsRefused() {
        let json = Self.modified { json in
            Self.edit(&json, "procedures", 0) { procedure in
                var forms = procedure["forms"] as! [[String: Any]]
                forms[0]["fields"] = [["name": "x", "label": "X", "type": "colour", "required": false]]
                procedure["forms"] = forms
            }
        }
        #expect(Self.refusal(json)?.contains("unknown type \"colour\"") == true)
    }

    @Test func invalidUTF8IsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("catalog.json")
        try Data([0x7B, 0xFF, 0x7D]).write(to: url)
        #expect(throws: SeedCatalog.LoadError("the file is not valid UTF-8")) { try SeedCatalog.load(from: url) }
    }
}
