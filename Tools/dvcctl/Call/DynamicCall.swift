import DVCProto
import RPCCore

/// A call whose request and response types are known only at run time (from
/// `ProtoRegistry`): Swift opens the existentials into the generic parameters.
func dynamicCall<Request: ProtoJSONMessage, Response: ProtoJSONMessage>(
    _ client: some RPCClientProtocol,
    path: String,
    request: Request,
    responseType: Response.Type,
    options: CallOptions
) async throws -> Response {
    try await client.unary(ProtoMethod<Request, Response>(path), request, options: options)
}
