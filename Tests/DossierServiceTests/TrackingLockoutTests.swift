import Foundation
import RPCCore
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// Failed tracking PINs per receipt code and per address, with the clock given by the test.
@Suite struct TrackingLockoutTests {
    func database(_ backend: SQLBackend) throws -> ServiceDatabase {
        try DossierTestDatabases.make(backend)
    }

    func check(_ lockout: TrackingLockout, _ database: ServiceDatabase, code: String, address: String?, at: Int64) async -> RPCError? {
        do {
            try await database.read { db in try lockout.check(code: code, address: address, nowMs: at, db) }
            return nil
        } catch {
            return error as? RPCError
        }
    }

    func fail(_ lockout: TrackingLockout, _ database: ServiceDatabase, code: String, address: String?, at: Int64) async throws {
        try await database.write { db in try lockout.recordFailure(code: code, address: address, nowMs: at, db) }
    }

    @Test("5 failures lock a code for the window (from its 5th failure's age); 20 lock an address across codes", arguments: TestDatabases.backends)
    func limits(backend: SQLBackend) async throws {
        let database = try database(backend)
        var lockout = TrackingLockout()
        lockout.windowMs = 60_000
        let start: Int64 = 1_800_000_000_000
        for attempt in 0..<5 {
            #expect(await check(lockout, database, code: "X-1", address: "10.0.0.1", at: start + Int64(attempt)) == nil)
            try await fail(lockout, database, code: "X-1", address: "10.0.0.1", at: start + Int64(attempt))
        }
        let locked = await check(lockout, database, code: "X-1", address: "10.0.0.2", at: start + 10)
        #expect(locked?.code == .resourceExhausted && locked?.metadata["retry-after-ms"] == "59990")
        // Another code from the same address is not locked by that code.
        #expect(await check(lockout, database, code: "X-2", address: "10.0.0.1", at: start + 10) == nil)
        // Once the first failure leaves the window, one more try is allowed.
        #expect(await check(lockout, database, code: "X-1", address: nil, at: start + 60_000) == nil)

        for index in 0..<20 {
            try await fail(lockout, database, code: "Y-\(index)", address: "10.9.9.9", at: start + 100_000)
        }
        let address = await check(lockout, database, code: "Y-new", address: "10.9.9.9", at: start + 100_001)
        #expect(address?.code == .resourceExhausted)
        #expect(await check(lockout, database, code: "Y-new", address: "10.9.9.8", at: start + 100_001) == nil)
    }

    @Test("the window comes from tracking_lockout_seconds; a bad value stops the service naming the key")
    func configuration() throws {
        #expect(try TrackingLockout([:]).windowMs == 3_600_000)
        #expect(try TrackingLockout(["tracking_lockout_seconds": "2"]).windowMs == 2_000)
        #expect(throws: (any Error).self) { try TrackingLockout(["tracking_lockout_seconds": "soon"]) }
    }
}
