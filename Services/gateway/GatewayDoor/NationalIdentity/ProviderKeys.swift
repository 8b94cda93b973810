import Foundation
import JWTKit
import Synchronization

/// The provider's signing keys, from its published JWK Set (`jwks_uri`). Fetched on first need;
/// a token naming a key id not in the set fetches the set again — that is how the provider's
/// key rotation reaches the gateway — but at most once every `minimumInterval`, so tokens with
/// made-up key ids cannot make the gateway hammer the provider. Each fetch replaces the whole
/// set: a key the provider no longer publishes is no longer trusted.
public actor ProviderKeys {
    public typealias Fetch = @Sendable () async throws -> Data

    let fetch: Fetch
    let minimumInterval: Duration
    private var collection = JWTKeyCollection()
    private var known: Set<String> = []
    private var lastFetch: ContinuousClock.Instant?
    /// How many times the set was fetched (for tests and the log).
    public private(set) var fetches = 0

    public init(minimumInterval: Duration, fetch: @escaping Fetch) {
        self.fetch = fetch
        self.minimumInterval = minimumInterval
    }

    public enum Failure: Error, Equatable {
        /// The set was fetched and still has no such key (or may not be fetched again yet).
        case unknownKey(String)
        /// The provider's key set could not be fetched or read.
        case unavailable(String)
    }

    /// The keys, holding `kid`; fetched again if `kid` is unknown and the last fetch is old enough.
    public func keys(holding kid: String) async throws(Failure) -> JWTKeyCollection {
        if known.contains(kid) { return collection }
        let now = ContinuousClock.now
        if let lastFetch, now - lastFetch < minimumInterval { throw Failure.unknownKey(kid) }
        lastFetch = now
        let data: Data
        do {
            data = try await fetch()
        } catch {
            throw Failure.unavailable("\(error)")
        }
        try await replace(with: data)
        guard known.contains(kid) else { throw Failure.unknownKey(kid) }
        return collection
    }

    /// Replaces the set with the keys in `data` (a JWK Set); keys without a key id, for
    /// encryption, or of a kind the library does not verify with are left out.
    func replace(with data: Data) async throws(Failure) {
        struct Entry: Decodable {
            var kid: String?
            var use: String?
        }
        struct Set: Decodable { var keys: [Entry] }
        let jwks: JWKS
        let entries: [Entry]
        do {
            jwks = try JSONDecoder().decode(JWKS.self, from: data)
            entries = try JSONDecoder().decode(Set.self, from: data).keys
        } catch {
            throw Failure.unavailable("the provider's key set is not a JWK Set: \(error)")
        }
        let fresh = JWTKeyCollection()
        var kids: Swift.Set<String> = []
        for (jwk, entry) in zip(jwks.keys, entries) {
            guard let kid = entry.kid, entry.use == nil || entry.use == "sig" else { continue }
            do {
                try await fresh.add(jwk: jwk)
                kids.insert(kid)
            } catch {
                continue
            }
        }
        collection = fresh
        known = kids
        fetches += 1
    }
}
