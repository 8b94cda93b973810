import ArgumentParser
import DossierService
import Foundation
import ServiceKit

/// `dossier-svc signing certificates|revoke|rotate`: the signing certificates of the agencies
/// (docs/signatures.md "Rotation and revocation").
struct SigningCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signing",
        abstract: "The agencies' signing certificates: list, revoke, rotate (demo CA).",
        subcommands: [Certificates.self, Revoke.self, Rotate.self])

    struct Certificates: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every certificate that signed documents, per agency.")
        @OptionGroup var options: ServiceOptions

        func run() throws {
            let settings = try ServiceSettings(serviceName: DossierServiceApp.executableName, options: options)
            for line in try SigningAdministration.certificates(settings: settings) { print(line) }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that an agency's certificate is revoked: what it signed before stays valid, later signatures are not.")
        @OptionGroup var options: ServiceOptions
        @Option(help: "The agency's code.") var agency: String
        @Option(help: "The certificate's serial number (hexadecimal, as `signing certificates` shows it).") var serial: String
        @Option(help: "Why (kept with the certificate, shown on the verification page).") var reason: String
        @Option(help: "When it is revoked from (ISO 8601, e.g. 2026-03-01T08:00:00Z); default now.") var at: String?

        func run() throws {
            let settings = try ServiceSettings(serviceName: DossierServiceApp.executableName, options: options)
            var when = Date()
            if let at {
                guard let parsed = ISO8601DateFormatter().date(from: at) else {
                    throw ValidationError("--at: '\(at)' is not an ISO 8601 time such as 2026-03-01T08:00:00Z")
                }
                when = parsed
            }
            print(try SigningAdministration.revoke(settings: settings, agencyCode: agency, serialHex: serial,
                                                   at: when, reason: reason))
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Demo CA only: issue the agency a new certificate; the old one keeps verifying what it signed.")
        @OptionGroup var options: ServiceOptions
        @Option(help: "The agency's code.") var agency: String

        func run() throws {
            let settings = try ServiceSettings(serviceName: DossierServiceApp.executableName, options: options)
            if settings.extra["signing_dir"] != nil {
                throw ValidationError("with signing_dir, the agency's CA issues its certificates: replace chain.pem and key.pem in its folder")
            }
            print(try SigningAdministration.rotateDemo(settings: settings, agencyCode: agency))
        }
    }
}
