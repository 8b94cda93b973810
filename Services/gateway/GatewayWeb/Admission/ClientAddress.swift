import Foundation
import NIOCore

/// The address a request is counted under for the per-address limit.
///
/// Behind a reverse proxy every connection comes from the proxy, so the client is named by
/// `X-Forwarded-For` — but that header is whatever the sender wrote, so it is believed only
/// when the connection comes from a proxy the operator listed (config `trusted_proxies`,
/// comma-separated addresses), and then only its right-most entry that is not itself one of
/// them: the address that proxy saw, not one a client made up further left.
struct ClientAddress: Sendable {
    let trustedProxies: Set<String>

    init(trustedProxies: Set<String> = []) {
        self.trustedProxies = trustedProxies
    }

    init(_ extra: [String: String]) {
        let listed = (extra["trusted_proxies"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        self.init(trustedProxies: Set(listed))
    }

    func resolve(peer: SocketAddress?, forwardedFor: String?) -> String {
        let direct = peer?.ipAddress ?? "unknown"
        guard trustedProxies.contains(direct), let forwardedFor else { return direct }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !trustedProxies.contains($0) } ?? direct
    }
}
