import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCNIO
import TestKit
import Testing

/// Offboarding through the real gateway: an agency's administrator changes an officer's roles,
/// disables the account, resets a password and ends sessions; each change ends the officer's
/// live sessions (a 30-day API token included) and is in the account's events; administrators
/// of other agencies and officers without the role cannot; people change their own password.
@Suite(.timeLimit(.minutes(3))) struct OffboardingTests {
    static let agency = "000.00.07.H26"

    @Test("roles changed, account disabled, password reset, sessions ended: old tokens stop at once; audited; only the agency's admin")
    func offboarding() async throws {
        try await withService("catalog-svc") { catalog in
            try await withService("gateway", extraArguments: ["--catalog", catalog.address.description, "--http", "127.0.0.1:0"]) { gateway in
                let api = try await PaymentFlowTests.httpAddress(gateway) + "/api/v1"
                let data = try #require(gateway.dataDirectory).path
                func call(_ method: String, _ path: String, _ json: Any? = nil, token: String? = nil) async throws -> CitizenAccountHTTPTests.Answer {
                    try await CitizenAccountHTTPTests.call(method, api + path, json: json,
                                                           headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
                }
                func signIn(_ id: String, _ password: String) async throws -> String? {
                    try await call("POST", "/sessions", ["officer_id": id, "password": password]).json["token"] as? String
                }
                let admin = try #require(try await signIn("qtv.tuphap", try await OfficerConsoleTests.officer(data, agency: Self.agency, id: "qtv.tuphap", roles: "admin")))
                let officerPassword = try await OfficerConsoleTests.officer(data, agency: Self.agency, id: "tn.tuphap", roles: "receiver,processor")
                let outsider = try #require(try await signIn("qtv.khac", try await OfficerConsoleTests.officer(data, agency: "000.00.20.H26", id: "qtv.khac", roles: "admin")))
                let plain = try #require(try await signIn("xl.tuphap", try await OfficerConsoleTests.officer(data, agency: Self.agency, id: "xl.tuphap", roles: "processor")))

                // The administrator sees the agency's officers; others do not.
                let listed = try await call("GET", "/officers", token: admin)
                let ids = (listed.json["officers"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(listed.status == 200 && Set(ids) == ["qtv.tuphap", "tn.tuphap", "xl.tuphap"], "\(listed.json)")
                #expect(try await call("GET", "/officers", token: plain).status == 403, "an officer without the admin role")
                #expect(try await call("PATCH", "/officers/tn.tuphap", ["disabled": true], token: outsider).status == 403,
                        "another agency's administrator")
                #expect(try await call("PATCH", "/officers/khong.co", ["disabled": true], token: admin).status == 404)
                #expect(try await call("PATCH", "/officers/tn.tuphap", ["roles": ["boss"]], token: admin).status == 400)

                // Roles change: the 30-day token made with the old roles stops at once.
                let before = try #require(try await signIn("tn.tuphap", officerPassword))
                #expect(try await call("GET", "/officers/tn.tuphap/events", token: before).status == 403)
                let changed = try await call("PATCH", "/officers/tn.tuphap", ["roles": ["receiver"]], token: admin)
                #expect(changed.status == 200 && changed.json["roles"] as? [String] == ["receiver"], "\(changed.json)")
                #expect(try await call("DELETE", "/sessions", token: before).status == 401, "the old token ended with the old roles")

                // Disabled: the live session ends, sign-in is refused like a wrong password.
                let live = try #require(try await signIn("tn.tuphap", officerPassword))
                let disabled = try await call("PATCH", "/officers/tn.tuphap", ["disabled": true], token: admin)
                #expect(disabled.status == 200 && disabled.json["disabled"] as? Bool == true)
                #expect(try await call("DELETE", "/sessions", token: live).status == 401)
                let refused = try await call("POST", "/sessions", ["officer_id": "tn.tuphap", "password": officerPassword])
                #expect(refused.status == 401)
                #expect(try await call("PATCH", "/officers/qtv.tuphap", ["disabled": true], token: admin).status == 422,
                        "an administrator does not lock themself out")

                // Enabled again, password reset by the administrator: the old password stops working.
                #expect(try await call("PATCH", "/officers/tn.tuphap", ["disabled": false], token: admin).status == 200)
                #expect(try await call("POST", "/officers/tn.tuphap/password", ["password": "ngan"], token: admin).status == 400)
                #expect(try await call("POST", "/officers/tn.tuphap/password", ["password": "Mat khau moi cap 2026"], token: admin).status == 200)
                #expect(try await signIn("tn.tuphap", officerPassword) == nil)
                let fresh = try #require(try await signIn("tn.tuphap", "Mat khau moi cap 2026"))

                // The officer changes it themself: the current one must be right; other sessions end.
                let other = try #require(try await signIn("tn.tuphap", "Mat khau moi cap 2026"))
                #expect(try await call("PUT", "/me/password", ["current_password": "sai", "new_password": "Mat khau cua toi 2026"], token: fresh).status == 401)
                #expect(try await call("PUT", "/me/password", ["current_password": "Mat khau moi cap 2026", "new_password": "Mat khau cua toi 2026"],
                                       token: fresh).status == 204)
                #expect(try await call("DELETE", "/sessions", token: other).status == 401, "the other session ended")
                let kept = try await call("DELETE", "/sessions", token: fresh)
                #expect(kept.status == 200, "the session that changed the password lives on")

                // The administrator ends every session.
                #expect(try await call("DELETE", "/officers/tn.tuphap/sessions", token: admin).status == 200)
                #expect(try await call("DELETE", "/sessions", token: fresh).status == 401)

                // Every step is in the account's events, with who did it.
                let events = try await call("GET", "/officers/tn.tuphap/events", token: admin)
                let kinds = (events.json["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
                for kind in ["officer_created", "roles_changed", "officer_disabled", "officer_enabled", "password_reset", "password_changed",
                             "sessions_revoked", "sign_in", "sign_in_failed"] {
                    #expect(kinds.contains(kind), "\(kind) in \(kinds)")
                }
                let actors = (events.json["events"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "officer_disabled" }
                    .compactMap { $0["actor"] as? String }
                #expect(actors == ["officer:qtv.tuphap@\(Self.agency):admin"])

                // The operator, when no administrator is left: from the gateway's host.
                let again = try #require(try await signIn("xl.tuphap", try await Self.resetByOperator(data, "xl.tuphap")))
                let disabledByOperator = try await runToCompletion(try Executables.url("gateway"), [
                    "officer", "disable", "--data-dir", data, "--id", "xl.tuphap"])
                #expect(disabledByOperator.exited && disabledByOperator.status == 0 && disabledByOperator.stdout.contains("disabled"),
                        "\(disabledByOperator)")
                #expect(try await call("DELETE", "/sessions", token: again).status == 401)
                let unknown = try await runToCompletion(try Executables.url("gateway"), ["officer", "disable", "--data-dir", data, "--id", "khong.co"])
                #expect(unknown.exited && unknown.status != 0 && unknown.stderr.contains("khong.co"), "\(unknown)")
            }
        }
    }

    /// A new password for `id` from the operator's `gateway officer reset-password` (printed once).
    static func resetByOperator(_ data: String, _ id: String) async throws -> String {
        let reset = try await runToCompletion(try Executables.url("gateway"), ["officer", "reset-password", "--data-dir", data, "--id", id])
        #expect(reset.exited && reset.status == 0, "\(reset)")
        return String(reset.stdout.split(separator: "\t").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a citizen changes their password and ends their other sessions; their sign-ins are listed for them")
    func citizenOwnAccount() async throws {
        try await withService("catalog-svc") { catalog in
            try await withService("gateway", extraArguments: ["--catalog", catalog.address.description, "--http", "127.0.0.1:0"]) { gateway in
                let api = try await PaymentFlowTests.httpAddress(gateway) + "/api/v1"
                func call(_ method: String, _ path: String, _ json: Any? = nil, token: String? = nil) async throws -> CitizenAccountHTTPTests.Answer {
                    try await CitizenAccountHTTPTests.call(method, api + path, json: json,
                                                           headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
                }
                _ = try await call("POST", "/citizens", ["id": "001099012345", "password": "Hoa sen 2026!", "full_name": "Nguyễn Văn An"])
                func signIn(_ password: String) async throws -> String? {
                    try await call("POST", "/sessions", ["id": "001099012345", "password": password]).json["token"] as? String
                }
                let phone = try #require(try await signIn("Hoa sen 2026!"))
                let laptop = try #require(try await signIn("Hoa sen 2026!"))
                _ = try await signIn("sai mat khau")
                #expect(try await call("PUT", "/me/password", ["current_password": "Hoa sen 2026!", "new_password": "123"], token: laptop).status == 400)
                #expect(try await call("PUT", "/me/password", ["current_password": "Hoa sen 2026!", "new_password": "Sen hong 2027!"], token: laptop).status == 204)
                #expect(try await call("GET", "/me/events", token: phone).status == 401, "the other session ended")
                #expect(try await signIn("Hoa sen 2026!") == nil)
                let events = try await call("GET", "/me/events", token: laptop)
                let kinds = (events.json["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
                #expect(kinds.first == "sign_in_failed" || kinds.contains("password_changed"), "\(kinds)")
                #expect(Set(kinds).isSuperset(of: ["registered", "sign_in", "sign_in_failed", "password_changed"]), "\(kinds)")
                let again = try #require(try await signIn("Sen hong 2027!"))
                let ended = try await call("DELETE", "/sessions", token: again)
                #expect(ended.status == 200 && ended.json["ended"] as? Int == 1, "\(ended.json)")
                #expect(try await call("GET", "/me/events", token: laptop).status == 401)
            }
        }
    }
}
