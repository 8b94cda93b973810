import DVCProto
import Foundation
import RPCCore
import Testing

@testable import DossierService

@Suite struct FormDataValidatorTests {
    static func field(_ name: String, _ type: String, label: String? = nil, required: Bool = false,
                      pattern: String = "", options: [String] = []) -> CatalogV1.FormField {
        var field = CatalogV1.FormField()
        field.name = name
        field.label = label ?? name
        field.type = type
        field.required = required
        field.pattern = pattern
        field.options = options
        return field
    }

    /// A birth-registration-like form with one field of each type, as in the seed catalog.
    static let fields: [CatalogV1.FormField] = [
        field("ho_ten", "text", label: "Họ, chữ đệm, tên người yêu cầu", required: true),
        field("so_dinh_danh", "citizen_id", label: "Số định danh cá nhân", required: true, pattern: "^[0-9]{12}$"),
        field("ngay_sinh", "date", label: "Ngày, tháng, năm sinh", required: true),
        field("dien_tich", "number", label: "Diện tích lô đất (m²)", pattern: "^[0-9]+(\\.[0-9]{1,2})?$"),
        field("email", "email", label: "Thư điện tử"),
        field("dien_thoai", "phone", label: "Số điện thoại liên hệ", pattern: "^(0|\\+84)[0-9]{9,10}$"),
        field("quan_he", "select", label: "Quan hệ với người được khai sinh", required: true,
              options: ["Cha", "Mẹ", "Ông", "Bà", "Người thân thích khác"]),
    ]

    static let valid: [String: String] = [
        "ho_ten": "Nguyễn Văn An",
        "so_dinh_danh": "001099012345",
        "ngay_sinh": "2026-11-29",
        "dien_tich": "120.5",
        "email": "nguyenvanan@example.vn",
        "dien_thoai": "0912345678",
        "quan_he": "Mẹ",
    ]

    static let validator = try! FormDataValidator(fields: fields)

    static func problems(_ data: [String: String], _ validator: FormDataValidator = validator) -> [String: String] {
        Dictionary(uniqueKeysWithValues: validator.check(data).violations.map { ($0.field, $0.description) })
    }

    /// The violation of a single field set to `value` in an otherwise valid form.
    static func problem(_ name: String, _ value: String) -> String? {
        var data = valid
        data[name] = value
        let found = problems(data)
        #expect(found.keys.allSatisfy { $0 == "form_data.\(name)" }, "\(found)")
        return found["form_data.\(name)"]
    }

    static func stored(_ name: String, _ value: String) -> String? {
        var data = valid
        data[name] = value
        return validator.check(data).values[name]
    }

    // MARK: - The whole form

    @Test func aValidFormPasses() throws {
        let outcome = Self.validator.check(Self.valid)
        #expect(outcome.isValid)
        #expect(outcome.values == Self.valid)
        #expect(try Self.validator.validate(Self.valid) == Self.valid)
        #expect(Self.validator.fieldNames == Self.fields.map(\.name))
    }

    @Test func missingRequiredFieldsEachGetAViolation() {
        let found = Self.problems(["email": "a@b.vn"])
        #expect(found == [
            "form_data.ho_ten": "“Họ, chữ đệm, tên người yêu cầu” is required",
            "form_data.so_dinh_danh": "“Số định danh cá nhân” is required",
            "form_data.ngay_sinh": "“Ngày, tháng, năm sinh” is required",
            "form_data.quan_he": "“Quan hệ với người được khai sinh” is required",
        ])
    }

    @Test func aBlankRequiredValueIsMissing() {
        for blank in ["", "   ", "\n\t", "\u{00A0}"] {
            #expect(Self.problem("ho_ten", blank) == "“Họ, chữ đệm, tên người yêu cầu” is required")
        }
    }

    @Test func aBlankOptionalValueIsLeftOut() {
        var data = Self.valid
        data["email"] = "  "
        data["dien_thoai"] = ""
        data.removeValue(forKey: "dien_tich")
        let outcome = Self.validator.check(data)
        #expect(outcome.isValid)
        #expect(outcome.values["email"] == nil)
        #expect(outcome.values["dien_thoai"] == nil)
        #expect(outcome.values.count == 4)
    }

    @Test func unknownKeysAreRefused() {
        var data = Self.valid
        data["ghi_chu"] = "x"
        data["Ho_ten"] = "case matters"
        let outcome = Self.validator.check(data)
        #expect(outcome.violations.map(\.field) == ["form_data.Ho_ten", "form_data.ghi_chu"])
        #expect(outcome.violations.last?.description == "“ghi_chu” is not a field of this procedure's forms")
    }

    @Test func violationsComeInDeclarationOrderThenUnknownKeys() throws {
        let data = ["zzz": "1", "quan_he": "Chú", "ngay_sinh": "29/11/2026", "ho_ten": "An", "so_dinh_danh": "1"]
        let outcome = Self.validator.check(data)
        #expect(outcome.violations.map(\.field)
                == ["form_data.so_dinh_danh", "form_data.ngay_sinh", "form_data.quan_he", "form_data.zzz"])
        #expect(outcome.values == ["ho_ten": "An"])
        do {
            _ = try Self.validator.validate(data)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.violations == outcome.violations)
            #expect(error.message.hasPrefix("form_data has 4 invalid fields: form_data.so_dinh_danh: "))
        }
    }

    // MARK: - Normalisation

    @Test func decomposedVietnameseIsStoredPrecomposed() throws {
        let nfc = "Nguyễn"
        let nfd = nfc.decomposedStringWithCanonicalMapping
        #expect(nfd.unicodeScalars.count == 8 && nfc.unicodeScalars.count == 6)
        #expect(Array(nfd.utf8) != Array(nfc.utf8))
        let value = try #require(Self.stored("ho_ten", "\(nfd) Văn An"))
        #expect(Array(value.utf8) == Array("Nguyễn Văn An".utf8))
        // A select option typed decomposed is the option.
        #expect(Self.stored("quan_he", "Mẹ".decomposedStringWithCanonicalMapping).map { Array($0.utf8) } == Array("Mẹ".utf8))
        // Even when the catalog spells an option decomposed, the value matches and is stored NFC.
        let decomposedOption = "Bà".decomposedStringWithCanonicalMapping
        let validator = try FormDataValidator(fields: [Self.field("q", "select", options: [decomposedOption])])
        #expect(validator.check(["q": "Bà"]).values["q"].map { Array($0.utf8) } == Array("Bà".utf8))
    }

    @Test func valuesAreTrimmed() {
        #expect(Self.stored("ho_ten", "  Nguyễn Văn An \n") == "Nguyễn Văn An")
        #expect(Self.stored("ngay_sinh", " 2026-11-29\t") == "2026-11-29")
        #expect(Self.stored("quan_he", "\u{00A0}Mẹ ") == "Mẹ")
    }

    @Test func theLengthLimitCountsScalarsAfterNormalisation() throws {
        let validator = try FormDataValidator(fields: [Self.field("t", "text")])
        #expect(validator.check(["t": String(repeating: "a", count: 2000)]).isValid)
        #expect(Self.problems(["t": String(repeating: "a", count: 2001)], validator)
                == ["form_data.t": "“t” is longer than 2000 characters"])
        // 2000 letters typed decomposed (6000 scalars) are 2000 once composed.
        #expect(validator.check(["t": String(repeating: "ễ".decomposedStringWithCanonicalMapping, count: 2000)]).isValid)
        // A character stacked with combining marks counts every mark.
        let stacked = "a" + String(repeating: "\u{0301}\u{0302}", count: 1100)
        #expect(!validator.check(["t": stacked]).isValid)
        let short = try FormDataValidator(fields: [Self.field("t", "text")], maximumValueLength: 5)
        #expect(short.check(["t": "Nguyễn".decomposedStringWithCanonicalMapping]).violations.count == 1)
        #expect(short.check(["t": "Trần"]).isValid)
    }

    // MARK: - Types

    @Test func text() {
        #expect(Self.problem("ho_ten", "Nguyễn Văn An") == nil)
        #expect(Self.problem("ho_ten", "Số 1, ngõ 2\nphố Hàng Bông\tHà Nội") == nil)
        #expect(Self.problem("ho_ten", "An\u{0007}") == "“Họ, chữ đệm, tên người yêu cầu” contains control characters")
        #expect(Self.problem("ho_ten", "An\u{0000}Bình") != nil)
    }

    @Test(arguments: ["2026-11-29", "2024-02-29", "2000-02-29", "1900-01-01", "0001-01-01", "2026-12-31"])
    func realDates(value: String) {
        #expect(Self.problem("ngay_sinh", value) == nil)
    }

    @Test(arguments: ["2025-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-11-00",
                      "0000-01-01", "2026-1-01", "26-11-29", "29/11/2026", "2026/11/29", "2026-11-29T00:00",
                      "２０２６-11-29", "20261129", "hôm nay"])
    func notDates(value: String) {
        #expect(Self.problem("ngay_sinh", value)
                == "“Ngày, tháng, năm sinh” must be a real date written yyyy-MM-dd, e.g. 2026-11-29")
    }

    @Test func numbers() throws {
        let validator = try FormDataValidator(fields: [Self.field("n", "number", label: "Số tầng")])
        for good in ["0", "12", "12.5", "-3", "-0.25", "007", "123456789012345678901234567890"] {
            #expect(validator.check(["n": good]).isValid, "\(good)")
        }
        for bad in ["1.000.000", "1,5", "abc", ".5", "5.", "+5", "--1", "1e5", "1 000", "٣", "0x10", "-"] {
            #expect(Self.problems(["n": bad], validator)
                    == ["form_data.n": "“Số tầng” must be a number written with digits and '.' for decimals, e.g. 12 or 12.5"],
                    "\(bad)")
        }
        // The catalog's pattern narrows further.
        #expect(Self.problem("dien_tich", "120.555")?.contains("does not have the required format") == true)
        #expect(Self.problem("dien_tich", "-5")?.contains("does not have the required format") == true)
    }

    @Test func citizenIDs() {
        for good in ["001099012345", "096300000001", "079201000001", "031187654321"] {
            #expect(Self.problem("so_dinh_danh", good) == nil, "\(good)")
        }
        for bad in ["00109901234", "0010990123456", "00109901234a", "001 099 012 345", "００１０９９０１２３４５"] {
            #expect(Self.problem("so_dinh_danh", bad)
                    == "“Số định danh cá nhân” must be a 12-digit personal identification number (số định danh cá nhân)",
                    "\(bad)")
        }
        #expect(Self.problem("so_dinh_danh", "000099012345")
                == "“Số định danh cá nhân” must begin with a province code from 001 to 096, not 000")
        #expect(Self.problem("so_dinh_danh", "097099012345")?.contains("not 097") == true)
        #expect(Self.problem("so_dinh_danh", "999999999999")?.contains("not 999") == true)
    }

    @Test func emails() {
        for good in ["nguyenvanan@example.vn", "an.nguyen+dvc@mail.hanoi.gov.vn", "A_B-c@x-y.com.vn", "a@b.co"] {
            #expect(Self.problem("email", good) == nil, "\(good)")
        }
        for bad in ["nguyenvanan", "@example.vn", "an@", "an@example", "an@@example.vn", "an@ex ample.vn",
                    "an nguyen@example.vn", "an@-example.vn", "an@example-.vn", "an@example..vn", ".an@example.vn",
                    "an.@example.vn", "a..n@example.vn", "an@example.v", "an@example.123", "nguyễn@example.vn",
                    "an@bộ.vn", "an(x)@example.vn", String(repeating: "a", count: 65) + "@example.vn"] {
            #expect(Self.problem("email", bad) == "“Thư điện tử” must be an email address, e.g. nguyenvana@example.vn",
                    "\(bad)")
        }
    }

    @Test func phones() {
        for (typed, stored) in [("0912345678", "0912345678"), ("+84912345678", "+84912345678"),
                                ("0312 345 678", "0312345678"), ("091-234-5678", "0912345678"),
                                ("0912.345.678", "0912345678"), ("0581234567", "0581234567"),
                                ("0701234567", "0701234567"), ("0861234567", "0861234567"),
                                ("+84 86 123 4567", "+84861234567")] {
            #expect(Self.problem("dien_thoai", typed) == nil, "\(typed)")
            #expect(Self.stored("dien_thoai", typed) == stored)
        }
        for bad in ["091234567", "09123456789", "0212345678", "0112345678", "0412345678", "0612345678",
                    "84912345678", "+840912345678", "+8491234567", "+1 415 555 0100", "091234567a",
                    "(091) 234 5678", "０９１２３４５６７８", "0"] {
            #expect(Self.problem("dien_thoai", bad)?.hasPrefix("“Số điện thoại liên hệ” must be a Vietnamese mobile number") == true,
                    "\(bad)")
        }
    }

    @Test func selects() {
        for option in ["Cha", "Mẹ", "Ông", "Bà", "Người thân thích khác"] {
            #expect(Self.problem("quan_he", option) == nil)
        }
        for bad in ["me", "Me", "MẸ", "Chú", "Cha, Mẹ"] {
            #expect(Self.problem("quan_he", bad)
                    == "“Quan hệ với người được khai sinh” must be one of: Cha, Mẹ, Ông, Bà, Người thân thích khác", "\(bad)")
        }
    }

    // MARK: - Patterns

    @Test func patternsMatchTheWholeValue() throws {
        let validator = try FormDataValidator(fields: [
            Self.field("ma", "text", label: "Mã số doanh nghiệp", pattern: "[0-9]{10}(-[0-9]{3})?"),
            Self.field("alt", "text", pattern: "a|ab"),
            Self.field("multi", "text", pattern: "^[a-z]+$"),
        ])
        #expect(validator.check(["ma": "0101234567"]).isValid)
        #expect(validator.check(["ma": "0101234567-001"]).isValid)
        // Unanchored in the catalog, anchored here: a longer value that contains a match fails.
        #expect(Self.problems(["ma": "01012345678"], validator)
                == ["form_data.ma": "“Mã số doanh nghiệp” does not have the required format ([0-9]{10}(-[0-9]{3})?)"])
        #expect(!validator.check(["ma": "x0101234567"]).isValid)
        // The first match of "a|ab" in "ab" is "a"; the whole value still matches.
        #expect(validator.check(["alt": "ab"]).isValid)
        #expect(!validator.check(["alt": "abc"]).isValid)
        // `$` would match before a final newline; the whole-value match does not let one through.
        #expect(!validator.check(["multi": "abc\ndef"]).isValid)
        #expect(validator.check(["multi": "abc"]).isValid)
    }

    @Test func thePatternSeesTheNormalisedValue() throws {
        let validator = try FormDataValidator(fields: [Self.field("ten", "text", pattern: "^Nguyễn .+$")])
        #expect(validator.check(["ten": "  \("Nguyễn".decomposedStringWithCanonicalMapping) An "]).isValid)
        // And a phone's pattern sees the number without separators.
        #expect(Self.problem("dien_thoai", "0912 345 678") == nil)
    }

    // MARK: - The catalog's declarations

    @Test func aNameDeclaredByTwoFormsMustSatisfyBoth() throws {
        var first = CatalogV1.FormTemplate()
        first.fields = [Self.field("so_tang", "number", label: "Số tầng", pattern: "^[0-9]{1,3}$")]
        var second = CatalogV1.FormTemplate()
        second.fields = [Self.field("so_tang", "number", label: "Số tầng (gồm tầng hầm)", required: true, pattern: "^[0-9]{1,2}$"),
                         Self.field("ghi_chu", "text")]
        var procedure = CatalogV1.Procedure()
        procedure.forms = [first, second]
        let validator = try FormDataValidator(procedure: procedure)
        #expect(validator.fieldNames == ["so_tang", "ghi_chu"])
        #expect(validator.check(["so_tang": "12"]).isValid)
        #expect(Self.problems(["so_tang": "120"], validator)
                == ["form_data.so_tang": "“Số tầng” does not have the required format (^[0-9]{1,2}$)"])
        // Required because the second form requires it.
        #expect(Self.problems([:], validator) == ["form_data.so_tang": "“Số tầng” is required"])
    }

    @Test func aFieldWithoutALabelIsNamedByItsName() throws {
        var field = Self.field("x", "date", required: true)
        field.label = ""
        let validator = try FormDataValidator(fields: [field])
        #expect(Self.problems([:], validator) == ["form_data.x": "“x” is required"])
    }

    @Test func declarationsTheCatalogShouldHaveRefused() {
        for field in [Self.field("a", "datetime"), Self.field("b", ""), Self.field("c", "text", pattern: "("),
                      Self.field("d", "text", pattern: "a)(b"), Self.field("e", "text", pattern: "[z-a]")] {
            #expect(throws: RPCError.self) { try FormDataValidator(fields: [field]) }
            do {
                _ = try FormDataValidator(fields: [field])
            } catch {
                #expect(error.code == .failedPrecondition)
                #expect(error.message.contains("form field \(field.name)"))
            }
        }
    }

    @Test func anEmptyFormAcceptsOnlyNothing() throws {
        let validator = try FormDataValidator(fields: [])
        #expect(validator.check([:]).isValid)
        #expect(Self.problems(["x": "1"], validator) == ["form_data.x": "“x” is not a field of this procedure's forms"])
    }
}
