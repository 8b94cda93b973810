import DVCProto

/// A unary handler with its request type erased, so the router can hold handlers of every
/// method in one table. The transport decodes with `decode` (synchronously, straight from its
/// receive buffer), then runs `run` in a task it can cancel.
public struct MethodHandler: Sendable {
    public let method: String
    public let decode: @Sendable (UnsafeRawBufferPointer) throws(ProtoDecodingError) -> any ProtoMessage
    public let run: @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage

    private init(
        method: String,
        decode: @escaping @Sendable (UnsafeRawBufferPointer) throws(ProtoDecodingError) -> any ProtoMessage,
        run: @escaping @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) {
        self.method = method
        self.decode = decode
        self.run = run
    }

    /// The same handler with `run` replaced (by one wrapped in interceptors).
    func wrapped(
        _ run: @escaping @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) -> MethodHandler {
        MethodHandler(method: method, decode: decode, run: run)
    }

    public init<Request, Response>(
        _ method: ProtoMethod<Request, Response>,
        handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        self.method = method.path
        self.decode = { bytes throws(ProtoDecodingError) in try Request(protobuf: bytes) }
        self.run = { request, context in
            // The router only hands this closure requests its own `decode` produced.
            try await handler(request as! Request, context)
        }
    }
}
