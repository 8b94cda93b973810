import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Testing

/// The portal's public pages and the JSON API's catalog reads, from the gateway's real router,
/// door and catalog-svc's real service in the test process (`InProcessGateway`): search with
/// Vietnamese folding, a procedure's page with the level at each agency and what it lets a
/// citizen do, filters, security headers, and text a visitor types shown as text, never run.
@Suite struct PortalPagesInProcessTests {
    @Test("home, folded search, a procedure's page with its levels; typed text escaped; filters; unknown procedure 404")
    func publicPages() async throws {
        let gateway = try await InProcessGateway.make()
        let home = try await gateway.get("/")
        #expect(home.status == 200 && home.headers[.contentType]?.hasPrefix("text/html") == true && home.body.contains("<html lang=\"vi\">"))
        #expect(home.body.contains("name=\"viewport\"") && home.body.contains("action=\"/thu-tuc\""))

        let results = try await gateway.get("/thu-tuc?q=dang+ky+khai+sinh")
        #expect(results.status == 200)
        #expect(results.body.contains("<a href=\"/thu-tuc/1.001193\">Đăng ký khai sinh</a>"), "\(results.body)")
        // What the browser's form sends ("+" for spaces) is shown as the citizen typed it.
        #expect(results.body.contains("Kết quả cho “dang ky khai sinh”") && results.body.contains("value=\"dang ky khai sinh\""))

        let procedure = try await gateway.get("/thu-tuc/1.001193")
        #expect(procedure.status == 200)
        #expect(procedure.body.contains("<h1>Đăng ký khai sinh</h1>"))
        #expect(procedure.body.contains("mức độ 4 — toàn trình") && procedure.body.contains("thanh toán phí và nhận kết quả hoàn toàn trực tuyến"))
        #expect(procedure.body.contains("Trình tự thực hiện") && procedure.body.contains("Thành phần hồ sơ") && procedure.body.contains("Căn cứ pháp lý"))

        let typed = "<script>alert('x')</script>"
        let echoed = try await gateway.get("/thu-tuc?q=" + (typed.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        #expect(!echoed.body.contains(typed) && echoed.body.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))

        // Every page forbids scripts but the portal's own file, and framing by other sites.
        let policy = home.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
        #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"))
        #expect(home.headers[.cacheControl] == "no-store")
        let script = try await gateway.get("/assets/portal.js")
        #expect(script.status == 200 && script.headers[.contentType]?.hasPrefix("text/javascript") == true && script.body.contains("window.print()"))
        #expect(home.body.contains("<script src=\"/assets/portal.js\" defer></script>") && !home.body.contains("onclick="))

        // Filters: by agency alone (browsing), by field, by lowest level; the list of agencies.
        let agencies = try await gateway.get("/co-quan")
        #expect(agencies.body.contains("<a href=\"/thu-tuc?co_quan=000.00.07.H26\">Sở Tư pháp</a>"))
        let justice = try await gateway.get("/thu-tuc?co_quan=000.00.07.H26")
        #expect(justice.status == 200 && justice.body.contains("Thủ tục của Sở Tư pháp") && justice.body.contains("/thu-tuc/HN-TP-001"))
        #expect(!justice.body.contains("/thu-tuc/1.001193"), "a ward's procedure listed under a department")
        #expect(justice.body.contains("<option value=\"000.00.07.H26\" selected>— Sở Tư pháp</option>") && justice.body.contains("<details class=\"filters\" open>"))
        let levelFour = try await gateway.get("/thu-tuc?q=khai+sinh&muc_do=4")
        let anyLevel = try await gateway.get("/thu-tuc?q=khai+sinh")
        #expect(levelFour.body.contains("/thu-tuc/1.001193") && anyLevel.body.contains("/thu-tuc/HN-HT-104"))
        #expect(!levelFour.body.contains("mức độ 3 — một phần</span>"), "a level filter let a lower level through")
        let empty = try await gateway.get("/thu-tuc?q=")
        #expect(empty.status == 400 && empty.body.contains("Hãy nhập từ khóa"))

        let missing = try await gateway.get("/thu-tuc/KHONG-CO")
        #expect(missing.status == 404 && missing.body.contains("Không tìm thấy thủ tục"))
    }

    @Test("the JSON API: a catalog read answered, a level refusal as a problem document naming both levels, bad credentials refused before the body")
    func jsonAPI() async throws {
        let gateway = try await InProcessGateway.make()
        let json: HTTPFields = [.contentType: "application/json"]
        let read = try await gateway.send(.post, "/api/v1/dvc.gateway.v1.PublicService/GetProcedure", headers: json,
                                          body: #"{"agency_code":"000.00.07.H26","procedure_code":"HN-TP-001"}"#)
        #expect(read.status == 200 && read.body.contains("\"enabledLevel\"") || read.body.contains("\"enabled_level\""), "\(read.body)")
        // Downloading a form needs level 2; the seed's 000.01.23.H26 offers HN-HT-006 at level 1
        // (the gate refuses before any form is looked for).
        let detail = try await gateway.door.catalog.procedure("HN-HT-006")
        #expect(detail.levels.first { $0.agencyCode == "000.01.23.H26" }?.level == 1)
        let refused = try await gateway.send(.post, "/api/v1/dvc.gateway.v1.PublicService/DownloadForm", headers: json,
                                             body: #"{"agency_code":"000.01.23.H26","procedure_code":"HN-HT-006","form_id":"mau-01"}"#)
        #expect(refused.status == 422, "\(refused.body)")
        #expect(refused.body.contains("\"level_offered\":1") && refused.body.contains("\"level_needed\":2"), "\(refused.body)")
        let badKey = try await gateway.send(.post, "/api/v1/dvc.gateway.v1.PublicService/GetProcedure",
                                            headers: [.contentType: "application/json", .authorization: "ApiKey kabc.sai"],
                                            body: "{ not json")
        #expect(badKey.status == 401, "credentials are checked before the body is read: \(badKey.status) \(badKey.body)")
        // The same read again without credentials is answered as it was a moment ago; with a
        // bad key it is still refused, and a level refusal is never kept.
        let again = try await gateway.send(.post, "/api/v1/dvc.gateway.v1.PublicService/GetProcedure", headers: json,
                                           body: #"{"agency_code":"000.00.07.H26","procedure_code":"HN-TP-001"}"#)
        #expect(again.status == 200 && again.body == read.body)
        let stillRefused = try await gateway.send(.post, "/api/v1/dvc.gateway.v1.PublicService/GetProcedure",
                                                  headers: [.contentType: "application/json", .authorization: "ApiKey kabc.sai"],
                                                  body: #"{"agency_code":"000.00.07.H26","procedure_code":"HN-TP-001"}"#)
        #expect(stillRefused.status == 401)
        let refusedAgain = try await gateway.send(.post, "/api/v1/dvc.gateway.v1.PublicService/DownloadForm", headers: json,
                                                  body: #"{"agency_code":"000.01.23.H26","procedure_code":"HN-HT-006","form_id":"mau-01"}"#)
        #expect(refusedAgain.status == 422)
        let unknown = try await gateway.send(.post, "/api/v1/dvc.catalog.v1.CatalogService/SetLevel", headers: json, body: "{}")
        #expect(unknown.status == 404, "the catalog's administration is not reachable through the gateway")
        // Every answer has a request id: an answer, a refusal, a page, a route that does not exist.
        let requestID = HTTPField.Name("X-Request-Id")!
        for answer in [read, refused, badKey, unknown, try await gateway.get("/"), try await gateway.get("/khong-co-trang-nay")] {
            #expect(answer.headers[requestID]?.count == 32, "\(answer.status) \(answer.headers)")
        }
        #expect(badKey.headers[.wwwAuthenticate] == #"ApiKey realm="dich-vu-cong", Bearer realm="dich-vu-cong""#)
    }

    @Test("the JSON API's multipart requests: a missing 'request' part, files in another part, files to a method without any, an oversize file, each refused naming what was wrong")
    func multipartRefusals() async throws {
        let gateway = try await InProcessGateway.make(dossierMethods: true)
        let boundary = "b-1"
        func body(_ parts: [(name: String, filename: String?, content: String)]) -> String {
            parts.map { part in
                let disposition = part.filename.map { "form-data; name=\"\(part.name)\"; filename=\"\($0)\"" } ?? "form-data; name=\"\(part.name)\""
                return "--\(boundary)\r\nContent-Disposition: \(disposition)\r\n\r\n\(part.content)\r\n"
            }.joined() + "--\(boundary)--\r\n"
        }
        let headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
        let path = "/api/v1/dvc.gateway.v1.PublicService/GetProcedure"
        let request = #"{"agency_code":"000.00.07.H26","procedure_code":"HN-TP-001"}"#

        let answered = try await gateway.send(.post, path, headers: headers, body: body([("request", nil, request)]))
        #expect(answered.status == 200, "a multipart request with no files is the JSON request: \(answered.body)")
        // `curl -F request=@request.json` sends the request as a file part: read the same.
        let asFile = try await gateway.send(.post, path, headers: headers, body: body([("request", "request.json", request)]))
        #expect(asFile.status == 200 && asFile.body == answered.body, "\(asFile.body)")
        let noRequest = try await gateway.send(.post, path, headers: headers, body: body([("ghi_chu", nil, "x")]))
        #expect(noRequest.status == 400 && noRequest.body.contains("\"name\":\"request\""), "\(noRequest.body)")
        let wrongPart = try await gateway.send(.post, path, headers: headers,
                                               body: body([("request", nil, request), ("tep", "a.pdf", "%PDF-1.4")]))
        #expect(wrongPart.status == 400 && wrongPart.body.contains("\"name\":\"tep\""), "\(wrongPart.body)")
        let noFiles = try await gateway.send(.post, path, headers: headers,
                                             body: body([("request", nil, request), ("attachments", "a.pdf", "%PDF-1.4")]))
        #expect(noFiles.status == 400 && noFiles.body.contains("\"name\":\"attachments\""), "\(noFiles.body)")
        let oversizeBody = body([("request", nil, "{}"), ("attachments", "a.pdf", String(repeating: "A", count: (10 << 20) + 1))])
        // Files are read only for a caller with credentials: anonymous, refused before reading.
        let anonymous = try await gateway.send(.post, "/api/v1/dvc.gateway.v1.DossierService/SubmitDossier", headers: headers, body: oversizeBody)
        #expect(anonymous.status == 401, "\(anonymous.status) \(anonymous.body.prefix(300))")
        let registered = try await gateway.send(.post, "/api/v1/citizens", headers: [.contentType: "application/json"],
                                                body: #"{"id":"001099012345","password":"Hoa sen 2026!","full_name":"Nguyễn Văn An"}"#)
        #expect(registered.status == 202)
        let signedIn = try await gateway.send(.post, "/api/v1/sessions", headers: [.contentType: "application/json"],
                                              body: #"{"id":"001099012345","password":"Hoa sen 2026!"}"#)
        let token = try #require(try JSONSerialization.jsonObject(with: Data(signedIn.body.utf8)) as? [String: Any])["token"] as? String ?? ""
        var withToken = headers
        withToken[.authorization] = "Bearer \(token)"
        let oversize = try await gateway.send(.post, "/api/v1/dvc.gateway.v1.DossierService/SubmitDossier", headers: withToken, body: oversizeBody)
        #expect(oversize.status == 413 && oversize.body.contains("\"name\":\"attachments\""), "\(oversize.status) \(oversize.body.prefix(300))")
        let badJSON = try await gateway.send(.post, path, headers: headers, body: body([("request", nil, "{ not json")]))
        #expect(badJSON.status == 400, "\(badJSON.body)")
    }
}
