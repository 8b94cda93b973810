import Metrics
import RPCCore
import Synchronization

/// How much memory large request bodies (a dossier's files: up to 50 MiB each) may hold in the
/// gateway at once, over every door, and how many one caller may send at once.
///
/// A large request reserves what its body will cost the gateway's memory — its declared
/// `Content-Length` (or its method's limit when it declares none) times what decoding and
/// sending it on take besides (`RequestBodies`) — before a byte of it is read, and gives it back
/// when done. Beyond the
/// budget (`large_bodies_mib`, default 512 MiB), or beyond `large_bodies_per_caller` at once
/// for one person or key (default 4), it is refused at once (UNAVAILABLE, resp.
/// RESOURCE_EXHAUSTED, with Retry-After). Reserving bytes rather than counting requests lets many
/// small submissions through together while only a few maximal ones fit; the per-caller count
/// keeps one caller from holding the budget with slowly sent bodies.
public final class LargeBodyBudget: Sendable {
    public static let defaultMiB = 512
    public static let defaultPerCaller = 4

    public let capacity: Int
    public let perCaller: Int
    private let state = Mutex<(bytes: Int, byCaller: [String: Int])>((0, [:]))
    private let refused = Counter(label: "dvc_gateway_large_bodies_refused_total")
    private let held = Gauge(label: "dvc_gateway_large_body_bytes")

    /// What `enter` reserved, for `leave`.
    public struct Reservation: Sendable {
        let bytes: Int
        let caller: String
    }

    init(mib: Int = LargeBodyBudget.defaultMiB, perCaller: Int = LargeBodyBudget.defaultPerCaller) {
        precondition(mib > 0 && perCaller > 0, "large_bodies_mib and large_bodies_per_caller must be positive")
        capacity = mib << 20
        self.perCaller = perCaller
    }

    /// Reserves `bytes` for `caller`, or throws at once when the budget or the caller's share is
    /// used up. Give it back with `leave`.
    public func enter(bytes: Int, caller: String) throws -> Reservation {
        enum Outcome { case admitted(Int), full, callerFull }
        let outcome = state.withLock { state -> Outcome in
            guard state.byCaller[caller, default: 0] < perCaller else { return .callerFull }
            guard state.bytes + bytes <= capacity else { return .full }
            state.bytes += bytes
            state.byCaller[caller, default: 0] += 1
            return .admitted(state.bytes)
        }
        switch outcome {
        case .admitted(let total):
            held.record(total)
            return Reservation(bytes: bytes, caller: caller)
        case .full:
            refused.increment()
            throw RPCError(.unavailable, "Hệ thống đang nhận nhiều hồ sơ cùng lúc; vui lòng gửi lại sau ít giây.",
                           metadata: ["retry-after-ms": "2000"])
        case .callerFull:
            refused.increment()
            throw RPCError(.resourceExhausted,
                           "Bạn đang gửi \(perCaller) hồ sơ kèm tệp cùng lúc; hãy chờ các hồ sơ đó gửi xong rồi gửi tiếp.",
                           metadata: ["retry-after-ms": "2000", "dvc-rate-limit": "large-bodies"])
        }
    }

    public func leave(_ reservation: Reservation) {
        let total = state.withLock { state -> Int in
            state.bytes -= reservation.bytes
            let left = state.byCaller[reservation.caller, default: 1] - 1
            state.byCaller[reservation.caller] = left > 0 ? left : nil
            return state.bytes
        }
        held.record(total)
    }

    /// Bytes reserved now.
    public var current: Int { state.withLock { $0.bytes } }
}
