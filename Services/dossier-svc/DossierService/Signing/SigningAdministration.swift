import Foundation
import Logging
import ServiceKit
import Storage

/// What `dossier-svc signing …` does on the service's database, beside the running service
/// (the database its settings name, as the service opens it: SQLite in WAL mode takes the
/// write between the service's transactions, PostgreSQL's write lock likewise):
/// listing the certificates that ever signed, revoking one, and (demo CA) rotating an agency's.
public enum SigningAdministration {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Every certificate that signed, per agency, with its state: one line each.
    public static func certificates(settings: ServiceSettings) throws -> [String] {
        let database = try open(settings)
        defer { try? database.close() }
        return try database.read { db in
            try SQLRow.fetchAll(db, sql: """
                SELECT c.agency_code, c.serial_hex, c.subject, c.not_after_ms, c.revoked_at_ms,
                       (SELECT COUNT(*) FROM signed_document d WHERE d.certificate_sha256 = c.sha256_hex) AS signed
                FROM signing_certificate c ORDER BY c.agency_code, c.first_used_ms
                """).map { row in
                let revoked: Int64? = row["revoked_at_ms"]
                let state = revoked.map { "revoked at \(Self.iso(Date(timeIntervalSince1970: Double($0) / 1000)))" } ?? "in force"
                return "\(row["agency_code"] as String)\t\(row["serial_hex"] as String)\t\(row["signed"] as Int) signed\t\(state)\t\(row["subject"] as String)"
            }
        }
    }

    /// Records that the agency's certificate `serial` is revoked from `at` (now by default; an
    /// earlier time when the key was compromised earlier). Signatures it made before stay valid
    /// ("ký trước thời điểm thu hồi"); any claiming a later time are shown invalid; it never
    /// signs again (the demo CA issues a new one; with `signing_dir` the operator installs one).
    public static func revoke(settings: ServiceSettings, agencyCode: String, serialHex: String, at: Date, reason: String) throws -> String {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw Failure(description: "--reason is required") }
        let database = try open(settings)
        defer { try? database.close() }
        let atMs = Int64(at.timeIntervalSince1970 * 1000)
        guard let count = try database.write({ db in
            try DocumentSignatures.revoke(agencyCode: agencyCode, serialHex: serialHex, atMs: atMs, reason: reason, db)
        }) else {
            throw Failure(description: "agency \(agencyCode) has no certificate with serial \(serialHex) that signed here (see `dossier-svc signing certificates`)")
        }
        return "revoked certificate \(serialHex.uppercased()) of \(agencyCode) at \(iso(at)); it had signed \(count) document(s)"
    }

    /// Demo CA only: a new certificate for the agency; the running service signs with it from
    /// its next document, and the old one keeps verifying what it signed.
    public static func rotateDemo(settings: ServiceSettings, agencyCode: String) throws -> String {
        let database = try open(settings)
        defer { try? database.close() }
        let name = try database.read { db in
            try String.fetchOne(db, sql: "SELECT issuer_name FROM signed_document WHERE issuer_code = ? ORDER BY signed_at_ms DESC LIMIT 1",
                                arguments: [agencyCode])
        } ?? agencyCode
        let keys = try AgencySigningKeys(signingDirectory: nil, dataDirectory: settings.dataDirectory, logger: Logger(label: "dossier-svc.signing"))
        try keys.rotateDemo(agencyCode: agencyCode, agencyName: name)
        let credential = try keys.credential(agencyCode: agencyCode, agencyName: name)
        return "issued a new demo certificate for \(agencyCode): serial \(credential.certificate.serialHex)"
    }

    /// The service's database, as `dossier-svc` itself opens it (`database` / `DVC_DATABASE`).
    static func open(_ settings: ServiceSettings) throws -> ServiceDatabase {
        try settings.openDatabase(name: "dossier", migrations: DossierSchema.migrations, postgres: true,
                                  logger: Logger(label: "dossier-svc.signing"))
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
