import Foundation

/// The connection strings services are given for PostgreSQL (the `database` setting), and
/// the settings added to them when absent.
public enum PostgresURL {
    /// What a connection needs to notice a dead primary and find the new one, unless the
    /// operator's string says otherwise:
    /// - `target_session_attrs=read-write`: of several hosts, only the one taking writes;
    /// - `connect_timeout=5`: a host that does not answer is skipped after 5 s;
    /// - keepalives and `tcp_user_timeout=10000`: a connection to a host cut off from the
    ///   network fails within about 10 s instead of waiting for TCP's minutes.
    static let defaults: [(String, String)] = [
        ("target_session_attrs", "read-write"),
        ("connect_timeout", "5"),
        ("keepalives", "1"),
        ("keepalives_idle", "5"),
        ("keepalives_interval", "2"),
        ("keepalives_count", "3"),
        ("tcp_user_timeout", "10000"),
    ]

    public static func isPostgres(_ setting: String) -> Bool {
        setting.hasPrefix("postgres://") || setting.hasPrefix("postgresql://")
    }

    /// `url` with each default it lacks.
    public static func withDefaults(_ url: String) -> String {
        var out = url
        if isPostgres(url) {
            for (key, value) in defaults where !url.contains("\(key)=") {
                out += (out.contains("?") ? "&" : "?") + "\(key)=\(value)"
            }
        } else {
            for (key, value) in defaults where !url.contains("\(key)=") {
                out += " \(key)=\(value)"
            }
        }
        return out
    }

    /// `url` without its password, for logs and errors.
    public static func redacted(_ url: String) -> String {
        guard isPostgres(url), let scheme = url.range(of: "://"), let at = url.range(of: "@", range: scheme.upperBound..<url.endIndex)
        else { return url.replacing(/password=\S+/, with: "password=…") }
        let credentials = url[scheme.upperBound..<at.lowerBound]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":…" + String(url[at.lowerBound...])
    }
}
