import DVCProto
import Foundation
import Logging
import RPCCore
import Storage

extension PaymentLedger {
    /// A callback of the provider, as the gateway received it. A notification (IPN) is the
    /// authority on the money: authentic and consistent (known order, same amount), it moves a
    /// payment to paid or failed, once; a repeat, or a late failure after success, changes
    /// nothing and is acknowledged as the provider expects. The browser's return changes nothing
    /// by itself: it shows what the ledger knows. Every callback is logged, refused ones with why.
    func handleCallback(_ request: PaymentV1.ProviderCallbackRequest) async throws -> PaymentV1.ProviderCallbackResponse {
        guard let provider = providers.named(request.provider) else {
            throw RPCError.invalidArgument(field: "provider", "this platform pays through \(providers.names.joined(separator: ", "))")
        }
        let notification = request.kind == .notification
        guard notification || request.kind == .return else {
            throw RPCError.invalidArgument(field: "kind", "notification or return")
        }
        var response = PaymentV1.ProviderCallbackResponse()
        func answer(_ outcome: CallbackOutcome) {
            let (body, type) = provider.notificationAnswer(outcome)
            response.body = body
            response.contentType = type
        }
        let kind = notification ? "notification" : "return"
        let callback: ProviderCallback
        switch provider.parseCallback(query: request.query) {
        case .failure(let error):
            logger.warning("refused a provider callback", metadata: ["kind": "\(kind)", "why": "\(error)"])
            try await log(provider: provider.name, kind: kind, orderID: "", query: request.query, outcome: "refused: \(error)", refused: true)
            answer(error == .invalidSignature ? .invalidSignature : .failure)
            return response
        case .success(let parsed):
            callback = parsed
        }

        let now = UnixMillis.now()
        let traceparent = TraceContext.currentChildTraceparent
        let providerName = provider.name
        let outcome = try await database.write { db in
            try PaymentStore.applyCallback(callback, provider: providerName, notification: notification, nowMs: now,
                                           traceparent: traceparent, db)
        }
        let (result, payment, why) = outcome
        if result == .invalidAmount || result == .orderNotFound {
            logger.warning("refused a provider callback", metadata: ["kind": "\(kind)", "order": "\(callback.orderID)", "why": "\(why)"])
        } else {
            logger.info("provider callback", metadata: ["kind": "\(kind)", "order": "\(callback.orderID)", "outcome": "\(why)"])
        }
        try await log(provider: provider.name, kind: kind, orderID: callback.orderID, query: request.query, outcome: why,
                      refused: result == .invalidAmount || result == .orderNotFound)
        answer(result)
        response.accepted = result == .confirmed || result == .alreadyConfirmed
        if let payment { response.payment = payment }
        return response
    }

    /// Writes one callback to `callback_log`, within `CallbackLogLimits`: whatever a forger
    /// sends, a row is a few KiB, refused rows come at most so many a minute and only the
    /// newest are kept.
    private func log(provider: String, kind: String, orderID: String, query: String, outcome: String, refused: Bool) async throws {
        let now = UnixMillis.now()
        let limits = callbackLimits
        if refused, case .drop(let first) = refusedBudget.take(nowMs: now) {
            if first {
                logger.warning("refused provider callbacks beyond the minute's budget are not written to callback_log",
                               metadata: ["refused_callbacks_per_minute": "\(limits.refusedPerMinute)"])
            }
            return
        }
        let order = CallbackLogLimits.truncate(orderID, bytes: 128)
        let kept = CallbackLogLimits.truncate(query, bytes: limits.maximumQueryBytes)
        let said = CallbackLogLimits.truncate(outcome, bytes: 512)
        try await database.write { db in
            try PaymentStore.logCallback(atMs: now, provider: provider, kind: kind, orderID: order, query: kept, outcome: said,
                                         refused: refused, refusedKept: limits.refusedKept, db)
        }
    }

    /// Pending payments whose time ran out become expired (with their event); returns how many.
    @discardableResult
    func expireDue(nowMs: Int64 = UnixMillis.now()) async throws -> Int {
        try await database.write { db in try PaymentStore.expireDue(nowMs: nowMs, db) }
    }
}
