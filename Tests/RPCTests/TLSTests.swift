import DVCProto
import Foundation
import InteropService
import NIOCore
import RPCCore
import RPCNIO
import Testing

/// `RPCTLS` in process: loading errors that name the file, and server and client over mutual
/// TLS with certificates made by deploy/tls/make-ca.sh (docs/tls.md).
@Suite(.serialized, .timeLimit(.minutes(1))) struct TLSTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A CA with `service` (127.0.0.1) and `client` certificates, in a new folder.
    static func certificates() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rpc-tls-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = root.appendingPathComponent("deploy/tls/make-ca.sh")
        process.arguments = [folder.path, "service=127.0.0.1", "client"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "make-ca.sh failed")
        return folder
    }

    static func tls(_ folder: URL, _ name: String?) throws -> RPCTLS {
        try RPCTLS.load(certificate: name.map { folder.appendingPathComponent("\($0).pem").path },
                        privateKey: name.map { folder.appendingPathComponent("\($0).key").path },
                        authority: folder.appendingPathComponent("ca.pem").path)
    }

    @Test("a file that cannot be used is named in the error, with what is wrong with it")
    func loadErrors() throws {
        let folder = try Self.certificates()
        let ca = folder.appendingPathComponent("ca.pem").path
        let missing = #expect(throws: RPCTLS.LoadError.self) {
            try RPCTLS.load(certificate: folder.appendingPathComponent("nope.pem").path,
                            privateKey: folder.appendingPathComponent("service.key").path, authority: ca)
        }
        #expect(missing?.description.contains("nope.pem") == true && missing?.description.contains("does not exist") == true)

        let notPEM = folder.appendingPathComponent("garbage.pem")
        try "not a certificate".write(to: notPEM, atomically: true, encoding: .utf8)
        let garbage = #expect(throws: RPCTLS.LoadError.self) {
            try RPCTLS.load(certificate: nil, privateKey: nil, authority: notPEM.path)
        }
        #expect(garbage?.description.contains("garbage.pem") == true, "\(String(describing: garbage))")

        let mismatched = #expect(throws: RPCTLS.LoadError.self) {
            try RPCTLS.load(certificate: folder.appendingPathComponent("service.pem").path,
                            privateKey: folder.appendingPathComponent("client.key").path, authority: ca)
        }
        #expect(mismatched?.description.contains("does the key belong to the certificate") == true,
                "\(String(describing: mismatched))")
        #expect(throws: RPCTLS.LoadError.self) {
            try RPCTLS.load(certificate: folder.appendingPathComponent("service.pem").path, privateKey: nil, authority: ca)
        }
    }

    @Test("64 calls multiplexed over one mutual-TLS connection; a client without a certificate is refused at connect")
    func mutualTLSRoundTrip() async throws {
        let folder = try Self.certificates()
        var router = RPCRouter()
        router.register(TestService())
        var serverConfiguration = RPCServerConfiguration()
        serverConfiguration.tls = try Self.tls(folder, "service")
        let server = RPCServer(router: router, configuration: serverConfiguration)
        let port = try await server.bind(host: "127.0.0.1", port: 0).port!
        let address = PeerAddress(host: "127.0.0.1", port: port)

        var configuration = RPCClientConfiguration()
        configuration.tls = try Self.tls(folder, "client")
        let client = RPCClient(peers: [address], configuration: configuration)
        let echoed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    var request = TestingV1.SimpleRequest()
                    request.payload = Data("gọi số \(index)".utf8)
                    let response = try await client.unary(TestingV1.TestService.unaryCall, request,
                                                          options: CallOptions(timeout: .seconds(5)))
                    return response.payload == request.payload
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(echoed == 64)
        await client.close()

        var anonymous = RPCClientConfiguration()
        anonymous.tls = try Self.tls(folder, nil)
        let refusedClient = RPCClient(peers: [address], configuration: anonymous)
        do {
            _ = try await refusedClient.unary(TestingV1.TestService.emptyCall, TestingV1.Empty(),
                                              options: CallOptions(timeout: .seconds(5)))
            Issue.record("a client without a certificate was served")
        } catch let error as RPCError {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("cannot connect"), "\(error.message)")
        }
        await refusedClient.close()
        await server.shutdownGracefully()
    }
}
