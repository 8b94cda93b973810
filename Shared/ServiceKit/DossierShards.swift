import DVCProto
import Foundation
import Logging
import RPCCore
import RPCNIO
import Synchronization

/// dossier-svc split by agency: each shard is a dossier-svc (with its own database and its own
/// replicas' addresses), every agency's dossiers live on exactly one shard, and a call for an
/// agency goes to its shard. The callers of dossier-svc (the gateway, payment-svc) use this in
/// place of a plain client; it routes each call by what the request names:
///
/// - an agency (`SubmitDossier`, `ListDossiers` for an agency, the tracking book, statistics;
///   `TrackDossier` by the agency code that starts every receipt code; payment-svc's
///   `payment.*` events by the payment's agency): that agency's shard;
/// - a dossier id (`GetDossier`, `GetHistory`, `Act`, `GetFile`): the shard that answers for it
///   — asked of every shard at once the first time, then remembered;
/// - nothing (a citizen's own list across agencies): every shard, the answers merged.
///
/// The shard map is a file (`dossier_shards` in the config) of `KEY=VALUE` lines, re-read when
/// it changes, so a shard for new agencies is added without restarting anything:
///
///     shard.ba-dinh = 10.0.0.3:7002,10.0.0.13:7002
///     shard.hoan-kiem = 10.0.0.4:7002
///     agency.000.00.21.H26 = hoan-kiem
///     default = ba-dinh
///
/// Moving an agency that already has dossiers to another shard is a data migration, not an
/// edit of this file (docs/sharding.md).
public final class DossierShards: RPCClientProtocol {
    /// A parsed shard map.
    public struct Map: Sendable, Equatable {
        public var shards: [String: [PeerAddress]]
        public var agencies: [String: String]
        public var defaultShard: String

        /// The shard holding `agency`'s dossiers.
        public func shard(of agency: String) -> String { agencies[agency] ?? defaultShard }

        public static func parse(_ text: String, source: String) throws -> Map {
            var shards: [String: [PeerAddress]] = [:]
            var agencies: [String: String] = [:]
            var defaultShard: String?
            for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.isEmpty || line.hasPrefix("#") { continue }
                func invalid(_ why: String) -> ServiceSettings.InvalidSetting {
                    ServiceSettings.InvalidSetting(description: "shard map \(source):\(number + 1): \(why)")
                }
                guard let equals = line.firstIndex(of: "=") else { throw invalid("expected KEY=VALUE") }
                let key = line[..<equals].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                if key.hasPrefix("shard.") {
                    guard let peers = PeerAddress.list(value), !peers.isEmpty else { throw invalid("'\(value)' is not HOST:PORT[,HOST:PORT...]") }
                    shards[String(key.dropFirst("shard.".count))] = peers
                } else if key.hasPrefix("agency.") {
                    agencies[String(key.dropFirst("agency.".count))] = value
                } else if key == "default" {
                    defaultShard = value
                } else {
                    throw invalid("unknown key '\(key)' (shard.NAME, agency.CODE or default)")
                }
            }
            guard let defaultShard else {
                throw ServiceSettings.InvalidSetting(description: "shard map \(source): no 'default' shard")
            }
            for shard in Set(agencies.values).union([defaultShard]) where shards[shard] == nil {
                throw ServiceSettings.InvalidSetting(description: "shard map \(source): shard '\(shard)' is named but has no shard.\(shard) line")
            }
            return Map(shards: shards, agencies: agencies, defaultShard: defaultShard)
        }
    }

    private struct Loaded {
        var map: Map
        var clients: [String: RPCClient]
        var modified: Date?
        var checkedAt: ContinuousClock.Instant
    }

    private let path: String
    private let logger: Logger
    private let loaded: Mutex<Loaded>
    /// Dossier id → the shard that answered for it (bounded: cleared when it grows large).
    private let owners = Mutex<[String: String]>([:])

    public init(mapFile path: String, logger: Logger) throws {
        self.path = path
        self.logger = logger
        let (map, modified) = try Self.read(path)
        var clients: [String: RPCClient] = [:]
        for (name, peers) in map.shards { clients[name] = RPCClient(peers: peers, logger: logger) }
        loaded = Mutex(Loaded(map: map, clients: clients, modified: modified, checkedAt: .now))
    }

    /// The client for dossier-svc a service should use: the shards when its config names a
    /// shard map (`dossier_shards`), else the `--dossier` peers; nil when it has neither.
    public static func client(_ settings: ServiceSettings, logger: Logger) throws -> (any RPCClientProtocol)? {
        if let path = settings.extra["dossier_shards"] {
            return try DossierShards(mapFile: path, logger: logger)
        }
        guard let peers = settings.peers["dossier"], !peers.isEmpty else { return nil }
        return RPCClient(peers: peers, logger: logger)
    }

    private static func read(_ path: String) throws -> (Map, Date?) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServiceSettings.InvalidSetting(description: "dossier_shards: cannot read the shard map '\(path)'")
        }
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        return (try Map.parse(String(decoding: data, as: UTF8.self), source: path), modified)
    }

    /// The map now: the file is looked at again at most once a second and re-read when it
    /// changed; a file that no longer parses keeps the last good map (and says so in the log).
    public var map: Map { current().map }

    private func current() -> Loaded {
        let snapshot = loaded.withLock { $0 }
        guard ContinuousClock.now - snapshot.checkedAt >= .seconds(1) else { return snapshot }
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        guard modified != snapshot.modified else {
            return loaded.withLock { $0.checkedAt = .now; return $0 }
        }
        do {
            let (map, modified) = try Self.read(path)
            return loaded.withLock { state in
                for (name, peers) in map.shards where state.map.shards[name] != peers || state.clients[name] == nil {
                    state.clients[name] = RPCClient(peers: peers, logger: logger)
                }
                state.map = map
                state.modified = modified
                state.checkedAt = .now
                logger.notice("shard map reloaded", metadata: ["shards": "\(map.shards.keys.sorted())", "file": "\(path)"])
                return state
            }
        } catch {
            logger.error("shard map not reloaded; keeping the last good one", metadata: ["error": "\(error)"])
            return loaded.withLock { $0.checkedAt = .now; return $0 }
        }
    }

    private enum Route {
        case agency(String)
        case dossier(String)
        case everyShard
    }

    private func route(_ request: Any, method: String) throws -> Route {
        switch request {
        case let r as DossierV1.SubmitDossierRequest: return .agency(r.agencyCode)
        case let r as DossierV1.ListDossiersRequest: return r.agencyCode.isEmpty ? .everyShard : .agency(r.agencyCode)
        case let r as DossierV1.TrackDossierRequest:
            // {agency}-{yyMMdd}-{nnnn}: agency codes hold dots, never dashes.
            return .agency(String(r.receiptCode.prefix { $0 != "-" }))
        case let r as DossierV1.TrackingBookRequest: return .agency(r.agencyCode)
        case let r as DossierV1.AgencyStatisticsRequest: return .agency(r.agencyCode)
        case let r as DossierV1.GetDossierRequest: return .dossier(r.id)
        case let r as DossierV1.GetHistoryRequest: return .dossier(r.dossierId)
        case let r as DossierV1.ActRequest: return .dossier(r.dossierId)
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
        let state = current()
        switch try route(request, method: method.path) {
        case .agency(let agency):
            return try await client(state, state.map.shard(of: agency)).unary(method, request, options: options)
        case .dossier(let id):
            let (owner, found) = try await locate(id, state: state, options: options)
            if let found = found as? Response { return found }
            return try await client(state, owner).unary(method, request, options: options)
        case .everyShard:
            return try await merged(method, request, state: state, options: options)
        }
    }

    private func client(_ state: Loaded, _ shard: String) throws -> RPCClient {
        guard let client = state.clients[shard] else { throw RPCError(.unavailable, "dossier shard '\(shard)' has no address") }
        return client
    }

    /// The shard holding dossier `id`, and the dossier when it had to be asked for.
    private func locate(_ id: String, state: Loaded, options: CallOptions) async throws -> (String, DossierV1.Dossier?) {
        if let owner = owners.withLock({ $0[id] }), state.clients[owner] != nil { return (owner, nil) }
        var ask = DossierV1.GetDossierRequest()
        ask.id = id
        var idempotent = options
        idempotent.idempotent = true
        let get = ask
        let read = idempotent
        let answers = await withTaskGroup(of: (String, Result<DossierV1.Dossier, any Error>).self) { group in
            for (name, client) in state.clients where state.map.shards[name] != nil {
                group.addTask {
                    do { return (name, .success(try await client.unary(DossierV1.DossierService.getDossier, get, options: read))) }
                    catch { return (name, .failure(error)) }
                }
            }
            var all: [(String, Result<DossierV1.Dossier, any Error>)] = []
            for await answer in group { all.append(answer) }
            return all
        }
        for (name, answer) in answers {
            if case .success(let dossier) = answer {
                owners.withLock { owners in
                    if owners.count > 100_000 { owners.removeAll(keepingCapacity: true) }
                    owners[id] = name
                }
                return (name, dossier)
            }
        }
        // Not found anywhere only if every shard said so; a shard that could not answer might hold it.
        for (_, answer) in answers {
            if case .failure(let error) = answer, (error as? RPCError)?.code != .notFound { throw error }
        }
        throw RPCError(.notFound, "no dossier \(id)")
    }

    /// A citizen's own dossiers, from every shard (most recent first).
    private func merged<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, state: Loaded, options: CallOptions
    ) async throws -> Response {
        guard Response.self == DossierV1.ListDossiersResponse.self else {
            throw RPCError(.unimplemented, "\(method.path) cannot be asked of every dossier shard")
        }
        let clients = state.map.shards.keys.compactMap { state.clients[$0] }
        let lists = try await withThrowingTaskGroup(of: Response.self) { group in
            for client in clients { group.addTask { try await client.unary(method, request, options: options) } }
            var all: [Response] = []
            for try await list in group { all.append(list) }
            return all
        }
        var result = DossierV1.ListDossiersResponse()
        result.dossiers = lists.compactMap { $0 as? DossierV1.ListDossiersResponse }.flatMap(\.dossiers)
            .sorted { $0.submittedAtUnixMs > $1.submittedAtUnixMs }
        guard let response = result as? Response else { throw RPCError(.internalError, "merge of \(method.path)") }
        return response
    }
}
