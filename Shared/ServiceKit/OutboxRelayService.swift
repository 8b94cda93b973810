import DVCProto
import Logging
import RPCCore
import RPCNIO
import ServiceLifecycle
import Storage

/// A service's outbox relay as a lifecycle service: it delivers the outbox's events to the
/// services named as their destinations, over `/dvc.events.v1.EventSink/Deliver`, and stops
/// when the service shuts down (after the RPC server has drained). Undelivered events stay in
/// the outbox for the next start.
public struct OutboxRelayService: Service {
    let relay: OutboxRelay

    /// - Parameter peers: a client per destination name (`notify-svc`, `payment-svc`, ...).
    ///   An event for a destination with no client stays in the outbox, retried with backoff,
    ///   until one is configured.
    public init(database: ServiceDatabase, peers: [String: any RPCClientProtocol], logger: Logger) {
        relay = OutboxRelay(database: database, logger: logger) { event, destination in
            guard let client = peers[destination] else {
                throw RPCError(.unavailable, "no address is configured for \(destination)")
            }
            var options = CallOptions(timeout: .seconds(5), idempotent: true)
            options.metadata[MetadataKey.traceparent] = event.traceparent.isEmpty ? nil : event.traceparent
            _ = try await client.unary(EventsV1.EventSink.deliver, event, options: options)
        }
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await relay.run()
        }
    }
}
