/// The providers payment-svc pays through, and which one a payment uses (docs/payment.md,
/// "Choosing the provider"): the national payment platform for the agencies and procedures
/// listed in `dvcqg_pay_agencies` / `dvcqg_pay_procedures`, the VNPay-style provider for every
/// other. A payment keeps the provider it was made with (`Payment.provider`), which its
/// callbacks and refunds then go to.
struct PaymentProviders: Sendable {
    let standard: any PaymentProvider
    let national: (any PaymentProvider)?
    let nationalAgencies: Set<String>
    let nationalProcedures: Set<String>

    init(standard: any PaymentProvider, national: (any PaymentProvider)? = nil,
         nationalAgencies: Set<String> = [], nationalProcedures: Set<String> = []) {
        self.standard = standard
        self.national = national
        self.nationalAgencies = nationalAgencies
        self.nationalProcedures = nationalProcedures
    }

    /// The provider a new payment of this agency's procedure goes through.
    func choose(agency: String, procedure: String) -> any PaymentProvider {
        if let national, nationalAgencies.contains(agency) || nationalProcedures.contains(procedure) { return national }
        return standard
    }

    /// The provider of that name (a callback's, a stored payment's); nil for one not configured.
    func named(_ name: String) -> (any PaymentProvider)? {
        if name.isEmpty || name == standard.name { return standard }
        if let national, national.name == name { return national }
        return nil
    }

    var names: [String] { [standard.name] + (national.map { [$0.name] } ?? []) }
}
