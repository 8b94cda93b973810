import ArgumentParser
import Foundation
import GatewayDoor
import GatewayWeb
import RPCCore
import ServiceKit

/// `gateway officer …`: officers' accounts from the operator's shell. `create` makes one (the
/// first administrator of an agency, or the demo officers of `scripts/up.sh`; later ones are
/// made by the agency's administrator over HTTP), with a generated password printed once.
/// `disable`, `enable`, `roles`, `reset-password` and `end-sessions` are the offboarding the
/// agency's administrator does in the console, for when there is none left to do it; each is
/// audited as `system:gateway-cli` and ends the officer's sessions.
struct OfficerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "officer",
        abstract: "Create and offboard officers' accounts.",
        subcommands: [Create.self, Disable.self, Enable.self, Roles.self, ResetPassword.self, EndSessions.self]
    )

    static let operatorTool = CallerIdentity.system(service: "gateway-cli")

    static func accounts(_ options: ServiceOptions) throws -> OfficerAccounts {
        let settings = try ServiceSettings(serviceName: GatewayServiceApp.executableName, options: options)
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        return try OfficerAccounts(database: try GatewayServiceApp.database(settings))
    }

    static func generatedPassword() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// Runs one change, printing the officer as it now stands; a refusal becomes the command's
    /// error, with each field and why.
    static func change(_ work: () async throws -> OfficerAccounts.Listed, then extra: String = "") async throws {
        do {
            let listed = try await work()
            print("\(listed.officer.id)\t\(listed.officer.agencyCode)\t\(listed.officer.roles.sorted().joined(separator: ","))\t"
                  + (listed.disabled ? "disabled" : "active") + extra)
        } catch let error as RPCError {
            throw ValidationError(OfficerAccounts.explain(error))
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an officer (leaving, moving post); ends their sessions.")
        @OptionGroup var options: ServiceOptions
        @Option(help: "The officer's sign-in name.") var id: String
        func run() async throws {
            let officers = try OfficerCommand.accounts(options)
            try await OfficerCommand.change { try await officers.setDisabled(id: id, true, by: OfficerCommand.operatorTool, client: "cli") }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled officer again.")
        @OptionGroup var options: ServiceOptions
        @Option(help: "The officer's sign-in name.") var id: String
        func run() async throws {
            let officers = try OfficerCommand.accounts(options)
            try await OfficerCommand.change { try await officers.setDisabled(id: id, false, by: OfficerCommand.operatorTool, client: "cli") }
        }
    }

    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give an officer exactly these roles; ends their sessions.")
        @OptionGroup var options: ServiceOptions
        @Option(help: "The officer's sign-in name.") var id: String
        @Option(help: "Comma-separated roles: receiver, processor, approver, admin.") var roles: String
        func run() async throws {
            let officers = try OfficerCommand.accounts(options)
            let wanted = Set(roles.split(separator: ",").map(String.init))
            try await OfficerCommand.change { try await officers.setRoles(id: id, roles: wanted, by: OfficerCommand.operatorTool, client: "cli") }
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-password",
                                                        abstract: "Give an officer a new generated password (printed once); ends their sessions.")
        @OptionGroup var options: ServiceOptions
        @Option(help: "The officer's sign-in name.") var id: String
        func run() async throws {
            let officers = try OfficerCommand.accounts(options)
            let password = OfficerCommand.generatedPassword()
            try await OfficerCommand.change({ try await officers.resetPassword(id: id, to: password, by: OfficerCommand.operatorTool, client: "cli") },
                                            then: "\t\(password)")
        }
    }

    struct EndSessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "end-sessions", abstract: "End every session of an officer.")
        @OptionGroup var options: ServiceOptions
        @Option(help: "The officer's sign-in name.") var id: String
        func run() async throws {
            let officers = try OfficerCommand.accounts(options)
            try await OfficerCommand.change { try await officers.revokeSessions(id: id, by: OfficerCommand.operatorTool, client: "cli") }
        }
    }

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
            let officers = try OfficerCommand.accounts(options)
            let password = OfficerCommand.generatedPassword()
            do {
                let officer = try await officers.create(
                    id: id, agencyCode: agency, roles: Set(roles.split(separator: ",").map(String.init)), fullName: fullName,
                    password: password, createdBy: OfficerCommand.operatorTool)
                print("\(officer.id)\t\(officer.agencyCode)\t\(officer.roles.sorted().joined(separator: ","))\t\(password)")
            } catch let error as RPCError {
                throw ValidationError(OfficerAccounts.explain(error))
            }
        }
    }
}
