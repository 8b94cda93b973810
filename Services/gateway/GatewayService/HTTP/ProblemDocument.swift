import DVCProto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RPCCore

/// Errors over HTTP as RFC 9457 problem documents (`application/problem+json`): a type, a
/// title in Vietnamese for people, the status, the detail (the service's message), and the
/// invalid fields. The RPC status decides the HTTP one.
struct ProblemDocument: Encodable {
    struct InvalidParam: Encodable {
        var name: String
        var reason: String
    }

    var type: String
    var title: String
    var status: Int
    var detail: String
    var invalidParams: [InvalidParam]?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail
        case invalidParams = "invalid_params"
    }

    static func status(for code: StatusCode) -> HTTPResponse.Status {
        switch code {
        case .invalidArgument, .outOfRange: .badRequest
        case .unauthenticated: .unauthorized
        case .permissionDenied: .forbidden
        case .notFound: .notFound
        case .alreadyExists, .aborted: .conflict
        case .failedPrecondition: .unprocessableContent
        case .resourceExhausted: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .deadlineExceeded: .gatewayTimeout
        case .unimplemented: .notImplemented
        default: .internalServerError
        }
    }

    static func title(for code: StatusCode) -> String {
        switch code {
        case .invalidArgument, .outOfRange: "Thông tin chưa hợp lệ"
        case .unauthenticated: "Cần đăng nhập"
        case .permissionDenied: "Không có quyền thực hiện"
        case .notFound: "Không tìm thấy"
        case .alreadyExists: "Đã tồn tại"
        case .aborted: "Dữ liệu vừa được người khác thay đổi"
        case .failedPrecondition: "Chưa thể thực hiện"
        case .resourceExhausted: "Quá nhiều yêu cầu"
        case .unavailable, .deadlineExceeded: "Hệ thống đang bận"
        default: "Lỗi hệ thống"
        }
    }

    init(_ error: RPCError) {
        type = "https://dichvucong.local/problems/\(error.code.description.lowercased().replacingOccurrences(of: "_", with: "-"))"
        title = Self.title(for: error.code)
        status = Int(Self.status(for: error.code).code)
        // Internal details are for the operator's log, not for the caller.
        detail = Self.status(for: error.code) == .internalServerError ? "Đã có lỗi; vui lòng thử lại sau." : error.message
        invalidParams = error.violations.isEmpty ? nil : error.violations.map { InvalidParam(name: $0.field, reason: $0.description) }
    }

    static func response(_ error: any Error) -> Response {
        let rpc = (error as? RPCError) ?? RPCError(.internalError, "\(error)")
        let problem = ProblemDocument(rpc)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(problem)) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/problem+json; charset=utf-8"]
        if rpc.code == .resourceExhausted, let ms = rpc.metadata["retry-after-ms"].flatMap(Int64.init) {
            headers[.retryAfter] = "\(max(1, (ms + 999) / 1000))"
        }
        return Response(status: status(for: rpc.code), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
