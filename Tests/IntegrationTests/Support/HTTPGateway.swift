import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCNIO
import TestKit
import Testing

/// catalog-svc, dossier-svc and the gateway with its HTTP side, as real processes: what the
/// portal's and the JSON API's tests stand on.
struct HTTPGateway {
    var catalog: ServiceProcess
    var dossier: ServiceProcess
    var gateway: ServiceProcess
    /// "http://127.0.0.1:PORT", where the gateway's HTTP side listens.
    var root: String
}

/// `catalogEnvironment` reaches catalog-svc only (e.g. `DVC_SEED` for another seed than the
/// tests' hanoi-2020); `dossierArguments` reach dossier-svc (e.g. `--config` with its settings).
func withHTTPGateway(gatewayArguments: [String] = [], catalogEnvironment: [String: String] = [:], dossierArguments: [String] = [],
                     _ body: (HTTPGateway) async throws -> Void) async throws {
    try await withService("catalog-svc", environment: catalogEnvironment) { catalog in
        try await withService("dossier-svc", extraArguments: ["--catalog", catalog.address.description] + dossierArguments) { dossier in
            try await withService("gateway", extraArguments: [
                "--catalog", catalog.address.description, "--dossier", dossier.address.description, "--http", "127.0.0.1:0",
            ] + gatewayArguments) { gateway in
                try await body(HTTPGateway(catalog: catalog, dossier: dossier, gateway: gateway,
                                           root: try await PaymentFlowTests.httpAddress(gateway)))
            }
        }
    }
}

/// A browser without a cookie jar or redirects: each request carries exactly the cookies the
/// test means, and each answer can be looked at.
func cookielessBrowser() -> URLSession {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpShouldSetCookies = false
    configuration.httpCookieAcceptPolicy = .never
    configuration.httpCookieStorage = nil
    return URLSession(configuration: configuration, delegate: PortalPagesTests.NoRedirects(), delegateQueue: nil)
}
