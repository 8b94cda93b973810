import DVCProto
import Foundation
import GRDB
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
        let outcome: (CallbackOutcome, PaymentV1.Payment?, String) = try await database.sqliteWrite { db in
            // An order of another provider is unknown to this one: its signature proves nothing about it.
            guard let row = try PaymentRow.fetch(orderID: callback.orderID, db), row.payment.provider == provider.name else {
                return (.orderNotFound, nil, "unknown order")
            }
            var payment = row.payment
            guard callback.amountVnd == payment.amountVnd else {
                return (.invalidAmount, payment, "amount \(callback.amountVnd) ≠ \(payment.amountVnd)")
            }
            guard notification else { return (.confirmed, payment, "browser return") }
            switch (payment.state, callback.succeeded) {
            case (.paid, _), (.refunded, _), (.partiallyRefunded, _), (.exempt, _):
                return (.alreadyConfirmed, payment, "already paid")
            case (.failed, false), (.expired, false):
                return (.alreadyConfirmed, payment, "already closed")
            case (_, true):
                // Pending, or failed/expired and then paid after all: the money was taken.
                let previous = payment.state
                payment.state = .paid
                payment.paidAtUnixMs = now
                payment.providerTransactionId = callback.transactionID
                payment.receiptNumber = try ElectronicReceipt.issue(for: payment, atMs: now, db)
                payment.reason = ""
                guard try PaymentRow.update(payment, from: previous, db) else { return (.failure, payment, "raced") }
                try Self.enqueue("payment.paid", payment, traceparent: traceparent, db)
                return (.confirmed, payment, "paid")
            case (_, false):
                let previous = payment.state
                payment.state = .failed
                payment.providerTransactionId = callback.transactionID
                payment.reason = "Mã phản hồi \(callback.responseCode) từ \(provider.name)"
                guard try PaymentRow.update(payment, from: previous, db) else { return (.failure, payment, "raced") }
                try Self.enqueue("payment.failed", payment, traceparent: traceparent, db)
                return (.confirmed, payment, "failed (\(callback.responseCode))")
            }
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
        try await database.sqliteWrite { db in
            try db.execute(sql: """
                INSERT INTO callback_log (at_ms, provider, kind, order_id, query, outcome, refused) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [now, provider, kind, order, kept, said, refused ? 1 : 0])
            guard refused else { return }
            // Only the newest refused rows stay; authentic ones are never removed here.
            try db.execute(sql: """
                DELETE FROM callback_log WHERE refused = 1 AND id <= (
                    SELECT id FROM callback_log WHERE refused = 1 ORDER BY id DESC LIMIT 1 OFFSET ?)
                """, arguments: [limits.refusedKept])
        }
    }

    /// Pending payments whose time ran out become expired (with their event); returns how many.
    @discardableResult
    func expireDue(nowMs: Int64 = UnixMillis.now()) async throws -> Int {
        try await database.sqliteWrite { db in
            let rows = try PaymentRow.fetchAll(db, sql: "SELECT * FROM payment WHERE state = 1 AND expires_at_ms <= ?", arguments: [nowMs])
            var expired = 0
            for row in rows {
                var payment = row.payment
                payment.state = .expired
                payment.reason = "Hết thời gian thanh toán"
                if try PaymentRow.update(payment, from: .pending, db) {
                    try Self.enqueue("payment.expired", payment, db)
                    expired += 1
                }
            }
            return expired
        }
    }
}
