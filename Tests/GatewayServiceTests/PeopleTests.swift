import DVCProto
import Foundation
@testable import GatewayDoor
@testable import GatewayWeb
import RPCCore
import Storage
import StorageTestKit
import Testing

/// Citizens' identity numbers, passwords, accounts and sessions.
@Suite struct PeopleTests {
    /// Cheap parameters: the tests check behaviour, not cost.
    static let hasher = PasswordHasher(logN: 10, blockSize: 8, parallelism: 1)

    /// A fresh gateway database on `backend` (every store test runs on SQLite and PostgreSQL).
    static func database(_ backend: SQLBackend) throws -> ServiceDatabase {
        try TestDatabases.make(backend, name: "gateway", migrations: GatewayDoor.migrations)
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

    @Test(arguments: TestDatabases.backends) func sessionsExpireIdleAndAreRevoked(backend: SQLBackend) async throws {
        let store = SessionStore(database: try Self.database(backend))
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

    @Test("a session lookup is a read; 'last seen' moves at most every few seconds, and idleness still ends it", arguments: TestDatabases.backends)
    func sessionLookupsDoNotWriteEveryTime(backend: SQLBackend) async throws {
        let database = try Self.database(backend)
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

    @Test(arguments: TestDatabases.backends) func registrationChecksEveryField(backend: SQLBackend) async throws {
        let accounts = try CitizenAccounts(database: try Self.database(backend), hasher: Self.hasher)
        do {
            _ = try await accounts.register(.init(id: "12345", password: "123", fullName: " ", email: "a b@c", phone: "12"), client: "a")
            Issue.record("accepted")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument)
            #expect(Set(error.violations.map(\.field)) == ["id", "password", "full_name", "email", "phone"])
        }
        let made = try await accounts.register(.init(id: "001099012345", password: "Hoa sen 2026!", fullName: "Nguyễn Văn An",
                                                     email: "an@example.vn", phone: "0912345678"), client: "a")
        #expect(made.id.digits == "001099012345" && made.created)
        let digitsOnly = await rpcError {
            _ = try await accounts.register(.init(id: "001099012346", password: "0123456789", fullName: "B"), client: "a")
        }
        #expect(digitsOnly?.violations.map(\.field) == ["password"])
    }

    @Test("registering a number that has an account answers as for a new one, and changes nothing", arguments: TestDatabases.backends)
    func registrationDoesNotTellWhoHasAnAccount(backend: SQLBackend) async throws {
        let database = try Self.database(backend)
        let accounts = try CitizenAccounts(database: database, hasher: Self.hasher)
        _ = try await accounts.register(.init(id: "001099012345", password: "Hoa sen 2026!", fullName: "Nguyễn Văn An"), client: "a")
        // Someone else registers the same number: no error to tell them the number is taken...
        let again = try await accounts.register(.init(id: "001099012345", password: "Khac hoan toan 1", fullName: "Kẻ khác"),
                                                client: "b")
        #expect(again.id.digits == "001099012345" && !again.created)
        // ... and the owner's account is untouched: the old password still works, the new does not.
        #expect(try await accounts.signIn(id: "001099012345", password: "Hoa sen 2026!", client: "a").digits == "001099012345")
        let theirs = await rpcError { _ = try await accounts.signIn(id: "001099012345", password: "Khac hoan toan 1", client: "b") }
        #expect(theirs?.code == .unauthenticated)
        let name = try await database.read { db in try String.fetchOne(db, sql: "SELECT full_name FROM citizen") }
        #expect(name == "Nguyễn Văn An")
        let kinds = try await database.read { db in try String.fetchAll(db, sql: "SELECT kind FROM account_event WHERE kind LIKE 'regis%' ORDER BY seq") }
        #expect(kinds == ["registered", "registration_repeated"])
    }

    @Test("a guesser is stopped per address and account; the owner elsewhere is not; unknown ids are treated the same", arguments: TestDatabases.backends)
    func guessingIsLimitedPerGuesser(backend: SQLBackend) async throws {
        let accounts = try CitizenAccounts(database: try Self.database(backend), hasher: Self.hasher,
                                           guardian: SignInGuardSettings(perAddressPerMinute: 0))
        _ = try await accounts.register(.init(id: "001099012345", password: "Hoa sen 2026!", fullName: "Nguyễn Văn An"), client: "owner")
        let t0: Int64 = 1_800_000_000_000
        // An unknown id and a wrong password get the same answer.
        let unknown = await rpcError { _ = try await accounts.signIn(id: "001099099999", password: "x", client: "evil", nowMs: t0) }
        let wrong = await rpcError { _ = try await accounts.signIn(id: "001099012345", password: "x", client: "evil", nowMs: t0) }
        #expect(unknown?.code == .unauthenticated && wrong?.code == .unauthenticated && unknown?.message == wrong?.message)
        for _ in 2..<SignInGuard.pairFailures {
            _ = await rpcError { _ = try await accounts.signIn(id: "001099012345", password: "x", client: "evil", nowMs: t0) }
            _ = await rpcError { _ = try await accounts.signIn(id: "001099099999", password: "x", client: "evil", nowMs: t0) }
        }
        // The fifth failure blocks this address for this id — existing or not, in the same words.
        let existing = await rpcError { _ = try await accounts.signIn(id: "001099012345", password: "x", client: "evil", nowMs: t0 + 1) }
        let stranger = await rpcError { _ = try await accounts.signIn(id: "001099099999", password: "x", client: "evil", nowMs: t0 + 1) }
        #expect(existing?.code == .unauthenticated && stranger?.code == .unauthenticated)
        let blocked = await rpcError { _ = try await accounts.signIn(id: "001099012345", password: "Hoa sen 2026!", client: "evil", nowMs: t0 + 2) }
        let blockedUnknown = await rpcError { _ = try await accounts.signIn(id: "001099099999", password: "x", client: "evil", nowMs: t0 + 2) }
        #expect(blocked?.code == .resourceExhausted && blocked?.metadata["retry-after-ms"] != nil)
        #expect(blocked?.message == blockedUnknown?.message && blocked?.message.contains("nhập sai nhiều lần") == true)
        // The owner, from their own address, signs in at once: the guesser locked only itself out.
        #expect(try await accounts.signIn(id: "001099012345", password: "Hoa sen 2026!", client: "owner", nowMs: t0 + 3).digits == "001099012345")
        // The block ends; the next failure blocks the address twice as long.
        let later = t0 + SignInGuard.pairLock + 10
        _ = await rpcError { _ = try await accounts.signIn(id: "001099099999", password: "x", client: "evil", nowMs: later) }
        let longer = await rpcError { _ = try await accounts.signIn(id: "001099099999", password: "x", client: "evil", nowMs: later + 1) }
        #expect(Int64(longer?.metadata["retry-after-ms"] ?? "") == 2 * SignInGuard.pairLock - 1, "\(String(describing: longer))")
        #expect(try await accounts.signIn(id: "001099012345", password: "Hoa sen 2026!", client: "evil", nowMs: later).digits == "001099012345")
    }

    @Test("a block doubles with each further failure and never exceeds 16 hours")
    func blocksGrowAndAreBounded() {
        let minute: Int64 = 60_000
        #expect(SignInGuard.blockDuration(failures: 4) == 0)
        #expect(SignInGuard.blockDuration(failures: 5) == 15 * minute)
        #expect(SignInGuard.blockDuration(failures: 6) == 30 * minute)
        #expect(SignInGuard.blockDuration(failures: 11) == 16 * 60 * minute)
        #expect(SignInGuard.blockDuration(failures: 1_000_000) == 16 * 60 * minute)
    }

    @Test("many addresses guessing one account: strangers are paced, an address the owner used before is not", arguments: TestDatabases.backends)
    func aDistributedGuesserIsPacedButNotTheOwner(backend: SQLBackend) async throws {
        let accounts = try CitizenAccounts(database: try Self.database(backend), hasher: Self.hasher,
                                           guardian: SignInGuardSettings(perAddressPerMinute: 0))
        _ = try await accounts.register(.init(id: "001099012345", password: "Hoa sen 2026!", fullName: "Nguyễn Văn An"), client: "owner")
        let t0: Int64 = 1_800_000_000_000
        #expect(try await accounts.signIn(id: "001099012345", password: "Hoa sen 2026!", client: "owner", nowMs: t0).digits == "001099012345")
        for bot in 0..<SignInGuard.accountFailures {
            let refused = await rpcError { _ = try await accounts.signIn(id: "001099012345", password: "x", client: "bot\(bot)", nowMs: t0 + 1) }
            #expect(refused?.code == .unauthenticated, "\(bot): \(String(describing: refused))")
        }
        let paced = await rpcError { _ = try await accounts.signIn(id: "001099012345", password: "x", client: "bot-new", nowMs: t0 + 2) }
        #expect(paced?.code == .resourceExhausted && paced?.metadata["dvc-rate-limit"] == "sign-in-pace")
        #expect(try await accounts.signIn(id: "001099012345", password: "Hoa sen 2026!", client: "owner", nowMs: t0 + 3).digits == "001099012345",
                "the owner's usual address is never paced")
        // A stranger may try again once the pace has passed.
        let next = await rpcError { _ = try await accounts.signIn(id: "001099012345", password: "x", client: "bot-new", nowMs: t0 + 2 + SignInGuard.pace) }
        #expect(next?.code == .unauthenticated)
    }

    @Test("parallel guesses are each counted: the count is taken before the slow verify, one verify per account at a time", arguments: TestDatabases.backends)
    func parallelGuessesAreEachCounted(backend: SQLBackend) async throws {
        let database = try Self.database(backend)
        let accounts = try CitizenAccounts(database: database, hasher: PasswordHasher(logN: 14, blockSize: 8, parallelism: 1),
                                           guardian: SignInGuardSettings(perAddressPerMinute: 0))
        _ = try await accounts.register(.init(id: "001099012345", password: "Hoa sen 2026!", fullName: "Nguyễn Văn An"), client: "owner")
        let codes = await withTaskGroup(of: StatusCode?.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    do {
                        _ = try await accounts.signIn(id: "001099012345", password: "sai mat khau", client: "evil")
                        return .ok
                    } catch {
                        return (error as? RPCError)?.code
                    }
                }
            }
            return await group.reduce(into: [StatusCode?]()) { $0.append($1) }
        }
        let verified = codes.filter { $0 == .unauthenticated }.count
        let stopped = codes.filter { $0 == .resourceExhausted }.count
        #expect(verified + stopped == 12)
        // Never more verifications than the limit allows, however many arrived at once.
        #expect(verified <= SignInGuard.pairFailures, "\(codes)")
        let counted = try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT failures FROM sign_in_attempt WHERE account = 'citizen:001099012345' AND client = 'evil'")
        }
        #expect(counted == verified)
    }

    @Test("sign-ins and registrations from one address beyond its allowance are refused before any hashing", arguments: TestDatabases.backends)
    func perAddressAllowance(backend: SQLBackend) async throws {
        let accounts = try CitizenAccounts(database: try Self.database(backend), hasher: Self.hasher,
                                           guardian: SignInGuardSettings(perAddressPerMinute: 1))
        // One a minute: the first is served, the next (well within the minute) refused.
        _ = await rpcError { _ = try await accounts.signIn(id: "001099012345", password: "x", client: "flood") }
        let refused = await rpcError { _ = try await accounts.signIn(id: "001099099999", password: "x", client: "flood") }
        #expect(refused?.code == .resourceExhausted && refused?.metadata["dvc-rate-limit"] == "sign-in", "\(String(describing: refused))")
        let registration = await rpcError {
            _ = try await accounts.register(.init(id: "001099012345", password: "Hoa sen 2026!", fullName: "A"), client: "flood")
        }
        #expect(registration?.code == .resourceExhausted)
        let elsewhere = await rpcError { _ = try await accounts.signIn(id: "001099012345", password: "x", client: "other") }
        #expect(elsewhere?.code == .unauthenticated, "another address is not affected")
    }

    @Test("the hashing queue refuses at once when full instead of queueing without bound")
    func hashingQueueIsBounded() async throws {
        let queue = HashingQueue(name: "test", threads: 1, capacity: 2)
        let gate = DispatchSemaphore(value: 0)
        let running = Task { try await queue.run { gate.wait(); return 1 } }
        let waiting = Task { try await queue.run { 2 } }
        while queue.depth < 2 { try await Task.sleep(for: .milliseconds(5)) }
        await #expect(throws: HashingQueue.busy) { try await queue.run { 3 } }
        gate.signal()
        #expect(try await running.value == 1)
        #expect(try await waiting.value == 2)
        #expect(try await queue.run { 4 } == 4, "room again once the queue drains")
    }

    @Test func theStandardParametersAreOWASPs() {
        let standard = PasswordHasher.standard
        // N·r·p at least OWASP's 2^17·8·1; memory at least its equivalent setting's.
        #expect((1 << standard.logN) * standard.blockSize * standard.parallelism >= (1 << 17) * 8)
        #expect(standard.needsRehash("scrypt$15$8$1$c2FsdA==$aGFzaA=="), "the old 2^15 p1 hashes are upgraded")
        #expect(!standard.needsRehash("scrypt$17$8$1$c2FsdA==$aGFzaA=="), "an equally strong setting is kept")
        #expect(!standard.needsRehash("scrypt$16$8$2$c2FsdA==$aGFzaA=="))
    }

    @Test(arguments: TestDatabases.backends) func officersAreMadeByTheirAgencyAdministrator(backend: SQLBackend) async throws {
        let officers = try OfficerAccounts(database: try Self.database(backend), hasher: Self.hasher)
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
        #expect(try await officers.signIn(id: "tn.tuphap", password: "Mat khau tiep nhan", client: "a") == made)
        let wrong = await rpcError { _ = try await officers.signIn(id: "tn.tuphap", password: "sai", client: "a") }
        let unknown = await rpcError { _ = try await officers.signIn(id: "khong.co", password: "sai", client: "a") }
        #expect(wrong?.code == .unauthenticated && wrong?.message == unknown?.message)
    }

    @Test("officers' sign-in is throttled and their old hashes upgraded exactly as citizens' (one implementation)", arguments: TestDatabases.backends)
    func officersAreThrottledAndUpgradedLikeCitizens(backend: SQLBackend) async throws {
        let database = try Self.database(backend)
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
        #expect(try await officers.signIn(id: "tn.tuphap", password: "Mat khau tiep nhan", client: "a", nowMs: t0) == made)
        #expect(try stored().hasPrefix("scrypt$11$"), "an officer's hash made with weaker parameters is upgraded at sign-in")
        for _ in 0..<SignInGuard.pairFailures {
            _ = await rpcError { _ = try await officers.signIn(id: "tn.tuphap", password: "sai", client: "b", nowMs: t0) }
        }
        let blocked = await rpcError { _ = try await officers.signIn(id: "tn.tuphap", password: "Mat khau tiep nhan", client: "b", nowMs: t0 + 1) }
        #expect(blocked?.code == .resourceExhausted)
        #expect(try await officers.signIn(id: "tn.tuphap", password: "Mat khau tiep nhan", client: "b", nowMs: t0 + SignInGuard.pairLock + 1) == made)
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
