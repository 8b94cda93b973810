import Foundation
import ServiceKit

/// How long drafts live and how much a citizen may keep (docs/drafts.md), from dossier-svc's
/// config:
///
/// - `draft_ttl_days` (default 30): a draft is deleted with its files this long after its last
///   save;
/// - `draft_notice_days` (default 3): the owner is told this long before;
/// - `draft_owner_limit_mib` (default 200): the files of all of one citizen's drafts together;
/// - `draft_max_per_owner` (default 20): drafts one citizen may keep;
/// - `draft_scan_seconds` (default 3600): how often expiring drafts are looked for.
///
/// The days may be fractional, so a test can let a draft expire in seconds.
struct DraftSettings: Sendable, Hashable {
    var ttlMs: Int64 = 30 * Self.dayMs
    var noticeMs: Int64 = 3 * Self.dayMs
    var ownerLimitBytes: Int64 = 200 << 20
    var maxDraftsPerOwner = 20
    var scanInterval: Duration = .seconds(3600)

    static let dayMs: Int64 = 86_400_000

    init() {}

    init(_ extra: [String: String]) throws {
        func days(_ key: String) throws -> Int64? {
            guard let text = extra[key] else { return nil }
            guard let days = Double(text), days > 0, days <= 3650 else {
                throw ServiceSettings.InvalidSetting(description: "\(key) must be a number of days above 0 (got '\(text)')")
            }
            return max(1, Int64((days * Double(Self.dayMs)).rounded()))
        }
        func whole(_ key: String) throws -> Int? {
            guard let text = extra[key] else { return nil }
            guard let value = Int(text), value >= 1 else {
                throw ServiceSettings.InvalidSetting(description: "\(key) must be a whole number, at least 1 (got '\(text)')")
            }
            return value
        }
        if let ttl = try days("draft_ttl_days") { ttlMs = ttl }
        if let notice = try days("draft_notice_days") { noticeMs = notice }
        guard noticeMs < ttlMs else {
            throw ServiceSettings.InvalidSetting(description: "draft_notice_days must be shorter than draft_ttl_days")
        }
        if let mib = try whole("draft_owner_limit_mib") { ownerLimitBytes = Int64(mib) << 20 }
        if let count = try whole("draft_max_per_owner") { maxDraftsPerOwner = count }
        if let seconds = try whole("draft_scan_seconds") { scanInterval = .seconds(seconds) }
    }

    /// How long a file no draft or dossier references any more is left on disk before it is
    /// deleted: a submission storing the same bytes at that moment refreshes the file, so the
    /// deletion never takes bytes a row is about to reference (`AttachmentStore`'s contract).
    var fileGraceMs: Int64 { min(ttlMs, 3_600_000) }
}
