import Crypto
import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
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
        var text = ""
    }

    /// Every answer of the gateway a test saw, to check against the OpenAPI document.
    final class Samples: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [[String: Any]] = []

        func add(method: String, url: String, status: Int, contentType: String, body: String) {
            guard let path = URL(string: url)?.path else { return }
            lock.withLock {
                items.append(["method": method, "path": path, "status": status, "content_type": contentType, "body": body])
            }
        }

        /// Runs Tests/python/validate_openapi.py on the samples against the document the
        /// gateway serves.
        func validate(root: String, expectingFailures: Bool = false) async throws {
            let folder = try makeTemporaryFolder("openapi")
            let (document, _) = try await URLSession.shared.data(from: try #require(URL(string: root + "/api/v1/openapi.json")))
            let documentFile = folder.appendingPathComponent("openapi.json")
            try document.write(to: documentFile)
            let samplesFile = folder.appendingPathComponent("samples.json")
            let data = try lock.withLock { try JSONSerialization.data(withJSONObject: items) }
            try data.write(to: samplesFile)
            let script = repoRoot.appendingPathComponent("Tests/python/validate_openapi.py").path
            let finished = try await runToCompletion(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, documentFile.path, samplesFile.path])
            if expectingFailures {
                #expect(finished.exited && finished.status == 1, "the checker passed answers that break the document:\n\(finished.stdout)")
            } else {
                #expect(finished.exited && finished.status == 0, "answers that do not match the OpenAPI document:\n\(finished.stdout)\(finished.stderr)")
            }
        }
    }

    static func call(_ method: String, _ url: String, json: Any? = nil, headers: [String: String] = [:],
                     samples: Samples? = nil) async throws -> Answer {
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
        samples?.add(method: method, url: url, status: http.statusCode, contentType: fields["content-type"] ?? "",
                     body: String(decoding: data, as: UTF8.self))
        return Answer(status: http.statusCode, headers: fields, json: object)
    }

    @Test("register, sign in for a token or a cookie, throttled guessing, sign out; refusals as problem documents")
    func accounts() async throws {
        try await withService("catalog-svc") { catalog in
            try await withService("gateway", extraArguments: ["--catalog", catalog.address.description, "--http", "127.0.0.1:0"]) { gateway in
                let root = try await PaymentFlowTests.httpAddress(gateway)
                let base = root + "/api/v1"
                let samples = Samples()
                func call(_ method: String, _ url: String, json: Any? = nil, headers: [String: String] = [:]) async throws -> Answer {
                    try await Self.call(method, url, json: json, headers: headers, samples: samples)
                }
                let citizen = ["id": "001099012345", "password": "Hoa sen 2026!", "full_name": "Nguyễn Văn An", "email": "an@example.vn"]
                let created = try await call("POST", base + "/citizens", json: citizen)
                #expect(created.status == 202 && created.json["id"] as? String == "001099012345")

                // A number that already has an account gets the very same answer (nobody learns
                // who has one), and the account is not touched: its password still signs in.
                let again = try await call("POST", base + "/citizens", json: ["id": "001099012345", "password": "Mat khau ke khac 9",
                                                                              "full_name": "Kẻ khác", "email": "ke.khac@example.vn"])
                #expect(again.status == created.status && Set(again.json.keys) == Set(created.json.keys)
                        && again.json["message"] as? String == created.json["message"] as? String, "\(again.json)")
                let invalid = try await call("POST", base + "/citizens",
                                                  json: ["id": "123", "password": "ngan", "full_name": ""])
                #expect(invalid.status == 400)
                let fields = (invalid.json["invalid_params"] as? [[String: String]] ?? []).compactMap { $0["name"] }
                #expect(Set(fields) == ["id", "password", "full_name"])
                let missing = try await call("POST", base + "/citizens", json: ["id": "001099012346"])
                #expect(missing.status == 400)
                let notJSON = try await call("POST", base + "/citizens", headers: ["Content-Type": "application/json"])
                #expect(notJSON.status == 400 && notJSON.json["title"] as? String == "Thông tin chưa hợp lệ")

                let token = try await call("POST", base + "/sessions", json: ["id": "001099012345", "password": "Hoa sen 2026!"])
                #expect(token.status == 201 && token.json["token_type"] as? String == "Bearer")
                let bearer = try #require(token.json["token"] as? String)

                let browser = try await call("POST", base + "/sessions",
                                                  json: ["id": "001099012345", "password": "Hoa sen 2026!", "kind": "browser"])
                let cookie = try #require(browser.headers["set-cookie"])
                #expect(cookie.hasPrefix("__Host-dvc_session=") && cookie.contains("HttpOnly") && cookie.contains("Secure")
                        && cookie.contains("SameSite=Strict"))
                #expect((browser.json["csrf_token"] as? String)?.count ?? 0 >= 40)

                // Unknown id and wrong password: the same answer; after five failures this address
                // may not try that id for a while (429 with Retry-After) — an existing account
                // and an unknown id alike, in the same words.
                let unknown = try await call("POST", base + "/sessions", json: ["id": "001099099999", "password": "x"])
                let wrong = try await call("POST", base + "/sessions", json: ["id": "001099012345", "password": "x"])
                #expect(unknown.status == 401 && wrong.status == 401 && unknown.json["detail"] as? String == wrong.json["detail"] as? String)
                for _ in 0..<4 {
                    _ = try await call("POST", base + "/sessions", json: ["id": "001099012345", "password": "x"])
                    _ = try await call("POST", base + "/sessions", json: ["id": "001099099999", "password": "x"])
                }
                let blocked = try await call("POST", base + "/sessions", json: ["id": "001099012345", "password": "Hoa sen 2026!"])
                let blockedUnknown = try await call("POST", base + "/sessions", json: ["id": "001099099999", "password": "x"])
                #expect(blocked.status == 429 && Int(blocked.headers["retry-after"] ?? "") ?? 0 > 0)
                // The same words; the seconds to wait may differ by one when the two answers
                // straddle a second.
                let words = { (answer: Answer) in (answer.json["detail"] as? String)?.filter { !$0.isNumber } }
                #expect(blockedUnknown.status == 429 && words(blocked) != nil && words(blocked) == words(blockedUnknown))

                // Sign-out ends the session; a second time there is none.
                let out = try await call("DELETE", base + "/sessions/current", headers: ["Authorization": "Bearer \(bearer)"])
                #expect(out.status == 204)
                let twice = try await call("DELETE", base + "/sessions/current", headers: ["Authorization": "Bearer \(bearer)"])
                #expect(twice.status == 401)
                try await samples.validate(root: root)
                // The check can fail: an answer with a number for the id, and one with an
                // undocumented field, are caught.
                let broken = Samples()
                broken.add(method: "POST", url: base + "/citizens", status: 202, contentType: "application/json", body: #"{"id": 5}"#)
                broken.add(method: "POST", url: base + "/citizens", status: 202, contentType: "application/json",
                           body: #"{"id": "001099012345", "password": "x"}"#)
                try await broken.validate(root: root, expectingFailures: true)
            }
        }
    }

    @Test("every gateway method as JSON over HTTP, with the same identity, level and CSRF checks")
    func jsonBridge() async throws {
        try await withHTTPGateway { platform in
            let root = platform.root
            let catalog = platform.catalog
            let gateway = platform.gateway
            let api = root + "/api/v1"
            let samples = Samples()
            func rpc(_ method: String, _ json: Any = [String: Any](), headers: [String: String] = [:]) async throws -> Answer {
                try await Self.call("POST", "\(api)/\(method)", json: json, headers: headers, samples: samples)
            }
            // Anonymous reads; the folded search.
            let search = try await rpc("dvc.gateway.v1.PublicService/SearchProcedures", ["query": "dang ky khai sinh"])
            #expect(search.status == 200)
            let results = search.json["results"] as? [[String: Any]] ?? search.json["procedures"] as? [[String: Any]] ?? []
            #expect(!results.isEmpty, "\(search.json)")
            // Unknown method, bad field, a level refusal: problem documents.
            // (Not recorded: a method that does not exist is in no document.)
            #expect(try await Self.call("POST", api + "/dvc.gateway.v1.PublicService/Nope", json: [:]).status == 404)
            #expect(try await Self.call("POST", api + "/dvc.catalog.v1.CatalogService/PutAgency", json: [:]).status == 404,
                    "internal services are not exposed")
            let badField = try await rpc("dvc.gateway.v1.PublicService/SearchProcedures", ["query": "x", "minLevel": "bốn"])
            #expect(badField.status == 400)
            #expect((badField.json["invalid_params"] as? [[String: String]])?.first?["name"] == "minLevel")

            // A citizen with a session submits and reads their dossier; another cannot.
            for (id, name) in [("001099012345", "Nguyễn Văn An"), ("001099054321", "Lê Thị Bình")] {
                _ = try await Self.call("POST", api + "/citizens", json: ["id": id, "password": "Hoa sen 2026!", "full_name": name])
            }
            let an = try #require(try await Self.call("POST", api + "/sessions", json: ["id": "001099012345", "password": "Hoa sen 2026!"])
                .json["token"] as? String)
            let binh = try #require(try await Self.call("POST", api + "/sessions", json: ["id": "001099054321", "password": "Hoa sen 2026!"])
                .json["token"] as? String)
            let export = try await withClient(catalog) { client in
                try await client.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                       options: CallOptions(timeout: .seconds(10)))
            }
            let simple = Set(export.procedures.filter(\.isSimpleToSubmit).map(\.code))
            let level3 = try #require(export.levels.first { $0.level == 3 && simple.contains($0.procedureCode) })
            let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
            let submission: [String: Any] = [
                "agencyCode": level3.agencyCode, "procedureCode": level3.procedureCode,
                "attachments": [["name": "to-khai.pdf", "content": pdf.base64EncodedString()]],
            ]
            let forged = ["X-Dvc-Identity": "citizen:001099054321", "Idempotency-Key": "http-1"]
            let submitted = try await rpc("dvc.gateway.v1.DossierService/SubmitDossier", submission,
                                          headers: forged.merging(["Authorization": "Bearer \(an)"]) { $1 })
            #expect(submitted.status == 200, "\(submitted.json)")
            let dossier = try #require(submitted.json["dossier"] as? [String: Any])
            #expect(dossier["applicantId"] as? String == "001099012345", "the session decides, not a header")
            let dossierID = try #require(dossier["id"] as? String)
            // The same submission as multipart/form-data: the request in JSON, the file raw.
            let boundary = "dvc-test-7f3a"
            var multipart = Data()
            multipart.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n".utf8))
            multipart.append(try JSONSerialization.data(withJSONObject: ["agencyCode": level3.agencyCode, "procedureCode": level3.procedureCode]))
            multipart.append(Data("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"giay-to.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".utf8))
            let raw = pdf + Data("% multipart\n".utf8)
            multipart.append(raw)
            multipart.append(Data("\r\n--\(boundary)--\r\n".utf8))
            var post = URLRequest(url: try #require(URL(string: api + "/dvc.gateway.v1.DossierService/SubmitDossier")))
            post.httpMethod = "POST"
            post.httpBody = multipart
            post.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
            post.setValue("Bearer \(an)", forHTTPHeaderField: "Authorization")
            post.setValue("http-multipart-1", forHTTPHeaderField: "Idempotency-Key")
            let (sent, sentResponse) = try await URLSession.shared.data(for: post)
            #expect((sentResponse as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: sent, as: UTF8.self))")
            let viaMultipart = (try JSONSerialization.jsonObject(with: sent) as? [String: Any])?["dossier"] as? [String: Any]
            let file = (viaMultipart?["attachments"] as? [[String: Any]])?.first
            #expect(file?["name"] as? String == "giay-to.pdf")
            #expect(file?["sha256Hex"] as? String == SHA256.hash(data: raw).map { String(format: "%02x", $0) }.joined(),
                    "the file's bytes arrive as sent, not base64-decoded or re-encoded")
            // At a level-2 agency: the problem says what is offered and what to do instead.
            let level2 = try #require(export.levels.first { $0.level == 2 && simple.contains($0.procedureCode) })
            var below = submission
            below["agencyCode"] = level2.agencyCode
            below["procedureCode"] = level2.procedureCode
            let levelRefusal = try await rpc("dvc.gateway.v1.DossierService/SubmitDossier", below,
                                             headers: ["Authorization": "Bearer \(an)", "Idempotency-Key": "http-2"])
            #expect(levelRefusal.status == 422 && levelRefusal.json["level_offered"] as? Int == 2 && levelRefusal.json["level_needed"] as? Int == 3)
            #expect((levelRefusal.json["instead"] as? String)?.contains("tải biểu mẫu") == true, "\(levelRefusal.json)")
            #expect((levelRefusal.json["detail"] as? String)?.contains("mức độ 2 — tải biểu mẫu") == true)
            #expect(levelRefusal.json["title"] as? String == "Cơ quan chưa cung cấp dịch vụ công trực tuyến ở mức độ này")
            let mine = try await rpc("dvc.gateway.v1.DossierService/GetDossier", ["id": dossierID], headers: ["Authorization": "Bearer \(an)"])
            #expect(mine.status == 200)
            let theirs = try await rpc("dvc.gateway.v1.DossierService/GetDossier", ["id": dossierID], headers: ["Authorization": "Bearer \(binh)"])
            #expect(theirs.status == 404 && theirs.json["title"] as? String == "Không tìm thấy")
            // A person's session cannot act for someone else.
            let onBehalf = try await rpc("dvc.gateway.v1.DossierService/GetDossier", ["id": dossierID],
                                         headers: ["Authorization": "Bearer \(binh)", "X-DVC-On-Behalf-Of": "citizen:001099012345"])
            #expect(onBehalf.status == 403)
            let anonymous = try await rpc("dvc.gateway.v1.DossierService/GetDossier", ["id": dossierID])
            #expect(anonymous.status == 401)
            let expired = try await rpc("dvc.gateway.v1.DossierService/GetDossier", ["id": dossierID], headers: ["Authorization": "Bearer nope"])
            #expect(expired.status == 401)

            // A browser session: the cookie counts only with its CSRF token.
            let browser = try await Self.call("POST", api + "/sessions",
                                              json: ["id": "001099012345", "password": "Hoa sen 2026!", "kind": "browser"])
            let cookie = try #require(browser.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
            let csrf = try #require(browser.json["csrf_token"] as? String)
            let noToken = try await rpc("dvc.gateway.v1.DossierService/GetDossier", ["id": dossierID], headers: ["Cookie": cookie])
            #expect(noToken.status == 403)
            let wrongToken = try await rpc("dvc.gateway.v1.DossierService/GetDossier", ["id": dossierID],
                                           headers: ["Cookie": cookie, "X-CSRF-Token": String(csrf.reversed())])
            #expect(wrongToken.status == 403)
            let withToken = try await rpc("dvc.gateway.v1.DossierService/GetDossier", ["id": dossierID],
                                          headers: ["Cookie": cookie, "X-CSRF-Token": csrf])
            #expect(withToken.status == 200)
            // Officers: the operator makes an agency's administrator, who makes a receiver;
            // the receiver signs in and receives the dossier; an officer elsewhere cannot.
            let data = try #require(gateway.dataDirectory).path
            func officer(_ agency: String, _ id: String, _ roles: String) async throws -> String {
                let made = try await runToCompletion(try Executables.url("gateway"), [
                    "officer", "create", "--data-dir", data, "--agency", agency, "--id", id, "--roles", roles,
                    "--full-name", "Cán bộ \(id)"])
                #expect(made.exited && made.status == 0, "\(made)")
                return String(made.stdout.split(separator: "\t").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let adminPassword = try await officer(level3.agencyCode, "qtv.coquan", "admin")
            let admin = try #require(try await Self.call("POST", api + "/sessions", json: [
                "officer_id": "qtv.coquan", "password": adminPassword], samples: samples).json["token"] as? String)
            let receiver: [String: Any] = ["id": "tn.coquan", "roles": ["receiver"], "full_name": "Trần Tiếp Nhận",
                                           "password": "Mat khau can bo 1"]
            let made = try await Self.call("POST", api + "/officers", json: receiver,
                                           headers: ["Authorization": "Bearer \(admin)"], samples: samples)
            #expect(made.status == 201 && made.json["agency_code"] as? String == level3.agencyCode)
            var elsewhere = receiver
            elsewhere["id"] = "tn.khac"
            elsewhere["agency_code"] = "000.00.99.H26"
            #expect(try await Self.call("POST", api + "/officers", json: elsewhere, headers: ["Authorization": "Bearer \(admin)"],
                                        samples: samples).status == 403)
            #expect(try await Self.call("POST", api + "/officers", json: elsewhere, headers: ["Authorization": "Bearer \(an)"],
                                        samples: samples).status == 403, "a citizen makes no officer")
            var badRoles = receiver
            badRoles["id"] = "tn.sai"
            badRoles["roles"] = ["boss"]
            #expect(try await Self.call("POST", api + "/officers", json: badRoles, headers: ["Authorization": "Bearer \(admin)"],
                                        samples: samples).status == 400)
            let receiverToken = try #require(try await Self.call("POST", api + "/sessions", json: [
                "officer_id": "tn.coquan", "password": "Mat khau can bo 1"], samples: samples).json["token"] as? String)
            let version = (dossier["version"] as? String).flatMap(UInt64.init) ?? 1
            let received = try await rpc("dvc.gateway.v1.DossierService/Act",
                                         ["dossierId": dossierID, "action": "ACTION_RECEIVE", "expectedVersion": "\(version)"],
                                         headers: ["Authorization": "Bearer \(receiverToken)"])
            #expect(received.status == 200 && received.json["state"] as? String == "DOSSIER_STATE_RECEIVED", "\(received.json)")
            let otherAgency = export.levels.first { $0.agencyCode != level3.agencyCode }?.agencyCode ?? "000.00.99.H26"
            let outsiderPassword = try await officer(otherAgency, "tn.ngoai", "receiver")
            let outsider = try #require(try await Self.call("POST", api + "/sessions", json: [
                "officer_id": "tn.ngoai", "password": outsiderPassword]).json["token"] as? String)
            let refused = try await rpc("dvc.gateway.v1.DossierService/GetDossier", ["id": dossierID],
                                        headers: ["Authorization": "Bearer \(outsider)"])
            #expect(refused.status == 404)

            // Every answer recorded above matches the OpenAPI document the gateway serves.
            try await samples.validate(root: root)
        }
    }
}
