import DVCProto
import Foundation
import Logging
import RPCCore
import RPCNIO
import ServiceKit

/// payment-svc split by agency, as `DossierShards` splits dossier-svc (docs/sharding.md): every
/// agency's payments live on one shard. The gateway routes:
///
/// - a new payment and a dossier's payments by the dossier's agency, which the gateway has
///   just read and passes as metadata `x-dvc-shard-agency` (the request names only the dossier);
/// - a payment id (`GetPayment`, `GetReceipt`, `Refund`): the shard that answers for it;
/// - the provider's callbacks (IPN and return), which name only the provider's order: every
///   shard is asked, and the one that knows the payment answers.
public final class PaymentShards: RPCClientProtocol {
    /// Metadata naming the agency whose shard a call goes to.
    public static let agencyKey = MetadataKey.shardAgency

    public let shards: ShardMapFile

    public init(mapFile path: String, logger: Logger,
                makeClient: @escaping @Sendable ([PeerAddress]) throws -> RPCClient) throws {
        shards = try ShardMapFile(path: path, logger: logger, makeClient: makeClient)
    }

    /// The client for payment-svc: its shards when the config names a map (`payment_shards`),
    /// else the `--payment` peers; nil when it has neither.
    public static func client(_ settings: ServiceSettings, logger: Logger) throws -> (any RPCClientProtocol)? {
        if let path = settings.extra["payment_shards"] {
            return try PaymentShards(mapFile: path, logger: logger) { peers in try settings.client("payment", peers, logger: logger) }
        }
        guard let peers = settings.peers["payment"], !peers.isEmpty else { return nil }
        return try settings.client("payment", peers, logger: logger)
    }

    public func unary<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, options: CallOptions
    ) async throws -> Response {
        let snapshot = shards.current()
        func byPayment(_ id: String) async throws -> Response {
            var get = PaymentV1.GetPaymentRequest()
            get.id = id
            var read = options
            read.idempotent = true
            let (ask, readOptions) = (get, read)
            let (owner, found) = try await shards.locate(id, in: snapshot) { client in
                try await client.unary(PaymentV1.PaymentService.getPayment, ask, options: readOptions)
            }
            if let found = found as? Response { return found }
            return try await snapshot.client(owner).unary(method, request, options: options)
        }
        switch request {
        case is PaymentV1.CreatePaymentRequest, is PaymentV1.ListPaymentsRequest:
            guard let agency = options.metadata[Self.agencyKey], !agency.isEmpty else {
                throw RPCError(.internalError, "\(method.path) to a payment shard needs metadata \(Self.agencyKey)")
            }
            return try await snapshot.client(snapshot.map.shard(of: agency)).unary(method, request, options: options)
        case let get as PaymentV1.GetPaymentRequest: return try await byPayment(get.id)
        case let receipt as PaymentV1.GetReceiptRequest: return try await byPayment(receipt.paymentId)
        case let refund as PaymentV1.RefundRequest: return try await byPayment(refund.paymentId)
        case is PaymentV1.ProviderCallbackRequest:
            // Only the shard holding the order knows it; the others answer without a payment.
            let answers = try await shards.everyShard(method, request, options: options, in: snapshot)
            if let known = answers.first(where: { ($0 as? PaymentV1.ProviderCallbackResponse)?.payment != nil }) { return known }
            guard let first = answers.first else { throw RPCError(.unavailable, "no payment shard") }
            return first
        default:
            throw RPCError(.unimplemented, "\(method.path) has no route to a payment shard")
        }
    }
}
