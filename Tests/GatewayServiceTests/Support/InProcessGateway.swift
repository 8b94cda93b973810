import CatalogService
import Foundation
import GatewayDoor
@testable import GatewayWeb
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import RPCCore
import Storage
import Synchronization

/// The gateway's HTTP side in the test process: its real router and door, with catalog-svc's
/// real service (the seed catalog, an in-memory database) behind an `InProcessClient`. Requests
/// go to the router's responder as Hummingbird's own router tests send them — no process, no
/// socket — for tests of the gateway's logic; what crosses processes is tested in
/// IntegrationTests with the real executables.
struct InProcessGateway: Sendable {
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPFields
        var body: String
    }

    let door: GatewayDoor
    let responder: RouterResponder<GatewayRequestContext>
    let logger: Logger

    /// - Parameter dossierMethods: whether the gateway serves its dossier methods; their backend
    ///   is then a dossier-svc that serves nothing (UNIMPLEMENTED), for refusals made before a
    ///   call would reach it.
    static func make(settings: GatewaySettings = GatewaySettings(), dossierMethods: Bool = false) async throws -> InProcessGateway {
        var logger = Logger(label: "in-process-gateway")
        logger.logLevel = .warning
        var catalog = RPCRouter()
        catalog.register(try await CatalogServiceApp.service(
            database: try ServiceDatabase.inMemory(migrations: CatalogServiceApp.migrations), seed: "hanoi-2020", logger: logger))
        let door = try GatewayDoor(
            database: try ServiceDatabase.inMemory(migrations: GatewayDoor.migrations),
            backends: .init(catalog: InProcessClient(router: catalog),
                           dossiers: dossierMethods ? InProcessClient(router: RPCRouter()) : nil, payments: nil, notify: nil),
            settings: settings, logger: logger)
        let router = GatewayHTTPServer.router(door: door, logger: logger)
        return InProcessGateway(door: door, responder: router.buildResponder(), logger: logger)
    }

    /// Sends one request to the router and reads the whole answer.
    func send(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields = [:], body: String = "") async throws -> Answer {
        var headers = headers
        headers[.contentLength] = "\(body.utf8.count)"
        let request = Request(head: HTTPRequest(method: method, scheme: "http", authority: "gateway.test", path: path,
                                                headerFields: headers),
                              body: RequestBody(buffer: ByteBuffer(string: body)))
        let context = GatewayRequestContext(source: .init(channel: NIOAsyncTestingChannel(), logger: logger))
        let response = try await responder.respond(to: request, context: context)
        let writer = CollectingWriter()
        try await response.body.write(writer)
        return Answer(status: response.status.code, headers: response.headers,
                      body: String(decoding: writer.collected.withLock { $0.readableBytesView }, as: UTF8.self))
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> Answer {
        try await send(.get, path, headers: headers)
    }

    /// A response body written into one buffer.
    final class CollectingWriter: ResponseBodyWriter, Sendable {
        let collected = Mutex(ByteBuffer())

        func write(_ buffer: ByteBuffer) async throws {
            collected.withLock { $0.writeImmutableBuffer(buffer) }
        }

        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
