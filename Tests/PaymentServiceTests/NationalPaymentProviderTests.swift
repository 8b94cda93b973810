import DVCProto
import Foundation
@testable import PaymentService
import Testing

/// The national payment platform's checksums, the reading of its callbacks, and which provider
/// a payment goes through (docs/payment.md, "The national payment platform", "Choosing the provider").
@Suite struct NationalPaymentProviderTests {
    static let provider = NationalPaymentProvider(configuration: .init(
        merchantCode: "DVCQGTEST", secret: "bi-mat-nen-tang-quoc-gia", payURL: "https://pay.dvcqg.example/thanh-toan/pay",
        apiURL: "https://pay.dvcqg.example/thanh-toan/refund"))

    /// RFC 4231, test case 2 ("Jefe"), through the '|' join of one field.
    @Test func hmacSHA256KnownAnswer() {
        #expect(NationalPaymentProvider.mac(["what do ya want for nothing?"], secret: "Jefe")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func thePaymentURLCarriesTheOrderWithItsChecksum() throws {
        let order = ProviderOrder(orderID: "DVC1", amountVnd: 200_000, description: "Thanh toan phi", returnURL: "http://gw/payment/dvcqg/return",
                                  createdAt: Date(timeIntervalSince1970: 1_800_000_000),
                                  expiresAt: Date(timeIntervalSince1970: 1_800_000_900), clientAddress: "127.0.0.1")
        let url = Self.provider.paymentURL(for: order)
        #expect(url.hasPrefix("https://pay.dvcqg.example/thanh-toan/pay?"))
        let query = try #require(url.split(separator: "?", maxSplits: 1).last.map(String.init))
        let values = Dictionary(uniqueKeysWithValues: try #require(FormURLEncoding.decode(query)))
        #expect(values["amount"] == "200000" && values["order_id"] == "DVC1" && values["merchant_code"] == "DVCQGTEST")
        #expect(values["created_at"] == "20270115150000" && values["expires_at"] == "20270115151500")
        #expect(values["checksum"] == NationalPaymentProvider.mac(
            ["1", "DVCQGTEST", "DVC1", "200000", "http://gw/payment/dvcqg/return", "20270115150000", "20270115151500"],
            secret: "bi-mat-nen-tang-quoc-gia"))
    }

    /// A confirmation as the platform sends it, signed with `secret`.
    static func callback(_ values: [String: String], secret: String = "bi-mat-nen-tang-quoc-gia") -> String {
        var values = values
        values["checksum"] = NationalPaymentProvider.mac(
            ["merchant_code", "order_id", "amount", "transaction_id", "result_code", "paid_at"].map { values[$0] ?? "" }, secret: secret)
        return values.sorted { $0.key < $1.key }.map { "\($0.key)=\(FormURLEncoding.encode($0.value))" }.joined(separator: "&")
    }

    static let paid = ["merchant_code": "DVCQGTEST", "order_id": "DVC1", "amount": "200000", "transaction_id": "QG1",
                       "result_code": "00", "bank_code": "VCB", "paid_at": "20270115150500"]

    @Test func anAuthenticConfirmationIsRead() throws {
        let callback = try Self.provider.parseCallback(query: Self.callback(Self.paid)).get()
        #expect(callback == ProviderCallback(orderID: "DVC1", amountVnd: 200_000, succeeded: true, transactionID: "QG1", responseCode: "00",
                                             bankCode: "VCB", paidAt: VNPayProvider.date("20270115150500")))
        var declined = Self.paid
        declined["result_code"] = "24"
        #expect(try Self.provider.parseCallback(query: Self.callback(declined)).get().succeeded == false)
    }

    @Test func forgedOrMalformedConfirmationsAreRefused() {
        // Another secret; the amount changed after signing; no checksum.
        #expect(Self.provider.parseCallback(query: Self.callback(Self.paid, secret: "doan-mo")) == .failure(.invalidSignature))
        let altered = Self.callback(Self.paid).replacingOccurrences(of: "amount=200000", with: "amount=100")
        #expect(Self.provider.parseCallback(query: altered) == .failure(.invalidSignature))
        #expect(Self.provider.parseCallback(query: "order_id=DVC1&amount=200000") == .failure(.invalidSignature))
        // Signed, but another merchant's, a missing order, an amount that is not đồng, a repeated field, bad escapes.
        var other = Self.paid
        other["merchant_code"] = "KHAC"
        #expect(Self.provider.parseCallback(query: Self.callback(other)) == .failure(.malformed("another merchant's callback")))
        var noOrder = Self.paid
        noOrder["order_id"] = ""
        #expect(Self.provider.parseCallback(query: Self.callback(noOrder)) == .failure(.malformed("order_id missing")))
        var fraction = Self.paid
        fraction["amount"] = "1.5"
        #expect(Self.provider.parseCallback(query: Self.callback(fraction)) == .failure(.malformed("amount is not a whole number of đồng")))
        #expect(Self.provider.parseCallback(query: Self.callback(Self.paid) + "&order_id=DVC2") == .failure(.malformed("order_id appears twice")))
        #expect(Self.provider.parseCallback(query: "order_id=%ZZ") == .failure(.malformed("undecodable query")))
    }

    @Test func theAnswersThePlatformExpects() {
        let cases: [(CallbackOutcome, String)] = [(.confirmed, "00"), (.alreadyConfirmed, "02"), (.orderNotFound, "01"),
                                                  (.invalidAmount, "04"), (.invalidSignature, "97"), (.failure, "99")]
        for (outcome, code) in cases {
            let (body, type) = Self.provider.notificationAnswer(outcome)
            #expect(type == "application/json")
            #expect(body.hasPrefix("{\"code\":\"\(code)\""), "\(outcome): \(body)")
        }
    }

    @Test func theProviderIsChosenByAgencyOrProcedure() {
        let standard = VNPayProviderTests.provider
        let providers = PaymentProviders(standard: standard, national: Self.provider,
                                         nationalAgencies: ["000.00.07.H26"], nationalProcedures: ["1.000001"])
        #expect(providers.choose(agency: "000.00.07.H26", procedure: "2.0").name == "dvcqg")
        #expect(providers.choose(agency: "000.00.08.H26", procedure: "1.000001").name == "dvcqg")
        #expect(providers.choose(agency: "000.00.08.H26", procedure: "2.0").name == "vnpay")
        #expect(providers.named("")?.name == "vnpay" && providers.named("vnpay")?.name == "vnpay")
        #expect(providers.named("dvcqg")?.name == "dvcqg" && providers.named("khac") == nil)
        // Without the national platform, everything goes through the standard provider.
        let alone = PaymentProviders(standard: standard, nationalAgencies: ["000.00.07.H26"])
        #expect(alone.choose(agency: "000.00.07.H26", procedure: "2.0").name == "vnpay" && alone.named("dvcqg") == nil)
        // The gateway's return page is renamed for the provider.
        #expect(PaymentLedger.returnURL("http://gw/payment/vnpay/return", provider: "dvcqg") == "http://gw/payment/dvcqg/return")
        #expect(PaymentLedger.returnURL("http://gw/payment/vnpay/return", provider: "vnpay") == "http://gw/payment/vnpay/return")
    }
}
