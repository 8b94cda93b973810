import DVCProto

/// What a dossier owes, from the procedure's fee schedule in the catalog. The client never
/// sets an amount: it can only say how many copies it asks for.
///
/// The catalog lists a procedure's fee lines as the regulation does, alternatives included
/// (the standard case first, e.g. "registration on time" before "late registration"), and
/// lines of 0 đồng that describe who is exempt. The rule, in integer đồng:
/// - lines of 0 đồng are the exemptions' descriptions and add nothing;
/// - `per_dossier`: the first line of that unit (the standard case) once;
/// - `per_copy`: the first line of that unit times the copies asked for (at least 1);
/// - `per_page`: the first line of that unit once per copy (the page count is the officer's to
///   correct at the counter; online, one page per copy is charged).
/// A citizen exempt by law declares it in the form (`doi_tuong_mien_le_phi` = "co"), and then
/// owes nothing: there is no payment to make, and the officer checks the claim.
enum FeeSchedule {
    static let exemptionField = "doi_tuong_mien_le_phi"

    static func lines(for procedure: CatalogV1.Procedure, copies: UInt32, formData: [String: String]) -> [PaymentV1.FeeLine] {
        if formData[exemptionField]?.lowercased() == "co" { return [] }
        var lines: [PaymentV1.FeeLine] = []
        var seenUnits: Set<String> = []
        for fee in procedure.fees where fee.amountVnd > 0 && !seenUnits.contains(fee.unit) {
            seenUnits.insert(fee.unit)
            var line = PaymentV1.FeeLine()
            line.description = fee.description
            line.amountVnd = fee.amountVnd
            line.unit = fee.unit
            line.quantity = fee.unit == "per_dossier" ? 1 : max(1, copies)
            line.subtotalVnd = fee.amountVnd * Int64(line.quantity)
            lines.append(line)
        }
        return lines
    }

    static func total(_ lines: [PaymentV1.FeeLine]) -> Int64 {
        lines.reduce(0) { $0 + $1.subtotalVnd }
    }
}
