import ArgumentParser

/// The operator's command line: generic calls to any method of the platform's protos, health
/// checks, and the catalog's administration (see docs/dvcctl.md).
@main
struct DVCCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dvcctl",
        abstract: "Operate the online public-services platform over its binary RPC.",
        discussion: """
            Exit status: 0 on success; 1 when the input is refused before anything is sent (an \
            unknown method, bad JSON, a field that does not exist, a wrong type, an unreadable \
            file) or, for `health`, when a server is not SERVING or cannot be reached; the \
            gRPC status code + 1 when a call fails (e.g. 4 for INVALID_ARGUMENT, 6 for \
            NOT_FOUND, 15 for UNAVAILABLE); 64 for a command line that does not parse.
            """,
        subcommands: [CallCommand.self, MethodsCommand.self, HealthCommand.self, CatalogCommand.self]
    )
}
