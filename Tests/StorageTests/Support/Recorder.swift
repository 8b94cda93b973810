import DVCProto
import Foundation
import Logging
import Storage
import Synchronization

/// A deliver closure's memory: every call in order, and a script of which calls fail.
final class Recorder: Sendable {
    struct Call: Sendable, Hashable {
        var eventID: String
        var aggregate: String
        var destination: String
        var succeeded: Bool
        var at: ContinuousClock.Instant
    }

    struct DeliveryFailed: Error, CustomStringConvertible {
        var description: String { "receiver unavailable" }
    }

    private let calls = Mutex<[Call]>([])
    private let shouldFail: @Sendable (EventsV1.Event, _ attempt: Int) -> Bool

    /// - Parameter shouldFail: Given the event and how many times it was offered before,
    ///   whether this call throws.
    init(shouldFail: @escaping @Sendable (EventsV1.Event, Int) -> Bool = { _, _ in false }) {
        self.shouldFail = shouldFail
    }

    var all: [Call] { calls.withLock { $0 } }

    /// The ids of calls that did not throw, in order.
    var delivered: [String] { calls.withLock { $0 }.filter(\.succeeded).map(\.eventID) }

    var deliver: OutboxRelay.Deliver {
        { [self] event, destination in
            let failing = calls.withLock { calls in
                let previous = calls.filter { $0.eventID == event.id && $0.destination == destination }.count
                let failing = shouldFail(event, previous)
                calls.append(Call(
                    eventID: event.id, aggregate: event.aggregateId,
                    destination: destination, succeeded: !failing, at: .now))
                return failing
            }
            if failing { throw DeliveryFailed() }
        }
    }
}

/// Waits until `condition` holds, polling; false if it did not within `timeout`.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return try await condition()
}

extension OutboxRelay.Configuration {
    /// Short timings so that tests run in milliseconds.
    static func fast(poll: Duration = .milliseconds(50), backoff: Backoff = Backoff(
        initial: .milliseconds(10), maximum: .milliseconds(80), jitter: 0)) -> Self
    {
        var configuration = Self()
        configuration.pollInterval = poll
        configuration.backoff = backoff
        return configuration
    }
}

extension Logger {
    /// For relays whose expected failures would otherwise fill the test output.
    static let quiet: Logger = {
        var logger = Logger(label: "storage-tests")
        logger.logLevel = .critical
        return logger
    }()
}

/// A relay with test timings and a quiet logger.
func makeRelay(
    _ database: ServiceDatabase,
    configuration: OutboxRelay.Configuration = .fast(),
    deliver: @escaping OutboxRelay.Deliver
) -> OutboxRelay {
    OutboxRelay(database: database, configuration: configuration, logger: .quiet, deliver: deliver)
}
