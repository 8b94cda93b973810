import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCNIO
import TestKit
import Testing

/// The gateway's HTTP side for people, as a real process: registration, sign-in for a token or
/// a cookie, throttling, sign-out, and every refusal as an RFC 9457 problem document.
@Suite(.timeLimit(.minutes(2))) struct CitizenAccountHTTPTests {
    struct Answer {
        var status: Int
        var headers: [String: String]
        var json: [String: Any]
    }

    static func call(_ method: String, _ url: String, json: Any? = nil, headers: [String: String] = [:]) async throws -> Answer {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return Answer(status: http.statusCode, headers: fields, json: object)
    }

    @Test("register, sign in for a token or a cookie, throttled guessing, sign out; refusals as problem documents")
    func accounts() async throws {
        try await withService("catalog-svc") { catalog in
            try await withService("gateway", extraArguments: ["--catalog", catalog.address.description, "--http", "127.0.0.1:0"]) { gateway in
                let base = try await PaymentFlowTests.httpAddress(gateway) + "/api/v1"
                let citizen = ["id": "001099012345", "password": "Hoa sen 2026!", "full_name": "Nguyễn Văn An", "email": "an@example.vn"]
                let created = try await Self.call("POST", base + "/citizens", json: citizen)
                #expect(created.status == 201 && created.json["id"] as? String == "001099012345")

                let again = try await Self.call("POST", base + "/citizens", json: citizen)
                #expect(again.status == 409)
                #expect(again.headers["content-type"]?.hasPrefix("application/problem+json") == true)
                #expect(again.json["title"] as? String == "Đã tồn tại" && again.json["status"] as? Int == 409)
                let invalid = try await Self.call("POST", base + "/citizens",
                                                  json: ["id": "123", "password": "ngan", "full_name": ""])
                #expect(invalid.status == 400)
                let fields = (invalid.json["invalid_params"] as? [[String: String]] ?? []).compactMap { $0["name"] }
                #expect(Set(fields) == ["id", "password", "full_name"])
                let missing = try await Self.call("POST", base + "/citizens", json: ["id": "001099012346"])
                #expect(missing.status == 400)
                let notJSON = try await Self.call("POST", base + "/citizens", headers: ["Content-Type": "application/json"])
                #expect(notJSON.status == 400 && notJSON.json["title"] as? String == "Thông tin chưa hợp lệ")

                let token = try await Self.call("POST", base + "/sessions", json: ["id": "001099012345", "password": "Hoa sen 2026!"])
                #expect(token.status == 201 && token.json["token_type"] as? String == "Bearer")
                let bearer = try #require(token.json["token"] as? String)

                let browser = try await Self.call("POST", base + "/sessions",
                                                  json: ["id": "001099012345", "password": "Hoa sen 2026!", "kind": "browser"])
                let cookie = try #require(browser.headers["set-cookie"])
                #expect(cookie.hasPrefix("dvc_session=") && cookie.contains("HttpOnly") && cookie.contains("Secure")
                        && cookie.contains("SameSite=Strict"))
                #expect((browser.json["csrf_token"] as? String)?.count ?? 0 >= 40)

                // Unknown id and wrong password: the same answer; then the lock, with Retry-After.
                let unknown = try await Self.call("POST", base + "/sessions", json: ["id": "001099099999", "password": "x"])
                let wrong = try await Self.call("POST", base + "/sessions", json: ["id": "001099012345", "password": "x"])
                #expect(unknown.status == 401 && wrong.status == 401 && unknown.json["detail"] as? String == wrong.json["detail"] as? String)
                for _ in 0..<4 { _ = try await Self.call("POST", base + "/sessions", json: ["id": "001099012345", "password": "x"]) }
                let locked = try await Self.call("POST", base + "/sessions", json: ["id": "001099012345", "password": "Hoa sen 2026!"])
                #expect(locked.status == 429 && Int(locked.headers["retry-after"] ?? "") ?? 0 > 0)

                // Sign-out ends the session; a second time there is none.
                let out = try await Self.call("DELETE", base + "/sessions/current", headers: ["Authorization": "Bearer \(bearer)"])
                #expect(out.status == 204)
                let twice = try await Self.call("DELETE", base + "/sessions/current", headers: ["Authorization": "Bearer \(bearer)"])
                #expect(twice.status == 401)
            }
        }
    }
}
