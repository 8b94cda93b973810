import DVCProto
import RPCCore

/// The payment provider's callbacks as the HTTP side receives them (the server-to-server
/// notification and the citizen's browser coming back), handed to payment-svc as they came:
/// the raw query string, whose exact parameters the provider's signature covers. payment-svc
/// checks the signature; the gateway vouches only that the call comes through it.
public struct ProviderCallbacks: Sendable {
    let payments: any RPCClientProtocol

    /// - Parameter provider: whose callback it is, from its URL (`vnpay`, `dvcqg`: docs/payment.md).
    public func forward(provider: String = "vnpay", query: String, kind: PaymentV1.ProviderCallbackRequest.Kind) async throws -> PaymentV1.ProviderCallbackResponse {
        var callback = PaymentV1.ProviderCallbackRequest()
        callback.provider = provider
        callback.kind = kind
        callback.query = query
        var options = CallOptions(timeout: .seconds(10), idempotent: true)
        options.metadata[CallerIdentity.metadataKey] = CallerIdentity.system(service: "gateway").description
        return try await payments.unary(PaymentV1.PaymentService.handleProviderCallback, callback, options: options)
    }
}
