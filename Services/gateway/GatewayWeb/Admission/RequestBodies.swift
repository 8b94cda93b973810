import GatewayDoor
import HTTPTypes
import Hummingbird
import NIOCore
import RPCCore

/// How much of a request body the HTTP side reads, decided before reading any of it.
///
/// Every method has its limit up front: small (`small`) for everything but the requests that
/// carry a dossier's files. Those large ones are read only for a caller who is signed in or
/// holds an API key, within that caller's allowance of large requests (`rate_per_upload`), and
/// once their size is reserved in the gateway's budget for large bodies (`LargeBodyBudget`); a
/// body declared (Content-Length) over its limit is refused without reading, one that streams
/// past it as soon as it does. So neither an anonymous client nor a signed-in one can make the
/// gateway hold more than the budget in bodies, whatever they send.
struct RequestBodies: Sendable {
    /// Any request that carries no files: the largest form data is a few KiB.
    static let small = 256 * 1024
    /// A JSON request with files in base64: 50 MiB of files is 66.7 MiB of base64, plus the rest.
    static let largeJSON = 72 << 20
    /// A multipart request: 50 MiB of files plus the form's fields and part headers.
    static let largeMultipart = (50 << 20) + (1 << 20)

    let budget: LargeBodyBudget
    let limits: RateLimits

    /// Refuses a body that says it is larger than `limit` (413), before reading any of it.
    static func checkDeclaredLength(_ request: Request, limit: Int) throws {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw BodyTooLarge(limit: limit)
        }
    }

    /// Reads a whole body of at most `limit` bytes; a longer one is refused (413) once it streams
    /// past the limit.
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        try checkDeclaredLength(request, limit: limit)
        var request = request
        do {
            return try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw BodyTooLarge(limit: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw BodyTooLarge(limit: limit)
        }
    }

    /// Admits a large body from `caller` before it is read, or throws: UNAUTHENTICATED for an
    /// anonymous caller, 413 for a declared length over `limit`, RESOURCE_EXHAUSTED over the
    /// caller's allowance or share, UNAVAILABLE when the budget is used up. On success the
    /// caller must `budget.leave(_:)` the reservation once the body has been used.
    func admit(_ request: Request, caller: GatewayCaller, limit: Int) throws -> LargeBodyBudget.Reservation {
        let who: String
        if let key = caller.key {
            who = "key:\(key.id)"
        } else if let identity = caller.identity {
            who = identity.description
        } else {
            throw RPCError(.unauthenticated, "Cần đăng nhập (hoặc khóa API của cơ quan) trước khi gửi hồ sơ kèm tệp.")
        }
        try Self.checkDeclaredLength(request, limit: limit)
        try limits.check(.upload, who)
        // What the body may take: what it declares, or (sent in chunks) its limit — times the
        // copies it lives in while decoded and sent on (measured with dos-bench): as JSON the
        // bytes, the base64 text, the decoded files and the request sent on, about four times;
        // as multipart the bytes and the request sent on, about twice.
        let declared = request.headers[.contentLength].flatMap(Int.init) ?? limit
        let copies = MultipartForm.isMultipart(request) ? 2 : 4
        return try budget.enter(bytes: max(declared, 1) * copies, caller: who)
    }
}

/// A body over its limit: HTTP 413, with the limit in the message.
struct BodyTooLarge: Error, RPCErrorConvertible {
    var limit: Int
    var rpcError: RPCError {
        RPCError.invalidArgument(field: "body", "Nội dung gửi lên vượt quá giới hạn \(limit / 1024) KiB cho yêu cầu này.")
    }

    /// Whether `error` means "too large" (413 rather than 400).
    static func means(_ error: any Error) -> Bool {
        error is BodyTooLarge || (error as? MultipartForm.Refusal)?.tooLarge == true
    }
}
