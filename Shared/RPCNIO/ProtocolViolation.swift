import RPCCore

/// A broken rule of the wire protocol. The server answers it with GOAWAY carrying `code` and
/// `message`, then closes; the client fails the connection's calls with it.
public struct ProtocolViolation: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String

    public init(_ code: StatusCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static let badPreface = ProtocolViolation(.internalError, "bad preface")
}
