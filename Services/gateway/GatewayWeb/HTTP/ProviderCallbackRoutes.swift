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
struct ProviderCallbackRoutes: GatewayRoutes {
    let callbacks: ProviderCallbacks
    let logger: Logger

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/payment/vnpay/ipn") { request, _ -> Response in
            let query = request.uri.query ?? ""
            do {
                let answer = try await forward(query, kind: .notification)
                return Response(status: .ok, headers: [.contentType: answer.contentType],
                                body: .init(byteBuffer: ByteBuffer(string: answer.body)))
            } catch {
                logger.error("payment notification not delivered to payment-svc", metadata: ["error": "\(error)"])
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: "{\"RspCode\":\"99\",\"Message\":\"Unknow error\"}")))
            }
        }
        router.get("/payment/vnpay/return") { request, _ -> Response in
            let answer: PaymentV1.ProviderCallbackResponse
            do {
                answer = try await forward(request.uri.query ?? "", kind: .return)
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

    private func forward(_ query: String, kind: PaymentV1.ProviderCallbackRequest.Kind) async throws -> PaymentV1.ProviderCallbackResponse {
        try await callbacks.forward(query: query, kind: kind)
    }

    static func page(_ status: HTTPResponse.Status, _ title: String, _ text: String, dossierID: String? = nil) -> Response {
        let e = PortalPage.escape
        let link = dossierID.map { "<p><a class=\"button\" href=\"/ho-so/\(e($0))\">Xem hồ sơ</a></p>" } ?? ""
        return PortalPage.response(title: title, body: "<h1>\(e(title))</h1><p>\(e(text))</p>\(link)", status: status)
    }
}
