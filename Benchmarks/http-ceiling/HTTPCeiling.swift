import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The ceiling for an answer of a given size on this machine: a bare Hummingbird route that
/// answers every GET and POST with the same bytes from memory (read once from a file), with
/// nothing behind it. `scripts/bench-http.sh` gives it the very bytes the gateway answered for
/// a page or a JSON read, so the gateway's rate is compared with the fastest this HTTP stack can
/// send that many bytes, in the same run. Prints `listening on HOST:PORT`.
@main
struct HTTPCeiling: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-ceiling",
        abstract: "Serves one file's bytes from memory on every path (a benchmark's ceiling, not a server)."
    )

    @Option(help: "The answer's bytes.")
    var file: String

    @Option(help: "The answer's Content-Type.")
    var contentType: String = "text/html; charset=utf-8"

    @Option(help: "Port on 127.0.0.1 (0 picks one).")
    var port: Int = 0

    func run() async throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let body = ByteBuffer(bytes: bytes)
        let contentType = contentType
        let router = Router()
        let answer: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            // A POST's body is read, as the gateway reads one.
            var request = request
            _ = try await request.collectBody(upTo: 1 << 20)
            return Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: body))
        }
        router.get("**", use: answer)
        router.post("**", use: answer)
        var logger = Logger(label: "http-ceiling")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "http-ceiling"),
            onServerRunning: { channel in
                if let local = channel.localAddress, let ip = local.ipAddress, let port = local.port {
                    FileHandle.standardOutput.write(Data("listening on \(ip):\(port)\n".utf8))
                }
            },
            logger: logger)
        try await app.runService()
    }
}
