import Foundation

/// A payment gateway, as payment-svc needs it: where to send the citizen's browser, how to
/// read (and authenticate) what the gateway sends back, what to answer it, and refunds.
///
/// Vietnam's gateways share this shape: VNPay-style gateways sign a redirect URL with
/// HMAC-SHA512 over the sorted parameters and notify the merchant server to server (IPN); the
/// national public-service portal's payment platform joins fields with '|' and a shared
/// secret under a SHA-256 MAC, with init, browser return and confirmation. `VNPayProvider` is
/// the first implementation; the portal's platform is a second one of this protocol.
protocol PaymentProvider: Sendable {
    /// "vnpay": stored with each payment and named in callback URLs.
    var name: String { get }

    /// The signed URL the citizen's browser opens to pay `order`.
    func paymentURL(for order: ProviderOrder) -> String

    /// Reads a callback's query string: the parameters, authenticated by the provider's
    /// signature. A forged or altered callback is `.invalidSignature`.
    func parseCallback(query: String) -> Result<ProviderCallback, ProviderCallbackError>

    /// The body (and its type) the provider expects in answer to a notification.
    func notificationAnswer(_ outcome: CallbackOutcome) -> (body: String, contentType: String)

    /// Gives `amountVnd` of a paid order back.
    func refund(_ request: ProviderRefundRequest) async throws -> ProviderRefund
}

/// What a payment is, for the provider.
struct ProviderOrder: Sendable {
    /// The merchant's reference (unique per payment; what callbacks name).
    var orderID: String
    var amountVnd: Int64
    /// Shown to the citizen at the provider, ASCII words.
    var description: String
    var returnURL: String
    var createdAt: Date
    var expiresAt: Date
    var clientAddress: String
}

/// An authenticated callback.
struct ProviderCallback: Sendable, Equatable {
    var orderID: String
    var amountVnd: Int64
    var succeeded: Bool
    var transactionID: String
    /// The provider's result code, e.g. "00", "24" (cancelled), "51" (insufficient funds).
    var responseCode: String
    /// The provider's bank, if it says (for the ledger).
    var bankCode: String
    /// When the provider says it was paid (its clock), if it says.
    var paidAt: Date?
}

enum ProviderCallbackError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case invalidSignature

    var description: String {
        switch self {
        case .malformed(let why): "malformed callback: \(why)"
        case .invalidSignature: "the callback's signature does not match"
        }
    }
}

/// What payment-svc made of a notification, for the answer the provider expects.
enum CallbackOutcome: Sendable, Equatable {
    case confirmed
    case alreadyConfirmed
    case orderNotFound
    case invalidAmount
    case invalidSignature
    case failure
}

struct ProviderRefundRequest: Sendable {
    var orderID: String
    var transactionID: String
    var amountVnd: Int64
    var fullRefund: Bool
    var paidAt: Date
    var requestedBy: String
    var clientAddress: String
}

struct ProviderRefund: Sendable {
    var succeeded: Bool
    var responseCode: String
    var message: String
    var refundTransactionID: String
}

enum ProviderError: Error, CustomStringConvertible {
    case unavailable(String)
    case refused(String)

    var description: String {
        switch self {
        case .unavailable(let why): "the payment provider is unreachable: \(why)"
        case .refused(let why): "the payment provider refused: \(why)"
        }
    }
}
