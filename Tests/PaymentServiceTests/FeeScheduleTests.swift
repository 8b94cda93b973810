import DVCProto
@testable import PaymentService
import Testing

/// What a dossier owes, from the catalog's schedule: never from the client.
@Suite struct FeeScheduleTests {
    static func fee(_ amount: Int64, _ unit: String, _ description: String = "Lệ phí") -> CatalogV1.FeeItem {
        var fee = CatalogV1.FeeItem()
        fee.amountVnd = amount
        fee.unit = unit
        fee.description = description
        return fee
    }

    static func procedure(_ fees: [CatalogV1.FeeItem]) -> CatalogV1.Procedure {
        var procedure = CatalogV1.Procedure()
        procedure.fees = fees
        return procedure
    }

    @Test func theStandardCaseOfEachUnitIsCharged() {
        // On time (free) and late (5,000 đ) registration: the free line is an exemption's
        // description, the late fee the first paying line.
        let lines = FeeSchedule.lines(for: Self.procedure([Self.fee(0, "per_dossier"), Self.fee(5_000, "per_dossier"),
                                                           Self.fee(9_000, "per_dossier")]), copies: 3, formData: [:])
        #expect(lines.map(\.subtotalVnd) == [5_000])
        #expect(FeeSchedule.total(lines) == 5_000)
    }

    @Test func perCopyFeesCountTheCopies() {
        let procedure = Self.procedure([Self.fee(8_000, "per_copy"), Self.fee(10_000, "per_dossier")])
        #expect(FeeSchedule.total(FeeSchedule.lines(for: procedure, copies: 3, formData: [:])) == 34_000)
        #expect(FeeSchedule.total(FeeSchedule.lines(for: procedure, copies: 0, formData: [:])) == 18_000)
        let lines = FeeSchedule.lines(for: procedure, copies: 2, formData: [:])
        #expect(lines.map(\.quantity) == [2, 1])
    }

    @Test func anExemptCitizenOwesNothing() {
        let procedure = Self.procedure([Self.fee(75_000, "per_dossier")])
        #expect(FeeSchedule.lines(for: procedure, copies: 1, formData: ["doi_tuong_mien_le_phi": "co"]).isEmpty)
        #expect(FeeSchedule.total(FeeSchedule.lines(for: procedure, copies: 1, formData: ["doi_tuong_mien_le_phi": "khong"])) == 75_000)
    }

    @Test func aFreeProcedureOwesNothing() {
        #expect(FeeSchedule.lines(for: Self.procedure([Self.fee(0, "per_dossier")]), copies: 1, formData: [:]).isEmpty)
        #expect(FeeSchedule.lines(for: Self.procedure([]), copies: 1, formData: [:]).isEmpty)
    }
}
