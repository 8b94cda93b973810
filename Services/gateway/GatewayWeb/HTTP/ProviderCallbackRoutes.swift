import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RPCCore

/// The payment provider's HTTP callbacks, forwarded to payment-svc as they came (the raw query
/// string: the provider's signature covers its exact parameters):
/// - `GET /payment/vnpay/ipn`: the server-to-server notification; the answer is payment-svc's
///   body (JSON with RspCode), always with status 200 as the provider expects — when payment-svc
///   cannot be reached, RspCode 99 makes the provider send it again later;
/// - `GET /payment/vnpay/return`: the citizen's browser coming back; a page in Vietnamese.
/// - `GET /payment/dvcqg/ipn`, `GET /payment/dvcqg/return`: the same for the national payment
///   platform (Nền tảng thanh toán của Cổng DVCQG); its "try again" answer is `{"code":"99"}`.
struct ProviderCallbackRoutes: GatewayRoutes {
    let callbacks: ProviderCallbacks
    let logger: Logger

    /// Each provider's name (in its URLs) and what it is answered when payment-svc cannot be reached.
    static let providers = [
        ("vnpay", "{\"RspCode\":\"99\",\"Message\":\"Unknow error\"}"),
        ("dvcqg", "{\"code\":\"99\",\"message\":\"error\"}"),
    ]

    func add(to router: Router<GatewayRequestContext>) {
        for (provider, retryAnswer) in Self.providers { add(provider, retryAnswer: retryAnswer, to: router) }
    }

    private func add(_ provider: String, retryAnswer: String, to router: Router<GatewayRequestContext>) {
        router.get("/payment/\(provider)/ipn") { request, _ -> Response in
            let query = request.uri.query ?? ""
            do {
                let answer = try await callbacks.forward(provider: provider, query: query, kind: .notification)
                return Response(status: .ok, headers: [.contentType: answer.contentType],
                                body: .init(byteBuffer: ByteBuffer(string: answer.body)))
            } catch {
                logger.error("payment notification not delivered to payment-svc", metadata: ["provider": "\(provider)", "error": "\(error)"])
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: retryAnswer)))
            }
        }
        router.get("/payment/\(provider)/return") { request, _ -> Response in
            let answer: PaymentV1.ProviderCallbackResponse
            do {
                answer = try await callbacks.forward(provider: provider, query: request.uri.query ?? "", kind: .return)
            } catch {
                return Self.page(.serviceUnavailable, "Chưa xác nhận được kết quả thanh toán",
                                 "Hệ thống đang bận. Vui lòng kiểm tra lại trạng thái hồ sơ sau ít phút; nếu tiền đã bị trừ, giao dịch sẽ được ghi nhận.")
            }
            guard answer.accepted, let payment = answer.payment else {
                return Self.page(.badRequest, "Kết quả thanh toán không hợp lệ",
                                 "Thông tin trả về từ cổng thanh toán không đúng. Không có khoản tiền nào được ghi nhận từ trang này.")
            }
            let amount = PortalFormat.money(payment.amountVnd)
            switch payment.state {
            case .paid, .refunded, .partiallyRefunded:
                return Self.page(.ok, "Thanh toán thành công",
                                 "Đã thanh toán \(amount) cho hồ sơ \(payment.dossierId). Biên lai số \(payment.receiptNumber).", dossierID: payment.dossierId)
            case .failed, .expired:
                return Self.page(.ok, "Thanh toán không thành công",
                                 "Giao dịch \(amount) cho hồ sơ \(payment.dossierId) không thành công. Bạn có thể thanh toán lại.", dossierID: payment.dossierId)
            default:
                return Self.page(.ok, "Đang chờ xác nhận thanh toán",
                                 "Cổng thanh toán chưa gửi kết quả cho hồ sơ \(payment.dossierId). Trạng thái sẽ được cập nhật khi nhận được xác nhận.", dossierID: payment.dossierId)
            }
        }
    }

    static func page(_ status: HTTPResponse.Status, _ title: String, _ text: String, dossierID: String? = nil) -> Response {
        let e = PortalPage.escape
        let link = dossierID.map { "<p><a class=\"button\" href=\"/ho-so/\(e($0))\">Xem hồ sơ</a></p>" } ?? ""
        return PortalPage.response(title: title, body: "<h1>\(e(title))</h1><p>\(e(text))</p>\(link)", status: status)
    }
}
