import Foundation
import TestKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The platform's executables, as `swift build` leaves them in the build folder.
///
/// These tests start the real programs, so they need them built: `swift build` first (the
/// test script builds everything before `swift test`). A missing executable is a failure
/// saying so, never a skip.
enum Executables {
    /// The services of docs/architecture.md, each with the SQLite file it keeps under `--data-dir`.
    static let services: [(name: String, database: String)] = [
        ("catalog-svc", "catalog.sqlite"),
        ("dossier-svc", "dossier.sqlite"),
        ("payment-svc", "payment.sqlite"),
        ("notify-svc", "notify.sqlite"),
        ("gateway", "gateway.sqlite"),
    ]
    static let interopServer = "rpc-interop-server"
    static let all = services.map(\.name) + [interopServer]


    static func url(_ name: String) throws -> URL { try BuiltExecutables.url(name) }

    /// What a service needs on its command line to start at all, when no peer has to answer:
    /// its required peers (an address nobody listens on) and, for payment-svc, a config file
    /// with a provider's settings.
    static func minimalArguments(_ name: String) throws -> [String] {
        let nowhere = "127.0.0.1:9"
        switch name {
        case "gateway", "dossier-svc":
            return ["--catalog", nowhere]
        case "payment-svc":
            return ["--catalog", nowhere, "--dossier", nowhere, "--config", try providerConfig().path]
        default:
            return []
        }
    }

    /// A payment-svc config file naming a provider that is not there (nothing is paid).
    static func providerConfig() throws -> URL {
        let file = try makeTemporaryFolder("payment-config").appendingPathComponent("payment.env")
        try """
            vnpay_tmn_code=DVCTEST00
            vnpay_hash_secret=khong-dung-de-thanh-toan
            vnpay_pay_url=http://127.0.0.1:9/paymentv2/vpcpay.html
            vnpay_api_url=http://127.0.0.1:9/merchant_webapi/api/transaction
            """.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago: bound to port 0, read, released.
func freeLoopbackPort() throws -> Int {
    #if canImport(Glibc) || canImport(Musl)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw POSIXError(.EINVAL) }
    return Int(UInt16(bigEndian: address.sin_port))
}
