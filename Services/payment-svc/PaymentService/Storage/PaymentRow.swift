import DVCProto
import Foundation
import Storage

/// A payment as stored: the queryable facts in columns, the whole `Payment` (fee lines,
/// redirect URL) in `record`; reading merges the columns back, so they are the truth.
struct PaymentRow: Sendable, SQLRecord {
    var payment: PaymentV1.Payment
    var idempotencyKey: String
    var expiresAtMs: Int64

    init(payment: PaymentV1.Payment, idempotencyKey: String, expiresAtMs: Int64) {
        self.payment = payment
        self.idempotencyKey = idempotencyKey
        self.expiresAtMs = expiresAtMs
    }

    init(row: SQLRow) throws {
        var payment = try PaymentV1.Payment(protobuf: row["record"] as Data)
        payment.id = row["id"]
        payment.orderId = row["order_id"]
        payment.dossierId = row["dossier_id"]
        payment.agencyCode = row["agency_code"]
        payment.procedureCode = row["procedure_code"]
        payment.applicantId = row["applicant_id"]
        payment.amountVnd = row["amount_vnd"]
        payment.state = PaymentV1.PaymentState(rawValue: row["state"])
        payment.provider = row["provider"]
        payment.createdAtUnixMs = row["created_at_ms"]
        payment.paidAtUnixMs = row["paid_at_ms"] ?? 0
        payment.providerTransactionId = row["provider_transaction_id"]
        payment.receiptNumber = row["receipt_number"] ?? ""
        payment.refundedVnd = row["refunded_vnd"]
        payment.reason = row["reason"]
        payment.category = row["category"]
        payment.recordedBy = row["recorded_by"]
        self.payment = payment
        idempotencyKey = row["idempotency_key"]
        expiresAtMs = row["expires_at_ms"]
    }

    func insert(_ db: any SQLConnection) throws {
        try db.execute(sql: """
            INSERT INTO payment (id, order_id, dossier_id, agency_code, procedure_code, applicant_id, amount_vnd, state,
                provider, idempotency_key, created_at_ms, expires_at_ms, paid_at_ms, receipt_number, record, category, recorded_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [payment.id, payment.orderId, payment.dossierId, payment.agencyCode, payment.procedureCode,
                             payment.applicantId, payment.amountVnd, payment.state.rawValue, payment.provider,
                             idempotencyKey, payment.createdAtUnixMs, expiresAtMs,
                             payment.paidAtUnixMs == 0 ? nil : payment.paidAtUnixMs,
                             payment.receiptNumber.isEmpty ? nil : payment.receiptNumber,
                             payment.protobufData, payment.category, payment.recordedBy])
    }

    /// Writes the changing columns of `payment` if its state is still `expected`; false when
    /// another callback changed it first.
    static func update(_ payment: PaymentV1.Payment, from expected: PaymentV1.PaymentState, _ db: any SQLConnection) throws -> Bool {
        try db.execute(sql: """
            UPDATE payment SET state = ?, paid_at_ms = ?, provider_transaction_id = ?, receipt_number = ?,
                refunded_vnd = ?, reason = ?
            WHERE id = ? AND state = ?
            """, arguments: [payment.state.rawValue, payment.paidAtUnixMs == 0 ? nil : payment.paidAtUnixMs,
                             payment.providerTransactionId, payment.receiptNumber.isEmpty ? nil : payment.receiptNumber,
                             payment.refundedVnd, payment.reason, payment.id, expected.rawValue])
        return db.changesCount == 1
    }

    static func fetch(id: String, _ db: any SQLConnection) throws -> PaymentRow? {
        try PaymentRow.fetchOne(db, sql: "SELECT * FROM payment WHERE id = ?", arguments: [id])
    }

    static func fetch(orderID: String, _ db: any SQLConnection) throws -> PaymentRow? {
        try PaymentRow.fetchOne(db, sql: "SELECT * FROM payment WHERE order_id = ?", arguments: [orderID])
    }

    static func fetch(applicant: String, idempotencyKey: String, _ db: any SQLConnection) throws -> PaymentRow? {
        try PaymentRow.fetchOne(db, sql: "SELECT * FROM payment WHERE applicant_id = ? AND idempotency_key = ?",
                                arguments: [applicant, idempotencyKey])
    }

    /// An officer's counter record by the key they sent it with ("officer:<id>:<key>").
    static func fetch(idempotencyKey: String, _ db: any SQLConnection) throws -> PaymentRow? {
        try PaymentRow.fetchOne(db, sql: "SELECT * FROM payment WHERE idempotency_key = ?", arguments: [idempotencyKey])
    }

    /// An agency's payments made in [from, to) (nil: no bound), in the order made, after the
    /// position (created_at_ms, id) of the previous page's last one.
    static func fetchAll(agency: String, fromMs: Int64?, toMs: Int64?, state: PaymentV1.PaymentState?,
                         after: (createdAtMs: Int64, id: String)?, limit: Int, _ db: any SQLConnection) throws -> [PaymentRow] {
        var conditions = ["agency_code = ?"]
        var arguments: SQLArguments = [agency]
        if let fromMs {
            conditions.append("created_at_ms >= ?")
            arguments.append(fromMs)
        }
        if let toMs {
            conditions.append("created_at_ms < ?")
            arguments.append(toMs)
        }
        if let state {
            conditions.append("state = ?")
            arguments.append(state.rawValue)
        }
        if let after {
            // A plain ">=" first: SQLite takes it as the start of the index range.
            conditions.append("created_at_ms >= ? AND (created_at_ms > ? OR id > ?)")
            arguments += [after.createdAtMs, after.createdAtMs, after.id]
        }
        arguments.append(limit)
        return try PaymentRow.fetchAll(db, sql: """
            SELECT * FROM payment WHERE \(conditions.joined(separator: " AND ")) ORDER BY created_at_ms, id LIMIT ?
            """, arguments: arguments)
    }

    static func fetchAll(dossierID: String, _ db: any SQLConnection) throws -> [PaymentRow] {
        try PaymentRow.fetchAll(db, sql: "SELECT * FROM payment WHERE dossier_id = ? ORDER BY created_at_ms", arguments: [dossierID])
    }
}
