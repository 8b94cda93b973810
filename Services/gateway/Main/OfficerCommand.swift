import ArgumentParser
import Foundation
import GatewayDoor
import GatewayWeb
import RPCCore
import ServiceKit

/// `gateway officer create`: an officer account made by the operator (the first administrator
/// of an agency, or the demo officers of `scripts/up.sh`); later ones are made by the agency's
/// administrator over HTTP. The password is generated and printed once.
struct OfficerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "officer",
        abstract: "Create officers' accounts.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make an officer of an agency; prints the generated password once.")

        @OptionGroup var options: ServiceOptions

        @Option(help: "The agency's identifier code, e.g. 000.00.07.H26.")
        var agency: String

        @Option(help: "The sign-in name (2–64 lower-case letters, digits, '.', '_', '-').")
        var id: String

        @Option(help: "Comma-separated roles: receiver, processor, approver, admin.")
        var roles: String

        @Option(name: .customLong("full-name"), help: "The officer's name.")
        var fullName: String

        func run() async throws {
            let settings = try ServiceSettings(serviceName: GatewayServiceApp.executableName, options: options)
            try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
            let officers = try OfficerAccounts(database: try GatewayServiceApp.database(settings))
            var generator = SystemRandomNumberGenerator()
            let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
            let password = String((0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
            do {
                let officer = try await officers.create(
                    id: id, agencyCode: agency, roles: Set(roles.split(separator: ",").map(String.init)), fullName: fullName,
                    password: password, createdBy: .system(service: "gateway-cli"))
                print("\(officer.id)\t\(officer.agencyCode)\t\(officer.roles.sorted().joined(separator: ","))\t\(password)")
            } catch let error as RPCError {
                throw ValidationError(OfficerAccounts.explain(error))
            }
        }
    }
}
