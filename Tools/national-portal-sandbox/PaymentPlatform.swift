import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import Hummingbird
import NIOCore
import OutboundHTTP

/// The national payment platform (Nền tảng thanh toán của Cổng DVCQG) in the sandbox: the
/// contract of docs/payment.md ("The national payment platform"), implemented here apart from
/// payment-svc's adapter. Fields joined with '|' under HMAC-SHA256 with the merchant's secret.
///
/// - `GET /thanh-toan/pay?…` — the citizen's browser with a signed order: "pays" as the
///   behaviour says, sends the confirmation to the merchant (again, up to 10 times, until it is
///   settled) and sends the browser back to `return_url` with the signed result;
/// - `POST /thanh-toan/refund` — refunds (JSON, signed; the answer signed too);
/// - `GET /sandbox/payment?outcome=approve|decline&ipn_url=…` — the behaviour;
///   `GET /sandbox/payment-log` — every confirmation sent and the merchant's answer.
actor PaymentPlatform {
    let merchantCode: String
    let secret: String
    var ipnURL = ""
    var approve = true
    var log: [[String: String]] = []
    private var next = 52_000_000

    init(merchantCode: String, secret: String) {
        self.merchantCode = merchantCode
        self.secret = secret
    }

    static func mac(_ fields: [String], secret: String) -> String {
        SandboxSignature.hex(HMAC<SHA256>.authenticationCode(for: Data(fields.joined(separator: "|").utf8),
                                                             using: SymmetricKey(data: Data(secret.utf8))))
    }

    func setBehaviour(approve: Bool?, ipnURL: String?) {
        if let approve { self.approve = approve }
        if let ipnURL { self.ipnURL = ipnURL }
    }

    /// The signed result of paying `order`, or nil when the order's checksum or merchant is wrong.
    func pay(_ order: [String: String]) -> [String: String]? {
        let fields = ["version", "merchant_code", "order_id", "amount", "return_url", "created_at", "expires_at"].map { order[$0] ?? "" }
        guard order["merchant_code"] == merchantCode, let checksum = order["checksum"],
              Self.mac(fields, secret: secret) == checksum.lowercased(), Int64(order["amount"] ?? "") != nil else { return nil }
        next += 1
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "yyyyMMddHHmmss"
        var result = ["merchant_code": merchantCode, "order_id": order["order_id"] ?? "", "amount": order["amount"] ?? "",
                      "transaction_id": "QG\(next)", "result_code": approve ? "00" : "24", "bank_code": "VCB",
                      "paid_at": formatter.string(from: Date())]
        result["checksum"] = Self.mac(["merchant_code", "order_id", "amount", "transaction_id", "result_code", "paid_at"].map { result[$0] ?? "" },
                                      secret: secret)
        return result
    }

    func record(_ entry: [String: String]) { log.append(entry) }

    static func query(_ parameters: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.*")
        return parameters.sorted { $0.key < $1.key }.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }

    /// Sends the confirmation until the merchant settles it (any code but 99, and an HTTP answer).
    func confirm(_ result: [String: String]) async {
        let target = ipnURL
        guard !target.isEmpty, let url = URL(string: target + "?" + Self.query(result)) else { return }
        for _ in 0..<10 {
            var status = 0
            var body = ""
            if let (data, response) = try? await OutboundHTTP.data(for: URLRequest(url: url)) {
                status = (response as? HTTPURLResponse)?.statusCode ?? 0
                body = String(decoding: data, as: UTF8.self)
            }
            record(["order_id": result["order_id"] ?? "", "status": String(status), "answer": body])
            let code = ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: String])?["code"]
            if status == 200, let code, code != "99" { return }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    func refund(_ request: [String: String]) -> [String: String] {
        let fields = ["merchant_code", "order_id", "transaction_id", "amount", "request_id"].map { request[$0] ?? "" }
        let good = request["merchant_code"] == merchantCode && request["checksum"]?.lowercased() == Self.mac(fields, secret: secret)
        next += 1
        var answer = ["code": good ? "00" : "97", "order_id": request["order_id"] ?? "", "refund_transaction_id": good ? "HT\(next)" : "",
                      "message": good ? "refunded" : "invalid checksum"]
        answer["checksum"] = Self.mac([answer["code"]!, answer["order_id"]!, answer["refund_transaction_id"]!], secret: secret)
        return answer
    }

    nonisolated func add(to router: Router<BasicRequestContext>) {
        router.get("/thanh-toan/pay") { request, _ -> Response in
            var order: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { order[String(key)] = String(value).removingPercentEncoding ?? String(value) }
            guard let result = await self.pay(order), let returnURL = order["return_url"], !returnURL.isEmpty else {
                return PortalRoutes.json(.badRequest, ["code": "97", "message": "Sai chữ ký hoặc mã đơn vị"])
            }
            await self.confirm(result)
            var headers = HTTPFields()
            headers[.location] = returnURL + (returnURL.contains("?") ? "&" : "?") + Self.query(result)
            return Response(status: .found, headers: headers)
        }
        router.post("/thanh-toan/refund") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            guard let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: String] else {
                return PortalRoutes.json(.badRequest, ["code": "99"])
            }
            return PortalRoutes.json(.ok, await self.refund(json))
        }
        router.get("/sandbox/payment") { request, _ -> Response in
            let outcome = request.uri.queryParameters["outcome"].map(String.init)
            let url = request.uri.queryParameters["ipn_url"].map { String($0).removingPercentEncoding ?? String($0) }
            await self.setBehaviour(approve: outcome.map { $0 == "approve" }, ipnURL: url)
            return PortalRoutes.json(.ok, ["ok": true])
        }
        router.get("/sandbox/payment-log") { _, _ -> Response in
            PortalRoutes.json(.ok, await self.log)
        }
    }
}
