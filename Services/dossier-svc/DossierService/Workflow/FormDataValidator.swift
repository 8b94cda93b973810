import DVCProto
import Foundation
import OneStop
import RPCCore

/// Checks a dossier's form data against the fields its procedure's forms declare in the
/// catalog, and returns the values in the form they are stored.
///
/// Every bad field gets its own violation (`form_data.<name>`, naming the field's label), so a
/// portal can mark all of them at once instead of making the citizen resubmit field by field.
/// Values are NFC-normalised and trimmed before anything else: Vietnamese text typed on
/// different keyboards arrives precomposed or decomposed ("Nguyễn" as 6 or 8 scalars), and a
/// system of record must store, compare and search one spelling. Keys the forms do not declare
/// are refused rather than kept, so nothing unvalidated reaches the record.
public struct FormDataValidator: Sendable {
    /// A printed form has no field longer than this; the limit keeps one value from bloating
    /// the record and every document produced from it.
    public static let defaultMaximumValueLength = 2000

    /// Counted in Unicode scalars after NFC (a Vietnamese letter is one), which bounds storage
    /// even for text stacked with combining marks, where counting characters would not.
    public let maximumValueLength: Int
    private let fields: [Field]
    /// The fields the procedure's fee counts (FeeCalculator): each must hold a positive whole
    /// number, or the fee could not be computed from the form.
    private let quantityFields: Set<String>

    /// The validator of a list of declared fields (one form, or several concatenated).
    ///
    /// A name declared by several forms of the same procedure is one datum: its value must
    /// satisfy every declaration, and it is required if any declaration requires it.
    /// Throws FAILED_PRECONDITION for a field the catalog should never have accepted (an unknown
    /// type, a pattern that does not compile): storing data checked against half a declaration
    /// would be worse than refusing the submission until the catalog is fixed.
    public init(fields declared: [CatalogV1.FormField], quantityFields: Set<String> = [],
                maximumValueLength: Int = FormDataValidator.defaultMaximumValueLength) throws(RPCError) {
        var order: [String] = []
        var byName: [String: [Declaration]] = [:]
        for field in declared {
            let declaration = try Declaration(field)
            if byName[field.name] == nil { order.append(field.name) }
            byName[field.name, default: []].append(declaration)
        }
        self.fields = order.map { name in
            let declarations = byName[name]!
            return Field(name: name, label: declarations[0].label.isEmpty ? name : declarations[0].label,
                         required: declarations.contains(where: \.required), declarations: declarations)
        }
        self.maximumValueLength = maximumValueLength
        self.quantityFields = quantityFields
    }

    /// The validator of every form of a procedure.
    public init(procedure: CatalogV1.Procedure,
                maximumValueLength: Int = FormDataValidator.defaultMaximumValueLength) throws(RPCError) {
        try self.init(fields: procedure.forms.flatMap(\.fields), quantityFields: Set(FeeCalculator.quantityFields(of: procedure)),
                      maximumValueLength: maximumValueLength)
    }

    /// The declared field names, in declaration order.
    public var fieldNames: [String] { fields.map(\.name) }

    public struct Outcome: Sendable, Hashable {
        /// The valid values as they are to be stored: NFC, trimmed, canonical (a phone number
        /// without separators). Optional fields left blank are absent.
        public var values: [String: String]
        /// One per bad field: declared fields in declaration order, then unknown keys sorted.
        public var violations: [FieldViolation]
        public var isValid: Bool { violations.isEmpty }
    }

    /// Every value checked; never throws, for callers that collect violations from elsewhere too.
    public func check(_ formData: [String: String]) -> Outcome {
        var values: [String: String] = [:]
        var violations: [FieldViolation] = []
        for field in fields {
            let raw = formData[field.name] ?? ""
            let value = raw.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
            let path = "form_data.\(field.name)"
            if value.isEmpty {
                if field.required {
                    violations.append(FieldViolation(field: path, description: "\(quote(field.label)) is required"))
                }
                continue
            }
            if value.unicodeScalars.count > maximumValueLength {
                violations.append(FieldViolation(
                    field: path,
                    description: "\(quote(field.label)) is longer than \(maximumValueLength) characters"))
                continue
            }
            var canonical = value
            var problem: String?
            for declaration in field.declarations {
                switch declaration.check(canonical) {
                case .good(let next): canonical = next
                case .bad(let why): problem = why
                }
                if problem != nil { break }
            }
            if problem == nil, quantityFields.contains(field.name), FeeCalculator.parseQuantity(canonical) == nil {
                problem = "must be a positive whole number from 1 to \(FeeCalculator.maximumQuantity): the fee counts it"
            }
            if let problem {
                violations.append(FieldViolation(field: path, description: "\(quote(field.label)) \(problem)"))
            } else {
                values[field.name] = canonical
            }
        }
        let declared = Set(fields.map(\.name))
        for key in formData.keys.sorted() where !declared.contains(key) {
            violations.append(FieldViolation(
                field: "form_data.\(key)",
                description: "\(quote(key)) is not a field of this procedure's forms"))
        }
        return Outcome(values: values, violations: violations)
    }

    /// The values to store, or INVALID_ARGUMENT with one violation per bad field.
    public func validate(_ formData: [String: String]) throws(RPCError) -> [String: String] {
        let outcome = check(formData)
        guard outcome.isValid else {
            let count = outcome.violations.count
            let summary = outcome.violations.prefix(3).map { "\($0.field): \($0.description)" }.joined(separator: "; ")
            throw RPCError(.invalidArgument,
                           "form_data has \(count) invalid field\(count == 1 ? "" : "s"): \(summary)\(count > 3 ? "; …" : "")",
                           violations: outcome.violations)
        }
        return outcome.values
    }
}

// MARK: - Declarations

extension FormDataValidator {
    struct Field: Sendable {
        let name: String
        let label: String
        let required: Bool
        let declarations: [Declaration]
    }

    /// The types the catalog allows (CatalogValidation.formFieldTypes).
    enum Kind: String, Sendable {
        case text, date, number, email, phone, select
        case citizenID = "citizen_id"
    }

    /// A declaration's verdict on a value.
    enum Check: Sendable, Hashable {
        /// The value as it is to be stored.
        case good(String)
        /// What is wrong, as a phrase following the label.
        case bad(String)
    }

    /// One catalog declaration, compiled once.
    struct Declaration: Sendable {
        let label: String
        let kind: Kind
        let required: Bool
        let pattern: Pattern?
        let options: [String]

        init(_ field: CatalogV1.FormField) throws(RPCError) {
            guard let kind = Kind(rawValue: field.type) else {
                throw RPCError(.failedPrecondition,
                               "the catalog declares form field \(field.name) with type \"\(field.type)\", which dossier-svc does not know")
            }
            self.label = field.label
            self.kind = kind
            self.required = field.required
            self.options = field.options.map(\.precomposedStringWithCanonicalMapping)
            if field.pattern.isEmpty {
                self.pattern = nil
            } else {
                guard let pattern = Pattern(field.pattern) else {
                    throw RPCError(.failedPrecondition,
                                   "the catalog's pattern for form field \(field.name) is not a valid regular expression")
                }
                self.pattern = pattern
            }
        }

        func check(_ value: String) -> Check {
            var canonical = value
            switch kind {
            case .text:
                // Tabs and line breaks belong in an address; other control characters would
                // only corrupt the printed documents.
                if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !"\t\n\r".unicodeScalars.contains($0) }) {
                    return .bad("contains control characters")
                }
            case .date:
                guard Self.isDate(value) else { return .bad("must be a real date written yyyy-MM-dd, e.g. 2026-11-29") }
            case .number:
                guard Self.isDecimal(value) else {
                    return .bad("must be a number written with digits and '.' for decimals, e.g. 12 or 12.5")
                }
            case .citizenID:
                if let problem = Self.citizenIDProblem(value) { return .bad(problem) }
            case .email:
                guard Self.isEmail(value) else { return .bad("must be an email address, e.g. nguyenvana@example.vn") }
            case .phone:
                guard let phone = Self.mobilePhone(value) else {
                    return .bad("must be a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 or 09, or +84 followed by the 9 digits after the 0")
                }
                canonical = phone
            case .select:
                guard let index = options.firstIndex(of: value) else {
                    return .bad("must be one of: \(options.joined(separator: ", "))")
                }
                canonical = options[index]
            }
            // The pattern applies to the canonical value, the one stored.
            if let pattern, !pattern.matchesWhole(canonical) {
                return .bad("does not have the required format (\(pattern.source))")
            }
            return .good(canonical)
        }

        static func isASCIIDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        /// yyyy-MM-dd naming a day that exists (no 2025-02-29), year 0001 or later.
        static func isDate(_ value: String) -> Bool {
            let bytes = Array(value.utf8)
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                  [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy({ isASCIIDigit(bytes[$0]) })
            else { return false }
            func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(bytes[$1] - UInt8(ascii: "0")) } }
            let year = number(0..<4), month = number(5..<7), day = number(8..<10)
            guard year >= 1, (1...12).contains(month), day >= 1 else { return false }
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            return day <= days
        }

        /// An optional '-', digits, and optionally '.' and digits: what an HTML number input
        /// sends. Grouping separators are refused because "1.000" means one thousand to a
        /// Vietnamese reader and one to a program.
        static func isDecimal(_ value: String) -> Bool {
            var bytes = Substring(value).utf8[...]
            if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count) else { return false }
            return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(isASCIIDigit) }
        }

        /// The 12-digit personal identification number (số định danh cá nhân, Decree
        /// 137/2015/NĐ-CP): 3 digits of the province of birth registration, 1 of century and
        /// sex (0–9, so any digit), 2 of the birth year, 6 random. Only the province range
        /// 001–096 is checked: the list has gaps, but a wrong list would lock real citizens out,
        /// and the authoritative check is the national population database behind VNeID.
        static func citizenIDProblem(_ value: String) -> String? {
            let bytes = Array(value.utf8)
            guard bytes.count == 12, bytes.allSatisfy(isASCIIDigit) else {
                return "must be a 12-digit personal identification number (số định danh cá nhân)"
            }
            let province = bytes[0..<3].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            guard (1...96).contains(province) else {
                return "must begin with a province code from 001 to 096, not \(String(decoding: bytes[0..<3], as: UTF8.self))"
            }
            return nil
        }

        /// A pragmatic address check (one '@', a plausible local part, a dotted ASCII domain):
        /// enough to catch typos; only a sent message proves an address.
        static func isEmail(_ value: String) -> Bool {
            let bytes = Array(value.utf8)
            guard bytes.count <= 254, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return false }
            let parts = bytes.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
            guard parts.count == 2 else { return false }
            let local = parts[0], domain = parts[1]
            let forbidden = Set("\"(),:;<>[\\]".utf8)
            guard (1...64).contains(local.count), !local.contains(where: forbidden.contains),
                  local.first != UInt8(ascii: "."), local.last != UInt8(ascii: "."),
                  !zip(local, local.dropFirst()).contains(where: { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") })
            else { return false }
            let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            guard labels.count >= 2 else { return false }
            func isAlphanumeric(_ byte: UInt8) -> Bool {
                isASCIIDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
            }
            for label in labels {
                guard (1...63).contains(label.count), label.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }),
                      label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-")
                else { return false }
            }
            let top = labels[labels.count - 1]
            return top.count >= 2 && top.allSatisfy { !isASCIIDigit($0) && $0 != UInt8(ascii: "-") }
        }

        /// A Vietnamese mobile number, returned without separators: "0" and 9 digits, or "+84"
        /// and the same 9 digits. Since the 2018 renumbering mobile numbers begin 03, 05, 07,
        /// 08 or 09 (landlines are 02x and 11 digits). Spaces, dots and hyphens between digits
        /// are accepted as people write them ("0912 345 678") and dropped.
        static func mobilePhone(_ value: String) -> String? {
            let compact = value.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "-") }
            let national: ArraySlice<UInt8>
            if compact.starts(with: "+84".utf8) {
                national = compact.dropFirst(3)
                guard national.count == 9 else { return nil }
            } else if compact.first == UInt8(ascii: "0") {
                national = compact.dropFirst(1)
                guard national.count == 9 else { return nil }
            } else {
                return nil
            }
            guard national.allSatisfy(isASCIIDigit), "35789".utf8.contains(national.first!) else { return nil }
            return String(decoding: compact, as: UTF8.self)
        }
    }

    /// A catalog pattern, matched against the whole value. Wrapped as `\A(?:…)\z` rather than
    /// checking that the first match spans the value: for "a|ab" the first match of "ab" is
    /// "a", yet the whole value matches. NSRegularExpression is immutable once built, hence
    /// safe to share.
    struct Pattern: @unchecked Sendable {
        let source: String
        let whole: NSRegularExpression

        init?(_ source: String) {
            // The pattern must compile on its own: wrapping could otherwise make a broken one
            // ("a)(b") valid.
            guard (try? NSRegularExpression(pattern: source)) != nil,
                  let whole = try? NSRegularExpression(pattern: "\\A(?:\(source))\\z")
            else { return nil }
            self.source = source
            self.whole = whole
        }

        func matchesWhole(_ value: String) -> Bool {
            whole.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
        }
    }
}

/// The label in Vietnamese quotation marks, the way the forms print it.
private func quote(_ label: String) -> String { "“\(label)”" }
