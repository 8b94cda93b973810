import Foundation
import TestKit

/// The executables these tests run: `dvcctl`, `rpc-interop-server` and `catalog-svc`, found by
/// TestKit's `BuiltExecutables` in the build folder.
enum Executables {
    static let dvcctl = "dvcctl"
    static let interopServer = "rpc-interop-server"
    static let catalogService = "catalog-svc"

    static func url(_ name: String) throws -> URL { try BuiltExecutables.url(name) }
}

/// Runs the built `dvcctl`.
func dvcctl(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
            in folder: URL? = nil) async throws -> Finished {
    try await runToCompletion(try Executables.url(Executables.dvcctl), arguments, stdin: stdin,
                              environment: childEnvironment(environment), in: folder)
}
