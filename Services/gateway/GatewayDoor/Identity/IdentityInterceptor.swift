import DVCProto
import Foundation
import Logging
import RPCCore

/// Establishes who calls the gateway's binary RPC door, before anything else runs, from the
/// call's metadata (`CallerResolver`). Whatever `x-dvc-identity` a caller sends is never read;
/// the gateway sets that key itself on the calls it makes downstream.
struct IdentityInterceptor: ServerInterceptor {
    let resolver: CallerResolver

    func intercept(
        request: any ProtoMessage,
        context: ServerContext,
        next: @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage {
        guard context.method.hasPrefix("/dvc.gateway.") else { return try await next(request, context) }
        let caller = try await resolver.resolve(authorization: context.metadata[MetadataKey.authorization],
                                                onBehalfOf: context.metadata[CallerResolver.onBehalfOfKey],
                                                client: RateLimitInterceptor.host(of: context.remoteAddress),
                                                logger: context.logger)
        return try await next(request, caller.stamp(context))
    }
}
