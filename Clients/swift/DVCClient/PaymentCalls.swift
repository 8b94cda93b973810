import DVCProto
import RPCCore

/// The gateway's PaymentService: fees of level-4 dossiers.
public struct PaymentCalls: Sendable {
    let client: DVCClient

    public func create(_ request: PaymentV1.CreatePaymentRequest, options: DVCCallOptions = .init()) async throws -> PaymentV1.Payment {
        try await client.call(GatewayV1.PaymentService.createPayment, request, kind: .writeNeedingKey, options: options)
    }

    public func get(_ request: PaymentV1.GetPaymentRequest, options: DVCCallOptions = .init()) async throws -> PaymentV1.Payment {
        try await client.call(GatewayV1.PaymentService.getPayment, request, kind: .read, options: options)
    }

    public func list(_ request: PaymentV1.ListPaymentsRequest, options: DVCCallOptions = .init()) async throws -> PaymentV1.ListPaymentsResponse {
        try await client.call(GatewayV1.PaymentService.listPayments, request, kind: .read, options: options)
    }

    public func receipt(_ request: PaymentV1.GetReceiptRequest, options: DVCCallOptions = .init()) async throws -> PaymentV1.Receipt {
        try await client.call(GatewayV1.PaymentService.getReceipt, request, kind: .read, options: options)
    }

    public func refund(_ request: PaymentV1.RefundRequest, options: DVCCallOptions = .init()) async throws -> PaymentV1.Payment {
        try await client.call(GatewayV1.PaymentService.refund, request, kind: .write, options: options)
    }

    public func recordCounterPayment(_ request: PaymentV1.RecordCounterPaymentRequest, options: DVCCallOptions = .init()) async throws -> PaymentV1.Payment {
        try await client.call(GatewayV1.PaymentService.recordCounterPayment, request, kind: .writeNeedingKey, options: options)
    }
}
