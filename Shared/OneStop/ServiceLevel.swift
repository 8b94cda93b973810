import DVCProto
import RPCCore

/// The level at which an agency offers a procedure online (docs/domain.md "Service levels"):
/// Circular 26/2009/TT-BTTTT's levels 1 to 4, each including the ones below, and 0 for a
/// procedure the agency does not offer online at all. Decree 42/2022/NĐ-CP names level 3
/// "một phần" (partly online) and level 4 "toàn trình" (fully online); the platform shows both
/// vocabularies side by side.
///
/// Every place that compares a level, names one or refuses a call for lack of one uses this
/// type: the gateway's level gate, dossier-svc's submission check, payment-svc's online
/// payment check, catalog-svc's validation and the portal's pages.
public struct ServiceLevel: RawRepresentable, Comparable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Not offered online.
    public static let none = ServiceLevel(rawValue: 0)
    /// Full information: steps, documents, time limit, fees, legal basis.
    public static let information = ServiceLevel(rawValue: 1)
    /// Also the form templates for download.
    public static let forms = ServiceLevel(rawValue: 2)
    /// Also submission, supplement, withdrawal and tracking online ("một phần").
    public static let online = ServiceLevel(rawValue: 3)
    /// Also payment and the result online ("toàn trình").
    public static let fullyOnline = ServiceLevel(rawValue: 4)

    /// The highest level there is.
    public static let highest = fullyOnline
    /// The levels an agency can enable (0 withdraws a procedure).
    public static let enableable: ClosedRange<UInt32> = information.rawValue...highest.rawValue

    public static func < (lhs: ServiceLevel, rhs: ServiceLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether this is a level at all (0 to 4).
    public var exists: Bool { rawValue <= Self.highest.rawValue }

    /// "mức độ 3 (một phần)": the Circular's number with Decree 42/2022's name where it has
    /// one, as messages and refusals show it.
    public var name: String {
        switch rawValue {
        case 0: "không cung cấp trực tuyến"
        case 1: "mức độ 1"
        case 2: "mức độ 2"
        case 3: "mức độ 3 (một phần)"
        default: "mức độ 4 (toàn trình)"
        }
    }

    /// "mức độ 3 — một phần": the level with what it lets a citizen do, as the portal's
    /// procedure pages list it.
    public var portalName: String {
        switch rawValue {
        case 0: "không cung cấp trực tuyến"
        case 1: "mức độ 1 — thông tin"
        case 2: "mức độ 2 — tải biểu mẫu"
        case 3: "mức độ 3 — một phần"
        default: "mức độ 4 — toàn trình"
        }
    }

    /// Decree 42/2022/NĐ-CP's name alone: "toàn trình", "một phần", or nil below level 3.
    public var decree42Name: String? {
        switch rawValue {
        case 3: "một phần"
        case 4...: "toàn trình"
        default: nil
        }
    }

    public var description: String { "level \(rawValue)" }

    /// Metadata keys of a level refusal: the facts the HTTP door builds its problem document
    /// from (`level_needed`, `level_offered`, the agency).
    public enum RefusalKey {
        public static let agency = "dvc-agency"
        public static let agencyName = "dvc-agency-name"
        public static let procedure = "dvc-procedure"
        public static let needed = "dvc-level-needed"
        public static let enabled = "dvc-level-enabled"
    }

    /// Passes when `enabled` (catalog-svc's answer for one agency and procedure) is at least
    /// this level; otherwise FAILED_PRECONDITION naming the agency, the procedure, the level
    /// needed and the level enabled, with the same facts in metadata. `doing` says what needs
    /// the level ("online submission", "paying online"); `instead` what the citizen can do.
    public func require(of enabled: CatalogV1.GetEnabledLevelResponse, agency: String, procedure: String,
                        doing: String = "this", instead: String? = nil) throws(RPCError) {
        let level = ServiceLevel(rawValue: enabled.level)
        guard level < self else { return }
        let offered = level == .none ? "does not offer it online" : "offers it at level \(level.rawValue) (\(level.name))"
        var message = "\(enabled.agencyName) (\(agency)) \(offered); \"\(enabled.procedureName)\" (\(procedure)) needs "
            + "level \(rawValue) (\(name)) for \(doing)"
        if let instead { message += ": \(instead)" }
        throw RPCError(.failedPrecondition, message, metadata: [
            RefusalKey.agency: agency, RefusalKey.agencyName: enabled.agencyName, RefusalKey.procedure: procedure,
            RefusalKey.needed: "\(rawValue)", RefusalKey.enabled: "\(level.rawValue)",
        ])
    }
}
