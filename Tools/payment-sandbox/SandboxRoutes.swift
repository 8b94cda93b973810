import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The sandbox's HTTP endpoints (see `PaymentSandbox`).
struct SandboxRoutes {
    let state: SandboxState

    func add(to router: Router<BasicRequestContext>) {
        router.get("/paymentv2/vpcpay.html") { request, _ -> Response in
            let order = SandboxSigning.parse(request.uri.query ?? "")
            let terminal = state.terminalCode
            guard order["vnp_TmnCode"] == terminal, SandboxSigning.verify(order, secret: state.secret) else {
                return Self.page(.badRequest, "Sai chữ ký hoặc mã website (mã lỗi 97)")
            }
            guard let returnURL = order["vnp_ReturnUrl"], !returnURL.isEmpty else {
                return Self.page(.badRequest, "Thiếu địa chỉ trả về")
            }
            guard let (transaction, parameters) = await state.settle(order: order) else {
                // Timeout: the citizen never finishes; nothing is sent.
                return Self.page(.ok, "Đang chờ khách hàng thanh toán…")
            }
            let (_, mode) = await state.behaviour()
            switch mode {
            case .once:
                await state.sendIPN(parameters)
            case .twice:
                await state.sendIPN(parameters)
                await state.sendIPN(parameters)
            case .none:
                break
            case .late:
                // The browser comes back first; the IPN follows.
                Task {
                    try? await Task.sleep(for: .milliseconds(300))
                    await state.sendIPN(parameters)
                }
            case .failAfterSuccess:
                await state.sendIPN(parameters)
                let failure = await state.result(for: transaction, succeeded: false, order: order)
                await state.sendIPN(failure)
            }
            let secret = state.secret
            let location = returnURL + (returnURL.contains("?") ? "&" : "?") + SandboxSigning.signedQuery(parameters, secret: secret)
            var headers = HTTPFields()
            headers[.location] = location
            return Response(status: .found, headers: headers)
        }

        router.post("/merchant_webapi/api/transaction") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            guard let json = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: String] else {
                return Self.json(["vnp_ResponseCode": "99", "vnp_Message": "Invalid request"])
            }
            let fields = ["vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType", "vnp_TxnRef",
                          "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate",
                          "vnp_IpAddr", "vnp_OrderInfo"]
            let secret = state.secret
            let expected = SandboxSigning.hmac(fields.map { json[$0] ?? "" }.joined(separator: "|"), secret: secret)
            guard json["vnp_SecureHash"]?.lowercased() == expected, json["vnp_Command"] == "refund" else {
                return Self.json(["vnp_ResponseCode": "97", "vnp_Message": "Invalid checksum"])
            }
            let orderID = json["vnp_TxnRef"] ?? ""
            let (code, message, transaction) = await state.refund(orderID: orderID, hundredths: Int64(json["vnp_Amount"] ?? "") ?? 0)
            var answer: [String: String] = [
                "vnp_ResponseId": UUID().uuidString, "vnp_Command": "refund", "vnp_ResponseCode": code, "vnp_Message": message,
                "vnp_TmnCode": state.terminalCode, "vnp_TxnRef": orderID, "vnp_Amount": json["vnp_Amount"] ?? "",
                "vnp_BankCode": "NCB", "vnp_PayDate": transaction?.payDate ?? "", "vnp_TransactionNo": transaction.map { "R" + $0.transactionNo } ?? "",
                "vnp_TransactionType": json["vnp_TransactionType"] ?? "", "vnp_TransactionStatus": code == "00" ? "05" : "",
                "vnp_OrderInfo": json["vnp_OrderInfo"] ?? "",
            ]
            let responseFields = ["vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                                  "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                                  "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo"]
            answer["vnp_SecureHash"] = SandboxSigning.hmac(responseFields.map { answer[$0] ?? "" }.joined(separator: "|"), secret: secret)
            return Self.json(answer)
        }

        router.get("/sandbox/behaviour") { request, _ -> Response in
            let values = SandboxSigning.parse(request.uri.query ?? "")
            let outcome = values["outcome"].flatMap(SandboxState.Outcome.init(rawValue:))
            let ipn = values["ipn"].flatMap(SandboxState.IPNMode.init(rawValue:))
            if values["outcome"] != nil && outcome == nil || values["ipn"] != nil && ipn == nil {
                return Self.page(.badRequest, "outcome: approve|decline|timeout; ipn: once|twice|none|late|fail-after-success")
            }
            await state.setBehaviour(outcome: outcome, ipn: ipn, ipnURL: values["ipn_url"])
            let (current, mode) = await state.behaviour()
            return Self.json(["outcome": current.rawValue, "ipn": mode.rawValue])
        }

        router.get("/sandbox/ipn-log") { _, _ -> Response in
            let data = (try? JSONEncoder().encode(await state.log())) ?? Data("[]".utf8)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        router.get("/sandbox/ipn-pending") { _, _ -> Response in
            Self.json(["pending": String(await state.pendingIPNs)])
        }

        router.get("/sandbox/settlement") { request, _ -> Response in
            let day = SandboxSigning.parse(request.uri.query ?? "")["date"] ?? String(SandboxSigning.timestamp().prefix(8))
            let csv = await state.settlement(day: day)
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
    }

    static func page(_ status: HTTPResponse.Status, _ text: String) -> Response {
        let html = "<!DOCTYPE html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Cổng thanh toán thử nghiệm</title><p>\(text)</p></html>"
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func json(_ object: [String: String]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
