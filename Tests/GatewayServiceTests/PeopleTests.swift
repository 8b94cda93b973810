import DVCProto
import Foundation
import GRDB
@testable import GatewayDoor
@testable import GatewayWeb
import RPCCore
import Storage
import Testing

/// Citizens' identity numbers, passwords, accounts and sessions.
@Suite struct PeopleTests {
    /// Cheap parameters: the tests check behaviour, not cost.
    static let hasher = PasswordHasher(logN: 10, blockSize: 8, parallelism: 1)

    static func database() throws -> ServiceDatabase {
        try ServiceDatabase.inMemory(migrations: GatewayDoor.migrations)
    }

    @Test func identityNumbers() throws {
        #expect(try CitizenID("001099012345").birthYear == 1999)
        #expect(try CitizenID(" 079203000123 ").birthYear == 2003)
        let cases: [(String, CitizenID.Invalid)] = [
            ("00109901234", .notTwelveDigits), ("0010990123456", .notTwelveDigits), ("00109901234a", .notTwelveDigits),
            ("003099012345", .unknownProvince("003")), ("097099012345", .unknownProvince("097")),
            ("001399012345", .birthYearInTheFuture(2099)),
        ]
        for (text, expected) in cases {
            #expect(throws: expected, "\(text)") { try CitizenID(text) }
        }
        #expect(CitizenID.Invalid.notTwelveDigits.description.contains("12 chữ số"))
    }

    @Test func passwordsAreSaltedSlowHashes() throws {
        let first = try Self.hasher.hash("mật khẩu rất dài")
        let second = try Self.hasher.hash("mật khẩu rất dài")
        #expect(first != second, "salted")
        #expect(first.hasPrefix("scrypt$10$8$1$"))
        #expect(Self.hasher.verify("mật khẩu rất dài", against: first))
        // The same password typed decomposed (NFD) is the same password.
        #expect(Self.hasher.verify("mật khẩu rất dài".decomposedStringWithCanonicalMapping, against: first))
        #expect(!Self.hasher.verify("mat khau rat dai", against: first))
        #expect(!Self.hasher.verify("mật khẩu rất dài", against: first.replacingOccurrences(of: "scrypt$10", with: "scrypt$11")))
        #expect(!Self.hasher.verify("x", against: "plain"))
        #expect(PasswordHasher.standard.needsRehash(first) && !Self.hasher.needsRehash(first))
    }

    @Test func sessionsExpireIdleAndAreRevoked() async throws {
        let store = SessionStore(database: try Self.database())
        let citizen = CallerIdentity.citizen(id: "001099012345")
        let t0: Int64 = 1_800_000_000_000
        let (token, session) = try await store.create(for: citizen, kind: .browser, nowMs: t0)
        #expect(session.csrfToken.count >= 40 && token.count >= 40)
        #expect(try await store.lookup(token, nowMs: t0 + 60_000)?.identity == citizen)
        // Idle for more than 30 minutes: gone; each request restarts the idle clock.
        #expect(try await store.lookup(token, nowMs: t0 + 60_000 + 29 * 60_000) != nil)
        #expect(try await store.lookup(token, nowMs: t0 + 60_000 + 29 * 60_000 + 31 * 60_000) == nil)
        // An API token has no idle timeout but an absolute one.
        let (apiToken, apiSession) = try await store.create(for: citizen, kind: .api, nowMs: t0)
        #expect(apiSession.csrfToken.isEmpty)
        #expect(try await store.lookup(apiToken, nowMs: t0 + 24 * 3600 * 1000) != nil)
        #expect(try await store.lookup(apiToken, nowMs: t0 + 31 * 24 * 3600 * 1000) == nil)
        // Sign-out, and sign-out everywhere.
        let (other, _) = try await store.create(for: citizen, kind: .api, nowMs: t0)
        #expect(try await store.revoke(other, nowMs: t0 + 1))
        #expect(try await store.lookup(other, nowMs: t0 + 2) == nil)
        #expect(try await store.revokeAll(of: citizen, nowMs: t0 + 3) == 2)
        #expect(try await store.lookup(apiToken, nowMs: t0 + 4) == nil)
        #expect(try await store.lookup("not-a-token") == nil)
        #expect(try await store.lookup("") == nil)
    }

    @Test("a session lookup is a read; 'last seen' moves at most every few seconds, and idleness still ends it")
    func sessionLookupsDoNotWriteEveryTime() async throws {
        let database = try Self.database()
        let store = SessionStore(database: database)
        let citizen = CallerIdentity.citizen(id: "001099012345")
        let t0: Int64 = 1_800_000_000_000
        let (token, _) = try await store.create(for: citizen, kind: .browser, nowMs: t0)
        func lastSeen() throws -> Int64 {
            try database.read { db in try Int64.fetchOne(db, sql: "SELECT last_seen_ms FROM session") ?? 0 }
        }
        let interval = SessionStore.touchInterval(idleMs: 30 * 60_000)
        #expect(interval == 5_000)
        // Requests within the interval leave the row alone.
        for step in stride(from: Int64(100), to: interval, by: 1_000) {
            #expect(try await store.lookup(token, nowMs: t0 + step) != nil)
        }
        #expect(try lastSeen() == t0)
        // The first request past it moves "last seen" on.
        #expect(try await store.lookup(token, nowMs: t0 + interval) != nil)
        #expect(try lastSeen() == t0 + interval)
        // Idle for the whole timeout since the last touch: gone, however recent the untouched reads.
        #expect(try await store.lookup(token, nowMs: t0 + interval + 30 * 60_000) == nil)
        // A short idle timeout is touched more often (a quarter of it), so it never ends early by more.
        #expect(SessionStore.touchInterval(idleMs: 2_000) == 500)
    }

    @Test func registrationChecksEveryField() async throws {
        let accounts = try CitizenAccounts(database: try Self.database(), hasher: Self.hasher)
        do {
            _ = try await accounts.register(.init(id: "12345", password: "123", fullName: " ", email: "a b@c", phone: "12"))
            Issue.record("accepted")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument)
            #expect(Set(error.violations.map(\.field)) == ["id", "password", "full_name", "email", "phone"])
        }
        let id = try await accounts.register(.init(id: "001099012345", password: "Hoa sen 2026!", fullName: "Nguyễn Văn An",
                                                   email: "an@example.vn", phone: "0912345678"))
        #expect(id.digits == "001099012345")
        await #expect(throws: RPCError.self) {
            try await accounts.register(.init(id: "001099012345", password: "Khac hoan toan 1", fullName: "Kẻ khác"))
        }
        let digitsOnly = await rpcError { try await accounts.register(.init(id: "001099012346", password: "0123456789", fullName: "B")) }
        #expect(digitsOnly?.violations.map(\.field) == ["password"])
    }

    @Test func signInIsThrottledAgainstGuessing() async throws {
        let accounts = try CitizenAccounts(database: try Self.database(), hasher: Self.hasher)
        _ = try await accounts.register(.init(id: "001099012345", password: "Hoa sen 2026!", fullName: "Nguyễn Văn An"))
        let t0: Int64 = 1_800_000_000_000
        #expect(try await accounts.signIn(id: "001099012345", password: "Hoa sen 2026!", nowMs: t0).digits == "001099012345")
        // An unknown id and a wrong password get the same answer.
        let unknown = await rpcError { try await accounts.signIn(id: "001099099999", password: "Hoa sen 2026!", nowMs: t0) }
        let wrong = await rpcError { try await accounts.signIn(id: "001099012345", password: "sai", nowMs: t0) }
        #expect(unknown?.code == .unauthenticated && wrong?.code == .unauthenticated && unknown?.message == wrong?.message)
        for _ in 1..<CitizenAccounts.allowedFailures {
            _ = await rpcError { try await accounts.signIn(id: "001099012345", password: "sai", nowMs: t0) }
        }
        // Locked: even the right password is refused until the lock ends.
        let locked = await rpcError { try await accounts.signIn(id: "001099012345", password: "Hoa sen 2026!", nowMs: t0 + 60_000) }
        #expect(locked?.code == .resourceExhausted && locked?.message.contains("tạm khóa") == true)
        let later = t0 + CitizenAccounts.lockout + 1
        #expect(try await accounts.signIn(id: "001099012345", password: "Hoa sen 2026!", nowMs: later).digits == "001099012345")
    }

    @Test func theLockGrowsWithEveryFurtherFailure() {
        let now: Int64 = 1_800_000_000_000
        let minute: Int64 = 60_000
        #expect(PasswordChecks.lockedUntil(failures: 4, nowMs: now) == 0)
        #expect(PasswordChecks.lockedUntil(failures: 5, nowMs: now) == now + 15 * minute)
        #expect(PasswordChecks.lockedUntil(failures: 6, nowMs: now) == now + 30 * minute)
        #expect(PasswordChecks.lockedUntil(failures: 11, nowMs: now) == now + 16 * 60 * minute)
        #expect(PasswordChecks.lockedUntil(failures: 1000, nowMs: now) == now + 16 * 60 * minute, "bounded")
        let refusal = PasswordChecks.locked(untilMs: now)
        #expect(refusal.code == .resourceExhausted && refusal.metadata["retry-after-ms"] != nil)
    }

    @Test func officersAreMadeByTheirAgencyAdministrator() async throws {
        let officers = try OfficerAccounts(database: try Self.database(), hasher: Self.hasher)
        let operatorTool = CallerIdentity.system(service: "gateway-cli")
        let admin = try await officers.create(id: "qtv.tuphap", agencyCode: "000.00.07.H26", roles: ["admin"],
                                              fullName: "Quản trị", password: "Mat khau quan tri 1", createdBy: operatorTool)
        let made = try await officers.create(id: "tn.tuphap", agencyCode: "000.00.07.H26", roles: ["receiver"],
                                             fullName: "Tiếp nhận", password: "Mat khau tiep nhan", createdBy: admin.identity)
        #expect(made.identity == .officer(id: "tn.tuphap", agency: "000.00.07.H26", roles: ["receiver"]))
        let elsewhere = await rpcError {
            _ = try await officers.create(id: "tn.khac", agencyCode: "000.00.20.H26", roles: ["receiver"], fullName: "Khác",
                                          password: "Mat khau tiep nhan", createdBy: admin.identity)
        }
        #expect(elsewhere?.code == .permissionDenied)
        let notAdmin = await rpcError {
            _ = try await officers.create(id: "tn.hai", agencyCode: "000.00.07.H26", roles: ["receiver"], fullName: "Hai",
                                          password: "Mat khau tiep nhan", createdBy: made.identity)
        }
        #expect(notAdmin?.code == .permissionDenied)
        #expect(try await officers.signIn(id: "tn.tuphap", password: "Mat khau tiep nhan") == made)
        let wrong = await rpcError { _ = try await officers.signIn(id: "tn.tuphap", password: "sai") }
        let unknown = await rpcError { _ = try await officers.signIn(id: "khong.co", password: "sai") }
        #expect(wrong?.code == .unauthenticated && wrong?.message == unknown?.message)
    }

    @Test("officers' sign-in is throttled and their old hashes upgraded exactly as citizens' (one implementation)")
    func officersAreThrottledAndUpgradedLikeCitizens() async throws {
        let database = try Self.database()
        let made = try await OfficerAccounts(database: database, hasher: Self.hasher)
            .create(id: "tn.tuphap", agencyCode: "000.00.07.H26", roles: ["receiver"], fullName: "Tiếp nhận",
                    password: "Mat khau tiep nhan", createdBy: .system(service: "gateway-cli"))
        // The platform's parameters raised since the account was made.
        let officers = try OfficerAccounts(database: database, hasher: PasswordHasher(logN: 11, blockSize: 8, parallelism: 1))
        func stored() throws -> String {
            try database.read { db in try String.fetchOne(db, sql: "SELECT password_hash FROM officer") ?? "" }
        }
        #expect(try stored().hasPrefix("scrypt$10$"))
        let t0: Int64 = 1_800_000_000_000
        #expect(try await officers.signIn(id: "tn.tuphap", password: "Mat khau tiep nhan", nowMs: t0) == made)
        #expect(try stored().hasPrefix("scrypt$11$"), "an officer's hash made with weaker parameters is upgraded at sign-in")
        for _ in 0..<CitizenAccounts.allowedFailures {
            _ = await rpcError { _ = try await officers.signIn(id: "tn.tuphap", password: "sai", nowMs: t0) }
        }
        let locked = await rpcError { _ = try await officers.signIn(id: "tn.tuphap", password: "Mat khau tiep nhan", nowMs: t0 + 1) }
        #expect(locked?.code == .resourceExhausted)
        #expect(try await officers.signIn(id: "tn.tuphap", password: "Mat khau tiep nhan", nowMs: t0 + CitizenAccounts.lockout + 1) == made)
    }

    func rpcError(_ body: () async throws -> Void) async -> RPCError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? RPCError
        }
    }
}
