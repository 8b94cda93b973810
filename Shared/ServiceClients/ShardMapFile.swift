import DVCProto
import Foundation
import Logging
import RPCCore
import RPCNIO
import ServiceKit
import Synchronization

/// A service split by agency into shards, as its callers see it (docs/sharding.md): a map file
/// of `KEY=VALUE` lines naming each shard's addresses and which shard holds which agency,
/// re-read when it changes, with one client per shard. `DossierShards` and `PaymentShards`
/// route calls with it; what they share — finding which shard holds an id, asking every shard
/// — is here.
///
///     shard.ba-dinh = 10.0.0.3:7002,10.0.0.13:7002
///     shard.hoan-kiem = 10.0.0.4:7002
///     agency.000.00.21.H26 = hoan-kiem
///     default = ba-dinh
public final class ShardMapFile: Sendable {
    /// A parsed shard map.
    public struct Map: Sendable, Equatable {
        public var shards: [String: [PeerAddress]]
        public var agencies: [String: String]
        public var defaultShard: String

        /// The shard holding `agency`'s data.
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

    /// The map and its clients at one moment.
    public struct Snapshot: Sendable {
        public var map: Map
        var clients: [String: RPCClient]
        var modified: Date?
        var checkedAt: ContinuousClock.Instant

        public func client(_ shard: String) throws -> RPCClient {
            guard map.shards[shard] != nil, let client = clients[shard] else {
                throw RPCError(.unavailable, "shard '\(shard)' has no address in the shard map")
            }
            return client
        }

        /// Every shard of the map with its client.
        public var all: [(name: String, client: RPCClient)] {
            map.shards.keys.sorted().compactMap { name in clients[name].map { (name, $0) } }
        }
    }

    private let path: String
    /// Makes the client of one shard (TLS and metrics as the service's other clients).
    private let makeClient: @Sendable ([PeerAddress]) throws -> RPCClient
    private let logger: Logger
    private let loaded: Mutex<Snapshot>
    /// Id → the shard that answered for it (bounded: forgotten when it grows large).
    private let owners = Mutex<[String: String]>([:])

    public init(path: String, logger: Logger, makeClient: @escaping @Sendable ([PeerAddress]) throws -> RPCClient) throws {
        self.path = path
        self.makeClient = makeClient
        self.logger = logger
        let (map, modified) = try Self.read(path)
        var clients: [String: RPCClient] = [:]
        for (name, peers) in map.shards { clients[name] = try makeClient(peers) }
        loaded = Mutex(Snapshot(map: map, clients: clients, modified: modified, checkedAt: .now))
    }

    private static func read(_ path: String) throws -> (Map, Date?) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServiceSettings.InvalidSetting(description: "cannot read the shard map '\(path)'")
        }
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        return (try Map.parse(String(decoding: data, as: UTF8.self), source: path), modified)
    }

    /// The map now: the file is looked at again at most once a second and re-read when it
    /// changed; a file that no longer parses keeps the last good map (and says so in the log).
    public func current() -> Snapshot {
        let snapshot = loaded.withLock { $0 }
        guard ContinuousClock.now - snapshot.checkedAt >= .seconds(1) else { return snapshot }
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        guard modified != snapshot.modified else {
            return loaded.withLock { $0.checkedAt = .now; return $0 }
        }
        do {
            let (map, modified) = try Self.read(path)
            var fresh: [String: RPCClient] = [:]
            for (name, peers) in map.shards where snapshot.map.shards[name] != peers || snapshot.clients[name] == nil {
                fresh[name] = try makeClient(peers)
            }
            return loaded.withLock { state in
                state.clients.merge(fresh) { $1 }
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

    /// The shard holding `id`, and what `probe` answered there when it had to ask: every shard
    /// is asked at once the first time, the owner remembered after. NOT_FOUND only when every
    /// shard said so; otherwise a shard that could not answer might hold it, and its error is
    /// thrown.
    public func locate<Found: Sendable>(
        _ id: String, in snapshot: Snapshot,
        probe: @escaping @Sendable (RPCClient) async throws -> Found
    ) async throws -> (shard: String, found: Found?) {
        if let owner = owners.withLock({ $0[id] }), snapshot.map.shards[owner] != nil { return (owner, nil) }
        let answers = await withTaskGroup(of: (String, Result<Found, any Error>).self) { group in
            for (name, client) in snapshot.all {
                group.addTask {
                    do { return (name, .success(try await probe(client))) } catch { return (name, .failure(error)) }
                }
            }
            var all: [(String, Result<Found, any Error>)] = []
            for await answer in group { all.append(answer) }
            return all
        }
        for (name, answer) in answers {
            if case .success(let found) = answer {
                owners.withLock { owners in
                    if owners.count > 100_000 { owners.removeAll(keepingCapacity: true) }
                    owners[id] = name
                }
                return (name, found)
            }
        }
        for (_, answer) in answers {
            if case .failure(let error) = answer, (error as? RPCError)?.code != .notFound { throw error }
        }
        throw RPCError(.notFound, "no \(id) on any shard")
    }

    /// The same call on every shard, answers in shard order.
    public func everyShard<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, options: CallOptions, in snapshot: Snapshot
    ) async throws -> [Response] {
        try await withThrowingTaskGroup(of: (Int, Response).self) { group in
            for (index, shard) in snapshot.all.enumerated() {
                group.addTask { (index, try await shard.client.unary(method, request, options: options)) }
            }
            var answers: [(Int, Response)] = []
            for try await answer in group { answers.append(answer) }
            return answers.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
