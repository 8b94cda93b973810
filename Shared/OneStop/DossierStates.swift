import DVCProto

/// Groupings of the national status codes that more than one service needs.
public enum DossierStates {
    /// Still someone's work: submitted (1), received (2), in processing (4), waiting for a
    /// supplement (5) or a payment (6), processed with the result to hand over (9). Not
    /// received (3), withdrawn (7), stopped (8) and returned (10) are closed: nobody is
    /// assigned to them any more.
    public static let open: Set<DossierV1.DossierState> = [.submitted, .received, .processing, .supplementRequested,
                                                           .awaitingPayment, .processed]

    public static func isOpen(_ state: DossierV1.DossierState) -> Bool { open.contains(state) }
}
