import ArgumentParser
import DVCProto
import Foundation
import RPCCore
import RPCNIO

/// `dvcctl catalog ...`: catalog-svc's administration and reads (CatalogService in
/// proto/dvc/catalog/v1/catalog.proto).
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Import, export, read and administer the catalog (catalog-svc).",
        discussion: """
            Every subcommand takes --catalog HOST:PORT[,HOST:PORT...] (or the environment \
            variable DVC_CATALOG). Changes (import, set-level, calendar set / remove) are \
            recorded in the catalog's audit log under the actor sent as metadata x-dvc-actor: \
            --actor, or else $USER.
            """,
        subcommands: [
            CatalogImport.self, CatalogExport.self, CatalogListAgencies.self, CatalogSearch.self,
            CatalogGet.self, CatalogSetLevel.self, CatalogCalendar.self, CatalogAudit.self,
        ]
    )
}

/// The flags every catalog subcommand shares.
struct CatalogOptions: ParsableArguments {
    @Option(name: .customLong("catalog"),
            help: ArgumentHelp("catalog-svc's address (default: $DVC_CATALOG).", valueName: "host:port[,host:port...]"))
    var catalog: String?

    @Option(name: .long, help: "Who makes the change, recorded in the audit log (default: $USER).")
    var actor: String?

    @Flag(name: .long, help: "Print the response as JSON instead of a table.")
    var json = false

    @OptionGroup var rpc: RPCOptions

    static let environmentVariable = "DVC_CATALOG"

    func peers() throws(ValidationError) -> [PeerAddress] {
        let environment = ProcessInfo.processInfo.environment
        guard let text = catalog ?? environment[Self.environmentVariable], !text.isEmpty else {
            throw ValidationError("give catalog-svc's address with --catalog HOST:PORT or DVC_CATALOG")
        }
        return try parsePeers(text, what: catalog != nil ? "--catalog" : "DVC_CATALOG")
    }

    /// The actor of admin calls: --actor, else $USER, else the user id's name.
    func actorName() -> String {
        if let actor, !actor.isEmpty { return actor }
        let environment = ProcessInfo.processInfo.environment
        if let user = environment["USER"] ?? environment["LOGNAME"], !user.isEmpty { return user }
        return "uid-\(getuid())"
    }

    /// One call to catalog-svc; `admin` adds the actor's metadata.
    func call<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, admin: Bool = false
    ) async throws -> Response {
        let options = try rpc.callOptions(extra: admin ? ["x-dvc-actor": actorName()] : [:])
        return try await withClient(rpc.client(try peers())) { client in
            try await client.unary(method, request, options: options)
        }
    }

    /// `message` as pretty JSON on stdout, when --json asks for it.
    func printJSON(_ message: some ProtoJSONMessage) {
        Console.print(message.jsonString(pretty: true))
    }
}
