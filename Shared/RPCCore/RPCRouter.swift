import DVCProto

/// The table of methods a server serves, by `/package.Service/Method`.
public struct RPCRouter: Sendable {
    private var handlers: [String: MethodHandler] = [:]
    private(set) public var serviceNames: Set<String> = []

    public init() {}

    /// Adds a typed unary handler. Registering a method twice is a programming error.
    public mutating func register<Request, Response>(
        _ method: ProtoMethod<Request, Response>,
        handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        precondition(handlers[method.path] == nil, "\(method.path) registered twice")
        handlers[method.path] = MethodHandler(method, handler: handler)
        serviceNames.insert(method.serviceName)
    }

    /// Adds every method of a service.
    public mutating func register(_ service: some RegistrableRPCService) {
        service.registerMethods(with: &self)
    }

    /// The same methods, each wrapped in the interceptors once, so that a call pays for no
    /// closure building.
    public func intercepted(by interceptors: [any ServerInterceptor]) -> RPCRouter {
        guard !interceptors.isEmpty else { return self }
        var copy = self
        for (method, handler) in handlers {
            copy.handlers[method] = handler.wrapped(interceptors.wrap(handler.run))
        }
        return copy
    }

    public func handler(for method: String) -> MethodHandler? {
        handlers[method]
    }

    /// The error for a method the router does not know, saying whether the service is unknown
    /// too (as gRPC's interop "unimplemented service" and "unimplemented method" cases expect).
    public func unimplemented(_ method: String) -> RPCError {
        let service = method.split(separator: "/").first.map(String.init) ?? ""
        if serviceNames.contains(service) {
            return RPCError(.unimplemented, "method \(method) is not implemented by \(service)")
        }
        return RPCError(.unimplemented, "service \(service.isEmpty ? method : service) is not served here")
    }
}

/// A service that adds its methods to a router (grpc-swift's `RegistrableRPCService`).
public protocol RegistrableRPCService: Sendable {
    func registerMethods(with router: inout RPCRouter)
}
