import RPCCore

/// Why a receipt code could not be made or read.
public enum ReceiptCodeError: Error, Sendable, Hashable, CustomStringConvertible, RPCErrorConvertible {
    /// The agency already received 9999 dossiers that day: the code's fixed width cannot
    /// number another, and widening it would break the systems that parse it.
    case sequenceExhausted(agencyCode: String, day: String, sequence: Int)
    /// A sequence of 0 or less: a bug in the allocator, never the citizen's doing.
    case sequenceBelowOne(Int)
    /// An agency code with characters a code could not be read back with.
    case invalidAgencyCode(String)
    /// An instant outside 2000...2099, which `yy` cannot name.
    case dateOutOfRange(unixMs: Int64)
    /// Text that is not a receipt code (what a citizen typed into tracking).
    case malformed(text: String, why: String)

    public var description: String {
        switch self {
        case .sequenceExhausted(let agency, let day, let sequence):
            return "agency \(agency) has used every receipt number of \(day): \(sequence) is above \(ReceiptCode.maximumSequence)"
        case .sequenceBelowOne(let sequence):
            return "a receipt sequence starts at 1, not \(sequence)"
        case .invalidAgencyCode(let code):
            return "\"\(code)\" cannot be the agency part of a receipt code (1–64 letters, digits, '.', '-' or '_')"
        case .dateOutOfRange(let unixMs):
            return "the instant \(unixMs) ms is outside 2000–2099, which a receipt code's yy cannot name"
        case .malformed(let text, let why):
            return "\"\(text.prefix(80))\" is not a receipt code: \(why)"
        }
    }

    public var rpcError: RPCError {
        switch self {
        case .malformed(_, let why):
            return RPCError.invalidArgument(field: "receipt_code", "is not a receipt code: \(why)")
        case .sequenceExhausted:
            // The agency's capacity for the day, like a quota: retrying tomorrow works.
            return RPCError(.resourceExhausted, description)
        case .sequenceBelowOne, .invalidAgencyCode, .dateOutOfRange:
            // The server built a bad code: nothing the caller sent can fix it.
            return RPCError(.internalError, description)
        }
    }
}
