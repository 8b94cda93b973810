import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// The address a request is counted under for the per-address limits.
///
/// Behind a reverse proxy every connection comes from the proxy, so the client is named by
/// `X-Forwarded-For` — but that header is whatever the sender wrote, so it is believed only
/// when the connection comes from a proxy the operator listed (config `trusted_proxies`:
/// comma-separated addresses or CIDR ranges, e.g. an ingress controller's pod network), and
/// then only its right-most entry that is not itself a trusted proxy: the address that proxy
/// saw, not one a client made up further left.
struct ClientAddress: Sendable {
    let trustedProxies: [Network]

    /// One address or a CIDR range, IPv4 or IPv6.
    struct Network: Sendable, Equatable {
        let bytes: [UInt8]
        let prefix: Int

        init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = Self.parse(parts[0]) else { return nil }
            let bits = bytes.count * 8
            let prefix = parts.count == 2 ? Int(parts[1]) : bits
            guard let prefix, (0...bits).contains(prefix) else { return nil }
            self.bytes = bytes
            self.prefix = prefix
        }

        func contains(_ address: String) -> Bool {
            guard let other = Self.parse(address), other.count == bytes.count else { return false }
            var remaining = prefix
            for (mine, theirs) in zip(bytes, other) where remaining > 0 {
                let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
                guard mine & mask == theirs & mask else { return false }
                remaining -= 8
            }
            return true
        }

        /// The address's bytes in network order (4 or 16).
        static func parse(_ text: String) -> [UInt8]? {
            var v4 = [UInt8](repeating: 0, count: 4)
            if inet_pton(AF_INET, text, &v4) == 1 { return v4 }
            var v6 = [UInt8](repeating: 0, count: 16)
            if inet_pton(AF_INET6, text, &v6) == 1 { return v6 }
            return nil
        }
    }

    /// A `trusted_proxies` entry that is neither an address nor a range.
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    init(trustedProxies: [Network] = []) {
        self.trustedProxies = trustedProxies
    }

    init(_ extra: [String: String]) throws(Invalid) {
        var networks: [Network] = []
        for entry in (extra["trusted_proxies"] ?? "").split(separator: ",") {
            let text = entry.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            guard let network = Network(text) else {
                throw Invalid(description: "--config: trusted_proxies: '\(text)' is not an IP address or a CIDR range (e.g. 10.0.0.5, 10.42.0.0/16)")
            }
            networks.append(network)
        }
        self.init(trustedProxies: networks)
    }

    func isTrusted(_ address: String) -> Bool { trustedProxies.contains { $0.contains(address) } }

    func resolve(peer: SocketAddress?, forwardedFor: String?) -> String {
        let direct = peer?.ipAddress ?? "unknown"
        guard isTrusted(direct), let forwardedFor else { return direct }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !isTrusted($0) } ?? direct
    }

    /// Refuses a configuration where a proxy is certainly in front but none is trusted: the
    /// public address is HTTPS while the gateway's HTTP side speaks plain HTTP, so something
    /// terminates TLS in front of it — and without `trusted_proxies` every citizen would be
    /// counted under that proxy's one address, and one client's excess would get everyone a 429.
    static func checkProxy(publicURL: String?, trustedProxies: [Network]) throws(Invalid) {
        guard let publicURL, publicURL.lowercased().hasPrefix("https://"), trustedProxies.isEmpty else { return }
        throw Invalid(description: """
            --config: public_url is \(publicURL) (HTTPS) but the HTTP side is plain HTTP, so a TLS proxy is in front of it; \
            set trusted_proxies to that proxy's address or range (e.g. trusted_proxies=10.0.0.5), or every client would share \
            its address in the per-address limits (docs/gateway.md, "Behind a proxy")
            """)
    }
}
