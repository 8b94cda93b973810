import Foundation
@testable import GatewayDoor
@testable import GatewayWeb
import NIOCore
import RPCCore
import Testing

/// The gateway's admission pieces on their own: token buckets, the rate limits built from the
/// config, the address a request is counted under, and the in-flight capacity.
@Suite struct AdmissionTests {
    @Test("a bucket gives its burst, then one token per 1/rate seconds, and says how long to wait")
    func buckets() {
        let buckets = TokenBuckets(rate: 2, burst: 4)
        let start = ContinuousClock.now
        for _ in 0..<4 { #expect(buckets.take("a", now: start) == nil) }
        let wait = buckets.take("a", now: start)
        #expect(wait == .milliseconds(500))
        // Another client is untouched.
        #expect(buckets.take("b", now: start) == nil)
        // Half a second later one token is back, and only one.
        #expect(buckets.take("a", now: start + .milliseconds(500)) == nil)
        #expect(buckets.take("a", now: start + .milliseconds(500)) != nil)
        // Idle long enough, the bucket is full again but never fuller than the burst.
        let later = start + .seconds(60)
        for _ in 0..<4 { #expect(buckets.take("a", now: later) == nil) }
        #expect(buckets.take("a", now: later) != nil)
    }

    @Test("many clients stay bounded; forgetting a client only ever gives it a fresh bucket")
    func boundedClients() {
        let buckets = TokenBuckets(rate: 1, burst: 2, maxClients: 100)
        let start = ContinuousClock.now
        #expect(buckets.take("busy", now: start) == nil)
        #expect(buckets.take("busy", now: start) == nil)
        #expect(buckets.take("busy", now: start) != nil)
        for n in 0..<1_000 { _ = buckets.take("made-up-\(n)", now: start + .milliseconds(n)) }
        #expect(buckets.clients <= 100)
        // Made-up clients filled the table; the oldest were forgotten, the busy one among them:
        // it is served again (never wrongly refused), from a fresh bucket.
        #expect(buckets.take("busy", now: start + .milliseconds(1_000)) == nil)
        #expect(buckets.clients <= 100)
        // Full buckets go first: after a quiet spell nothing else needs dropping.
        let quiet = start + .seconds(10)
        _ = buckets.take("new", now: quiet)
        #expect(buckets.clients <= 100)
    }

    @Test("limits from the config: defaults, 0 turns one off, a bad value is refused naming its key")
    func limitsFromConfig() throws {
        func limits(_ extra: [String: String]) throws -> RateLimits { RateLimits(rates: try GatewaySettings(extra).rates) }
        let defaults = try limits([:])
        #expect(defaults.rate(.address) == 100 && defaults.rate(.person) == 20 && defaults.rate(.key) == 1_000)
        let off = try limits(["rate_per_key": "0"])
        #expect(off.rate(.key) == nil)
        for _ in 0..<10_000 { try off.check(.key, "k") }
        for bad in ["-1", "nhiều", "inf", ""] {
            let refused = try #require(throws: GatewaySettings.Invalid.self) { try limits(["rate_per_person": bad]) }
            #expect(refused.description.contains("rate_per_person") && refused.description.contains("'\(bad)'"))
        }
        let tight = try limits(["rate_per_person": "1"])
        try tight.check(.person, "citizen:001099012345")
        try tight.check(.person, "citizen:001099012345")
        let refusal = try #require(throws: RPCError.self) { try tight.check(.person, "citizen:001099012345") }
        #expect(refusal.code == .resourceExhausted && refusal.metadata["dvc-rate-limit"] == "person")
        #expect(refusal.message.hasPrefix("Bạn đã gửi quá nhiều yêu cầu"))
        #expect((Int(refusal.metadata["retry-after-ms"] ?? "") ?? 0) > 0)
    }

    @Test("the client's address: the connection's, or a trusted proxy's right-most forwarded entry")
    func clientAddress() throws {
        let proxy = try SocketAddress(ipAddress: "10.0.0.2", port: 40_000)
        let stranger = try SocketAddress(ipAddress: "203.0.113.5", port: 40_000)
        let none = ClientAddress()
        #expect(none.resolve(peer: proxy, forwardedFor: "198.51.100.1") == "10.0.0.2")
        let trusting = try ClientAddress(["trusted_proxies": "10.0.0.2, 10.0.0.3"])
        #expect(trusting.resolve(peer: proxy, forwardedFor: "198.51.100.1") == "198.51.100.1")
        #expect(trusting.resolve(peer: proxy, forwardedFor: "1.2.3.4, 198.51.100.1") == "198.51.100.1")
        #expect(trusting.resolve(peer: proxy, forwardedFor: "198.51.100.1, 10.0.0.3") == "198.51.100.1")
        #expect(trusting.resolve(peer: proxy, forwardedFor: nil) == "10.0.0.2")
        #expect(trusting.resolve(peer: proxy, forwardedFor: " , ") == "10.0.0.2")
        // Only a listed proxy may name someone else.
        #expect(trusting.resolve(peer: stranger, forwardedFor: "198.51.100.1") == "203.0.113.5")
        // Ranges (an ingress controller's pod network), IPv6 too; nonsense is refused at start.
        let ranges = try ClientAddress(["trusted_proxies": "10.42.0.0/16, fd00::/8"])
        #expect(ranges.resolve(peer: try SocketAddress(ipAddress: "10.42.7.9", port: 1), forwardedFor: "198.51.100.1") == "198.51.100.1")
        #expect(ranges.resolve(peer: try SocketAddress(ipAddress: "10.43.0.1", port: 1), forwardedFor: "198.51.100.1") == "10.43.0.1")
        #expect(ranges.resolve(peer: try SocketAddress(ipAddress: "fd12::1", port: 1), forwardedFor: "2001:db8::7") == "2001:db8::7")
        for bad in ["10.0.0.0/33", "proxy.example", "10.0.0/8"] {
            #expect(throws: ClientAddress.Invalid.self, "\(bad)") { try ClientAddress(["trusted_proxies": bad]) }
        }
        // HTTPS in front of a plain HTTP side means a proxy: without trusted proxies, refused.
        #expect(throws: ClientAddress.Invalid.self) { try ClientAddress.checkProxy(publicURL: "https://dichvucong.example.gov.vn", trustedProxies: []) }
        try ClientAddress.checkProxy(publicURL: "https://dichvucong.example.gov.vn", trustedProxies: ranges.trustedProxies)
        try ClientAddress.checkProxy(publicURL: "http://127.0.0.1:8080", trustedProxies: [])
        try ClientAddress.checkProxy(publicURL: nil, trustedProxies: [])
        #expect(RateLimitInterceptor.host(of: "[IPv4]127.0.0.1/127.0.0.1:5000") == "127.0.0.1")
        #expect(RateLimitInterceptor.host(of: "[IPv6]::1/::1:5000") == "::1")
        #expect(RateLimitInterceptor.host(of: "192.0.2.1:80") == "192.0.2.1")
    }

    @Test("large bodies: bytes reserved up to the budget, a few at once per caller, given back")
    func largeBodyBudget() throws {
        let budget = LargeBodyBudget(mib: 1, perCaller: 2)
        let half = try budget.enter(bytes: 512 << 10, caller: "a")
        let rest = try budget.enter(bytes: 512 << 10, caller: "b")
        #expect(throws: RPCError.self) { try budget.enter(bytes: 1, caller: "c") }
        do {
            _ = try budget.enter(bytes: 1, caller: "c")
        } catch let error as RPCError {
            #expect(error.code == .unavailable && error.metadata["retry-after-ms"] != nil)
        }
        budget.leave(rest)
        let small = try budget.enter(bytes: 1, caller: "a")
        do {
            _ = try budget.enter(bytes: 1, caller: "a")
            Issue.record("a third body of one caller admitted")
        } catch let error as RPCError {
            #expect(error.code == .resourceExhausted && error.metadata["dvc-rate-limit"] == "large-bodies")
        }
        budget.leave(half)
        budget.leave(small)
        #expect(budget.current == 0)
        _ = try budget.enter(bytes: 1 << 20, caller: "a")
    }

    @Test("capacity: places up to the limit, refusals beyond it, places given back")
    func capacity() async throws {
        let limit = AdmissionLimit(capacity: 2)
        #expect(limit.enter(.rpc) && limit.enter(.http))
        #expect(!limit.enter(.rpc) && !limit.enter(.http))
        #expect(limit.current == 2)
        limit.leave()
        #expect(limit.enter(.rpc))
        limit.leave()
        limit.leave()
        #expect(limit.current == 0)
        struct Failed: Error {}
        await #expect(throws: Failed.self) {
            try await limit.admitted(.rpc, { throw Failed() }, refused: { 0 })
        }
        #expect(limit.current == 0, "a failed request gave its place back")
    }
}
