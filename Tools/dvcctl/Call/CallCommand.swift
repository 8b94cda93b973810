import ArgumentParser
import DVCProto
import Foundation
import RPCCore
import RPCNIO

/// `dvcctl call HOST:PORT /pkg.Service/Method '{json}'`: any method of the protos, with the
/// request built from JSON by the method's request type and the response printed as JSON.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call any method with a JSON request; print the response as JSON.",
        discussion: """
            The request is read with the proto3 JSON mapping of the method's request type \
            (fields in lowerCamelCase or as in the .proto, 64-bit integers as strings or \
            numbers, bytes as base64, enums by name). A field that does not exist, a wrong \
            type or JSON that does not parse is refused before anything is sent. \
            `dvcctl methods` lists the methods.

            Example:
              dvcctl call 127.0.0.1:7001 /dvc.catalog.v1.CatalogService/GetProcedure '{"code": "1.001234"}'
            """
    )

    @Argument(help: ArgumentHelp("The server.", valueName: "host:port"))
    var address: String

    @Argument(help: ArgumentHelp("The method, /package.Service/Method.", valueName: "method"))
    var method: String

    @Argument(help: ArgumentHelp("The request as JSON; - reads standard input, @FILE a file.", valueName: "json"))
    var json: String = "{}"

    @Flag(name: .long, help: "Print the response on one line.")
    var compact = false

    @OptionGroup var rpc: RPCOptions

    func run() async throws {
        try await reportingFailures {
            let peers = try parsePeers(address, what: "the address")
            let path = MethodLookup.canonical(method)
            guard let types = ProtoRegistry.method(path) else {
                var lines = ["dvcctl: unknown method '\(method)'; nothing was sent"]
                let suggestions = MethodLookup.suggestions(for: method)
                if !suggestions.isEmpty {
                    lines.append("did you mean:")
                    lines += suggestions.map { "  \($0)" }
                }
                lines.append("(`dvcctl methods` lists every method)")
                throw Failure(lines: lines, status: ExitStatus.refused)
            }
            let input = try JSONInput.read(json)
            let request: any ProtoJSONMessage
            do {
                request = try types.requestType.init(jsonUTF8: input.bytes)
            } catch {
                throw Failure(
                    "dvcctl: the request (\(types.requestType.protoName), from \(input.source)) is not valid; nothing was sent:",
                    "  \(error)")
            }
            let options = try rpc.callOptions()
            let response = try await withClient(rpc.client(peers)) { client in
                try await dynamicCall(client, path: path, request: request, responseType: types.responseType,
                                      options: options)
            }
            Console.print(response.jsonString(pretty: !compact))
        }
    }
}

/// `dvcctl methods [FILTER]`: the methods `call` knows, with their request and response types.
struct MethodsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "methods",
        abstract: "List the methods of every service in proto/, with request and response types."
    )

    @Argument(help: "Only methods whose path contains this text (case-insensitive).")
    var filter: String?

    func run() throws {
        let rows = ProtoRegistry.methodPaths
            .filter { filter == nil || $0.lowercased().contains(filter!.lowercased()) }
            .map { path -> [String] in
                let types = ProtoRegistry.method(path)!
                return [path, "\(types.requestType.protoName) -> \(types.responseType.protoName)"]
            }
        for line in Console.table(rows) { Console.print(line) }
    }
}
