import Logging
import NIOCore
import NIOSSL
import NIOTLS
import RPCCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// TLS for the binary RPC, loaded once from PEM files and shared by every connection of a
/// server or a client (docs/tls.md).
///
/// - A server with `RPCTLS` speaks TLS 1.2 or 1.3 (1.3 when both sides can) and, with
///   `requireClientCertificate` (the default), accepts only clients whose certificate chains
///   to `trustRoots`: the platform's CA, never the system's roots.
/// - A client with `RPCTLS` presents its certificate (when it has one) and accepts only a
///   server whose certificate chains to `trustRoots` **and names the address dialled** (an IP
///   SAN for a peer given by IP, a DNS SAN for a peer given by name).
///
/// ```swift
/// let tls = try RPCTLS.load(certificate: "catalog-svc.pem", privateKey: "catalog-svc.key", authority: "ca.pem")
/// var configuration = RPCServerConfiguration()
/// configuration.tls = tls
/// ```
public struct RPCTLS: Sendable {
    /// A file that cannot be used, named with what it should have been.
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// This side's certificate, leaf first (then intermediates); empty for a client that only
    /// verifies the server (calling the gateway's public port).
    public let certificateChain: [NIOSSLCertificate]
    public let privateKey: NIOSSLPrivateKey?
    /// The CA certificates a peer's certificate must chain to.
    public let trustRoots: [NIOSSLCertificate]
    /// A server asks for, and requires, a client certificate chaining to `trustRoots`.
    public let requireClientCertificate: Bool
    /// Revoked client certificates a server refuses (`--tls-revoked`); nil: none revoked.
    public var denyList: CertificateDenyList?

    private let serverContext: NIOSSLContext?
    private let clientContext: NIOSSLContext

    public init(
        certificateChain: [NIOSSLCertificate],
        privateKey: NIOSSLPrivateKey?,
        trustRoots: [NIOSSLCertificate],
        requireClientCertificate: Bool = true
    ) throws {
        guard !trustRoots.isEmpty else { throw LoadError("TLS needs at least one CA certificate to trust") }
        guard certificateChain.isEmpty == (privateKey == nil) else {
            throw LoadError("a TLS certificate needs its private key, and a private key its certificate")
        }
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.trustRoots = trustRoots
        self.requireClientCertificate = requireClientCertificate

        var client = TLSConfiguration.makeClientConfiguration()
        client.minimumTLSVersion = .tlsv12
        client.certificateVerification = .fullVerification
        client.trustRoots = .certificates(trustRoots)
        client.certificateChain = certificateChain.map { .certificate($0) }
        client.privateKey = privateKey.map { .privateKey($0) }
        clientContext = try NIOSSLContext(configuration: client)

        if let privateKey {
            var server = TLSConfiguration.makeServerConfigurationWithMTLS(
                certificateChain: certificateChain.map { .certificate($0) },
                privateKey: .privateKey(privateKey),
                trustRoots: .certificates(trustRoots))
            server.minimumTLSVersion = .tlsv12
            // A server cannot check a client's name (it has none to expect): the chain to the
            // platform's CA is what makes a caller one of the platform's own.
            server.certificateVerification = requireClientCertificate ? .noHostnameVerification : .none
            serverContext = try NIOSSLContext(configuration: server)
        } else {
            serverContext = nil
        }
    }

    /// Loads the PEM files of one service (or an operator): its certificate chain, its key and
    /// the platform's CA. Errors name the file and what is wrong with it.
    public static func load(
        certificate: String?,
        privateKey: String?,
        authority: String,
        requireClientCertificate: Bool = true
    ) throws -> RPCTLS {
        let roots = try readCertificates(authority, what: "CA certificate (--tls-ca)")
        var chain: [NIOSSLCertificate] = []
        var key: NIOSSLPrivateKey?
        if let certificate {
            chain = try readCertificates(certificate, what: "certificate (--tls-cert)")
        }
        if let privateKey {
            try readable(privateKey, what: "private key (--tls-key)")
            do {
                key = try NIOSSLPrivateKey(file: privateKey, format: .pem)
            } catch {
                throw LoadError("the private key (--tls-key) '\(privateKey)' is not a PEM private key (an encrypted key is not supported): \(error)")
            }
        }
        do {
            return try RPCTLS(certificateChain: chain, privateKey: key, trustRoots: roots,
                              requireClientCertificate: requireClientCertificate)
        } catch let error as LoadError {
            throw error
        } catch {
            throw LoadError("the certificate '\(certificate ?? "")' and the private key '\(privateKey ?? "")' cannot be used together (does the key belong to the certificate?): \(error)")
        }
    }

    private static func readable(_ path: String, what: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LoadError("the \(what) '\(path)' does not exist")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw LoadError("the \(what) '\(path)' cannot be read (permissions?)")
        }
    }

    private static func readCertificates(_ path: String, what: String) throws -> [NIOSSLCertificate] {
        try readable(path, what: what)
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw LoadError("the \(what) '\(path)' is not PEM: \(error)")
        }
        guard !certificates.isEmpty else { throw LoadError("the \(what) '\(path)' holds no certificate") }
        return certificates
    }

    /// When this side's own certificate stops being valid, for a warning at start.
    public var expiresAt: Date? {
        certificateChain.first.map { Date(timeIntervalSince1970: TimeInterval($0.notValidAfter)) }
    }

    /// The subject of this side's certificate, e.g. `CN=catalog-svc`, for logs.
    public var subject: String? {
        certificateChain.first.map { "\($0)" }
    }

    func makeServerHandler() throws -> NIOSSLServerHandler {
        guard let serverContext else {
            throw LoadError("a TLS server needs a certificate and its private key")
        }
        return NIOSSLServerHandler(context: serverContext)
    }

    func makeClientHandler(host: String) throws -> NIOSSLClientHandler {
        // An IP address is not sent as SNI; NIOSSL then checks the certificate's IP SANs
        // against the address connected to.
        let isIP = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return try NIOSSLClientHandler(context: clientContext, serverHostname: isIP ? nil : host)
    }
}

/// Why a TLS connection never became ready.
struct TLSConnectFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Explains why a TLS connection failed in words an operator can act on, keeping BoringSSL's
/// reason for the record.
enum TLSFailure {
    static func describe(_ error: any Error) -> String {
        let raw = "\(error)"
        let hint: String
        if raw.contains("CERTIFICATE_VERIFY_FAILED") || raw.contains("failedToValidateHostname") {
            hint = "the peer's certificate is not accepted (not signed by the platform CA, expired, or not naming this address)"
        } else if raw.contains("CERTIFICATE_REQUIRED") || raw.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") {
            hint = "the peer requires a client certificate and none was presented"
        } else if raw.contains("CERTIFICATE_EXPIRED") {
            hint = "the peer refused this side's certificate: it has expired"
        } else if raw.contains("UNKNOWN_CA") || raw.contains("BAD_CERTIFICATE") || raw.contains("CERTIFICATE_UNKNOWN") {
            hint = "the peer refused this side's certificate (not signed by its CA?)"
        } else if raw.contains("WRONG_VERSION_NUMBER") || raw.contains("HTTP_REQUEST") || raw.contains("PACKET_LENGTH_TOO_LONG") {
            hint = "the peer does not speak TLS"
        } else {
            hint = "TLS handshake failed"
        }
        return "\(hint) [\(raw)]"
    }
}

/// On a server, after the TLS handler: logs a handshake that failed (a caller without an
/// acceptable certificate, or one that does not speak TLS) before the connection closes; once
/// a handshake completes, closes the connection of a revoked certificate and tells the
/// handlers after it which certificate the caller presented (`PeerCertificate`).
final class TLSHandshakeLogger: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let logger: Logger
    private let denyList: CertificateDenyList?
    private var handshakeDone = false

    init(logger: Logger, denyList: CertificateDenyList? = nil) {
        self.logger = logger
        self.denyList = denyList
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            handshakeDone = true
            let address = context.channel.remoteAddress?.description ?? "unknown"
            logger.debug("TLS handshake completed", metadata: ["peer": "\(address)"])
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            if let certificate = handler?.peerCertificate {
                let peer = PeerCertificate(certificate)
                if denyList?.contains(serial: peer.serial) == true {
                    logger.warning("TLS peer certificate revoked; closing connection",
                                   metadata: ["peer": "\(address)", "certificate": "\(peer.name)", "serial": "\(peer.serial)"])
                    context.close(promise: nil)
                    return
                }
                context.fireUserInboundEventTriggered(event)
                context.fireUserInboundEventTriggered(peer)
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !handshakeDone {
            handshakeDone = true  // one line per connection
            logger.warning("TLS handshake refused; closing connection",
                           metadata: ["peer": "\(context.channel.remoteAddress?.description ?? "unknown")",
                                      "reason": "\(TLSFailure.describe(error))"])
        }
        context.fireErrorCaught(error)
    }
}

@available(*, unavailable)
extension TLSHandshakeLogger: Sendable {}

extension PeerCertificate {
    /// The name is the subject's last common name (what make-ca.sh sets to the service's or
    /// operator's name); a certificate without one gets an empty name, which no rule allows.
    init(_ certificate: NIOSSLCertificate) {
        let name = certificate.subjectName.last { $0.type == .commonName }?.value ?? ""
        self.init(name: name, serial: CertificateDenyList.serial(certificate.serialNumber))
    }
}
