import DVCProto
import OneStop

/// The service level each gateway method needs (docs/domain.md, "Service levels"): the table the
/// level gate checks every call against. A method missing here is refused, so a new method cannot
/// be exposed without deciding its level.
enum LevelRequirement: Sendable, Equatable {
    /// This level at the agency and procedure the request names (`LevelScoped`), checked by
    /// `LevelGateInterceptor` before the handler runs; a request naming none needs nothing more.
    case request(ServiceLevel)
    /// Decided per dossier by the handler, against the dossier's own agency and procedure
    /// (see `DossierGatewayAPI`): the citizen's own steps and online tracking need 3, receiving
    /// the result online needs 4, officers' work needs no level.
    case dossier
    /// A person's own data (the inbox, contact preferences, who read their dossiers): no procedure, no level; the
    /// identity decides.
    case person

    static let byMethod: [String: LevelRequirement] = [
        GatewayV1.PublicService.listAgencies.path: .request(.information),
        GatewayV1.PublicService.searchProcedures.path: .request(.information),
        GatewayV1.PublicService.getProcedure.path: .request(.information),
        GatewayV1.PublicService.downloadForm.path: .request(.forms),
        GatewayV1.DossierService.submitDossier.path: .request(.online),
        GatewayV1.DossierService.getAgencyStatistics.path: .request(.information),
        GatewayV1.DossierService.getDossier.path: .dossier,
        GatewayV1.DossierService.getHistory.path: .dossier,
        GatewayV1.DossierService.listDossiers.path: .dossier,
        GatewayV1.DossierService.act.path: .dossier,
        GatewayV1.DossierService.assignDossier.path: .dossier,
        GatewayV1.DossierService.trackDossier.path: .dossier,
        GatewayV1.DossierService.getFile.path: .dossier,
        GatewayV1.DossierService.getTrackingBook.path: .dossier,
        GatewayV1.DossierService.listAccessLog.path: .person,
        GatewayV1.DossierService.listReusableDocuments.path: .person,
        // Signed documents (docs/signatures.md): the code is the credential, the identity decides
        // annulment, the dossier its list.
        GatewayV1.VerificationService.getVerification.path: .person,
        GatewayV1.VerificationService.annulDocument.path: .person,
        GatewayV1.VerificationService.listSignatures.path: .dossier,
        // The citizen's drafts: their own data; SaveDraft of a new draft checks level 3 at its
        // agency itself (a later save names no agency), SubmitDraft is checked by dossier-svc's
        // submission like SubmitDossier.
        GatewayV1.DraftService.saveDraft.path: .person,
        GatewayV1.DraftService.getDraft.path: .person,
        GatewayV1.DraftService.listDrafts.path: .person,
        GatewayV1.DraftService.deleteDraft.path: .person,
        GatewayV1.DraftService.submitDraft.path: .person,
        // A one-stop document's PDF: whoever may see the dossier.
        GatewayV1.DocumentService.getDocumentRendition.path: .dossier,
        // Rating one's own dossier: the identity and the dossier decide; the aggregates are public.
        GatewayV1.RatingService.rateDossier.path: .person,
        GatewayV1.RatingService.getRatingStatus.path: .person,
        GatewayV1.RatingService.getRatingSummary.path: .request(.information),
        GatewayV1.PaymentService.createPayment.path: .dossier,
        GatewayV1.PaymentService.getPayment.path: .dossier,
        GatewayV1.PaymentService.listPayments.path: .dossier,
        GatewayV1.PaymentService.getReceipt.path: .dossier,
        GatewayV1.PaymentService.refund.path: .dossier,
        GatewayV1.PaymentService.recordCounterPayment.path: .dossier,
        GatewayV1.InboxService.listInbox.path: .person,
        GatewayV1.InboxService.markRead.path: .person,
        GatewayV1.InboxService.getContactPreferences.path: .person,
        GatewayV1.InboxService.setContactPreferences.path: .person,
        // An agency's own settings (its webhook, its keys): no procedure; the identity decides.
        GatewayV1.AgencyService.setWebhook.path: .person,
        GatewayV1.AgencyService.getWebhook.path: .person,
        GatewayV1.AgencyService.deleteWebhook.path: .person,
        GatewayV1.AgencyService.listWebhookDeliveries.path: .person,
        GatewayV1.AgencyService.createApiKey.path: .person,
        GatewayV1.AgencyService.listApiKeys.path: .person,
        GatewayV1.AgencyService.revokeApiKey.path: .person,
    ]
}

/// A request about one procedure at one agency: what the level gate resolves.
protocol LevelScoped {
    var agencyCode: String { get }
    var procedureCode: String { get }
}

extension GatewayV1.GetProcedureRequest: LevelScoped {}
extension GatewayV1.DownloadFormRequest: LevelScoped {}
extension DossierV1.SubmitDossierRequest: LevelScoped {}
