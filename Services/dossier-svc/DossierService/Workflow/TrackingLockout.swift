import Foundation
import RPCCore
import ServiceKit
import Storage

/// Failed tracking PINs counted per receipt code and per client address: past `perCode`
/// failures for one code, or `perAddress` from one address, within `windowMs`, every try is
/// refused until the oldest failure leaves the window — the right PIN too, or the lockout
/// would tell a guesser when they had hit it.
///
/// Why both counts: per code stops the guessing of one slip's PIN (5 tries in an hour against
/// 10^8 PINs); per address stops one client spreading a few guesses over every code of the day
/// (receipt codes are predictable: `TrackingPIN`). An unknown code counts like a wrong PIN, so
/// the answers cannot tell codes that exist from codes that do not.
///
/// Counted in dossier-svc's database, so every gateway replica shares the counts; where
/// dossier-svc is sharded by agency, each shard counts its own agencies' codes (an address gets
/// `perAddress` per shard).
struct TrackingLockout: Sendable {
    var windowMs: Int64 = 3_600_000
    var perCode = 5
    var perAddress = 20

    /// From the service's config: `tracking_lockout_seconds` (default 3600; tests shorten it).
    init(_ extra: [String: String]) throws {
        if let text = extra["tracking_lockout_seconds"] {
            guard let seconds = Int64(text), seconds >= 1 else {
                throw ServiceSettings.InvalidSetting(description: "tracking_lockout_seconds must be a whole number of seconds, at least 1 (got '\(text)')")
            }
            windowMs = seconds * 1000
        }
    }

    init() {}

    static func codeSubject(_ code: String) -> String { "code:\(code)" }
    static func addressSubject(_ address: String) -> String { "address:\(address)" }

    /// RESOURCE_EXHAUSTED with when to retry, if the code or the address is locked out now.
    func check(code: String, address: String?, nowMs: Int64, _ db: any SQLConnection) throws {
        var waits: [Int64] = []
        if let wait = try lockedFor(Self.codeSubject(code), limit: perCode, nowMs: nowMs, db) { waits.append(wait) }
        if let address, let wait = try lockedFor(Self.addressSubject(address), limit: perAddress, nowMs: nowMs, db) {
            waits.append(wait)
        }
        guard let wait = waits.max() else { return }
        let minutes = max(1, (wait + 59_999) / 60_000)
        throw RPCError(.resourceExhausted,
                       "Đã nhập sai mã tra cứu quá nhiều lần; vui lòng thử lại sau \(minutes) phút.",
                       metadata: ["retry-after-ms": "\(wait)"])
    }

    /// Records one failure under the code and the address, and forgets failures older than
    /// the window (the table stays as small as an hour's failures).
    func recordFailure(code: String, address: String?, nowMs: Int64, _ db: any SQLConnection) throws {
        try db.execute(sql: "DELETE FROM tracking_failure WHERE at_ms <= ?", arguments: [nowMs - windowMs])
        let insert = "INSERT INTO tracking_failure (subject, at_ms) VALUES (?, ?)"
        try db.execute(sql: insert, arguments: [Self.codeSubject(code), nowMs])
        if let address { try db.execute(sql: insert, arguments: [Self.addressSubject(address), nowMs]) }
    }

    /// Milliseconds until `subject` may try again; nil when it is not locked.
    private func lockedFor(_ subject: String, limit: Int, nowMs: Int64, _ db: any SQLConnection) throws -> Int64? {
        // The limit-th most recent failure inside the window: once it leaves, a try is allowed.
        let times = try Int64.fetchAll(db, sql: """
            SELECT at_ms FROM tracking_failure WHERE subject = ? AND at_ms > ? ORDER BY at_ms DESC LIMIT ?
            """, arguments: [subject, nowMs - windowMs, limit])
        guard times.count >= limit, let oldest = times.last else { return nil }
        return max(1, oldest + windowMs - nowMs)
    }
}
