import DVCProto
import OneStop

/// The checks a procedure's fee lines must pass, so that `FeeCalculator` can always compute a
/// dossier's fee: the fields a line counts are declared by the procedure's forms as numbers,
/// unit ranges are ordered, and a category the form offers exists in the lines (and the other
/// way round). Used by the catalog's administration and by the seed loader.
enum FeeValidation {
    static let units: Set<String> = ["per_dossier", "per_copy", "per_page", "per_room"]

    /// One (path, description) per problem, in line order.
    static func problems(_ procedure: CatalogV1.Procedure) -> [(field: String, description: String)] {
        var problems: [(field: String, description: String)] = []
        let fields = procedure.forms.flatMap(\.fields)
        func declared(_ name: String) -> [CatalogV1.FormField] { fields.filter { $0.name == name } }
        for (index, fee) in procedure.fees.enumerated() {
            let at = "procedure.fees[\(index)]"
            if fee.amountVnd < 0 { problems.append(("\(at).amount_vnd", "must not be negative")) }
            if !units.contains(fee.unit) {
                problems.append(("\(at).unit", "must be one of \(units.sorted().joined(separator: ", "))"))
            }
            if fee.maxAmountVnd < 0 { problems.append(("\(at).max_amount_vnd", "must not be negative")) }
            if fee.toUnit != 0, fee.toUnit < max(1, fee.fromUnit) {
                problems.append(("\(at).to_unit", "must be 0 (no bound) or at least from_unit (\(fee.fromUnit))"))
            }
            if fee.quantityField.isEmpty, fee.fromUnit > 1 || fee.toUnit != 0 {
                problems.append(("\(at).quantity_field", "required when from_unit or to_unit limits the units counted"))
            }
            for (key, name) in [("quantity_field", fee.quantityField), ("multiplier_field", fee.multiplierField)] where !name.isEmpty {
                let declarations = declared(name)
                if declarations.isEmpty {
                    problems.append(("\(at).\(key)", "\"\(name)\" is not a field of the procedure's forms: the form must ask for it"))
                } else if declarations.contains(where: { $0.type != "number" }) {
                    problems.append(("\(at).\(key)", "\"\(name)\" must be declared with type \"number\""))
                }
            }
            if fee.category == FeeCalculator.categoryField || fee.category.count > 200 {
                problems.append(("\(at).category", "must be a short name of the category, as the form offers it"))
            }
        }
        let categories = FeeCalculator.categories(of: procedure)
        for declaration in declared(FeeCalculator.categoryField) {
            if declaration.type != "select" {
                problems.append(("procedure.forms.fields.\(FeeCalculator.categoryField)", "must be a select of the fee categories"))
                continue
            }
            for option in declaration.options where !categories.contains(option) {
                problems.append(("procedure.forms.fields.\(FeeCalculator.categoryField)",
                                 "offers \"\(option)\", which no fee line has as its category"))
            }
            for category in categories where !declaration.options.contains(category) {
                problems.append(("procedure.forms.fields.\(FeeCalculator.categoryField)",
                                 "does not offer the fee category \"\(category)\""))
            }
        }
        return problems
    }
}
