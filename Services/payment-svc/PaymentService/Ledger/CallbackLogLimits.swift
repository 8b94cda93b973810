import Synchronization

/// How much `callback_log` keeps of callbacks the ledger refused (a bad signature, an unknown
/// order, a wrong amount). Anyone on the internet can send those to the gateway's IPN address,
/// so without limits they fill the disk: each is cut to `maximumQueryBytes`, at most
/// `refusedPerMinute` are written in a minute (the rest are counted in one warning a minute),
/// and only the newest `refusedKept` stay. Authentic callbacks are always written (cut to the
/// same size): they are the audit trail of the money, and only the provider can make them.
///
/// Settings (payment-svc `--config`): `callback_log_query_bytes` (default 2048),
/// `refused_callbacks_per_minute` (60), `refused_callbacks_kept` (10000): at most about 25 MB.
struct CallbackLogLimits: Sendable {
    var maximumQueryBytes = 2048
    var refusedPerMinute = 60
    var refusedKept = 10_000

    /// Text cut to at most `bytes` bytes of UTF-8, never inside a character's bytes (a query
    /// cut by characters can still be megabytes: one letter followed by a million combining
    /// accents is one Character).
    static func truncate(_ text: String, bytes: Int) -> String {
        let utf8 = text.utf8
        guard utf8.count > bytes else { return text }
        var end = utf8.index(utf8.startIndex, offsetBy: bytes)
        // Back off continuation bytes (10xxxxxx) to the start of a scalar.
        while end > utf8.startIndex, (utf8[end] & 0xC0) == 0x80 { end = utf8.index(before: end) }
        return String(decoding: utf8[..<end], as: UTF8.self) + "…"
    }
}

/// Counts refused callbacks written in the current minute (in memory: a restart gives a new
/// minute's budget, which the row cap still bounds).
final class RefusedCallbackBudget: Sendable {
    private struct State {
        var minute: Int64 = 0
        var written = 0
        var dropped = 0
    }

    private let perMinute: Int
    private let state = Mutex(State())

    init(perMinute: Int) {
        self.perMinute = perMinute
    }

    enum Decision: Equatable {
        case write
        /// Over the budget: not written. `firstThisMinute` asks for the one warning.
        case drop(firstThisMinute: Bool)
    }

    /// Whether one more refused callback may be written at `nowMs`.
    func take(nowMs: Int64) -> Decision {
        state.withLock { state in
            let minute = nowMs / 60_000
            if minute != state.minute {
                state = State(minute: minute)
            }
            guard state.written < perMinute else {
                state.dropped += 1
                return .drop(firstThisMinute: state.dropped == 1)
            }
            state.written += 1
            return .write
        }
    }
}
