import DVCProto
import Logging
import RPCCore

/// The binary RPC door's side of `AdmissionLimit`: beyond the gateway's capacity a call is
/// answered RESOURCE_EXHAUSTED at once, with `retry-after-ms`, before any work is done for it.
/// Only the network door has it: the HTTP side counts its requests in `LoadShedMiddleware`,
/// and the in-process calls its pages make are part of a request already admitted.
struct LoadShedInterceptor: ServerInterceptor {
    let limit: AdmissionLimit

    func intercept(
        request: any ProtoMessage,
        context: ServerContext,
        next: @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage {
        try await limit.admitted(.rpc) {
            try await next(request, context)
        } refused: {
            context.logger.warning("overloaded: call refused", metadata: ["in_flight": "\(limit.capacity)"])
            throw RPCError(.resourceExhausted,
                           "Hệ thống đang quá tải; vui lòng thử lại sau \(AdmissionLimit.retryAfterSeconds) giây. (the gateway is at its limit of \(limit.capacity) requests in flight)",
                           metadata: ["retry-after-ms": "\(AdmissionLimit.retryAfterSeconds * 1000)"])
        }
    }
}
