/// Why bytes could not be decoded as a message. The RPC layer turns it into INVALID_ARGUMENT
/// with a field violation naming `field`.
public struct ProtoDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// The bytes are not a protobuf encoding of the message (truncated, bad tag, wrong wire
        /// type, ...).
        case malformed
        /// A string field holds bytes that are not UTF-8.
        case invalidUTF8
        /// A string field holds a NUL byte, which protobuf-c would silently cut the string at.
        case nulInString
    }

    public var reason: Reason
    /// Full name of the message being decoded.
    public var message: String
    /// Dotted path of the offending field, e.g. `metadata.value`; empty when unknown.
    public var field: String

    public init(reason: Reason, message: String, field: String = "") {
        self.reason = reason
        self.message = message
        self.field = field
    }

    public var description: String {
        switch reason {
        case .malformed:
            return "payload is not a valid \(message)"
        case .invalidUTF8:
            return "\(message).\(field) is not valid UTF-8"
        case .nulInString:
            return "\(message).\(field) contains a NUL byte"
        }
    }
}
