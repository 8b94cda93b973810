import DVCProto
import Foundation
import Logging
import OneStop
import RPCCore
import ServiceClients
import Storage

/// The ledger of fee payments: creating them for level-4 dossiers, applying the provider's
/// callbacks exactly once, receipts, refunds and expiry. Every change of a payment commits with
/// its event in the outbox (dossier-svc consumes "paid", notify-svc all of them).
final class PaymentLedger: Sendable {
    struct Settings: Sendable {
        /// How long a citizen has to finish at the provider.
        var timeout: Duration = .seconds(15 * 60)
        /// Where the provider sends the browser back when the caller names no URL.
        var defaultReturnURL: String
        /// What `callback_log` keeps of refused callbacks.
        var callbackLog = CallbackLogLimits()
    }

    let database: ServiceDatabase
    let dossiers: any RPCClientProtocol
    let catalogCache: CatalogCache
    let providers: PaymentProviders
    let settings: Settings
    let logger: Logger
    let refusedBudget: RefusedCallbackBudget
    var callbackLimits: CallbackLogLimits { settings.callbackLog }

    static let eventDestinations = ["dossier-svc", "notify-svc"]

    init(database: ServiceDatabase, dossiers: any RPCClientProtocol, catalog: any RPCClientProtocol,
         providers: PaymentProviders, settings: Settings, logger: Logger) {
        self.database = database
        self.dossiers = dossiers
        self.catalogCache = CatalogCache(catalog: catalog)
        self.providers = providers
        self.settings = settings
        self.refusedBudget = RefusedCallbackBudget(perMinute: settings.callbackLog.refusedPerMinute)
        self.logger = logger
    }

    // MARK: - Creating

    func create(_ request: PaymentV1.CreatePaymentRequest, identity: CallerIdentity,
                context: ServerContext) async throws -> PaymentV1.Payment {
        guard case .citizen(let applicant) = identity else {
            throw RPCError(.permissionDenied, "only the citizen who owns the dossier pays its fee online")
        }
        let idempotencyKey = try IdempotencyKey.required(context, for: "create a payment")
        guard !request.dossierId.isEmpty else { throw RPCError.invalidArgument(field: "dossier_id", "required") }
        if let existing = try await database.read({ db in
            try PaymentRow.fetch(applicant: applicant, idempotencyKey: idempotencyKey, db)
        }) {
            return existing.payment
        }

        // The dossier, as its owner sees it (dossier-svc answers NOT_FOUND to anyone else).
        var options = context.downstreamOptions(CallOptions(idempotent: true))
        options.metadata[CallerIdentity.metadataKey] = identity.description
        var get = DossierV1.GetDossierRequest()
        get.id = request.dossierId
        let dossier = try await dossiers.unary(DossierV1.DossierService.getDossier, get, options: options)
        let payable: Set<DossierV1.DossierState> = [.submitted, .received, .processing, .awaitingPayment]
        guard payable.contains(dossier.state) else {
            throw RPCError(.failedPrecondition, "dossier \(dossier.id) is in state \(dossier.state.rawValue); its fee can no longer be paid")
        }
        let level = try await catalogCache.level(agency: dossier.agencyCode, procedure: dossier.procedureCode, options: options)
        try ServiceLevel.fullyOnline.require(of: level, agency: dossier.agencyCode, procedure: dossier.procedureCode,
                                             doing: "paying online", instead: "pay at the agency's counter instead")
        let procedure = try await catalogCache.procedure(dossier.procedureCode, options: options)
        // The form's quantities and claimed category (an officer checks the claim before deciding).
        let quote = try FeeCalculator.quote(procedure, formData: dossier.formData)
        let amount = quote.totalVnd
        guard amount > 0 else {
            throw RPCError(.failedPrecondition, "\"\(procedure.name)\" costs nothing for this dossier\(quote.isExemption ? " (exempt: \(quote.category); an officer confirms it)" : ""): there is nothing to pay")
        }

        let now = Date()
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        let expires = now.addingTimeInterval(Double(settings.timeout.components.seconds))
        var payment = PaymentV1.Payment()
        payment.id = UUID().uuidString.lowercased()
        payment.orderId = Self.orderID(now: now)
        payment.dossierId = dossier.id
        payment.agencyCode = dossier.agencyCode
        payment.procedureCode = dossier.procedureCode
        payment.applicantId = applicant
        payment.amountVnd = amount
        payment.feeLines = quote.lines
        payment.category = quote.category
        payment.legalGround = quote.category.isEmpty ? "" : quote.legalBasis.joined(separator: "; ")
        payment.quantities = quote.quantities
        payment.state = .pending
        // The agency's or the procedure's provider (docs/payment.md, "Choosing the provider").
        let provider = providers.choose(agency: dossier.agencyCode, procedure: dossier.procedureCode)
        payment.provider = provider.name
        payment.createdAtUnixMs = nowMs
        payment.redirectUrl = provider.paymentURL(for: ProviderOrder(
            orderID: payment.orderId, amountVnd: amount, description: "Thanh toan phi ho so \(dossier.receiptCode.isEmpty ? dossier.id : dossier.receiptCode)",
            returnURL: Self.returnURL(request.returnUrl.isEmpty ? settings.defaultReturnURL : request.returnUrl, provider: provider.name),
            createdAt: now, expiresAt: expires, clientAddress: "127.0.0.1"))
        let prepared = payment
        let expiresMs = Int64(expires.timeIntervalSince1970 * 1000)
        let traceparent = TraceContext.currentChildTraceparent
        let stored: PaymentV1.Payment = try await database.write { db in
            try PaymentStore.create(prepared, idempotencyKey: idempotencyKey, expiresAtMs: expiresMs, nowMs: nowMs,
                                    traceparent: traceparent, db)
        }
        logger.info("payment created", metadata: ["payment": "\(stored.id)", "dossier": "\(stored.dossierId)",
                                                  "amount_vnd": "\(stored.amountVnd)", "request_id": "\(context.requestID)"])
        return stored
    }

    /// The gateway's return page names the provider (`/payment/vnpay/return`); a payment made
    /// through another provider comes back to that provider's page (`/payment/dvcqg/return`).
    static func returnURL(_ url: String, provider: String) -> String {
        url.replacingOccurrences(of: "/payment/vnpay/return", with: "/payment/\(provider)/return")
    }

    /// The provider's reference: "DVC" and 20 hexadecimal digits of randomness after the date.
    static func orderID(now: Date) -> String {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<10).map { _ in String(format: "%02X", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
        return "DVC" + VNPayProvider.timestamp(now).prefix(8) + random
    }

    // MARK: - Reading

    /// A payment the identity may see: the payer, an officer or the system of its agency, a
    /// platform service. Anyone else gets NOT_FOUND, as for a payment that does not exist.
    func get(id: String, identity: CallerIdentity) async throws -> PaymentV1.Payment {
        guard let row = try await database.read({ db in try PaymentRow.fetch(id: id, db) }), Self.maySee(row.payment, identity) else {
            throw RPCError(.notFound, "payment \(id) does not exist or is not yours")
        }
        return row.payment
    }

    func list(dossierID: String, identity: CallerIdentity) async throws -> [PaymentV1.Payment] {
        guard !dossierID.isEmpty else { throw RPCError.invalidArgument(field: "dossier_id", "required") }
        return try await database.read { db in try PaymentRow.fetchAll(dossierID: dossierID, db) }
            .map(\.payment).filter { Self.maySee($0, identity) }
    }

    /// One dossier's payments (`dossier_id`), or an agency's of a period a page at a time: for
    /// its officers, its systems and the platform's services; never a citizen's list.
    func list(_ request: PaymentV1.ListPaymentsRequest, identity: CallerIdentity) async throws -> PaymentV1.ListPaymentsResponse {
        var response = PaymentV1.ListPaymentsResponse()
        guard !request.agencyCode.isEmpty else {
            guard request.createdFromUnixMs == 0, request.createdToUnixMs == 0, request.pageToken.isEmpty, request.state == .unspecified else {
                throw RPCError.invalidArgument(field: "agency_code", "a period, a state or a page needs the agency")
            }
            response.payments = try await list(dossierID: request.dossierId, identity: identity)
            return response
        }
        guard request.dossierId.isEmpty else {
            throw RPCError.invalidArgument(field: "dossier_id", "either a dossier or an agency, not both")
        }
        switch identity {
        case .officer(_, let agency, _), .agencySystem(let agency):
            // The same answer as for an agency without payments would leak nothing, but an
            // officer asking for another agency is a mistake worth naming.
            guard agency == request.agencyCode else {
                throw RPCError(.permissionDenied, "\(identity) sees only the payments of \(agency)")
            }
        case .system: break
        case .citizen: throw RPCError(.permissionDenied, "an agency's payments are for its officers and systems")
        }
        guard request.createdFromUnixMs >= 0 else { throw RPCError.invalidArgument(field: "created_from_unix_ms", "an instant is not negative") }
        guard request.createdToUnixMs >= 0 else { throw RPCError.invalidArgument(field: "created_to_unix_ms", "an instant is not negative") }
        if request.createdFromUnixMs != 0, request.createdToUnixMs != 0, request.createdToUnixMs <= request.createdFromUnixMs {
            throw RPCError.invalidArgument(field: "created_to_unix_ms", "the end of the period comes after its start")
        }
        guard (0...7).contains(request.state.rawValue) else {
            throw RPCError.invalidArgument(field: "state", "unknown state \(request.state.rawValue)")
        }
        var after: (createdAtMs: Int64, id: String)?
        if !request.pageToken.isEmpty {
            guard let data = Data(base64Encoded: request.pageToken), let text = String(data: data, encoding: .utf8),
                  let bar = text.firstIndex(of: "|"), let ms = Int64(text[..<bar]), text.index(after: bar) < text.endIndex
            else { throw RPCError.invalidArgument(field: "page_token", "not a token from a previous page") }
            after = (ms, String(text[text.index(after: bar)...]))
        }
        let size = request.pageSize == 0 ? 100 : Int(min(request.pageSize, 500))
        let agency = request.agencyCode
        let from = request.createdFromUnixMs == 0 ? nil : request.createdFromUnixMs
        let to = request.createdToUnixMs == 0 ? nil : request.createdToUnixMs
        let state = request.state == .unspecified ? nil : request.state
        let start = after
        let rows = try await database.read { db in
            try PaymentRow.fetchAll(agency: agency, fromMs: from, toMs: to, state: state, after: start, limit: size + 1, db)
        }
        response.payments = rows.prefix(size).map(\.payment)
        if rows.count > size, let last = response.payments.last {
            response.nextPageToken = Data("\(last.createdAtUnixMs)|\(last.id)".utf8).base64EncodedString()
        }
        return response
    }

    static func maySee(_ payment: PaymentV1.Payment, _ identity: CallerIdentity) -> Bool {
        switch identity {
        case .citizen(let id): id == payment.applicantId
        case .officer(_, let agency, _), .agencySystem(let agency): agency == payment.agencyCode
        case .system: true
        }
    }
}
