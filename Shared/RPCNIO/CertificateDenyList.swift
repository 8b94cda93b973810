import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Serial numbers of revoked certificates of the platform CA, read from a file the operator
/// keeps (docs/tls.md, "Revoking a certificate") and read again on `reload()` (SIGHUP).
///
/// Why serials in a file and not a CRL: swift-nio-ssl exposes no CRL checking (BoringSSL has
/// it, NIOSSL does not pass CRLs to it), while the serial is what `openssl x509 -serial`
/// prints and what uniquely names a certificate of one CA. The server checks the list when a
/// TLS handshake completes (a revoked certificate's connection is closed before its preface
/// is answered) and on every call (connections opened before the revocation are refused call
/// by call).
///
/// File format: one serial per line, hexadecimal, `serial=` prefix and colons allowed (as
/// openssl prints them), case and leading zeros ignored; `#` starts a comment.
public final class CertificateDenyList: Sendable {
    public let path: String
    private let serials: Mutex<Set<String>>

    /// Reads `path`; a missing or unreadable file is an error naming it (a deny list that
    /// silently denies nothing is worse than a service that does not start).
    public init(path: String) throws {
        self.path = path
        serials = Mutex(try Self.read(path))
    }

    /// Reads the file again; on error the list in force is kept and the error thrown.
    /// Returns how many serials are now denied.
    @discardableResult
    public func reload() throws -> Int {
        let fresh = try Self.read(path)
        serials.withLock { $0 = fresh }
        return fresh.count
    }

    public var count: Int { serials.withLock { $0.count } }

    public func contains(serial: String) -> Bool {
        let serial = Self.normalize(serial)
        return serials.withLock { $0.contains(serial) }
    }

    /// Upper-case hexadecimal without separators or leading zeros.
    public static func normalize(_ text: some StringProtocol) -> String {
        var text = trimmed(text)
        if text.lowercased().hasPrefix("serial=") { text = text.dropFirst("serial=".count) }
        let hex = text.uppercased().filter { $0 != ":" }
        let significant = hex.drop { $0 == "0" }
        return significant.isEmpty ? (hex.isEmpty ? "" : "0") : String(significant)
    }

    /// Without whitespace at either end (FoundationEssentials has no `trimmingCharacters`).
    static func trimmed(_ text: some StringProtocol) -> Substring {
        let text = Substring(text)
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
              let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return text[first...last]
    }

    /// The serial of a certificate as NIOSSL gives it (big-endian bytes), normalized.
    public static func serial(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF")
        return normalize(String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }))
    }

    static func read(_ path: String) throws -> Set<String> {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RPCTLS.LoadError("the certificate deny list (--tls-revoked) '\(path)' does not exist or cannot be read")
        }
        var serials: Set<String> = []
        for (number, rawLine) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let serial = normalize(line)
            guard !serial.isEmpty else { continue }
            guard serial.allSatisfy(\.isHexDigit) else {
                throw RPCTLS.LoadError("the certificate deny list (--tls-revoked) '\(path)', line \(number + 1): '\(trimmed(line))' is not a hexadecimal serial number")
            }
            serials.insert(serial)
        }
        return serials
    }
}
