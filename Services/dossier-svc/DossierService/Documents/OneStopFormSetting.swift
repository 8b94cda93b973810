import OneStop
import ServiceKit

/// The setting `one_stop_forms` (config file, or `DVC_ONE_STOP_FORMS`): which set of one-stop
/// forms dossier-svc issues documents on. `2025` (the default): Circular 03/2025/TT-VPCP,
/// implementing Decree 118/2025/NĐ-CP; `2018`: Circular 01/2018/TT-VPCP, for the three-tier
/// demo of 2020 (scripts/up.sh chooses it with that seed). Anything else stops the service at
/// start, naming the setting: a typo must not quietly print the other circular's numbers.
enum OneStopFormSetting {
    static let key = "one_stop_forms"

    static func parse(_ extra: [String: String]) throws -> OneStopFormSet {
        // Empty is unset, as for DVC_SEED.
        guard let text = extra[key], !text.isEmpty else { return .circular2025 }
        guard let set = OneStopFormSet(rawValue: text) else {
            throw ServiceSettings.InvalidSetting(
                description: "\(key) / DVC_ONE_STOP_FORMS must be 2025 (Circular 03/2025/TT-VPCP) or 2018 (Circular 01/2018/TT-VPCP); got '\(text)'")
        }
        return set
    }
}
