import GatewayDoor
import NIOCore
import Synchronization

/// Answers to public reads that are the same for everyone — a procedure's page, and the JSON
/// answers of `dvc.gateway.v1.PublicService` (a procedure, a search, the agencies, a form) to
/// callers without credentials — kept per path and request for as long as the gateway keeps
/// the catalog answers behind them (`CatalogReads`, 1 s). The same read again within that time
/// gets the same bytes without the page being built or the call made again: the answer it
/// would get is the one built from the same kept catalog answer, through a level gate that
/// reads the same kept level, so nothing shows that the catalog would not show anyway. What
/// such a read costs then is the HTTP work, the admission middleware (the per-address rate
/// limit still counts it) and a lookup — which is what brings the busiest reads near the
/// ceiling of this HTTP stack (docs/performance.md; building a 15 KB page and writing a 6 KB
/// JSON answer were the largest shares of the gateway's own work on them, by `perf`).
///
/// Only answers are kept, never a refusal; a JSON caller with credentials (an agency system's
/// key, a session) always goes through the whole path, its own rate limit included.
final class PublicReadCache: Sendable {
    private struct Key: Hashable, Sendable {
        var path: String
        var body: ByteBuffer
    }

    private struct Entry: Sendable {
        var answer: ByteBuffer
        var keptAt: ContinuousClock.Instant
    }

    private let lifetime: Duration
    private let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])

    init(lifetime: Duration = PublicCatalog.lifetime, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The answer kept for this read, if it is younger than the lifetime.
    func answer(path: String, body: ByteBuffer, now: ContinuousClock.Instant = .now) -> ByteBuffer? {
        guard let entry = entries.withLock({ $0[Key(path: path, body: body)] }), now - entry.keptAt < lifetime else { return nil }
        return entry.answer
    }

    func keep(_ answer: ByteBuffer, path: String, body: ByteBuffer, now: ContinuousClock.Instant = .now) {
        entries.withLock { map in
            // Made-up requests cannot grow it without bound: when full, it starts over.
            if map.count >= capacity { map.removeAll(keepingCapacity: true) }
            map[Key(path: path, body: body)] = Entry(answer: answer, keptAt: now)
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
