/// `HOST:PORT` of a peer, as the command line gives it (`--catalog 10.0.0.5:7001,...`).
public struct PeerAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` or `[IPv6]:PORT`; nil when malformed.
    public init?(_ text: String) {
        let text = text.trimmingCharacters(in: " ")
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        self.host = host
        self.port = port
    }

    /// Parses a comma-separated list; nil when any entry is malformed or the list is empty.
    public static func list(_ text: String) -> [PeerAddress]? {
        let parts = text.split(separator: ",").map(String.init)
        let peers = parts.compactMap(PeerAddress.init)
        return peers.count == parts.count && !peers.isEmpty ? peers : nil
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension String {
    fileprivate func trimmingCharacters(in character: Character) -> Substring {
        var slice = self[...]
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return slice
    }
}
