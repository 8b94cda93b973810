import DVCProto
import Foundation
import RPCCore

/// What a dossier owes, from its procedure's fee lines in the catalog, as the regulation
/// writes them: shared by payment-svc (which charges it), dossier-svc (which validates the
/// quantities on submission) and the gateway (which shows it to citizens and officers), so that
/// the three never disagree.
///
/// The rule, in integer đồng:
/// - the applicant's category (form field `doi_tuong_le_phi`, confirmed or changed by an
///   officer) picks the lines: those of that category, or the standard lines (category "")
///   when none is chosen. A category's lines replace the standard ones entirely; a category
///   whose lines add up to 0 is an exemption;
/// - a line counts the units of its quantity (the value of its `quantity_field`, 1 without
///   one) from `from_unit` to `to_unit` (0 = first / no bound): "200.000 đồng per request, and
///   5.000 đồng per certificate from the third" is one line once and one line from unit 3;
/// - `max_amount_vnd` caps a line ("tối đa 200.000 đồng/bản", "không quá 6.000.000 đồng");
/// - `multiplier_field` then multiplies it (a fee per copy counted by the pages of each copy).
public enum FeeCalculator {
    /// The form field where the applicant chooses a reduced rate or an exemption.
    public static let categoryField = "doi_tuong_le_phi"
    /// Quantities above this are refused: no counter counts ten thousand copies or rooms, and
    /// the bound keeps đồng amounts far from overflow.
    public static let maximumQuantity: UInt32 = 10_000

    /// What the dossier owes and why.
    public struct Quote: Sendable, Hashable {
        /// The category applied ("" = standard).
        public var category: String
        /// The lines charged (a category's 0-đồng lines included: they name the exemption).
        public var lines: [PaymentV1.FeeLine]
        public var totalVnd: Int64
        /// The quantities used, by form field.
        public var quantities: [String: UInt32]
        /// The regulations of the lines applied, distinct, in order.
        public var legalBasis: [String]
        /// True when a category applies and nothing is owed.
        public var isExemption: Bool { !category.isEmpty && totalVnd == 0 }
    }

    /// The categories a procedure offers, in catalog order.
    public static func categories(of procedure: CatalogV1.Procedure) -> [String] {
        var seen: [String] = []
        for fee in procedure.fees where !fee.category.isEmpty && !seen.contains(fee.category) {
            seen.append(fee.category)
        }
        return seen
    }

    /// The form fields the fee counts, in catalog order.
    public static func quantityFields(of procedure: CatalogV1.Procedure) -> [String] {
        var seen: [String] = []
        for fee in procedure.fees {
            for name in [fee.quantityField, fee.multiplierField] where !name.isEmpty && !seen.contains(name) {
                seen.append(name)
            }
        }
        return seen
    }

    /// Whether any line of any category charges money: such a procedure's fee must be settled
    /// (paid, or an exemption recorded) before a level-4 dossier is approved.
    public static func charges(_ procedure: CatalogV1.Procedure) -> Bool {
        procedure.fees.contains { $0.amountVnd > 0 }
    }

    /// A quantity as the form carries it: a positive whole number written with digits.
    /// Returns nil for anything else ("0", "-1", "2.5", "1.000", "hai").
    public static func parseQuantity(_ value: String) -> UInt32? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 5,
              trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let number = UInt32(trimmed), number >= 1, number <= maximumQuantity
        else { return nil }
        return number
    }

    /// What a quantity field must hold, in the applicant's words.
    public static func quantityProblem(label: String) -> String {
        "“\(label)” phải là số nguyên dương (1, 2, 3…) không quá \(maximumQuantity)."
    }

    /// The quantities of the procedure's fee from the form (a blank field counts 1), with the
    /// officer's counts overriding. INVALID_ARGUMENT naming `form_data.<field>` (or
    /// `quantities.<field>` for an override) when a value is not a positive whole number.
    public static func quantities(for procedure: CatalogV1.Procedure, formData: [String: String],
                                  overrides: [String: UInt32] = [:]) throws(RPCError) -> [String: UInt32] {
        var result: [String: UInt32] = [:]
        let fields = quantityFields(of: procedure)
        for name in overrides.keys.sorted() where !fields.contains(name) {
            throw RPCError.invalidArgument(field: "quantities.\(name)",
                                           "not a quantity of this procedure's fee (\(fields.isEmpty ? "it has none" : fields.joined(separator: ", ")))")
        }
        for name in fields {
            if let override = overrides[name] {
                guard override >= 1, override <= maximumQuantity else {
                    throw RPCError.invalidArgument(field: "quantities.\(name)", "must be a whole number from 1 to \(maximumQuantity)")
                }
                result[name] = override
                continue
            }
            let raw = formData[name]?.trimmingCharacters(in: .whitespaces) ?? ""
            if raw.isEmpty {
                result[name] = 1
            } else if let number = parseQuantity(raw) {
                result[name] = number
            } else {
                throw RPCError.invalidArgument(field: "form_data.\(name)",
                                               "must be a positive whole number from 1 to \(maximumQuantity), not \"\(raw.prefix(20))\"")
            }
        }
        return result
    }

    /// The category the form claims ("" when none), checked against the procedure's.
    public static func claimedCategory(_ procedure: CatalogV1.Procedure, formData: [String: String]) throws(RPCError) -> String {
        let claimed = formData[categoryField]?.trimmingCharacters(in: .whitespaces) ?? ""
        try requireCategory(claimed, of: procedure, field: "form_data.\(categoryField)")
        return claimed
    }

    /// INVALID_ARGUMENT naming `field` unless the category is "" or one of the procedure's.
    public static func requireCategory(_ category: String, of procedure: CatalogV1.Procedure, field: String) throws(RPCError) {
        guard category.isEmpty || categories(of: procedure).contains(category) else {
            let known = categories(of: procedure)
            throw RPCError.invalidArgument(field: field,
                                           "\"\(category)\" is not a fee category of this procedure (\(known.isEmpty ? "it has none" : known.joined(separator: "; ")))")
        }
    }

    /// The fee of a dossier as its form stands: its claimed category, its quantities.
    public static func quote(_ procedure: CatalogV1.Procedure, formData: [String: String]) throws(RPCError) -> Quote {
        try quote(procedure, category: claimedCategory(procedure, formData: formData),
                  quantities: quantities(for: procedure, formData: formData))
    }

    /// The fee for a category and quantities (missing quantities count 1).
    public static func quote(_ procedure: CatalogV1.Procedure, category: String,
                             quantities: [String: UInt32]) throws(RPCError) -> Quote {
        try requireCategory(category, of: procedure, field: "category")
        var lines: [PaymentV1.FeeLine] = []
        var legalBasis: [String] = []
        for fee in procedure.fees where fee.category == category {
            let count = fee.quantityField.isEmpty ? 1 : quantities[fee.quantityField] ?? 1
            let first = max(1, fee.fromUnit)
            let last = fee.toUnit == 0 ? count : min(count, fee.toUnit)
            let units: UInt32 = last >= first ? last - first + 1 : 0
            // A line the quantity does not reach (the third certificate of one) is not charged.
            if units == 0 { continue }
            var subtotal = fee.amountVnd * Int64(units)
            if fee.maxAmountVnd > 0 { subtotal = min(subtotal, fee.maxAmountVnd) }
            let times = fee.multiplierField.isEmpty ? 1 : quantities[fee.multiplierField] ?? 1
            var line = PaymentV1.FeeLine()
            line.description = fee.description
            line.amountVnd = fee.amountVnd
            line.unit = fee.unit
            line.quantity = units * times
            line.subtotalVnd = subtotal * Int64(times)
            line.category = fee.category
            line.legalBasis = fee.legalBasis
            lines.append(line)
            if !fee.legalBasis.isEmpty, !legalBasis.contains(fee.legalBasis) { legalBasis.append(fee.legalBasis) }
        }
        let used = Set(procedure.fees.filter { $0.category == category }.flatMap { [$0.quantityField, $0.multiplierField] })
        return Quote(category: category, lines: lines, totalVnd: lines.reduce(0) { $0 + $1.subtotalVnd },
                     quantities: quantities.filter { used.contains($0.key) }, legalBasis: legalBasis)
    }
}
