import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OutboundHTTP

/// The national public-service portal's payment platform (Nền tảng thanh toán trực tuyến của
/// Cổng Dịch vụ công quốc gia), as docs/payment.md describes its contract. The platform's real
/// API is not public: the fields and the MAC here are this platform's stand-in (fields joined
/// with '|' under HMAC-SHA256 with the merchant's secret), checked against the sandbox in
/// Tools/national-portal-sandbox, which implements them on its own.
///
/// - init: the browser goes to `payURL?version=1&merchant_code&order_id&amount&description&return_url&created_at&expires_at&checksum`,
///   checksum over `version|merchant_code|order_id|amount|return_url|created_at|expires_at`;
/// - confirmation (server to server) and browser return: `merchant_code&order_id&amount&transaction_id&result_code&bank_code&paid_at&checksum`,
///   checksum over `merchant_code|order_id|amount|transaction_id|result_code|paid_at`; `result_code` 00 is paid;
/// - the answer to a confirmation: `{"code":"00","message":…}` (01 unknown order, 02 already
///   confirmed, 04 wrong amount, 97 bad checksum, 99 other);
/// - refunds: JSON to `apiURL` with the checksum over `merchant_code|order_id|transaction_id|amount|request_id`;
///   the answer's over `code|order_id|refund_transaction_id`.
struct NationalPaymentProvider: PaymentProvider {
    struct Configuration: Sendable {
        var merchantCode: String
        var secret: String
        var payURL: String
        var apiURL: String
    }

    let configuration: Configuration
    var name: String { "dvcqg" }

    static func mac(_ fields: [String], secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(fields.joined(separator: "|").utf8), using: SymmetricKey(data: Data(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    func paymentURL(for order: ProviderOrder) -> String {
        let created = VNPayProvider.timestamp(order.createdAt)
        let expires = VNPayProvider.timestamp(order.expiresAt)
        let fields = ["1", configuration.merchantCode, order.orderID, String(order.amountVnd), order.returnURL, created, expires]
        let parameters: [(String, String)] = [
            ("version", "1"), ("merchant_code", configuration.merchantCode), ("order_id", order.orderID),
            ("amount", String(order.amountVnd)), ("description", order.description), ("return_url", order.returnURL),
            ("created_at", created), ("expires_at", expires), ("checksum", Self.mac(fields, secret: configuration.secret)),
        ]
        return configuration.payURL + "?" + parameters.map { "\($0.0)=\(FormURLEncoding.encode($0.1))" }.joined(separator: "&")
    }

    func parseCallback(query: String) -> Result<ProviderCallback, ProviderCallbackError> {
        guard let pairs = FormURLEncoding.decode(query) else { return .failure(.malformed("undecodable query")) }
        var values: [String: String] = [:]
        for (key, value) in pairs {
            guard values[key] == nil else { return .failure(.malformed("\(key) appears twice")) }
            values[key] = value
        }
        guard let checksum = values["checksum"], !checksum.isEmpty else { return .failure(.invalidSignature) }
        let fields = ["merchant_code", "order_id", "amount", "transaction_id", "result_code", "paid_at"].map { values[$0] ?? "" }
        guard VNPayProvider.constantTimeEqual(Self.mac(fields, secret: configuration.secret), checksum.lowercased()) else {
            return .failure(.invalidSignature)
        }
        guard values["merchant_code"] == configuration.merchantCode else { return .failure(.malformed("another merchant's callback")) }
        guard let orderID = values["order_id"], !orderID.isEmpty else { return .failure(.malformed("order_id missing")) }
        guard let amount = Int64(values["amount"] ?? ""), amount >= 0 else { return .failure(.malformed("amount is not a whole number of đồng")) }
        let code = values["result_code"] ?? ""
        return .success(ProviderCallback(
            orderID: orderID, amountVnd: amount, succeeded: code == "00", transactionID: values["transaction_id"] ?? "",
            responseCode: code, bankCode: values["bank_code"] ?? "", paidAt: values["paid_at"].flatMap(VNPayProvider.date)))
    }

    func notificationAnswer(_ outcome: CallbackOutcome) -> (body: String, contentType: String) {
        let (code, message): (String, String) = switch outcome {
        case .confirmed: ("00", "confirmed")
        case .alreadyConfirmed: ("02", "already confirmed")
        case .orderNotFound: ("01", "order not found")
        case .invalidAmount: ("04", "invalid amount")
        case .invalidSignature: ("97", "invalid checksum")
        case .failure: ("99", "error")
        }
        return ("{\"code\":\"\(code)\",\"message\":\"\(message)\"}", "application/json")
    }

    func refund(_ request: ProviderRefundRequest) async throws -> ProviderRefund {
        let requestID = UUID().uuidString.lowercased()
        let amount = String(request.amountVnd)
        let body: [String: String] = [
            "merchant_code": configuration.merchantCode, "order_id": request.orderID, "transaction_id": request.transactionID,
            "amount": amount, "request_id": requestID, "full": request.fullRefund ? "1" : "0", "requested_by": request.requestedBy,
            "checksum": Self.mac([configuration.merchantCode, request.orderID, request.transactionID, amount, requestID],
                                 secret: configuration.secret),
        ]
        guard let url = URL(string: configuration.apiURL) else { throw ProviderError.unavailable("bad API URL") }
        var http = URLRequest(url: url, timeoutInterval: 10)
        http.httpMethod = "POST"
        http.setValue("application/json", forHTTPHeaderField: "Content-Type")
        http.httpBody = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        let data: Data
        do {
            (data, _) = try await OutboundHTTP.data(for: http)
        } catch {
            throw ProviderError.unavailable("\(error)")
        }
        guard let answer = try? JSONSerialization.jsonObject(with: data) as? [String: String] else {
            throw ProviderError.refused("the refund answer is not the expected JSON")
        }
        let code = answer["code"] ?? ""
        let signed = Self.mac([code, answer["order_id"] ?? "", answer["refund_transaction_id"] ?? ""], secret: configuration.secret)
        guard let checksum = answer["checksum"], VNPayProvider.constantTimeEqual(signed, checksum.lowercased()) else {
            throw ProviderError.refused("the refund answer's checksum does not match")
        }
        return ProviderRefund(succeeded: code == "00", responseCode: code, message: answer["message"] ?? "",
                              refundTransactionID: answer["refund_transaction_id"] ?? "")
    }
}
