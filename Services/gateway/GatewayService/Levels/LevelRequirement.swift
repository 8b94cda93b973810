import DVCProto

/// The service level each gateway method needs (docs/domain.md, "Service levels"): the table the
/// level gate checks every call against. A method missing here is refused, so a new method cannot
/// be exposed without deciding its level.
enum LevelRequirement: Sendable, Equatable {
    /// This level at the agency and procedure the request names (`LevelScoped`), checked by
    /// `LevelGateInterceptor` before the handler runs; a request naming none needs nothing more.
    case request(UInt32)
    /// Decided per dossier by the handler, against the dossier's own agency and procedure
    /// (see `DossierGatewayAPI`): the citizen's own steps and online tracking need 3, receiving
    /// the result online needs 4, officers' work needs no level.
    case dossier
    /// A person's own data (the inbox, contact preferences): no procedure, no level; the
    /// identity decides.
    case person

    static let byMethod: [String: LevelRequirement] = [
        GatewayV1.PublicService.listAgencies.path: .request(1),
        GatewayV1.PublicService.searchProcedures.path: .request(1),
        GatewayV1.PublicService.getProcedure.path: .request(1),
        GatewayV1.PublicService.downloadForm.path: .request(2),
        GatewayV1.DossierService.submitDossier.path: .request(3),
        GatewayV1.DossierService.getAgencyStatistics.path: .request(1),
        GatewayV1.DossierService.getDossier.path: .dossier,
        GatewayV1.DossierService.getHistory.path: .dossier,
        GatewayV1.DossierService.listDossiers.path: .dossier,
        GatewayV1.DossierService.act.path: .dossier,
        GatewayV1.DossierService.trackDossier.path: .dossier,
        GatewayV1.DossierService.getFile.path: .dossier,
        GatewayV1.DossierService.getTrackingBook.path: .dossier,
        GatewayV1.PaymentService.createPayment.path: .dossier,
        GatewayV1.PaymentService.getPayment.path: .dossier,
        GatewayV1.PaymentService.listPayments.path: .dossier,
        GatewayV1.PaymentService.getReceipt.path: .dossier,
        GatewayV1.PaymentService.refund.path: .dossier,
        GatewayV1.InboxService.listInbox.path: .person,
        GatewayV1.InboxService.markRead.path: .person,
        GatewayV1.InboxService.getContactPreferences.path: .person,
        GatewayV1.InboxService.setContactPreferences.path: .person,
    ]

    /// What the citizen's steps and online tracking need (một phần).
    static let online: UInt32 = 3
    /// What receiving the result online needs (toàn trình).
    static let fullyOnline: UInt32 = 4

    /// The names the portal shows next to the level numbers (Decree 42/2022/ND-CP).
    static func name(_ level: UInt32) -> String {
        switch level {
        case 0: "không cung cấp trực tuyến"
        case 1: "mức độ 1"
        case 2: "mức độ 2"
        case 3: "mức độ 3 (một phần)"
        default: "mức độ 4 (toàn trình)"
        }
    }
}

/// A request about one procedure at one agency: what the level gate resolves.
protocol LevelScoped {
    var agencyCode: String { get }
    var procedureCode: String { get }
}

extension GatewayV1.GetProcedureRequest: LevelScoped {}
extension GatewayV1.DownloadFormRequest: LevelScoped {}
extension DossierV1.SubmitDossierRequest: LevelScoped {}
