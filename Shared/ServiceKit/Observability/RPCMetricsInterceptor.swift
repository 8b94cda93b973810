import CoreMetrics
import DVCProto
import Metrics
import RPCCore
import Synchronization

/// The RPC server's metrics, as the outermost interceptor (so calls refused by authentication
/// count too): calls by method and status code, errors by code, latency by method, and calls
/// in flight.
///
/// - `dvc_rpc_server_calls_total{method, code}`
/// - `dvc_rpc_server_errors_total{method, code}` (every code but OK)
/// - `dvc_rpc_server_duration_seconds{method}` (histogram)
/// - `dvc_rpc_server_in_flight` (gauge)
///
/// Methods the router does not know never reach interceptors, so `method` stays a bounded set.
public struct RPCMetricsInterceptor: ServerInterceptor {
    private let handles = MetricHandles()
    private let inFlight = Meter(label: "dvc_rpc_server_in_flight")

    public init() {}

    public func intercept(
        request: any ProtoMessage,
        context: ServerContext,
        next: @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage {
        let start = ContinuousClock.now
        inFlight.increment()
        defer { inFlight.decrement() }
        do {
            let response = try await next(request, context)
            handles.record(method: context.method, code: .ok, elapsed: ContinuousClock.now - start)
            return response
        } catch {
            var code = RPCError(from: error).code
            // The server cancels a handler whose deadline passed: a deadline, as the caller sees it.
            if code == .cancelled, let deadline = context.deadline, ContinuousClock.now >= deadline {
                code = .deadlineExceeded
            }
            handles.record(method: context.method, code: code, elapsed: ContinuousClock.now - start)
            throw error
        }
    }

    /// swift-metrics handles cached per method and code: building one takes the registry's lock
    /// and a lookup, which every call need not pay.
    final class MetricHandles: Sendable {
        private struct PerMethod {
            var duration: Timer
            var calls: [StatusCode: Counter] = [:]
            var errors: [StatusCode: Counter] = [:]
        }

        private let prefix: String
        private let extraDimensions: [(String, String)]
        private let cache = Mutex<[String: PerMethod]>([:])

        /// - Parameters:
        ///   - prefix: `dvc_rpc_server` or `dvc_rpc_client`.
        ///   - extraDimensions: labels before `method` (the client's `peer`).
        init(prefix: String = "dvc_rpc_server", extraDimensions: [(String, String)] = []) {
            self.prefix = prefix
            self.extraDimensions = extraDimensions
        }

        func record(method: String, code: StatusCode, elapsed: Duration) {
            let (timer, calls, errors) = cache.withLock { cache -> (Timer, Counter, Counter?) in
                let dimensions = extraDimensions + [("method", method)]
                var entry = cache[method] ?? PerMethod(
                    duration: Timer(label: "\(prefix)_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds))
                let withCode = dimensions + [("code", code.description)]
                let calls = entry.calls[code] ?? Counter(label: "\(prefix)_calls_total", dimensions: withCode)
                entry.calls[code] = calls
                var errors: Counter?
                if code != .ok {
                    errors = entry.errors[code] ?? Counter(label: "\(prefix)_errors_total", dimensions: withCode)
                    entry.errors[code] = errors
                }
                cache[method] = entry
                return (entry.duration, calls, errors)
            }
            let (seconds, attoseconds) = elapsed.components
            timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            calls.increment()
            errors?.increment()
        }
    }
}

/// The client side of the same: every call a service makes to a peer, by the peer's kind
/// (`catalog`, `dossier`, `payment`, `notify`), method and status code.
///
/// - `dvc_rpc_client_calls_total{peer, method, code}`
/// - `dvc_rpc_client_errors_total{peer, method, code}`
/// - `dvc_rpc_client_duration_seconds{peer, method}` (histogram)
public struct RPCClientMetricsInterceptor: ClientInterceptor {
    private let handles: RPCMetricsInterceptor.MetricHandles

    public init(peer: String) {
        handles = .init(prefix: "dvc_rpc_client", extraDimensions: [("peer", peer)])
    }

    public func intercept(
        request: any ProtoMessage,
        context: ClientContext,
        next: @Sendable (any ProtoMessage, ClientContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            handles.record(method: context.method, code: .ok, elapsed: ContinuousClock.now - start)
            return response
        } catch {
            handles.record(method: context.method, code: RPCError(from: error).code, elapsed: ContinuousClock.now - start)
            throw error
        }
    }
}
