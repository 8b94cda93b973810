import DVCProto

/// Runs around every handler on the server: logging, metrics, authentication and the like
/// plug in here without touching handlers.
public protocol ServerInterceptor: Sendable {
    func intercept(
        request: any ProtoMessage,
        context: ServerContext,
        next: @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage
}

/// Runs around every call a client makes: metadata injection, logging, metrics.
public protocol ClientInterceptor: Sendable {
    func intercept(
        request: any ProtoMessage,
        context: ClientContext,
        next: @Sendable (any ProtoMessage, ClientContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage
}

/// What a client interceptor knows about the call.
public struct ClientContext: Sendable {
    public var method: String
    public var options: CallOptions

    public init(method: String, options: CallOptions) {
        self.method = method
        self.options = options
    }
}

extension Array where Element == any ServerInterceptor {
    /// The handler wrapped in the interceptors, the first one outermost.
    public func wrap(
        _ handler: @escaping @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) -> @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage {
        reversed().reduce(handler) { next, interceptor in
            { request, context in
                try await interceptor.intercept(request: request, context: context, next: next)
            }
        }
    }
}

extension Array where Element == any ClientInterceptor {
    /// The call wrapped in the interceptors, the first one outermost.
    public func wrap(
        _ call: @escaping @Sendable (any ProtoMessage, ClientContext) async throws -> any ProtoMessage
    ) -> @Sendable (any ProtoMessage, ClientContext) async throws -> any ProtoMessage {
        reversed().reduce(call) { next, interceptor in
            { request, context in
                try await interceptor.intercept(request: request, context: context, next: next)
            }
        }
    }
}
