import DVCProto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OneStop
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
    /// A level refusal (the gateway's level gate): the level offered, the level needed, and
    /// what the citizen can do instead.
    var levelOffered: Int?
    var levelNeeded: Int?
    var instead: String?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, instead
        case invalidParams = "invalid_params"
        case levelOffered = "level_offered"
        case levelNeeded = "level_needed"
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

    /// How the invalid fields are named: as the service named them (the account endpoints,
    /// whose JSON the gateway defines with the same names), or — for the methods of the JSON
    /// bridge, whose requests are in protobuf's JSON mapping — as such a request spells them
    /// (`JSONFieldPath`).
    enum FieldNames {
        case asNamed
        case protoJSON
    }

    init(_ error: RPCError, fieldNames: FieldNames = .asNamed) {
        type = "https://dichvucong.local/problems/\(error.code.description.lowercased().replacingOccurrences(of: "_", with: "-"))"
        title = Self.title(for: error.code)
        status = Int(Self.status(for: error.code).code)
        // Internal details are for the operator's log, not for the caller.
        detail = Self.status(for: error.code) == .internalServerError ? "Đã có lỗi; vui lòng thử lại sau." : error.message
        invalidParams = error.violations.isEmpty ? nil
            : error.violations.map { violation in
                InvalidParam(name: fieldNames == .protoJSON ? JSONFieldPath.from(proto: violation.field) : violation.field,
                             reason: violation.description)
            }
        if let needed = error.metadata[ServiceLevel.RefusalKey.needed].flatMap(Int.init),
           let offered = error.metadata[ServiceLevel.RefusalKey.enabled].flatMap(Int.init) {
            let agency = error.metadata[ServiceLevel.RefusalKey.agencyName] ?? error.metadata[ServiceLevel.RefusalKey.agency] ?? "Cơ quan"
            type = "https://dichvucong.local/problems/level-not-offered"
            title = "Cơ quan chưa cung cấp dịch vụ công trực tuyến ở mức độ này"
            levelOffered = offered
            levelNeeded = needed
            let level = offered == 0 ? "chưa cung cấp thủ tục này trực tuyến" : "cung cấp thủ tục này ở \(ServiceLevel(rawValue: UInt32(offered)).portalName)"
            instead = Self.instead(offered: offered, needed: needed)
            detail = "\(agency) \(level); việc này cần \(ServiceLevel(rawValue: UInt32(needed)).portalName). \(instead ?? "")"
        }
    }

    /// What a citizen can do when the agency offers less than a call needs.
    static func instead(offered: Int, needed: Int) -> String {
        switch (offered, needed) {
        case (_, 4) where offered >= 3:
            "Bạn vẫn theo dõi hồ sơ trực tuyến; hãy nộp phí và nhận kết quả trực tiếp tại cơ quan."
        case (2, _):
            "Hãy tải biểu mẫu trên cổng, điền rồi nộp hồ sơ trực tiếp tại cơ quan (nộp phí và nhận kết quả tại cơ quan)."
        default:
            "Hãy nộp hồ sơ trực tiếp tại cơ quan; thông tin thủ tục và giấy tờ cần chuẩn bị có trên cổng."
        }
    }

    /// `Retry-After` in whole seconds (at least 1) from a refusal's `retry-after-ms`: a locked
    /// account, a rate limit, an overloaded gateway.
    static func retryAfter(_ error: RPCError) -> String? {
        error.metadata["retry-after-ms"].flatMap(Int64.init).map { "\(max(1, ($0 + 999) / 1000))" }
    }

    /// The credentials the gateway takes: an agency system's key, or a person's session token.
    static let challenge = #"ApiKey realm="dich-vu-cong", Bearer realm="dich-vu-cong""#

    static func response(_ error: any Error, fieldNames: FieldNames = .asNamed) -> Response {
        // The RPC's own mapping: domain errors that know their status (a multipart refusal) keep
        // it; anything else is INTERNAL without details.
        let rpc = RPCError(from: error)
        var problem = ProblemDocument(rpc, fieldNames: fieldNames)
        // No RPC status means "too large"; HTTP has one.
        let status = BodyTooLarge.means(error) ? .contentTooLarge : status(for: rpc.code)
        problem.status = Int(status.code)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(problem)) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/problem+json; charset=utf-8"]
        if let retryAfter = retryAfter(rpc) { headers[.retryAfter] = retryAfter }
        // RFC 9110 §15.5.2: a 401 names the schemes that would be accepted.
        if status == .unauthorized { headers[.wwwAuthenticate] = challenge }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
