import DVCProto
import Logging
import RPCCore
import Storage

/// Turns a full disk under the service's data folder into an answer that says so, and a
/// PostgreSQL database out of reach (or lost during a commit) into UNAVAILABLE.
///
/// Without it, SQLite's SQLITE_FULL (or an attachment write's ENOSPC) reaches the caller as
/// INTERNAL "internal error", which reads as a bug and invites a restart that cannot help.
/// Here any error that `StorageError.diskFull(in:)` recognises becomes RESOURCE_EXHAUSTED with
/// a message naming the cause and saying that nothing was saved (the write's transaction rolled
/// back), and the cause is logged at error with the call's request id so that the operator
/// frees space. Once space is back, the next write succeeds; nothing needs restarting.
///
/// It runs inside `LoggingInterceptor`, so the call's own `call failed` line shows the code
/// the caller saw.
public struct StorageFailureInterceptor: ServerInterceptor {
    let serviceName: String

    public init(serviceName: String) {
        self.serviceName = serviceName
    }

    public func intercept(
        request: any ProtoMessage,
        context: ServerContext,
        next: @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage {
        do {
            return try await next(request, context)
        } catch let error as StorageError {
            switch error {
            case .databaseUnavailable(let detail):
                // PostgreSQL: no primary reachable within the reconnect window (a failover
                // that takes longer, a cluster down). Nothing was written; the same request
                // succeeds later.
                context.logger.error("database unavailable: the request was refused and nothing of it was written",
                                     metadata: ["error": "\(detail)"])
                throw RPCError(.unavailable, "\(serviceName) cannot reach its database; nothing was saved, try again shortly")
            case .commitOutcomeUnknown(let detail):
                // The connection broke during COMMIT: retrying with the same idempotency key
                // is what makes the outcome certain, never a blind second write.
                context.logger.error("database connection lost during COMMIT: the outcome of the write is unknown",
                                     metadata: ["error": "\(detail)"])
                throw RPCError(.unavailable,
                               "\(serviceName) lost its database while saving; the request may or may not be saved: repeat it with the same idempotency key")
            default:
                guard let full = StorageError.diskFull(in: error) else { throw error }
                context.logger.error("disk full: the write was refused and nothing of it was kept; free space in the data folder",
                                     metadata: ["error": "\(full)"])
                throw RPCError(.resourceExhausted,
                               "\(serviceName) cannot save this request: \(full); nothing was saved, try again once space is freed")
            }
        } catch {
            guard let full = StorageError.diskFull(in: error) else { throw error }
            context.logger.error("disk full: the write was refused and nothing of it was kept; free space in the data folder",
                                 metadata: ["error": "\(full)"])
            throw RPCError(.resourceExhausted,
                           "\(serviceName) cannot save this request: \(full); nothing was saved, try again once space is freed")
        }
    }
}
