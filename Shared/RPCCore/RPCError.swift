import DVCProto

/// A call that ended with a status other than OK: what a handler throws, and what a client
/// call throws.
public struct RPCError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    public var metadata: Metadata
    /// One entry per invalid request field (INVALID_ARGUMENT).
    public var violations: [FieldViolation]

    public init(
        _ code: StatusCode,
        _ message: String,
        metadata: Metadata = [:],
        violations: [FieldViolation] = []
    ) {
        precondition(code != .ok, "an RPCError cannot carry OK")
        self.code = code
        self.message = message
        self.metadata = metadata
        self.violations = violations
    }

    /// INVALID_ARGUMENT for one bad field.
    public static func invalidArgument(field: String, _ description: String) -> RPCError {
        RPCError(.invalidArgument, "\(field): \(description)",
                 violations: [FieldViolation(field: field, description: description)])
    }

    public var description: String {
        var text = "\(code): \(message)"
        for violation in violations {
            text += " [\(violation.field): \(violation.description)]"
        }
        return text
    }
}

/// A field of a request that failed decoding or validation.
public typealias FieldViolation = RpcV1.FieldViolation

extension FieldViolation {
    public init(field: String, description: String) {
        self.init()
        self.field = field
        self.description = description
    }
}

/// A domain error that knows which status it maps to (grpc-swift's `RPCErrorConvertible`).
/// Handlers throw their own errors; the server turns them into statuses through this.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

extension RPCError {
    /// The status a thrown error maps to. Errors that say nothing about it become INTERNAL
    /// without details, so internals never leak to a caller; the server logs the original.
    public init(from error: any Error) {
        switch error {
        case let error as RPCError:
            self = error
        case let error as any RPCErrorConvertible:
            self = error.rpcError
        case let error as ProtoDecodingError:
            self = RPCError(.invalidArgument, error.description,
                            violations: [FieldViolation(field: error.field.isEmpty ? "payload" : error.field,
                                                        description: error.description)])
        case is CancellationError:
            self = RPCError(.cancelled, "the call was cancelled")
        default:
            self = RPCError(.internalError, "internal error")
        }
    }
}
