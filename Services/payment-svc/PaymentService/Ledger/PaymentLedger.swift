import DVCProto
import Foundation
import GRDB
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
            if let existing = try PaymentRow.fetch(applicant: applicant, idempotencyKey: idempotencyKey, db) {
                return existing.payment
            }
            for other in try PaymentRow.fetchAll(dossierID: prepared.dossierId, db) {
                switch other.payment.state {
                case .paid, .refunded, .partiallyRefunded, .exempt:
                    throw RPCError(.failedPrecondition, "the fee of dossier \(prepared.dossierId) is already settled (payment \(other.payment.id))")
                case .pending where other.expiresAtMs > nowMs:
                    // One attempt at a time: the one under way is the answer.
                    return other.payment
                default:
                    continue
                }
            }
            try PaymentRow(payment: prepared, idempotencyKey: idempotencyKey, expiresAtMs: expiresMs).insert(db)
            try Self.enqueue("payment.created", prepared, traceparent: traceparent, db)
            return prepared
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

    static func maySee(_ payment: PaymentV1.Payment, _ identity: CallerIdentity) -> Bool {
        switch identity {
        case .citizen(let id): id == payment.applicantId
        case .officer(_, let agency, _), .agencySystem(let agency): agency == payment.agencyCode
        case .system: true
        }
    }

    // MARK: - Events

    /// - Parameter traceparent: the trace of the call that caused the event (capture
    ///   `TraceContext.currentChildTraceparent` before the write: the transaction runs off the task).
    static func enqueue(_ type: String, _ payment: PaymentV1.Payment, traceparent: String = "", _ db: Database) throws {
        var body = PaymentV1.PaymentEvent()
        body.payment = payment
        var event = EventsV1.Event()
        event.type = type
        event.aggregateId = payment.id
        event.source = "payment-svc"
        event.payload = body.protobufData
        event.traceparent = traceparent
        _ = try Outbox.enqueue(event, to: eventDestinations, in: db)
    }
}
