import DVCProto
import Logging

/// Logs the end of every call with its method, status, duration and request id: one line per
/// call, at debug for OK and at info or above for failures an operator may need to act on.
/// It also makes the call's trace ``TraceContext/current`` for the handler.
public struct LoggingInterceptor: ServerInterceptor {
    public init() {}

    public func intercept(
        request: any ProtoMessage,
        context: ServerContext,
        next: @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage {
        let start = ContinuousClock.now
        do {
            let response = try await TraceContext.$current.withValue(context.trace) {
                try await next(request, context)
            }
            if context.logLevel <= .debug {
                context.logger.debug("call ok", metadata: ["duration_ms": "\(Self.millis(since: start))"])
            }
            return response
        } catch {
            var status = RPCError(from: error)
            // The server cancels a handler whose deadline passed; that is a deadline, not a
            // caller giving up.
            if status.code == .cancelled, let deadline = context.deadline, ContinuousClock.now >= deadline {
                status = RPCError(.deadlineExceeded, "deadline exceeded")
            }
            var metadata: Logger.Metadata = [
                "code": "\(status.code)",
                "duration_ms": "\(Self.millis(since: start))",
            ]
            if status.code == .internalError || status.code == .unknown {
                // The caller sees "internal error"; the operator needs the real cause.
                metadata["error"] = "\(error)"
                context.logger.error("call failed", metadata: metadata)
            } else {
                metadata["message"] = "\(status.message)"
                context.logger.info("call failed", metadata: metadata)
            }
            throw error
        }
    }

    private static func millis(since start: ContinuousClock.Instant) -> String {
        let millis = (ContinuousClock.now - start) / .milliseconds(1)
        return "\((millis * 1000).rounded() / 1000)"
    }
}
