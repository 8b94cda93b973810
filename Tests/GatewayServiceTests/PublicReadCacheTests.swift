@testable import GatewayWeb
import NIOCore
import Testing

/// Answers to public reads, kept for the lifetime of the catalog answers behind them.
@Suite struct PublicReadCacheTests {
    @Test("public reads without credentials: kept per method and body for the lifetime, bounded")
    func publicReadsKeptForTheirLifetime() {
        let cache = PublicReadCache(lifetime: .seconds(1), capacity: 2)
        let t0 = ContinuousClock.now
        let body = ByteBuffer(string: #"{"procedureCode":"1.001193"}"#)
        let path = "/dvc.gateway.v1.PublicService/GetProcedure"
        #expect(cache.answer(path: path, body: body, now: t0) == nil)
        cache.keep(ByteBuffer(string: "answer"), path: path, body: body, now: t0)
        #expect(cache.answer(path: path, body: body, now: t0 + .milliseconds(999)) == ByteBuffer(string: "answer"))
        #expect(cache.answer(path: path, body: ByteBuffer(string: #"{"procedureCode":"1.000001"}"#), now: t0) == nil, "another request")
        #expect(cache.answer(path: "/dvc.gateway.v1.PublicService/SearchProcedures", body: body, now: t0) == nil, "another method")
        #expect(cache.answer(path: path, body: body, now: t0 + .seconds(1)) == nil, "past its lifetime")
        for n in 0..<10 { cache.keep(ByteBuffer(string: "x"), path: path, body: ByteBuffer(string: "\(n)"), now: t0) }
        #expect(cache.count <= 2)
    }
}
