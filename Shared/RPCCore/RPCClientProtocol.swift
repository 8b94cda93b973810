import DVCProto

/// Something that makes unary calls: the NIO client, or an in-process one in tests. Services
/// call their peers through this, so their code does not depend on a transport.
public protocol RPCClientProtocol: Sendable {
    func unary<Request, Response>(
        _ method: ProtoMethod<Request, Response>,
        _ request: Request,
        options: CallOptions
    ) async throws -> Response
}

extension RPCClientProtocol {
    public func unary<Request, Response>(
        _ method: ProtoMethod<Request, Response>,
        _ request: Request
    ) async throws -> Response {
        try await unary(method, request, options: CallOptions())
    }
}
