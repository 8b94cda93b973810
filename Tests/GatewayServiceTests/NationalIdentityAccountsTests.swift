import Foundation
@testable import GatewayDoor
import HTTPTypes
import Logging
import RPCCore
import Storage
import StorageTestKit
import Testing

/// The national identity's settings, its single-use states, the linking rules, and
/// `local_passwords=off` on the portal and the JSON API (docs/identity.md).
@Suite struct NationalIdentityAccountsTests {
    static let issuer = "https://dinh-danh.example.vn"

    @Test("oidc_* settings: read, each bad value named; local_passwords=off needs oidc_issuer")
    func settings() throws {
        let good = try GatewaySettings([
            "oidc_issuer": Self.issuer, "oidc_client_id": "cong-dvc", "oidc_client_secret": "s", "oidc_id_claim": "so_dinh_danh",
            "local_passwords": "off",
        ])
        #expect(good.nationalIdentity?.idClaim == "so_dinh_danh" && good.nationalIdentity?.clientSecret == "s")
        #expect(good.localPasswords == false)
        #expect(try GatewaySettings([:]).nationalIdentity == nil && (try GatewaySettings([:])).localPasswords)
        let bad: [([String: String], String)] = [
            (["local_passwords": "off"], "local_passwords=off needs oidc_issuer"),
            (["local_passwords": "tat"], "local_passwords must be on or off"),
            (["oidc_client_id": "x"], "oidc_client_id given without oidc_issuer"),
            (["oidc_issuer": "http://dinh-danh.example.vn", "oidc_client_id": "x"], "oidc_issuer must be an https URL"),
            (["oidc_issuer": Self.issuer], "oidc_client_id is required"),
            (["oidc_issuer": Self.issuer, "oidc_client_id": "x", "oidc_client_secret": "a", "oidc_client_secret_file": "/khong-co"],
             "not both"),
            (["oidc_issuer": Self.issuer, "oidc_client_id": "x", "oidc_client_secret_file": "/khong-co"], "oidc_client_secret_file"),
            (["oidc_issuer": Self.issuer, "oidc_client_id": "x", "oidc_scope": "profile"], "oidc_scope must contain openid"),
            (["oidc_issuer": Self.issuer, "oidc_client_id": "x", "oidc_leeway_seconds": "3600"], "oidc_leeway_seconds"),
            (["oidc_issuer": Self.issuer, "oidc_client_id": "x", "oidc_redirect_uri": "http://cong.example.vn/ve"], "oidc_redirect_uri"),
        ]
        for (extra, named) in bad {
            #expect(throws: GatewaySettings.Invalid.self, "\(extra)") { _ = try GatewaySettings(extra) }
            do { _ = try GatewaySettings(extra) } catch { #expect(error.description.contains(named), "\(error.description)") }
        }
        #expect(NationalIdentitySettings.secureOrLoopback("http://127.0.0.1:8080/o"))
        #expect(!NationalIdentitySettings.secureOrLoopback("http://127.0.0.1.example.vn/o"))
    }

    @Test("a state works once, only in the browser it was made for, and not after ten minutes", arguments: TestDatabases.backends)
    func pendingStates(backend: SQLBackend) async throws {
        let pending = PendingSignIns(database: try TestDatabases.make(backend, name: "gateway", migrations: GatewayDoor.migrations))
        let entry = PendingSignIns.Pending(nonce: "n", codeVerifier: "v", purpose: "sign_in", next: "/ho-so-cua-toi")
        try await pending.add(state: "s1", browser: "b1", entry, nowMs: 1_000)
        #expect(try await pending.take(state: "s1", browser: "b1", nowMs: 2_000) == entry)
        #expect(try await pending.take(state: "s1", browser: "b1", nowMs: 2_000) == nil, "used twice")
        try await pending.add(state: "s2", browser: "b2", entry, nowMs: 1_000)
        #expect(try await pending.take(state: "s2", browser: "ke-khac", nowMs: 2_000) == nil, "another browser")
        #expect(try await pending.take(state: "s2", browser: "b2", nowMs: 2_000) == nil, "spent by the other browser's try")
        try await pending.add(state: "s3", browser: "b3", entry, nowMs: 1_000)
        #expect(try await pending.take(state: "s3", browser: "b3", nowMs: 1_000 + PendingSignIns.lifetimeMs) == nil, "expired")
        #expect(try await pending.take(state: "", browser: "", nowMs: 2_000) == nil)
    }

    @Test("linking: a new number gets an account with no password; a password account is linked; once only, same number only, one identity per account", arguments: TestDatabases.backends)
    func linking(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, name: "gateway", migrations: GatewayDoor.migrations)
        let links = NationalIdentityLinks(database: database)
        let accounts = try CitizenAccounts(database: database, hasher: .init(logN: 10, blockSize: 8, parallelism: 1))
        let an = try CitizenID("001099012345")
        let binh = try CitizenID("001099054321")

        // First sign-in, no account: one is made, with no password anyone can use.
        #expect(try await links.admit(an, issuer: Self.issuer, subject: "sub-an", purpose: .signIn, fullName: "Nguyễn Văn An",
                                      client: "t", nowMs: 1) == false)
        #expect(try await links.isLinked(an))
        await #expect(throws: (any Error).self) { _ = try await accounts.signIn(id: an.digits, password: "", client: "t") }
        // Again: the same identity signs in to the same account.
        #expect(try await links.admit(an, issuer: Self.issuer, subject: "sub-an", purpose: .signIn, fullName: "", client: "t", nowMs: 2) == false)

        // A password account, then a first VNeID sign-in with its number: linked.
        _ = try await accounts.register(.init(id: binh.digits, password: "Mat khau 2026", fullName: "Trần Thị Bình"), client: "t")
        #expect(try await links.admit(binh, issuer: Self.issuer, subject: "sub-binh", purpose: .signIn, fullName: "", client: "t", nowMs: 3))
        let events = try await accounts.events(of: binh)
        #expect(events.contains { $0.kind == "national_identity_linked" })

        // The same number from another identity, or the same identity with another number: refused.
        await #expect(throws: NationalIdentityLinks.otherIdentity) {
            _ = try await links.admit(binh, issuer: Self.issuer, subject: "sub-ke-khac", purpose: .signIn, fullName: "", client: "t", nowMs: 4)
        }
        let cuc = try CitizenID("001099067890")
        await #expect(throws: NationalIdentityLinks.otherIdentity) {
            _ = try await links.admit(cuc, issuer: Self.issuer, subject: "sub-an", purpose: .signIn, fullName: "", client: "t", nowMs: 4)
        }

        // Linking from a signed-in account: the identity's number must be the account's; once only.
        _ = try await accounts.register(.init(id: cuc.digits, password: "Mat khau 2026", fullName: "Lê Thị Cúc"), client: "t")
        do {
            _ = try await links.admit(an, issuer: Self.issuer, subject: "sub-an", purpose: .link(cuc), fullName: "", client: "t", nowMs: 5)
            Issue.record("linked to another number's identity")
        } catch {
            #expect(error.message.contains("số định danh khác"))
        }
        #expect(try await links.admit(cuc, issuer: Self.issuer, subject: "sub-cuc", purpose: .link(cuc), fullName: "", client: "t", nowMs: 6))
        do {
            _ = try await links.admit(cuc, issuer: Self.issuer, subject: "sub-cuc", purpose: .link(cuc), fullName: "", client: "t", nowMs: 7)
            Issue.record("linked twice")
        } catch {
            #expect(error.message.contains("đã được liên kết"))
        }
    }

    @Test("two gateways on one database admitting the same identity at once: one account, one link; the second link is 'already linked', never 'unavailable'", arguments: TestDatabases.backends)
    func concurrentAdmissionsOnTwoGateways(backend: SQLBackend) async throws {
        let place = TestDatabasePlace(backend)
        let gatewayA = NationalIdentityLinks(database: try place.open(name: "gateway", migrations: GatewayDoor.migrations))
        let gatewayB = NationalIdentityLinks(database: try place.open(name: "gateway", migrations: GatewayDoor.migrations))
        for round in 0..<10 {
            // A first sign-in through both doors at the same instant (a double click landing on
            // two hosts): both sign in, to the one account made.
            let newcomer = try CitizenID(String(format: "00109906%04d", round))
            async let first = gatewayA.admit(newcomer, issuer: Self.issuer, subject: "sub-\(round)", purpose: .signIn,
                                             fullName: "Người Mới", client: "a", nowMs: 1)
            async let second = gatewayB.admit(newcomer, issuer: Self.issuer, subject: "sub-\(round)", purpose: .signIn,
                                              fullName: "Người Mới", client: "b", nowMs: 1)
            let (madeA, madeB) = try await (first, second)
            #expect(!madeA && !madeB, "a new account is made, not an existing one linked")
            // Two links of one password account at once: one links, the other is told it is linked.
            let holder = try CitizenID(String(format: "00109907%04d", round))
            let accounts = try CitizenAccounts(database: gatewayA.database, hasher: .init(logN: 10, blockSize: 8, parallelism: 1))
            _ = try await accounts.register(.init(id: holder.digits, password: "Mat khau 2026", fullName: "Chủ Tài Khoản"), client: "t")
            async let linkA = Self.outcome { try await gatewayA.admit(holder, issuer: Self.issuer, subject: "own-\(round)",
                                                                      purpose: .link(holder), fullName: "", client: "a", nowMs: 2) }
            async let linkB = Self.outcome { try await gatewayB.admit(holder, issuer: Self.issuer, subject: "own-\(round)",
                                                                      purpose: .link(holder), fullName: "", client: "b", nowMs: 2) }
            let outcomes: [String] = await [linkA, linkB].sorted()
            #expect(outcomes == ["already linked", "linked"], "round \(round): \(outcomes)")
        }
        let rows = try await gatewayB.database.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM citizen_national_identity") ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM citizen") ?? -1)
        }
        #expect(rows.0 == 20 && rows.1 == 20, "\(rows)")
    }

    /// "linked", or the refusal's reason.
    static func outcome(_ admit: () async throws -> Bool) async -> String {
        do {
            return try await admit() ? "linked" : "signed in"
        } catch let refusal as NationalIdentity.Refusal {
            return refusal.reason
        } catch {
            return "\(error)"
        }
    }

    @Test("local_passwords=off: registration and password sign-in refused in Vietnamese on the portal and the JSON API; the sign-in page offers VNeID only")
    func localPasswordsOff() async throws {
        let settings = try GatewaySettings([
            "oidc_issuer": "https://127.0.0.1:9/o", "oidc_client_id": "cong-dvc", "local_passwords": "off",
        ])
        let gateway = try await InProcessGateway.make(settings: settings)
        let origin: HTTPFields = [.origin: "http://gateway.test", .contentType: "application/x-www-form-urlencoded"]

        let page = try await gateway.get("/dang-nhap")
        #expect(page.status == 200 && page.body.contains("id=\"dang-nhap-vneid\"") && page.body.contains("href=\"/dang-nhap/vneid\""))
        #expect(!page.body.contains("type=\"password\""), "a password field while local passwords are off")
        let registration = try await gateway.get("/dang-ky")
        #expect(registration.body.contains("chỉ nhận đăng nhập bằng tài khoản định danh điện tử") && !registration.body.contains("type=\"password\""))

        let registered = try await gateway.send(.post, "/dang-ky", headers: origin,
                                                body: "id=001099012345&full_name=An&password=Mat+khau+2026")
        #expect(registered.status == 403 && registered.body.contains("VNeID"))
        let signedIn = try await gateway.send(.post, "/dang-nhap", headers: origin, body: "id=001099012345&password=Mat+khau+2026")
        #expect(signedIn.status == 403 && signedIn.headers[.setCookie] == nil)

        let json: HTTPFields = [.contentType: "application/json"]
        let apiRegister = try await gateway.send(.post, "/api/v1/citizens", headers: json,
                                                 body: #"{"id":"001099012345","password":"Mat khau 2026","full_name":"An"}"#)
        #expect(apiRegister.status == 422 && apiRegister.body.contains("VNeID"), "\(apiRegister.status) \(apiRegister.body)")
        let apiSignIn = try await gateway.send(.post, "/api/v1/sessions", headers: json,
                                               body: #"{"id":"001099012345","password":"Mat khau 2026"}"#)
        #expect(apiSignIn.status == 422 && apiSignIn.body.contains("VNeID"), "\(apiSignIn.status) \(apiSignIn.body)")

        // A citizen's account page: no password to change, the link to VNeID offered.
        let (token, _) = try await gateway.door.sessions.create(for: .citizen(id: "001099012345"), kind: .browser)
        let account = try await gateway.get("/tai-khoan", headers: [.cookie: "__Host-dvc_session=\(token)"])
        #expect(account.status == 200 && !account.body.contains("mat_khau_cu") && account.body.contains("id=\"lien-ket-vneid\""))

        // The provider cannot be reached: a clear page, no redirect anywhere.
        let leave = try await gateway.get("/dang-nhap/vneid")
        #expect(leave.status == 503 && leave.body.contains("Chưa kết nối được với hệ thống định danh điện tử"))
    }

    @Test("with local passwords on and VNeID configured, the sign-in page offers both")
    func bothWays() async throws {
        let settings = try GatewaySettings(["oidc_issuer": "https://127.0.0.1:9/o", "oidc_client_id": "cong-dvc"])
        let gateway = try await InProcessGateway.make(settings: settings)
        let page = try await gateway.get("/dang-nhap?tiep=%2Fho-so%2F42")
        #expect(page.body.contains("href=\"/dang-nhap/vneid?tiep=%2Fho-so%2F42\"") && page.body.contains("type=\"password\""))
        let plain = try await InProcessGateway.make().get("/dang-nhap")
        #expect(!plain.body.contains("dang-nhap-vneid"))
    }
}
