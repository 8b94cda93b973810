import ArgumentParser
import Foundation
import GatewayDoor
import GatewayWeb
import ServiceKit

/// `gateway api-key create|list|revoke`: agency systems' keys, written straight into the
/// gateway's database (`--data-dir`, `DVC_DATA_DIR` or `--config` as for serving). A running
/// gateway sees a new key at once and a revocation within its 2 s cache.
struct APIKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key",
        abstract: "Create, list and revoke the API keys of agency systems.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    static func store(_ options: ServiceOptions) throws -> APIKeyStore {
        let settings = try ServiceSettings(serviceName: GatewayServiceApp.executableName, options: options)
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        return APIKeyStore(database: try GatewayServiceApp.database(settings))
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key bound to one agency; prints the token once (it is not stored).")

        @OptionGroup var options: ServiceOptions

        @Option(help: "The agency's identifier code, e.g. 000.00.20.H26.")
        var agency: String

        @Option(help: "Comma-separated: citizens (act for citizens it authenticated), officers (act for its own officers). Empty: itself only.")
        var scopes: String = ""

        @Option(help: "What the key is for, shown in listings.")
        var label: String = ""

        func run() throws {
            guard let scopes = APIKey.scopes(scopes) else {
                throw ValidationError("--scopes: '\(self.scopes)' — known scopes are citizens and officers")
            }
            guard !agency.isEmpty else { throw ValidationError("--agency must not be empty") }
            let (key, token) = try APIKeyCommand.store(options).create(agencyCode: agency, scopes: scopes, label: label)
            FileHandle.standardError.write(Data("created key \(key.id) for \(key.agencyCode) (scopes: \(key.scopes.map(\.rawValue).sorted().joined(separator: ",")))\n".utf8))
            print("\(APIKeyToken.scheme) \(token)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys (never their secrets).")

        @OptionGroup var options: ServiceOptions

        func run() throws {
            for key in try APIKeyCommand.store(options).list() {
                let scopes = key.scopes.map(\.rawValue).sorted().joined(separator: ",")
                let state = key.isRevoked ? "revoked" : "active"
                print([key.id, key.agencyCode, scopes.isEmpty ? "-" : scopes, state, key.label].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key for good.")

        @OptionGroup var options: ServiceOptions

        @Argument(help: "The key's id (the part before the dot).")
        var id: String

        func run() throws {
            guard try APIKeyCommand.store(options).revoke(id: id) else {
                throw ValidationError("no active key \(id)")
            }
            print("revoked \(id)")
        }
    }
}
