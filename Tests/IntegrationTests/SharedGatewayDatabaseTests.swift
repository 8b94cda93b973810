import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCNIO
import StorageTestKit
import TestKit
import Testing

/// Two gateway processes on one PostgreSQL database, as on two hosts behind a load balancer
/// (docs/gateway.md, "Several gateways, one database"): a citizen signed in on one keeps their
/// session on the other when the first dies (SIGKILL), with the same cookie and CSRF token; an
/// API key made through one works on the other; a sign-out on one ends the session everywhere.
@Suite(.timeLimit(.minutes(2)), .serialized) struct SharedGatewayDatabaseTests {
    static let agency = "000.01.20.H26"
    static let procedure = "1.001193"
    static let citizen = "001099012345"

    @Test("a session made on gateway A survives A's SIGKILL on gateway B (page and CSRF-checked POST); a key made through A works on B; sign-out on B ends it for A too")
    func sessionsAndKeysAreShared() async throws {
        let database = try TestDatabases.makePostgresDatabase()
        let environment = ["DVC_DATABASE": database]
        try await withService("catalog-svc") { catalog in
            let arguments = ["--catalog", catalog.address.description, "--http", "127.0.0.1:0"]
            let gatewayA = try await ServiceProcess.start("gateway", extraArguments: arguments, environment: environment)
            defer { gatewayA.forceKill() }
            try await withService("gateway", extraArguments: arguments, environment: environment) { gatewayB in
                let rootA = try await PaymentFlowTests.httpAddress(gatewayA)
                let rootB = try await PaymentFlowTests.httpAddress(gatewayB)
                // The operator's tools write into the same database (no data folder of the gateways').
                let tools = try makeTemporaryFolder("gateway-cli")
                let firstKey = try await Self.cli(["api-key", "create", "--data-dir", tools.path, "--agency", Self.agency,
                                                   "--scopes", "citizens", "--label", "khóa đầu"], environment)
                #expect(firstKey.hasPrefix("ApiKey "), "\(firstKey)")
                let adminPassword = try await Self.cli(["officer", "create", "--data-dir", tools.path, "--agency", Self.agency,
                                                        "--id", "qt.chung", "--roles", "admin", "--full-name", "Quản trị chung"], environment)
                    .split(separator: "\t").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""

                // A citizen registers and signs in on A, as the portal's forms do.
                var onA = OfficerConsoleTests.Browser(root: rootA)
                #expect(try await onA.post("/dang-ky", [("id", Self.citizen), ("full_name", "Nguyễn Văn An"),
                                                         ("password", "Hoa sen 2026!")]).status == 303)
                let signedIn = try await onA.post("/dang-nhap", [("id", Self.citizen), ("password", "Hoa sen 2026!")])
                let cookie = try #require(signedIn.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
                onA.cookie = cookie
                let accountOnA = try await onA.get("/tai-khoan")
                #expect(accountOnA.status == 200)
                let csrf = try OfficerConsoleTests.input("csrf_token", in: accountOnA.body)

                // The agency's administrator makes a key through A (the rotation method, over the JSON API).
                let (adminStatus, adminSession) = try await OfficerConsoleTests.json(
                    "POST", rootA + "/api/v1/sessions", ["officer_id": "qt.chung", "password": adminPassword, "kind": "api"])
                #expect(adminStatus == 201, "\(adminSession)")
                let admin = "Bearer " + (try #require(adminSession["token"] as? String))
                let (madeStatus, made) = try await OfficerConsoleTests.json(
                    "POST", rootA + "/api/v1/dvc.gateway.v1.AgencyService/CreateApiKey", ["scopes": ["citizens"], "label": "khóa qua A"],
                    headers: ["Authorization": admin])
                #expect(madeStatus == 200, "\(made)")
                let keyFromA = try #require(made["authorization"] as? String)

                // A dies without a word.
                gatewayA.forceKill()

                // B knows the cookie: the page that needs the session, with the same CSRF token...
                let onB = OfficerConsoleTests.Browser(root: rootB, cookie: cookie)
                let accountOnB = try await onB.get("/tai-khoan")
                #expect(accountOnB.status == 200 && accountOnB.body.contains("Hoạt động gần đây của tài khoản"), "\(accountOnB.status)")
                #expect(try OfficerConsoleTests.input("csrf_token", in: accountOnB.body) == csrf)
                // ... a state-changing POST with it (end the citizen's other sessions: none)...
                let ended = try await onB.post("/tai-khoan", [("csrf_token", csrf), ("viec", "ket-thuc-phien")])
                #expect(ended.status == 303 && ended.headers["location"] == "/tai-khoan?xong=phien", "\(ended.status) \(ended.body)")
                // ... while a forged token, a missing one, and an unknown cookie are refused there as anywhere.
                #expect(try await onB.post("/tai-khoan", [("csrf_token", "gia-mao"), ("viec", "ket-thuc-phien")]).status == 403)
                #expect(try await onB.post("/tai-khoan", [("viec", "ket-thuc-phien")]).status == 403)
                let stranger = OfficerConsoleTests.Browser(root: rootB, cookie: "__Host-dvc_session=khong-co-phien-nay")
                #expect(try await stranger.get("/tai-khoan").status == 303)

                // Keys: the one made through A, and the operator's, work on B; a made-up one does not.
                #expect(try await Self.actForCitizen(rootB, key: keyFromA) == 200)
                #expect(try await Self.actForCitizen(rootB, key: firstKey) == 200)
                let forgedKey = keyFromA.dropLast(4) + "AAAA"
                #expect(try await Self.actForCitizen(rootB, key: String(forgedKey)) == 401)

                // Sign-out on B ends the session on every gateway: B at once, and A restarted on the same database.
                #expect(try await onB.post("/dang-xuat", [("csrf_token", csrf)]).status == 303)
                let afterOnB = try await onB.get("/tai-khoan")
                #expect(afterOnB.status == 303 && afterOnB.headers["location"]?.hasPrefix("/dang-nhap") == true)
                try await withService("gateway", extraArguments: arguments, environment: environment) { againA in
                    let rootA2 = try await PaymentFlowTests.httpAddress(againA)
                    let afterOnA = try await OfficerConsoleTests.Browser(root: rootA2, cookie: cookie).get("/tai-khoan")
                    #expect(afterOnA.status == 303 && afterOnA.headers["location"]?.hasPrefix("/dang-nhap") == true)
                    #expect(try await Self.actForCitizen(rootA2, key: keyFromA) == 200, "the key lives on in the database")
                }
            }
        }
    }

    /// A call an agency system makes for a citizen: needs a live key with the citizens scope.
    static func actForCitizen(_ root: String, key: String) async throws -> Int {
        try await OfficerConsoleTests.json("POST", root + "/api/v1/dvc.gateway.v1.PublicService/GetProcedure",
                                           ["agency_code": agency, "procedure_code": procedure],
                                           headers: ["Authorization": key, "X-DVC-On-Behalf-Of": "citizen:\(citizen)"]).0
    }

    /// Runs the operator's `gateway` command; its standard output.
    static func cli(_ arguments: [String], _ environment: [String: String]) async throws -> String {
        let finished = try await runToCompletion(try Executables.url("gateway"), arguments, environment: childEnvironment(environment))
        guard finished.exited, finished.status == 0 else { throw TestFailure(description: "gateway \(arguments.prefix(2)): \(finished)") }
        return finished.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The `database` setting takes a `postgres://` URL; the test server's connection string may
    /// be libpq's keyword form (`host=/tmp/… user=postgres dbname=…`), written here as the same URL.
}
