/// A unary method of a proto service, typed by its request and response messages.
///
/// Generated for every `rpc` in the protos, e.g. `TestingV1.TestService.unaryCall`.
public struct ProtoMethod<Request: ProtoMessage, Response: ProtoMessage>: Sendable, Hashable {
    /// `/package.Service/Method`, as it travels in `RequestHeader.method`.
    public let path: String

    public init(_ path: String) {
        self.path = path
    }

    /// `package.Service`, the part a health check or an interceptor filter names.
    public var serviceName: String {
        let trimmed = path.dropFirst()
        return String(trimmed.prefix { $0 != "/" })
    }

    /// `Method`, the last path component.
    public var methodName: String {
        String(path.split(separator: "/").last ?? "")
    }
}
