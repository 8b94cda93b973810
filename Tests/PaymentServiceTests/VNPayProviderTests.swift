import DVCProto
import Foundation
@testable import PaymentService
import Testing

/// The VNPay-style signatures and the reading of callbacks, on known answers.
@Suite struct VNPayProviderTests {
    static let provider = VNPayProvider(configuration: .init(
        terminalCode: "DVCTEST01", hashSecret: "bi-mat-thu", payURL: "https://pay.example/vpcpay.html",
        apiURL: "https://pay.example/api"))

    /// RFC 4231, test case 1.
    @Test func hmacSHA512KnownAnswer() {
        let key = String(repeating: "\u{0b}", count: 20)
        #expect(VNPayProvider.hmac("Hi There", secret: key)
                == "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")
    }

    @Test func theSignedTextIsSortedFormEncodedAndLeavesTheHashOut() {
        let text = VNPayProvider.signedText([
            ("vnp_TxnRef", "DVC 1"), ("vnp_Amount", "300000"), ("vnp_OrderInfo", "Đóng phí & lệ phí"),
            ("vnp_SecureHash", "x"), ("vnp_SecureHashType", "HmacSHA512"), ("other", "y"), ("vnp_Empty", ""),
        ])
        #expect(text == "vnp_Amount=300000&vnp_OrderInfo=%C4%90%C3%B3ng+ph%C3%AD+%26+l%E1%BB%87+ph%C3%AD&vnp_TxnRef=DVC+1")
    }

    @Test func thePaymentURLCarriesTheOrderSigned() throws {
        let order = ProviderOrder(orderID: "DVC1", amountVnd: 3000, description: "Thanh toan phi", returnURL: "http://gw/return",
                                  createdAt: Date(timeIntervalSince1970: 1_800_000_000),
                                  expiresAt: Date(timeIntervalSince1970: 1_800_000_900), clientAddress: "127.0.0.1")
        let url = Self.provider.paymentURL(for: order)
        let query = try #require(url.split(separator: "?", maxSplits: 1).last.map(String.init))
        let values = Dictionary(uniqueKeysWithValues: try #require(FormURLEncoding.decode(query)))
        #expect(url.hasPrefix("https://pay.example/vpcpay.html?"))
        #expect(values["vnp_Amount"] == "300000" && values["vnp_TxnRef"] == "DVC1" && values["vnp_TmnCode"] == "DVCTEST01")
        #expect(values["vnp_CreateDate"] == "20270115150000" && values["vnp_ReturnUrl"] == "http://gw/return")
        // What the provider checks: the hash over the other parameters.
        let pairs = try #require(FormURLEncoding.decode(query))
        #expect(values["vnp_SecureHash"] == VNPayProvider.hmac(VNPayProvider.signedText(pairs), secret: "bi-mat-thu"))
    }

    func callback(_ parameters: [(String, String)], secret: String = "bi-mat-thu") -> String {
        let text = VNPayProvider.signedText(parameters)
        return text + "&vnp_SecureHash=" + VNPayProvider.hmac(text, secret: secret)
    }

    static let paid: [(String, String)] = [
        ("vnp_TmnCode", "DVCTEST01"), ("vnp_Amount", "300000"), ("vnp_TxnRef", "DVC1"), ("vnp_ResponseCode", "00"),
        ("vnp_TransactionStatus", "00"), ("vnp_TransactionNo", "14000001"), ("vnp_BankCode", "NCB"),
        ("vnp_PayDate", "20250115094500"),
    ]

    @Test func anAuthenticCallbackIsRead() throws {
        let parsed = try Self.provider.parseCallback(query: callback(Self.paid)).get()
        #expect(parsed.orderID == "DVC1" && parsed.amountVnd == 3000 && parsed.succeeded)
        #expect(parsed.transactionID == "14000001" && parsed.bankCode == "NCB")
        var declined = Self.paid
        declined[3] = ("vnp_ResponseCode", "24")
        #expect(try Self.provider.parseCallback(query: callback(declined)).get().succeeded == false)
    }

    @Test func forgedOrMalformedCallbacksAreRefused() {
        let genuine = callback(Self.paid)
        let cases: [(String, ProviderCallbackError)] = [
            (genuine.replacingOccurrences(of: "vnp_Amount=300000", with: "vnp_Amount=100"), .invalidSignature),
            (callback(Self.paid, secret: "khac"), .invalidSignature),
            (VNPayProvider.signedText(Self.paid), .invalidSignature),
            (callback(Self.paid.map { $0.0 == "vnp_TmnCode" ? ($0.0, "KHAC") : $0 }), .malformed("another merchant's callback")),
            (callback(Self.paid.map { $0.0 == "vnp_Amount" ? ($0.0, "300050") : $0 }), .malformed("vnp_Amount is not a whole number of đồng")),
            (genuine + "&vnp_TxnRef=DVC2", .malformed("vnp_TxnRef appears twice")),
            ("vnp_Amount=%ZZ", .malformed("undecodable query")),
        ]
        for (query, expected) in cases {
            guard case .failure(let error) = Self.provider.parseCallback(query: query) else {
                Issue.record("accepted: \(query)")
                continue
            }
            #expect(error == expected, "\(query)")
        }
    }

    @Test func theAnswersTheProviderExpects() {
        let expected: [(CallbackOutcome, String)] = [
            (.confirmed, "00"), (.alreadyConfirmed, "02"), (.orderNotFound, "01"), (.invalidAmount, "04"),
            (.invalidSignature, "97"), (.failure, "99"),
        ]
        for (outcome, code) in expected {
            let answer = Self.provider.notificationAnswer(outcome)
            #expect(answer.contentType == "application/json")
            #expect(answer.body.hasPrefix("{\"RspCode\":\"\(code)\""), "\(outcome)")
        }
    }
}
