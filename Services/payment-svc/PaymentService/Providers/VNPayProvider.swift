import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OutboundHTTP

/// A VNPay-style gateway (payment API 2.1.0): the browser is sent to `payURL` with the order's
/// parameters signed by HMAC-SHA512 (the merchant's secret) over the sorted, form-encoded
/// parameters; the gateway sends the browser back to the return URL and notifies the merchant
/// server to server (IPN) with parameters signed the same way, and expects
/// `{"RspCode":"00","Message":"Confirm Success"}` (or another code) in answer. Refunds go to
/// `apiURL` as JSON signed over the fields joined with '|'.
struct VNPayProvider: PaymentProvider {
    struct Configuration: Sendable {
        /// The merchant (terminal) code the gateway assigned.
        var terminalCode: String
        /// The shared secret (never logged, never stored in the database).
        var hashSecret: String
        /// Where the browser pays, e.g. https://sandbox.vnpayment.vn/paymentv2/vpcpay.html.
        var payURL: String
        /// The merchant API (refunds, queries).
        var apiURL: String
    }

    let configuration: Configuration
    var name: String { "vnpay" }

    static let version = "2.1.0"

    // MARK: Signing

    /// HMAC-SHA512 in lower-case hex.
    static func hmac(_ text: String, secret: String) -> String {
        let code = HMAC<SHA512>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// The signed text: every `vnp_` parameter but the hash itself, sorted by name, form-encoded.
    static func signedText(_ parameters: [(String, String)]) -> String {
        parameters
            .filter { $0.0.hasPrefix("vnp_") && $0.0 != "vnp_SecureHash" && $0.0 != "vnp_SecureHashType" && !$0.1.isEmpty }
            .sorted { $0.0 < $1.0 }
            .map { "\(FormURLEncoding.encode($0.0))=\(FormURLEncoding.encode($0.1))" }
            .joined(separator: "&")
    }

    /// The query string with its `vnp_SecureHash`.
    func signedQuery(_ parameters: [(String, String)]) -> String {
        let text = Self.signedText(parameters)
        return text + "&vnp_SecureHash=" + Self.hmac(text, secret: configuration.hashSecret)
    }

    /// "yyyyMMddHHmmss" in Hà Nội time, as the gateway writes dates.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "yyyyMMddHHmmss"
        return formatter.string(from: date)
    }

    static func date(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "yyyyMMddHHmmss"
        return formatter.date(from: text)
    }

    // MARK: PaymentProvider

    func paymentURL(for order: ProviderOrder) -> String {
        let parameters: [(String, String)] = [
            ("vnp_Version", Self.version), ("vnp_Command", "pay"), ("vnp_TmnCode", configuration.terminalCode),
            // In hundredths of a đồng, as the gateway counts.
            ("vnp_Amount", String(order.amountVnd * 100)), ("vnp_CurrCode", "VND"),
            ("vnp_TxnRef", order.orderID), ("vnp_OrderInfo", order.description), ("vnp_OrderType", "other"),
            ("vnp_Locale", "vn"), ("vnp_ReturnUrl", order.returnURL), ("vnp_IpAddr", order.clientAddress),
            ("vnp_CreateDate", Self.timestamp(order.createdAt)), ("vnp_ExpireDate", Self.timestamp(order.expiresAt)),
        ]
        return configuration.payURL + "?" + signedQuery(parameters)
    }

    func parseCallback(query: String) -> Result<ProviderCallback, ProviderCallbackError> {
        guard let pairs = FormURLEncoding.decode(query) else { return .failure(.malformed("undecodable query")) }
        var values: [String: String] = [:]
        for (key, value) in pairs {
            guard values[key] == nil else { return .failure(.malformed("\(key) appears twice")) }
            values[key] = value
        }
        guard let hash = values["vnp_SecureHash"], !hash.isEmpty else { return .failure(.invalidSignature) }
        let expected = Self.hmac(Self.signedText(pairs), secret: configuration.hashSecret)
        guard Self.constantTimeEqual(expected, hash.lowercased()) else { return .failure(.invalidSignature) }
        guard values["vnp_TmnCode"] == configuration.terminalCode else { return .failure(.malformed("another merchant's callback")) }
        guard let orderID = values["vnp_TxnRef"], !orderID.isEmpty else { return .failure(.malformed("vnp_TxnRef missing")) }
        guard let hundredths = Int64(values["vnp_Amount"] ?? ""), hundredths >= 0, hundredths % 100 == 0 else {
            return .failure(.malformed("vnp_Amount is not a whole number of đồng"))
        }
        let code = values["vnp_ResponseCode"] ?? ""
        let status = values["vnp_TransactionStatus"] ?? code
        return .success(ProviderCallback(
            orderID: orderID, amountVnd: hundredths / 100, succeeded: code == "00" && status == "00",
            transactionID: values["vnp_TransactionNo"] ?? "", responseCode: code, bankCode: values["vnp_BankCode"] ?? "",
            paidAt: values["vnp_PayDate"].flatMap(Self.date)))
    }

    func notificationAnswer(_ outcome: CallbackOutcome) -> (body: String, contentType: String) {
        let (code, message): (String, String) = switch outcome {
        case .confirmed: ("00", "Confirm Success")
        case .alreadyConfirmed: ("02", "Order already confirmed")
        case .orderNotFound: ("01", "Order not found")
        case .invalidAmount: ("04", "invalid amount")
        case .invalidSignature: ("97", "Invalid signature")
        case .failure: ("99", "Unknow error")
        }
        return ("{\"RspCode\":\"\(code)\",\"Message\":\"\(message)\"}", "application/json")
    }

    func refund(_ request: ProviderRefundRequest) async throws -> ProviderRefund {
        let requestID = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(32)
        let createDate = Self.timestamp(Date())
        let fields: [(String, String)] = [
            ("vnp_RequestId", String(requestID)), ("vnp_Version", Self.version), ("vnp_Command", "refund"),
            ("vnp_TmnCode", configuration.terminalCode), ("vnp_TransactionType", request.fullRefund ? "02" : "03"),
            ("vnp_TxnRef", request.orderID), ("vnp_Amount", String(request.amountVnd * 100)),
            ("vnp_TransactionNo", request.transactionID), ("vnp_TransactionDate", Self.timestamp(request.paidAt)),
            ("vnp_CreateBy", request.requestedBy), ("vnp_CreateDate", createDate), ("vnp_IpAddr", request.clientAddress),
            ("vnp_OrderInfo", "Hoan tien " + request.orderID),
        ]
        var body = Dictionary(fields, uniquingKeysWith: { $1 })
        body["vnp_SecureHash"] = Self.hmac(fields.map(\.1).joined(separator: "|"), secret: configuration.hashSecret)
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
        let responseFields = ["vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                              "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                              "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo"]
        let signed = responseFields.map { answer[$0] ?? "" }.joined(separator: "|")
        guard let hash = answer["vnp_SecureHash"],
              Self.constantTimeEqual(Self.hmac(signed, secret: configuration.hashSecret), hash.lowercased()) else {
            throw ProviderError.refused("the refund answer's signature does not match")
        }
        let code = answer["vnp_ResponseCode"] ?? ""
        return ProviderRefund(succeeded: code == "00", responseCode: code, message: answer["vnp_Message"] ?? "",
                              refundTransactionID: answer["vnp_TransactionNo"] ?? "")
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
