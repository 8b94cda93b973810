import DVCProto
import Foundation
import Logging
import RPCCore
import RPCNIO
import ServiceKit

/// dossier-svc split by agency (docs/sharding.md): each shard is a dossier-svc with its own
/// database, every agency's dossiers live on exactly one shard, and a call for an agency goes
/// to its shard. The callers of dossier-svc (the gateway, payment-svc) use this in place of a
/// plain client; it routes each call by what the request names:
///
/// - an agency (`SubmitDossier`, `ListDossiers` for an agency, the tracking book, statistics;
///   `TrackDossier` by the agency code that starts every receipt code; payment-svc's
///   `payment.*` events by the payment's agency): that agency's shard;
/// - a dossier id (`GetDossier`, `GetHistory`, `Act`, `AssignDossier`, `GetFile`): the shard that answers for it
///   — asked of every shard at once the first time, then remembered;
/// - nothing (a citizen's own list across agencies, their access log): every shard, the
///   answers merged.
///
/// The map (`dossier_shards` in the config) is re-read when it changes, so a shard for new
/// agencies is added without restarting anything. Moving an agency that already has dossiers
/// to another shard is a data migration, not an edit of the map.
public final class DossierShards: RPCClientProtocol {
    public let shards: ShardMapFile

    public init(mapFile path: String, logger: Logger,
                makeClient: @escaping @Sendable ([PeerAddress]) throws -> RPCClient) throws {
        shards = try ShardMapFile(path: path, logger: logger, makeClient: makeClient)
    }

    /// The client for dossier-svc a service should use: the shards when its config names a
    /// shard map (`dossier_shards`), else the `--dossier` peers; nil when it has neither.
    public static func client(_ settings: ServiceSettings, logger: Logger) throws -> (any RPCClientProtocol)? {
        if let path = settings.extra["dossier_shards"] {
            return try DossierShards(mapFile: path, logger: logger) { peers in try settings.client("dossier", peers, logger: logger) }
        }
        guard let peers = settings.peers["dossier"], !peers.isEmpty else { return nil }
        return try settings.client("dossier", peers, logger: logger)
    }

    /// The map now (re-read when the file changed).
    public var map: ShardMapFile.Map { shards.current().map }

    private enum Route {
        case agency(String)
        case dossier(String)
        case everyShard
    }

    private func route(_ request: Any, method: String) throws -> Route {
        switch request {
        case let r as DossierV1.SubmitDossierRequest: return .agency(r.agencyCode)
        case let r as DossierV1.ListDossiersRequest: return r.agencyCode.isEmpty ? .everyShard : .agency(r.agencyCode)
        case is DossierV1.ListAccessLogRequest: return .everyShard
        case is DossierV1.ListReusableDocumentsRequest: return .everyShard
        case let r as DossierV1.TrackDossierRequest:
            // {agency}-{yyMMdd}-{nnnn}: agency codes hold dots, never dashes.
            return .agency(String(r.receiptCode.prefix { $0 != "-" }))
        case let r as DossierV1.TrackingBookRequest: return .agency(r.agencyCode)
        case let r as DossierV1.AgencyStatisticsRequest: return .agency(r.agencyCode)
        // Ratings live on the shard of their dossier's agency (docs/satisfaction.md).
        case let r as DossierV1.RatingSummaryRequest: return .agency(r.agencyCode)
        case let r as DossierV1.RateDossierRequest: return .dossier(r.dossierId)
        case let r as DossierV1.GetRatingStatusRequest: return .dossier(r.dossierId)
        case let r as DossierV1.GetDossierRequest: return .dossier(r.id)
        case let r as DossierV1.GetHistoryRequest: return .dossier(r.dossierId)
        case let r as DossierV1.ActRequest: return .dossier(r.dossierId)
        case let r as DossierV1.AssignDossierRequest: return .dossier(r.dossierId)
        case let r as DossierV1.GetFileRequest: return .dossier(r.dossierId)
        case let event as EventsV1.Event where event.type.hasPrefix("payment."):
            let payment = try PaymentV1.PaymentEvent(protobuf: event.payload)
            return .agency(payment.payment?.agencyCode ?? "")
        default:
            throw RPCError(.unimplemented, "\(method) has no route to a dossier shard")
        }
    }

    public func unary<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, options: CallOptions
    ) async throws -> Response {
        let snapshot = shards.current()
        switch try route(request, method: method.path) {
        case .agency(let agency):
            return try await snapshot.client(snapshot.map.shard(of: agency)).unary(method, request, options: options)
        case .dossier(let id):
            var get = DossierV1.GetDossierRequest()
            get.id = id
            var read = options
            read.idempotent = true
            // Finding the shard is not a read for the access log, unless its answer is the
            // answer (GetDossier): the call that follows records its own.
            if method.path != DossierV1.DossierService.getDossier.path { read.metadata[MetadataKey.readCheck] = "1" }
            let (ask, readOptions) = (get, read)
            let (owner, found) = try await shards.locate(id, in: snapshot) { client in
                try await client.unary(DossierV1.DossierService.getDossier, ask, options: readOptions)
            }
            if let found = found as? Response { return found }
            return try await snapshot.client(owner).unary(method, request, options: options)
        case .everyShard:
            if let log = request as? DossierV1.ListAccessLogRequest {
                // A citizen's access log from every shard, newest first (not paged across shards:
                // each shard's sequence is its own).
                var merged = DossierV1.ListAccessLogResponse()
                merged.entries = try await shards.everyShard(DossierV1.DossierService.listAccessLog, log, options: options, in: snapshot)
                    .flatMap(\.entries).sorted { $0.atUnixMs > $1.atUnixMs }
                guard let response = merged as? Response else { throw RPCError(.internalError, "merge of \(method.path)") }
                return response
            }
            if let reusable = request as? DossierV1.ListReusableDocumentsRequest {
                // A citizen's reusable papers from every shard (each one reusable on its own shard).
                var merged = DossierV1.ListReusableDocumentsResponse()
                merged.documents = try await shards.everyShard(DossierV1.DossierService.listReusableDocuments, reusable,
                                                               options: options, in: snapshot).flatMap(\.documents)
                guard let response = merged as? Response else { throw RPCError(.internalError, "merge of \(method.path)") }
                return response
            }
            guard let list = request as? DossierV1.ListDossiersRequest else {
                throw RPCError(.unimplemented, "\(method.path) cannot be asked of every dossier shard")
            }
            // A citizen's own dossiers, from every shard, most recent first (not paged across shards).
            var merged = DossierV1.ListDossiersResponse()
            merged.dossiers = try await shards.everyShard(DossierV1.DossierService.listDossiers, list, options: options, in: snapshot)
                .flatMap(\.dossiers).sorted { $0.submittedAtUnixMs > $1.submittedAtUnixMs }
            guard let response = merged as? Response else { throw RPCError(.internalError, "merge of \(method.path)") }
            return response
        }
    }
}
