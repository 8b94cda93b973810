import Crypto
import DVCProto
import Foundation

/// The seed catalog shipped with catalog-svc (Seed/catalog.json and its form templates in
/// Seed/forms/), and the loader for any catalog file of the same shape.
///
/// The file mirrors `dvc.catalog.v1.CatalogDocument` in JSON with camelCase keys; agency
/// kinds are words ("city", "district", "ward-commune", "department"); each form names its
/// template file relative to the folder of the JSON file ("forms/x.pdf"). Loading checks the
/// whole file and refuses it, naming the first problem, rather than importing half a catalog:
/// text must be UTF-8 in NFC (the file is refused, not silently normalised, so what is in the
/// repository is exactly what is served), codes unique, references known, levels within
/// 1...4 and within the agency's ceiling, and every form file present. See docs/seed-catalog.md.
public enum SeedCatalog {
    /// Why a catalog file was refused.
    public struct LoadError: Error, CustomStringConvertible, Equatable {
        public let message: String
        public init(_ message: String) { self.message = message }
        public var description: String { "seed catalog: \(message)" }
    }

    /// The catalog.json bundled with the CatalogService module.
    public static var bundled: URL {
        Bundle.module.url(forResource: "catalog", withExtension: "json")
            ?? Bundle.module.bundleURL.appendingPathComponent("catalog.json")
    }

    /// Reads and validates the catalog at `url`; form files are read relative to its folder.
    /// Returns the document (forms carry their size and SHA-256) and the form bytes by form id.
    public static func load(from url: URL) throws -> (document: CatalogV1.CatalogDocument, formContents: [String: Data]) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw LoadError("cannot read \(url.path): \(error.localizedDescription)")
        }
        return try load(json: data, formsRelativeTo: url.deletingLastPathComponent())
    }

    /// As `load(from:)`, for JSON already in memory; `base` is the folder form paths are relative to.
    public static func load(json data: Data, formsRelativeTo base: URL) throws -> (document: CatalogV1.CatalogDocument, formContents: [String: Data]) {
        guard let text = String(data: data, encoding: .utf8) else {
            throw LoadError("the file is not valid UTF-8")
        }
        try requireNFC(text)
        let file: FileModel
        do {
            file = try JSONDecoder().decode(FileModel.self, from: data)
        } catch let error as DecodingError {
            throw LoadError(describe(error))
        } catch {
            throw LoadError("not valid JSON: \(error)")
        }
        var validator = Validator(base: base)
        let document = try validator.convert(file)
        return (document, validator.formContents)
    }

    // MARK: - The JSON file

    struct FileModel: Decodable {
        var agencies: [AgencyModel]
        var fields: [FieldModel]
        var procedures: [ProcedureModel]
        var levels: [LevelModel]
        var calendarOverrides: [CalendarOverrideModel]?
    }

    struct OfficeHoursModel: Decodable {
        var startMinute: UInt32
        var endMinute: UInt32
    }

    struct AgencyModel: Decodable {
        var code: String
        var name: String
        var kind: String
        var parentCode: String?
        var levelCeiling: UInt32
        var officeHours: [OfficeHoursModel]?
    }

    struct FieldModel: Decodable {
        var code: String
        var name: String
    }

    struct DocumentModel: Decodable {
        var name: String
        var formOfCopy: String
        var count: UInt32
        var formId: String?
    }

    struct FeeModel: Decodable {
        var description: String
        /// Integer đồng: a fractional amount is refused, never rounded.
        var amountVnd: Int64
        var unit: String
        var condition: String?
        var legalBasis: String?
        var quantityField: String?
        var fromUnit: UInt32?
        var toUnit: UInt32?
        var maxAmountVnd: Int64?
        var category: String?
        var multiplierField: String?

        enum CodingKeys: String, CodingKey {
            case description, amountVnd, unit, condition, legalBasis
            case quantityField, fromUnit, toUnit, maxAmountVnd, category, multiplierField
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            description = try container.decode(String.self, forKey: .description)
            unit = try container.decode(String.self, forKey: .unit)
            condition = try container.decodeIfPresent(String.self, forKey: .condition)
            legalBasis = try container.decodeIfPresent(String.self, forKey: .legalBasis)
            quantityField = try container.decodeIfPresent(String.self, forKey: .quantityField)
            fromUnit = try container.decodeIfPresent(UInt32.self, forKey: .fromUnit)
            toUnit = try container.decodeIfPresent(UInt32.self, forKey: .toUnit)
            maxAmountVnd = try container.decodeIfPresent(Int64.self, forKey: .maxAmountVnd)
            category = try container.decodeIfPresent(String.self, forKey: .category)
            multiplierField = try container.decodeIfPresent(String.self, forKey: .multiplierField)
            if let whole = try? container.decode(Int64.self, forKey: .amountVnd) {
                amountVnd = whole
            } else if let number = try? container.decode(Double.self, forKey: .amountVnd) {
                throw DecodingError.dataCorruptedError(
                    forKey: .amountVnd, in: container, debugDescription: "\(number) is not a whole number of đồng")
            } else {
                amountVnd = try container.decode(Int64.self, forKey: .amountVnd)
            }
        }
    }

    struct FormFieldModel: Decodable {
        var name: String
        var label: String
        var type: String
        var required: Bool
        var pattern: String?
        var options: [String]?
    }

    struct FormModel: Decodable {
        var id: String
        var name: String
        var file: String
        var mediaType: String
        var fields: [FormFieldModel]?
    }

    struct ProcedureModel: Decodable {
        var code: String
        var name: String
        var fieldCode: String
        var agencyKinds: [String]
        var description: String?
        var steps: [String]?
        var documents: [DocumentModel]?
        var processingWorkingDays: UInt32?
        var processingWorkingHours: UInt32?
        var processingTimeBasis: String?
        var fees: [FeeModel]?
        var legalBasis: String?
        var resultDocument: String?
        var forms: [FormModel]?
    }

    struct LevelModel: Decodable {
        var agencyCode: String
        var procedureCode: String
        var level: UInt32
    }

    struct CalendarOverrideModel: Decodable {
        var date: String
        var working: Bool
        var reason: String?
    }

    // MARK: - Vocabulary

    static let kinds: [String: CatalogV1.AgencyKind] = [
        "city": .city, "district": .district, "ward-commune": .wardCommune, "department": .department,
    ]
    static let feeUnits: Set<String> = ["per_dossier", "per_copy", "per_page", "per_room"]
    static let fieldTypes: Set<String> = ["text", "date", "number", "citizen_id", "email", "phone", "select"]
    static let formMediaTypes: Set<String> = ["application/pdf"]

    // MARK: - Checks

    /// Refuses text that is not in Unicode Normalization Form C, naming the line.
    static func requireNFC(_ text: String) throws {
        if isNFC(text) { return }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !isNFC(String(line)) {
            let excerpt = String(line.trimmingCharacters(in: .whitespaces).prefix(60))
            throw LoadError("line \(index + 1) is not in Unicode NFC (normalise the file to NFC): \(excerpt)")
        }
        throw LoadError("the file is not in Unicode NFC")
    }

    /// Whether `text` is already NFC, compared scalar by scalar (String's `==` would call the
    /// two forms equal).
    static func isNFC(_ text: String) -> Bool {
        text.unicodeScalars.elementsEqual(text.precomposedStringWithCanonicalMapping.unicodeScalars)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let parts = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
            let joined = parts.joined()
            return joined.hasPrefix(".") ? String(joined.dropFirst()) : (joined.isEmpty ? "(top level)" : joined)
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context)): expected \(type)\(type == Int64.self || type == UInt32.self ? " (an integer)" : "") — \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "\(path(context)): missing \(type) value"
        case .keyNotFound(let key, let context):
            let at = path(context)
            return "\(at == "(top level)" ? "" : at + ": ")missing key \"\(key.stringValue)\""
        case .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// Converts the decoded file to the proto document, checking it as it goes.
    struct Validator {
        let base: URL
        var formContents: [String: Data] = [:]

        init(base: URL) {
            self.base = base
        }

        mutating func convert(_ file: FileModel) throws -> CatalogV1.CatalogDocument {
            var document = CatalogV1.CatalogDocument()

            // Agencies: unique codes, known kinds, ceilings 1...4, known parents, no cycles.
            var agencies: [String: CatalogV1.Agency] = [:]
            for (index, model) in file.agencies.enumerated() {
                let at = "agencies[\(index)] (\(model.code))"
                try nonEmpty(model.code, "\(at).code")
                try nonEmpty(model.name, "\(at).name")
                guard agencies[model.code] == nil else { throw LoadError("duplicate agency code \(model.code)") }
                guard let kind = SeedCatalog.kinds[model.kind] else {
                    throw LoadError("\(at): unknown kind \"\(model.kind)\" (city, district, ward-commune or department)")
                }
                guard (1...4).contains(model.levelCeiling) else {
                    throw LoadError("\(at): level ceiling \(model.levelCeiling) is outside 1...4")
                }
                var agency = CatalogV1.Agency()
                agency.code = model.code
                agency.name = model.name
                agency.kind = kind
                agency.parentCode = model.parentCode ?? ""
                agency.levelCeiling = model.levelCeiling
                for (spanIndex, span) in (model.officeHours ?? []).enumerated() {
                    guard span.startMinute < span.endMinute, span.endMinute <= 24 * 60 else {
                        throw LoadError("\(at).officeHours[\(spanIndex)]: \(span.startMinute)–\(span.endMinute) is not a span within one day")
                    }
                    var hours = CatalogV1.OfficeHours()
                    hours.startMinute = span.startMinute
                    hours.endMinute = span.endMinute
                    agency.officeHours.append(hours)
                }
                agencies[agency.code] = agency
                document.agencies.append(agency)
            }
            for agency in document.agencies where !agency.parentCode.isEmpty {
                guard agencies[agency.parentCode] != nil else {
                    throw LoadError("agency \(agency.code) names an unknown parent \(agency.parentCode)")
                }
                var seen: Set<String> = [agency.code]
                var next = agency.parentCode
                while !next.isEmpty, let parent = agencies[next] {
                    guard seen.insert(next).inserted else { throw LoadError("agency \(agency.code) is its own ancestor") }
                    next = parent.parentCode
                }
            }

            // Fields.
            var fieldCodes: Set<String> = []
            for (index, model) in file.fields.enumerated() {
                try nonEmpty(model.code, "fields[\(index)].code")
                try nonEmpty(model.name, "fields[\(index)].name")
                guard fieldCodes.insert(model.code).inserted else { throw LoadError("duplicate field code \(model.code)") }
                var field = CatalogV1.Field()
                field.code = model.code
                field.name = model.name
                document.fields.append(field)
            }

            // Procedures.
            var procedures: [String: CatalogV1.Procedure] = [:]
            var formIds: Set<String> = []
            for (index, model) in file.procedures.enumerated() {
                let procedure = try convert(model, at: "procedures[\(index)] (\(model.code))", fieldCodes: fieldCodes, formIds: &formIds)
                guard procedures[procedure.code] == nil else { throw LoadError("duplicate procedure code \(procedure.code)") }
                procedures[procedure.code] = procedure
                document.procedures.append(procedure)
            }

            // Levels.
            var pairs: Set<String> = []
            for (index, model) in file.levels.enumerated() {
                let at = "levels[\(index)] (\(model.agencyCode), \(model.procedureCode))"
                guard let agency = agencies[model.agencyCode] else { throw LoadError("\(at): unknown agency \(model.agencyCode)") }
                guard let procedure = procedures[model.procedureCode] else {
                    throw LoadError("\(at): unknown procedure \(model.procedureCode)")
                }
                guard (1...4).contains(model.level) else { throw LoadError("\(at): level \(model.level) is outside 1...4") }
                guard model.level <= agency.levelCeiling else {
                    throw LoadError("\(at): level \(model.level) is above the ceiling \(agency.levelCeiling) of \(agency.name)")
                }
                guard procedure.agencyKinds.contains(agency.kind) else {
                    throw LoadError("\(at): \(agency.name) is not of a kind that handles \(procedure.name)")
                }
                guard pairs.insert(model.agencyCode + "\u{0}" + model.procedureCode).inserted else {
                    throw LoadError("\(at): duplicate level for this agency and procedure")
                }
                var level = CatalogV1.SetLevelRequest()
                level.agencyCode = model.agencyCode
                level.procedureCode = model.procedureCode
                level.level = model.level
                document.levels.append(level)
            }

            // Calendar overrides (the holiday data itself is maintained elsewhere).
            var dates: Set<String> = []
            for (index, model) in (file.calendarOverrides ?? []).enumerated() {
                guard model.date.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}/) != nil else {
                    throw LoadError("calendarOverrides[\(index)]: date \"\(model.date)\" is not yyyy-MM-dd")
                }
                guard dates.insert(model.date).inserted else { throw LoadError("duplicate calendar override \(model.date)") }
                var entry = CatalogV1.CalendarOverride()
                entry.date = model.date
                entry.working = model.working
                entry.reason = model.reason ?? ""
                document.calendarOverrides.append(entry)
            }
            return document
        }

        mutating func convert(
            _ model: ProcedureModel, at: String, fieldCodes: Set<String>, formIds: inout Set<String>
        ) throws -> CatalogV1.Procedure {
            try nonEmpty(model.code, "\(at).code")
            try nonEmpty(model.name, "\(at).name")
            guard fieldCodes.contains(model.fieldCode) else { throw LoadError("\(at): unknown field \(model.fieldCode)") }
            var procedure = CatalogV1.Procedure()
            procedure.code = model.code
            procedure.name = model.name
            procedure.fieldCode = model.fieldCode
            guard !model.agencyKinds.isEmpty else { throw LoadError("\(at): agencyKinds is empty") }
            for word in model.agencyKinds {
                guard let kind = SeedCatalog.kinds[word] else { throw LoadError("\(at): unknown agency kind \"\(word)\"") }
                procedure.agencyKinds.append(kind)
            }
            procedure.description = model.description ?? ""
            procedure.steps = model.steps ?? []
            let days = model.processingWorkingDays ?? 0
            let hours = model.processingWorkingHours ?? 0
            guard (days == 0) != (hours == 0) else {
                throw LoadError("\(at): exactly one of processingWorkingDays and processingWorkingHours must be non-zero")
            }
            procedure.processingWorkingDays = days
            procedure.processingWorkingHours = hours
            procedure.processingTimeBasis = model.processingTimeBasis ?? ""
            procedure.legalBasis = model.legalBasis ?? ""
            procedure.resultDocument = model.resultDocument ?? ""

            for (index, fee) in (model.fees ?? []).enumerated() {
                guard fee.amountVnd >= 0 else { throw LoadError("\(at).fees[\(index)]: negative amount \(fee.amountVnd)") }
                guard SeedCatalog.feeUnits.contains(fee.unit) else {
                    throw LoadError("\(at).fees[\(index)]: unknown unit \"\(fee.unit)\" (\(SeedCatalog.feeUnits.sorted().joined(separator: ", ")))")
                }
                var item = CatalogV1.FeeItem()
                item.description = fee.description
                item.amountVnd = fee.amountVnd
                item.unit = fee.unit
                item.condition = fee.condition ?? ""
                item.legalBasis = fee.legalBasis ?? ""
                item.quantityField = fee.quantityField ?? ""
                item.fromUnit = fee.fromUnit ?? 0
                item.toUnit = fee.toUnit ?? 0
                item.maxAmountVnd = fee.maxAmountVnd ?? 0
                item.category = fee.category ?? ""
                item.multiplierField = fee.multiplierField ?? ""
                procedure.fees.append(item)
            }

            var ownForms: Set<String> = []
            for (index, formModel) in (model.forms ?? []).enumerated() {
                let form = try convert(formModel, at: "\(at).forms[\(index)]")
                guard formIds.insert(form.id).inserted else { throw LoadError("\(at): duplicate form id \(form.id)") }
                ownForms.insert(form.id)
                procedure.forms.append(form)
            }
            for (index, documentModel) in (model.documents ?? []).enumerated() {
                guard documentModel.count >= 1 else { throw LoadError("\(at).documents[\(index)]: count must be at least 1") }
                let formId = documentModel.formId ?? ""
                guard formId.isEmpty || ownForms.contains(formId) else {
                    throw LoadError("\(at).documents[\(index)]: unknown form \(formId)")
                }
                var document = CatalogV1.RequiredDocument()
                document.name = documentModel.name
                document.formOfCopy = documentModel.formOfCopy
                document.count = documentModel.count
                document.formId = formId
                procedure.documents.append(document)
            }
            // The fee lines must be computable from the forms (FeeCalculator).
            if let problem = FeeValidation.problems(procedure).first {
                throw LoadError("\(at): \(problem.field.replacingOccurrences(of: "procedure.", with: "")): \(problem.description)")
            }
            return procedure
        }

        mutating func convert(_ model: FormModel, at: String) throws -> CatalogV1.FormTemplate {
            try nonEmpty(model.id, "\(at).id")
            try nonEmpty(model.name, "\(at).name")
            guard SeedCatalog.formMediaTypes.contains(model.mediaType) else {
                throw LoadError("\(at): media type \(model.mediaType) is not accepted for a form template")
            }
            let components = model.file.split(separator: "/", omittingEmptySubsequences: false)
            guard !model.file.hasPrefix("/"), !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw LoadError("\(at): form file \"\(model.file)\" must be a relative path inside the catalog's folder")
            }
            let url = base.appendingPathComponent(model.file)
            guard let bytes = FileManager.default.contents(atPath: url.path) else {
                throw LoadError("\(at): form file \(model.file) of form \(model.id) is missing (looked at \(url.path))")
            }
            if model.mediaType == "application/pdf" {
                guard bytes.starts(with: Array("%PDF-".utf8)) else {
                    throw LoadError("\(at): form file \(model.file) is not a PDF")
                }
            }
            var form = CatalogV1.FormTemplate()
            form.id = model.id
            form.name = model.name
            form.mediaType = model.mediaType
            form.sizeBytes = Int64(bytes.count)
            form.sha256Hex = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            var names: Set<String> = []
            for (index, fieldModel) in (model.fields ?? []).enumerated() {
                let fieldAt = "\(at).fields[\(index)] (\(fieldModel.name))"
                try nonEmpty(fieldModel.name, "\(fieldAt).name")
                try nonEmpty(fieldModel.label, "\(fieldAt).label")
                guard names.insert(fieldModel.name).inserted else { throw LoadError("\(at): duplicate form field \(fieldModel.name)") }
                guard SeedCatalog.fieldTypes.contains(fieldModel.type) else {
                    throw LoadError("\(fieldAt): unknown type \"\(fieldModel.type)\" (\(SeedCatalog.fieldTypes.sorted().joined(separator: ", ")))")
                }
                let options = fieldModel.options ?? []
                guard (fieldModel.type == "select") == !options.isEmpty else {
                    throw LoadError("\(fieldAt): a select needs options, and only a select has them")
                }
                let pattern = fieldModel.pattern ?? ""
                if !pattern.isEmpty {
                    do {
                        _ = try NSRegularExpression(pattern: pattern)
                    } catch {
                        throw LoadError("\(fieldAt): pattern \(pattern) is not a valid regular expression")
                    }
                }
                var field = CatalogV1.FormField()
                field.name = fieldModel.name
                field.label = fieldModel.label
                field.type = fieldModel.type
                field.required = fieldModel.required
                field.pattern = pattern
                field.options = options
                form.fields.append(field)
            }
            formContents[form.id] = bytes
            return form
        }

        func nonEmpty(_ value: String, _ at: String) throws {
            guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw LoadError("\(at) is empty") }
        }
    }
}
