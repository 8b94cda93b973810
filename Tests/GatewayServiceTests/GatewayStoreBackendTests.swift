import DVCProto
import Foundation
@testable import GatewayDoor
import RPCCore
import Storage
import StorageTestKit
import Testing

/// The gateway's stores that `PeopleTests` does not cover, on SQLite and PostgreSQL alike:
/// API keys and their rotation, officers' administration, the append-only account events, and
/// the prefix by which one person's sessions are found.
@Suite struct GatewayStoreBackendTests {
    static let hasher = PasswordHasher(logN: 10, blockSize: 8, parallelism: 1)
    static let agency = "000.00.07.H26"

    static func database(_ backend: SQLBackend) throws -> ServiceDatabase {
        try TestDatabases.make(backend, name: "gateway", migrations: GatewayDoor.migrations)
    }

    @Test("API keys: made, checked in constant time, listed without secrets, revoked once; a wrong secret or unknown id is nobody",
          arguments: TestDatabases.backends)
    func apiKeys(backend: SQLBackend) async throws {
        let database = try Self.database(backend)
        let keys = APIKeyStore(database: database, cacheLifetime: .zero)
        let (key, token) = try keys.create(agencyCode: Self.agency, scopes: [.citizens, .officers], label: "Một cửa")
        #expect(key.createdBy == APIKeyStore.operatorTool)
        #expect(try await keys.authenticate(token)?.scopes == [.citizens, .officers])
        #expect(try await keys.authenticate(APIKeyToken(id: token.id, secret: token.secret + "x")) == nil, "a wrong secret")
        #expect(try await keys.authenticate(APIKeyToken(id: "k000000000000", secret: token.secret)) == nil, "an unknown id")
        #expect(try await keys.authenticate(APIKeyToken(id: "", secret: "")) == nil)
        let listed = try keys.list()
        #expect(listed.map(\.id) == [key.id] && listed.first?.label == "Một cửa" && listed.first?.isRevoked == false)
        #expect(try keys.revoke(id: key.id, by: "officer:qt@\(Self.agency):admin", client: "10.0.0.1"))
        #expect(try keys.revoke(id: key.id) == false, "revoked once")
        #expect(try keys.revoke(id: "k-khong-co") == false)
        #expect(try await keys.authenticate(token) == nil)
        #expect(try keys.list().first?.revokedBy == "officer:qt@\(Self.agency):admin")
        // The webhook of a revoked key is stopped once, then no longer listed.
        #expect(try await keys.revokedWithWebhook() == [key.id])
        try await keys.webhookStopped(key.id)
        #expect(try await keys.revokedWithWebhook().isEmpty)
        let events = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT kind FROM account_event WHERE account = ? ORDER BY seq", arguments: ["api_key:\(key.id)"])
        }
        #expect(events == ["api_key_created", "api_key_revoked"])
    }

    @Test("rotation: never wider than the live keys, at most five live, none without a live key; another agency's key is not found",
          arguments: TestDatabases.backends)
    func rotation(backend: SQLBackend) async throws {
        let keys = APIKeyStore(database: try Self.database(backend), cacheLifetime: .zero)
        let admin = "officer:qt@\(Self.agency):admin"
        let none = await rpcError { _ = try await keys.createForAgency(Self.agency, scopes: [], label: "", by: admin, client: "a") }
        #expect(none?.code == .failedPrecondition, "no live key: only the operator makes one")
        let (first, _) = try keys.create(agencyCode: Self.agency, scopes: [.citizens], label: "đầu")
        let wider = await rpcError { _ = try await keys.createForAgency(Self.agency, scopes: [.officers], label: "", by: admin, client: "a") }
        #expect(wider?.code == .permissionDenied && wider?.violations.map(\.field) == ["scopes"])
        let long = await rpcError {
            _ = try await keys.createForAgency(Self.agency, scopes: [], label: String(repeating: "x", count: 201), by: admin, client: "a")
        }
        #expect(long?.code == .invalidArgument && long?.violations.map(\.field) == ["label"])
        let (second, secondToken) = try await keys.createForAgency(Self.agency, scopes: [.citizens], label: "hai", by: admin, client: "a")
        #expect(second.createdBy == admin && second.scopes == [.citizens])
        #expect(try await keys.authenticate(secondToken)?.id == second.id)
        for n in 3...APIKeyStore.maximumLive {
            _ = try await keys.createForAgency(Self.agency, scopes: [], label: "\(n)", by: admin, client: "a")
        }
        let tooMany = await rpcError { _ = try await keys.createForAgency(Self.agency, scopes: [], label: "", by: admin, client: "a") }
        #expect(tooMany?.code == .failedPrecondition)
        #expect(try await keys.list(agency: Self.agency).count == APIKeyStore.maximumLive)
        #expect(try await keys.list(agency: "000.00.20.H26").isEmpty)
        let elsewhere = await rpcError { _ = try await keys.revokeInAgency("000.00.20.H26", id: first.id, by: admin, client: "a") }
        #expect(elsewhere?.code == .notFound && elsewhere?.violations.map(\.field) == ["id"])
        let revoked = try await keys.revokeInAgency(Self.agency, id: first.id, by: admin, client: "a")
        #expect(revoked.isRevoked && revoked.revokedBy == admin)
        #expect(try await keys.revokeInAgency(Self.agency, id: first.id, by: admin, client: "a").isRevoked, "answered as it is")
    }

    @Test("officers' administration: roles, disabling, password reset and sign-out everywhere end their sessions; only their agency's admin",
          arguments: TestDatabases.backends)
    func officerAdministration(backend: SQLBackend) async throws {
        let database = try Self.database(backend)
        let officers = try OfficerAccounts(database: database, hasher: Self.hasher)
        let sessions = SessionStore(database: database)
        let tool = CallerIdentity.system(service: "gateway-cli")
        let admin = try await officers.create(id: "qt_tuphap", agencyCode: Self.agency, roles: ["admin"], fullName: "Quản trị",
                                              password: "Mat khau quan tri 1", createdBy: tool)
        // An id with '_' and one that shares its start: a prefix must not reach the other's sessions.
        let clerk = try await officers.create(id: "tn_1", agencyCode: Self.agency, roles: ["receiver"], fullName: "Tiếp nhận",
                                              password: "Mat khau tiep nhan", createdBy: admin.identity)
        let neighbour = try await officers.create(id: "tn_10", agencyCode: Self.agency, roles: ["receiver"], fullName: "Bên cạnh",
                                                  password: "Mat khau tiep nhan", createdBy: admin.identity)
        let duplicate = await rpcError {
            _ = try await officers.create(id: "tn_1", agencyCode: Self.agency, roles: ["receiver"], fullName: "Lại",
                                          password: "Mat khau tiep nhan", createdBy: admin.identity)
        }
        #expect(duplicate?.code == .alreadyExists && duplicate?.violations.map(\.field) == ["id"])
        let (clerkToken, _) = try await sessions.create(for: clerk.identity, kind: .api)
        let (neighbourToken, _) = try await sessions.create(for: neighbour.identity, kind: .api)

        let changed = try await officers.setRoles(id: "tn_1", roles: ["receiver", "processor"], by: admin.identity, client: "a")
        #expect(changed.officer.roles == ["receiver", "processor"])
        #expect(try await sessions.lookup(clerkToken) == nil, "the old roles' session ended")
        #expect(try await sessions.lookup(neighbourToken) != nil, "tn_10 is not tn_1")
        let badRoles = await rpcError { _ = try await officers.setRoles(id: "tn_1", roles: ["root"], by: admin.identity, client: "a") }
        #expect(badRoles?.code == .invalidArgument && badRoles?.violations.map(\.field) == ["roles"])
        let unknown = await rpcError { _ = try await officers.setDisabled(id: "khong.co", true, by: admin.identity, client: "a") }
        #expect(unknown?.code == .notFound)
        let otherAgency = CallerIdentity.officer(id: "qt.khac", agency: "000.00.20.H26", roles: ["admin"])
        #expect(await rpcError { _ = try await officers.setDisabled(id: "tn_1", true, by: otherAgency, client: "a") }?.code == .permissionDenied)

        #expect(try await officers.setDisabled(id: "tn_1", true, by: admin.identity, client: "a").disabled)
        #expect(await rpcError { _ = try await officers.signIn(id: "tn_1", password: "Mat khau tiep nhan", client: "b") }?.code == .unauthenticated)
        #expect(try await officers.officer(id: "tn_1")?.active == false)
        #expect(try await officers.activeOfficers(agency: Self.agency).map(\.id) == ["qt_tuphap", "tn_10"])
        #expect(try await officers.setDisabled(id: "tn_1", false, by: admin.identity, client: "a").disabled == false)
        let short = await rpcError { _ = try await officers.resetPassword(id: "tn_1", to: "ngan", by: admin.identity, client: "a") }
        #expect(short?.violations.map(\.field) == ["password"])
        _ = try await officers.resetPassword(id: "tn_1", to: "Mat khau moi dai 2", by: admin.identity, client: "a")
        #expect(try await officers.signIn(id: "tn_1", password: "Mat khau moi dai 2", client: "b").id == "tn_1")
        let listed = try await officers.list(agency: Self.agency, by: admin.identity)
        #expect(listed.map(\.officer.id) == ["qt_tuphap", "tn_1", "tn_10"])
        let kinds = try await officers.events(id: "tn_1", by: admin.identity).map(\.kind)
        #expect(Array(kinds.prefix(6)) == ["sign_in", "password_reset", "officer_enabled", "sign_in_failed", "officer_disabled", "roles_changed"],
                "\(kinds)")
    }

    @Test("account events are append-only on both backends: UPDATE and DELETE refused as a constraint", arguments: TestDatabases.backends)
    func accountEventsAreAppendOnly(backend: SQLBackend) async throws {
        let database = try Self.database(backend)
        try await database.write { db in
            try AccountAudit.record(db, .signIn, account: "citizen:001099012345", actor: "citizen:001099012345", client: "a", nowMs: 1)
        }
        for statement in ["UPDATE account_event SET detail = 'sửa'", "DELETE FROM account_event"] {
            do {
                try await database.write { db in try db.execute(sql: statement) }
                Issue.record("\(statement) was allowed")
            } catch {
                #expect(SQLError.isConstraintViolation(error), "\(statement): \(error)")
            }
        }
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM account_event") } == 1)
    }

    @Test("one person's sessions are found by their whole identity, never a neighbour's sharing its start", arguments: TestDatabases.backends)
    func sessionsOfOnePerson(backend: SQLBackend) async throws {
        let sessions = SessionStore(database: try Self.database(backend))
        let an = CallerIdentity.citizen(id: "001099012345")
        let (kept, _) = try await sessions.create(for: an, kind: .browser)
        let (other, _) = try await sessions.create(for: an, kind: .api)
        let (theirs, _) = try await sessions.create(for: .officer(id: "a_b", agency: Self.agency, roles: ["receiver"]), kind: .api)
        let (lookalike, _) = try await sessions.create(for: .officer(id: "axb", agency: Self.agency, roles: ["receiver"]), kind: .api)
        let ended = try await sessions.database.write { db in
            try SessionStore.revokeAll(person: "citizen:001099012345", except: kept, nowMs: SessionStore.nowMs(), in: db)
        }
        #expect(ended == 1)
        #expect(try await sessions.lookup(kept) != nil)
        #expect(try await sessions.lookup(other) == nil)
        #expect(try await sessions.revokeAll(of: .officer(id: "a_b", agency: Self.agency, roles: ["admin"])) == 1,
                "'_' is a character, not LIKE's wildcard")
        #expect(try await sessions.lookup(theirs) == nil)
        #expect(try await sessions.lookup(lookalike) != nil)
        #expect(try await sessions.revoke("khong-co-phien") == false)
        #expect(try await sessions.lookup(String(repeating: "x", count: 101)) == nil, "an over-long token is not looked up")
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
