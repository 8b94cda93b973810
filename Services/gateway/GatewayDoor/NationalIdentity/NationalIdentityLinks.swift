import Foundation
import Storage

/// Which citizen account each national identity (issuer and subject) is linked to, and the
/// rules of linking (docs/identity.md, "Linking"):
/// - a first sign-in whose ID number has no account makes one, with no password;
/// - a first sign-in whose ID number has a password account links it: the provider has just
///   proved the person holds that number, which is all registration ever asked of them;
/// - a signed-in citizen may link their account once, and only to an identity carrying the
///   account's own number;
/// - an account already linked to another identity, or an identity linked to another account,
///   is refused (the operator's support desk sorts out such a case; nothing is overwritten).
struct NationalIdentityLinks: Sendable {
    let database: ServiceDatabase

    static let otherIdentity = NationalIdentity.Refusal(
        message: "Số định danh này đã được liên kết với một tài khoản định danh điện tử khác. Vui lòng liên hệ bộ phận hỗ trợ của cổng.",
        reason: "the account is linked to another subject, or the subject to another account")

    /// Checks and records the link for a verified identity; whether an existing password
    /// account was linked now.
    func admit(_ citizen: CitizenID, issuer: String, subject: String, purpose: NationalIdentity.Purpose, fullName: String,
               client: String, nowMs: Int64) async throws(NationalIdentity.Refusal) -> Bool {
        guard !subject.isEmpty else {
            throw NationalIdentity.Refusal(message: "Thông tin định danh nhận được không hợp lệ. Chưa đăng nhập.", reason: "no sub claim")
        }
        do {
            return try await database.write { db throws -> Bool in
                let account = "citizen:\(citizen.digits)"
                let bySubject = try String.fetchOne(db, sql: "SELECT citizen_id FROM citizen_national_identity WHERE issuer = ? AND subject = ?",
                                                    arguments: [issuer, subject])
                let byCitizen = try SQLRow.fetchOne(db, sql: "SELECT issuer, subject FROM citizen_national_identity WHERE citizen_id = ?",
                                                 arguments: [citizen.digits])
                let hasAccount = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM citizen WHERE id = ?)", arguments: [citizen.digits]) ?? false
                if case .link(let own) = purpose {
                    guard own == citizen else {
                        throw NationalIdentity.Refusal(
                            message: "Tài khoản VNeID vừa xác thực có số định danh khác với tài khoản đang đăng nhập; không liên kết.",
                            reason: "link of \(own.digits) with an identity of another number")
                    }
                    guard byCitizen == nil else {
                        throw NationalIdentity.Refusal(message: "Tài khoản này đã được liên kết với VNeID từ trước.", reason: "already linked")
                    }
                }
                if let bySubject, bySubject != citizen.digits { throw Self.otherIdentity }
                if let byCitizen, (byCitizen["issuer"] as String) != issuer || (byCitizen["subject"] as String) != subject {
                    throw Self.otherIdentity
                }
                var linkedNow = false
                if byCitizen == nil {
                    if !hasAccount {
                        // No password: this account signs in with the national identity only.
                        let name = fullName.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
                        try db.execute(sql: "INSERT INTO citizen (id, password_hash, full_name, created_at_ms) VALUES (?, '', ?, ?)",
                                       arguments: [citizen.digits, String(name.prefix(100)), nowMs])
                        try AccountAudit.record(db, .registered, account: account, actor: account, client: client,
                                                detail: "VNeID", nowMs: nowMs)
                    } else {
                        linkedNow = true
                    }
                    try db.execute(sql: """
                        INSERT INTO citizen_national_identity (citizen_id, issuer, subject, linked_at_ms) VALUES (?, ?, ?, ?)
                        """, arguments: [citizen.digits, issuer, subject, nowMs])
                    try AccountAudit.record(db, .nationalIdentityLinked, account: account, actor: account, client: client,
                                            detail: hasAccount ? "tài khoản có sẵn" : "tài khoản mới", nowMs: nowMs)
                }
                if case .signIn = purpose {
                    try AccountAudit.record(db, .signIn, account: account, actor: account, client: client, detail: "VNeID", nowMs: nowMs)
                }
                return linkedNow
            }
        } catch let refusal as NationalIdentity.Refusal {
            throw refusal
        } catch {
            throw NationalIdentity.Refusal.unavailable("links: \(error)")
        }
    }

    func isLinked(_ citizen: CitizenID) async throws -> Bool {
        try await database.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM citizen_national_identity WHERE citizen_id = ?)",
                              arguments: [citizen.digits]) ?? false
        }
    }
}
