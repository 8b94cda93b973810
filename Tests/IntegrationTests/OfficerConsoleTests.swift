import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import RPCNIO
import TestKit
import Testing

/// The officers' console from the real gateway, dossier-svc and catalog-svc: officers made with
/// the operator's CLI, a citizen submitting over the JSON API, and a browser (cookies sent by
/// hand, redirects not followed) using the console's plain HTML forms.
@Suite(.timeLimit(.minutes(3))) struct OfficerConsoleTests {
    /// Cấp bản sao trích lục khai sinh at UBND Quận Ba Đình: level 3 in the seed catalog, with
    /// text fields in its form, 8 working hours to resolve, no fee online (so approval needs no
    /// payment).
    static let agency = "000.00.20.H26"
    static let procedure = "HN-HT-101"
    /// Another district, for an officer who must not see Ba Đình's dossiers.
    static let otherAgency = "000.00.21.H26"
    static let citizen = "001099012345"
    static let script = "<script>alert('x')</script>"
    static let escapedScript = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    struct Answer {
        var status: Int
        var headers: [String: String]
        var data: Data
        var body: String { String(decoding: data, as: UTF8.self) }
        var location: String { headers["location"] ?? "" }
    }

    /// A browser that sends exactly the cookie and Origin it is told to, and follows no redirect.
    struct Browser {
        let root: String
        var cookie: String?
        var origin: String?
        let session: URLSession

        init(root: String, cookie: String? = nil) {
            self.root = root
            self.cookie = cookie
            self.origin = root
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpShouldSetCookies = false
            configuration.httpCookieAcceptPolicy = .never
            configuration.httpCookieStorage = nil
            session = URLSession(configuration: configuration, delegate: PortalPagesTests.NoRedirects(), delegateQueue: nil)
        }

        func send(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil,
                  headers: [String: String] = [:]) async throws -> Answer {
            var request = URLRequest(url: try #require(URL(string: root + path)))
            request.httpMethod = method
            request.httpShouldHandleCookies = false
            request.httpBody = body
            if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
            if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
            if method == "POST", let origin { request.setValue(origin, forHTTPHeaderField: "Origin") }
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            let (data, response) = try await session.data(for: request)
            let http = try #require(response as? HTTPURLResponse)
            var fields: [String: String] = [:]
            for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
            return Answer(status: http.statusCode, headers: fields, data: data)
        }

        func get(_ path: String) async throws -> Answer { try await send("GET", path) }

        func post(_ path: String, _ form: [(String, String)], headers: [String: String] = [:]) async throws -> Answer {
            var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            allowed.insert(charactersIn: "-_.*")
            let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
            return try await send("POST", path, body: Data(body.utf8), contentType: "application/x-www-form-urlencoded", headers: headers)
        }

        /// A multipart/form-data POST, as a browser sends a form with `enctype="multipart/form-data"`.
        func postMultipart(_ path: String, _ fields: [(String, String)], file: (field: String, name: String, type: String, content: Data)?) async throws -> Answer {
            let boundary = "----dvc-console-\(UUID().uuidString)"
            var body = Data()
            for (name, value) in fields {
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
            }
            if let file {
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: \(file.type)\r\n\r\n".utf8))
                body.append(file.content)
                body.append(Data("\r\n".utf8))
            }
            body.append(Data("--\(boundary)--\r\n".utf8))
            return try await send("POST", path, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        }

        /// Signs an officer in through the console's form; the browser keeps the new cookie.
        mutating func signIn(_ id: String, _ password: String) async throws {
            let answer = try await post("/can-bo/dang-nhap", [("id", id), ("password", password)])
            #expect(answer.status == 303 && answer.location == "/can-bo", "\(answer.status) \(answer.body)")
            cookie = try #require(answer.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        }
    }

    /// The value of the first `name="…" value="…"` input in a page.
    static func input(_ name: String, in page: String, after marker: String? = nil) throws -> String {
        var text = Substring(page)
        if let marker, let range = page.range(of: marker) { text = page[range.upperBound...] }
        let pattern = "name=\"\(name)\" value=\""
        let start = try #require(text.range(of: pattern), "no input \(name)")
        let rest = text[start.upperBound...]
        return String(rest[..<(rest.firstIndex(of: "\"") ?? rest.endIndex)])
    }

    /// catalog-svc, dossier-svc (scanning for overdue dossiers every second) and the gateway with
    /// its HTTP side and `gatewaySettings` (config lines); `body` gets the HTTP root, the
    /// gateway's and dossier-svc's data folders.
    static func withPlatform(gatewaySettings: String = "",
                             _ body: (_ root: String, _ gatewayData: String, _ dossierData: URL) async throws -> Void) async throws {
        let folder = try makeTemporaryFolder("console-config")
        let config = folder.appendingPathComponent("dossier.env")
        try Data("overdue_scan_seconds=1\n".utf8).write(to: config)
        let gatewayConfig = folder.appendingPathComponent("gateway.env")
        try Data(gatewaySettings.utf8).write(to: gatewayConfig)
        try await withService("catalog-svc") { catalog in
            try await withService("dossier-svc", extraArguments: ["--catalog", catalog.address.description, "--config", config.path]) { dossier in
                try await withService("gateway", extraArguments: [
                    "--catalog", catalog.address.description, "--dossier", dossier.address.description, "--http", "127.0.0.1:0",
                    "--config", gatewayConfig.path,
                ]) { gateway in
                    let root = try await PaymentFlowTests.httpAddress(gateway)
                    try await body(root, try #require(gateway.dataDirectory).path, try #require(dossier.dataDirectory))
                }
            }
        }
    }

    /// An officer made by the operator's CLI; returns the generated password.
    static func officer(_ data: String, agency: String, id: String, roles: String) async throws -> String {
        let made = try await runToCompletion(try Executables.url("gateway"), [
            "officer", "create", "--data-dir", data, "--agency", agency, "--id", id, "--roles", roles, "--full-name", "Cán bộ \(id)"])
        #expect(made.exited && made.status == 0, "\(made)")
        return String(made.stdout.split(separator: "\t").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func json(_ method: String, _ url: String, _ object: Any?, headers: [String: String] = [:]) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        if let object {
            request.httpBody = try JSONSerialization.data(withJSONObject: object)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }

    /// The citizen registers and signs in over the JSON API; returns a bearer token.
    static func citizenToken(_ root: String) async throws -> String {
        _ = try await json("POST", root + "/api/v1/citizens", ["id": citizen, "password": "Hoa sen 2026!", "full_name": "Nguyễn Văn An"])
        let (status, signedIn) = try await json("POST", root + "/api/v1/sessions", ["id": citizen, "password": "Hoa sen 2026!"])
        #expect(status == 201)
        return try #require(signedIn["token"] as? String)
    }

    /// A dossier submitted by the citizen over the JSON API, with a script tag in a form value;
    /// returns its id.
    static func submit(_ root: String, token: String, key: String) async throws -> String {
        let submission: [String: Any] = [
            "agencyCode": agency, "procedureCode": procedure, "channel": "CHANNEL_ONLINE",
            "formData": [
                "nguoi_yeu_cau_ho_ten": "Nguyễn Văn An", "nguoi_yeu_cau_so_dinh_danh": citizen,
                "nguoi_yeu_cau_noi_cu_tru": "Phường Điện Biên, Quận Ba Đình", "quan_he": "Bản thân",
                "ho_ten_nguoi_duoc_cap": script, "noi_dang_ky": "UBND phường Điện Biên", "so_ban_sao": "2",
            ],
            "attachments": [["name": "tờ khai.pdf", "content": pdf.base64EncodedString()]],
        ]
        let (status, answer) = try await json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/SubmitDossier", submission,
                                              headers: ["Authorization": "Bearer \(token)", "Idempotency-Key": key])
        #expect(status == 200, "\(answer)")
        return try #require((answer["dossier"] as? [String: Any])?["id"] as? String)
    }

    /// The state the dossier is in, read by the citizen over the JSON API (not through the console).
    static func state(_ root: String, token: String, _ id: String) async throws -> String {
        let (_, dossier) = try await json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/GetDossier", ["id": id],
                                          headers: ["Authorization": "Bearer \(token)"])
        return dossier["state"] as? String ?? "?"
    }

    /// The dossier's current version, as the citizen reads it over the JSON API.
    static func version(_ root: String, token: String, _ id: String) async throws -> String {
        let (_, dossier) = try await json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/GetDossier", ["id": id],
                                          headers: ["Authorization": "Bearer \(token)"])
        return try #require(dossier["version"] as? String)
    }

    @Test("officer sign-in (fresh session, wrong password, citizens kept out), the queue and its filters, the dossier page with files and only the role's actions, another agency's 404")
    func signInQueueAndDossier() async throws {
        try await Self.withPlatform { root, data, _ in
            let receiverPassword = try await Self.officer(data, agency: Self.agency, id: "tn.badinh", roles: "receiver")
            let approverPassword = try await Self.officer(data, agency: Self.agency, id: "ld.badinh", roles: "approver")
            let outsiderPassword = try await Self.officer(data, agency: Self.otherAgency, id: "tn.hoankiem", roles: "receiver,processor,approver")
            let token = try await Self.citizenToken(root)
            let id = try await Self.submit(root, token: token, key: "console-1")

            // No session: the console sends the browser to the officers' sign-in, coming back after.
            var browser = Browser(root: root)
            let anonymous = try await browser.get("/can-bo")
            #expect(anonymous.status == 303 && anonymous.location == "/can-bo/dang-nhap?tiep=%2Fcan-bo", "\(anonymous.location)")
            let signInPage = try await browser.get("/can-bo/dang-nhap?tiep=%2Fcan-bo%2Fqua-han")
            #expect(signInPage.status == 200 && signInPage.body.contains("name=\"id\"")
                    && signInPage.body.contains("name=\"tiep\" value=\"/can-bo/qua-han\""))
            // A citizen's session is not an officer's.
            var citizenRequest = URLRequest(url: try #require(URL(string: root + "/api/v1/sessions")))
            citizenRequest.httpMethod = "POST"
            citizenRequest.httpBody = try JSONSerialization.data(withJSONObject: ["id": Self.citizen, "password": "Hoa sen 2026!", "kind": "browser"])
            citizenRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
            let (_, citizenResponse) = try await URLSession.shared.data(for: citizenRequest)
            let citizenCookie = try #require(((citizenResponse as? HTTPURLResponse)?.value(forHTTPHeaderField: "Set-Cookie"))?
                .split(separator: ";").first.map(String.init))
            let asCitizen = try await Browser(root: root, cookie: citizenCookie).get("/can-bo")
            #expect(asCitizen.status == 303 && asCitizen.location.hasPrefix("/can-bo/dang-nhap"))
            let citizenDossier = try await Browser(root: root, cookie: citizenCookie).get("/can-bo/ho-so/\(id)")
            #expect(citizenDossier.status == 303 && !citizenDossier.body.contains(Self.escapedScript))

            // Wrong password: refused, no cookie. A cross-site sign-in form: refused.
            let wrong = try await browser.post("/can-bo/dang-nhap", [("id", "tn.badinh"), ("password", "sai mat khau")])
            #expect(wrong.status == 401 && wrong.headers["set-cookie"] == nil && wrong.body.contains("không đúng"))
            var elsewhere = browser
            elsewhere.origin = "http://ke-gian.example"
            let crossSiteSignIn = try await elsewhere.post("/can-bo/dang-nhap", [("id", "tn.badinh"), ("password", receiverPassword)])
            #expect(crossSiteSignIn.status == 403 && crossSiteSignIn.headers["set-cookie"] == nil)
            // A session id planted beforehand is never the one signed in; `tiep` is followed.
            let planted = "__Host-dvc_session=do-ke-gian-cai-san"
            browser.cookie = planted
            let signedIn = try await browser.post("/can-bo/dang-nhap", [
                ("id", "tn.badinh"), ("password", receiverPassword), ("tiep", "/can-bo/qua-han")])
            #expect(signedIn.status == 303 && signedIn.location == "/can-bo/qua-han")
            let setCookie = try #require(signedIn.headers["set-cookie"])
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("Secure") && setCookie.contains("SameSite=Strict"))
            let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
            #expect(cookie != planted && cookie.hasPrefix("__Host-dvc_session="))
            browser.cookie = cookie
            // Off-site `tiep` is not followed.
            let offsite = try await Browser(root: root).post("/can-bo/dang-nhap", [
                ("id", "tn.badinh"), ("password", receiverPassword), ("tiep", "//ke-gian.example/")])
            #expect(offsite.status == 303 && offsite.location == "/can-bo")

            // The queue: the dossier, not received yet, linked; the nav with the sign-out form.
            let queue = try await browser.get("/can-bo")
            #expect(queue.status == 200 && queue.headers["cache-control"] == "private, no-store")
            #expect(queue.body.contains("<a href=\"/can-bo/ho-so/\(id)\">Chưa tiếp nhận</a>"), "\(queue.body)")
            #expect(queue.body.contains(Self.procedure) && queue.body.contains("Mới đăng ký"))
            #expect(queue.body.contains("action=\"/dang-xuat\"") && queue.body.contains("name=\"csrf_token\""))
            #expect(queue.body.contains("href=\"/can-bo/qua-han\"") && queue.body.contains("href=\"/can-bo/thong-ke\""))
            let submittedOnly = try await browser.get("/can-bo?trang_thai=1")
            #expect(submittedOnly.body.contains("/can-bo/ho-so/\(id)"))
            let receivedOnly = try await browser.get("/can-bo?trang_thai=2")
            #expect(receivedOnly.status == 200 && !receivedOnly.body.contains("/can-bo/ho-so/\(id)") && receivedOnly.body.contains("Không có hồ sơ nào."))
            let overdueOnly = try await browser.get("/can-bo?han=qua-han")
            #expect(!overdueOnly.body.contains("/can-bo/ho-so/\(id)"))
            let someoneElses = try await browser.get("/can-bo?nguoi_xu_ly=xl.khac")
            #expect(!someoneElses.body.contains("/can-bo/ho-so/\(id)"))
            // The agency is the session's: a query naming another one changes nothing.
            let tampered = try await browser.get("/can-bo?agency_code=\(Self.otherAgency)&ma_co_quan=\(Self.otherAgency)")
            #expect(tampered.body.contains("/can-bo/ho-so/\(id)"))

            // The dossier page: form data escaped, the attachment, history, the receiver's actions only.
            let page = try await browser.get("/can-bo/ho-so/\(id)")
            #expect(page.status == 200)
            #expect(page.body.contains(Self.escapedScript) && !page.body.contains(Self.script))
            // The form's labels and the procedure's name, from the catalog.
            #expect(page.body.contains("<th>Họ, chữ đệm, tên người có sự kiện khai sinh</th><td>\(Self.escapedScript)</td>"))
            #expect(page.body.contains("Phường Điện Biên, Quận Ba Đình") && page.body.contains("Cấp bản sao trích lục khai sinh (HN-HT-101)"))
            #expect(page.body.contains("<h1>Hồ sơ mới, chưa tiếp nhận</h1>"))
            #expect(page.body.contains("tờ khai.pdf") && page.body.contains("/can-bo/ho-so/\(id)/tep/"))
            #expect(page.body.contains("Quá trình xử lý") && page.body.contains("citizen:\(Self.citizen)") && page.body.contains("Nộp hồ sơ"))
            #expect(page.body.contains("<h3>Tiếp nhận hồ sơ</h3>") && page.body.contains("<h3>Từ chối tiếp nhận hồ sơ</h3>"))
            #expect(page.body.contains("<h3>Yêu cầu bổ sung, hoàn thiện hồ sơ</h3>"))
            #expect(!page.body.contains("<h3>Phê duyệt kết quả</h3>") && !page.body.contains("<h3>Rút hồ sơ</h3>"))
            #expect(page.body.contains("name=\"action\" value=\"1\"") && page.body.contains("action=\"/can-bo/ho-so/\(id)/xu-ly\""))

            // The attachment downloads with its type and a UTF-8 file name, never inline.
            let fileLink = try #require(page.body.range(of: "/can-bo/ho-so/\(id)/tep/[^\"]+", options: .regularExpression)
                .map { String(page.body[$0]) })
            let file = try await browser.get(fileLink)
            #expect(file.status == 200 && file.data == Self.pdf)
            #expect(file.headers["content-type"] == "application/pdf")
            #expect(file.headers["content-disposition"] == "attachment; filename=\"t_ khai.pdf\"; filename*=UTF-8''t%E1%BB%9D%20khai.pdf", "\(file.headers)")
            #expect(file.headers["x-content-type-options"] == "nosniff")
            #expect(try await browser.get("/can-bo/ho-so/\(id)/tep/khong-co").status == 404)

            // The approver sees no reception step in state 1 (only approvers' steps, none here).
            var approver = Browser(root: root)
            try await approver.signIn("ld.badinh", approverPassword)
            let approverPage = try await approver.get("/can-bo/ho-so/\(id)")
            #expect(approverPage.status == 200 && !approverPage.body.contains("<h3>Tiếp nhận hồ sơ</h3>")
                    && approverPage.body.contains("Không có thao tác nào bạn được thực hiện"))

            // An officer of another agency: 404 on the page, the file and the action, and nothing changes.
            var outsider = Browser(root: root)
            try await outsider.signIn("tn.hoankiem", outsiderPassword)
            let outsiderQueue = try await outsider.get("/can-bo")
            #expect(outsiderQueue.status == 200 && !outsiderQueue.body.contains(id))
            #expect(try await outsider.get("/can-bo/ho-so/\(id)").status == 404)
            #expect(try await outsider.get(fileLink).status == 404)
            let outsiderCSRF = try Self.input("csrf_token", in: outsiderQueue.body)
            let version = try Self.input("expected_version", in: page.body)
            let outsiderPost = try await outsider.post("/can-bo/ho-so/\(id)/xu-ly", [
                ("csrf_token", outsiderCSRF), ("action", "1"), ("expected_version", version)])
            #expect(outsiderPost.status == 404)
            #expect(try await Self.state(root, token: token, id) == "DOSSIER_STATE_SUBMITTED")
            #expect(try await browser.get("/can-bo/ho-so/khong-ton-tai").status == 404)
        }
    }

    @Test("receive through the form; stale version, forged or missing CSRF, cross-site posts and a refusal without reason change nothing; the whole path to the result with a file; escaped notes; statistics")
    func actions() async throws {
        try await Self.withPlatform { root, data, _ in
            let receiverPassword = try await Self.officer(data, agency: Self.agency, id: "tn.badinh", roles: "receiver")
            let processorPassword = try await Self.officer(data, agency: Self.agency, id: "xl.badinh", roles: "processor")
            let approverPassword = try await Self.officer(data, agency: Self.agency, id: "ld.badinh", roles: "approver")
            let token = try await Self.citizenToken(root)
            let id = try await Self.submit(root, token: token, key: "console-2")
            let second = try await Self.submit(root, token: token, key: "console-3")
            var receiver = Browser(root: root)
            try await receiver.signIn("tn.badinh", receiverPassword)
            let path = "/can-bo/ho-so/\(id)"

            let page = try await receiver.get(path)
            let csrf = try Self.input("csrf_token", in: page.body)
            let version = try Self.input("expected_version", in: page.body)

            // Forged and missing CSRF tokens, and another site's form: 403, nothing changes.
            let forged = try await receiver.post(path + "/xu-ly", [("csrf_token", "gia-mao"), ("action", "1"), ("expected_version", version)])
            #expect(forged.status == 403)
            let missing = try await receiver.post(path + "/xu-ly", [("action", "1"), ("expected_version", version)])
            #expect(missing.status == 403)
            var crossSite = receiver
            crossSite.origin = "http://ke-gian.example"
            let fromElsewhere = try await crossSite.post(path + "/xu-ly", [("csrf_token", csrf), ("action", "1"), ("expected_version", version)])
            #expect(fromElsewhere.status == 403 && fromElsewhere.body.contains("chính cổng dịch vụ công"))
            let noSession = try await Browser(root: root).post(path + "/xu-ly", [("csrf_token", csrf), ("action", "1"), ("expected_version", version)])
            #expect(noSession.status == 403)
            #expect(try await Self.state(root, token: token, id) == "DOSSIER_STATE_SUBMITTED")

            // Refusing reception without a reason: the error next to the reason's field, nothing changes.
            let secondPage = try await receiver.get("/can-bo/ho-so/\(second)")
            let noReason = try await receiver.post("/can-bo/ho-so/\(second)/xu-ly", [
                ("csrf_token", csrf), ("action", "2"), ("expected_version", try Self.input("expected_version", in: secondPage.body)), ("note", "  ")])
            #expect(noReason.status == 400)
            #expect(noReason.body.contains("id=\"a2-note\" name=\"note\"") && noReason.body.contains("aria-describedby=\"a2-note-error\""), "\(noReason.body)")
            #expect(noReason.body.contains("<p class=\"error\" id=\"a2-note-error\" role=\"alert\">Cần ghi rõ lý do"))
            #expect(try await Self.state(root, token: token, second) == "DOSSIER_STATE_SUBMITTED")

            // Receive through the form: back to the page with the flash, the receipt code and slip 01.
            let received = try await receiver.post(path + "/xu-ly", [
                ("csrf_token", csrf), ("action", "1"), ("expected_version", version), ("note", "Đủ giấy tờ " + Self.script)])
            #expect(received.status == 303 && received.location == path + "?da_xu_ly=1", "\(received.status) \(received.body)")
            let after = try await receiver.get(received.location)
            #expect(after.body.contains("Đã thực hiện: Tiếp nhận hồ sơ"))
            #expect(after.body.contains("Được tiếp nhận") && !after.body.contains("Chưa tiếp nhận"))
            let receipt = try #require(after.body.range(of: "000\\.00\\.20\\.H26-[0-9]{6}-[0-9]{4}", options: .regularExpression)
                .map { String(after.body[$0]) })
            #expect(after.body.contains("<h1>Hồ sơ \(receipt)</h1>"))
            #expect(after.body.contains("Đủ giấy tờ " + Self.escapedScript) && !after.body.contains(Self.script))
            #expect(after.body.contains("Mới đăng ký → Được tiếp nhận"))
            #expect(try await Self.state(root, token: token, id) == "DOSSIER_STATE_RECEIVED")
            // The one-stop documents, inline under a policy that allows no script.
            #expect(after.body.contains("href=\"\(path)/giay-to/01\">Giấy tiếp nhận hồ sơ và hẹn trả kết quả</a>"))
            let slip = try await receiver.get(path + "/giay-to/01")
            #expect(slip.status == 200 && slip.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(slip.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
            #expect(slip.body.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") && slip.body.contains(receipt))
            #expect(try await receiver.get(path + "/giay-to/09").status == 404)
            // Its PDF beside it ("Tải bản PDF"), made by dossier-svc on the first request.
            let pdfLink = try #require(after.body.range(of: "\(path)/giay-to/01/pdf\\?so=[^\"]+", options: .regularExpression)
                .map { String(after.body[$0]) })
            #expect(after.body.contains(">Tải bản PDF</a>"))
            let pdf = try await receiver.get(pdfLink)
            #expect(pdf.status == 200 && pdf.headers["content-type"] == "application/pdf" && pdf.body.hasPrefix("%PDF-"))
            #expect(try await receiver.get(path + "/giay-to/09/pdf").status == 404)
            // The queue shows the receipt code now, and the state filter finds it.
            let queue = try await receiver.get("/can-bo?trang_thai=2")
            #expect(queue.body.contains("<a href=\"\(path)\">\(receipt)</a>"))

            // The old version again: ABORTED, said plainly, state unchanged.
            let stale = try await receiver.post(path + "/xu-ly", [("csrf_token", csrf), ("action", "2"), ("expected_version", version),
                                                                  ("note", "Thiếu giấy tờ")])
            #expect(stale.status == 409)
            #expect(stale.body.contains("Hồ sơ vừa được người khác cập nhật; hãy xem lại rồi thực hiện lại."))
            #expect(try await Self.state(root, token: token, id) == "DOSSIER_STATE_RECEIVED")

            // The processor starts processing; the approver approves with a note and a result file
            // (multipart); the receiver returns the result.
            var processor = Browser(root: root)
            try await processor.signIn("xl.badinh", processorPassword)
            let processorPage = try await processor.get(path)
            #expect(processorPage.body.contains("<h3>Chuyển xử lý</h3>") && !processorPage.body.contains("<h3>Tiếp nhận hồ sơ</h3>"))
            let started = try await processor.post(path + "/xu-ly", [
                ("csrf_token", try Self.input("csrf_token", in: processorPage.body)), ("action", "3"),
                ("expected_version", try Self.input("expected_version", in: processorPage.body))])
            #expect(started.status == 303 && started.location == path + "?da_xu_ly=1")
            #expect(try await Self.state(root, token: token, id) == "DOSSIER_STATE_PROCESSING")
            // Assigned to the processor: the assignee filter finds it.
            #expect(try await processor.get("/can-bo?nguoi_xu_ly=xl.badinh").body.contains(path))

            var approver = Browser(root: root)
            try await approver.signIn("ld.badinh", approverPassword)
            let approverPage = try await approver.get(path)
            #expect(approverPage.body.contains("<h3>Phê duyệt kết quả</h3>") && approverPage.body.contains("enctype=\"multipart/form-data\""))
            #expect(approverPage.body.contains("<h3>Không giải quyết hồ sơ</h3>") && !approverPage.body.contains("<h3>Tiếp nhận hồ sơ</h3>"))
            let approverCSRF = try Self.input("csrf_token", in: approverPage.body)
            let approveVersion = try Self.input("expected_version", in: approverPage.body, after: "id=\"a8\"")
            // A forged token in a multipart body is refused too.
            let forgedApproval = try await approver.postMultipart(path + "/xu-ly", [
                ("csrf_token", "gia-mao"), ("action", "8"), ("expected_version", approveVersion), ("result_note", "x")], file: nil)
            #expect(forgedApproval.status == 403)
            // A "result" that is not a PDF, JPEG or PNG (checked from the bytes): refused next to the file input.
            let notPDF = try await approver.postMultipart(path + "/xu-ly", [
                ("csrf_token", approverCSRF), ("action", "8"), ("expected_version", approveVersion), ("result_note", "Đã cấp")],
                file: (field: "result_document", name: "ket-qua.pdf", type: "application/pdf", content: Data("<html>not a pdf</html>".utf8)))
            #expect(notPDF.status == 400 && notPDF.body.contains("aria-describedby=\"a8-result_document-error\""), "\(notPDF.body)")
            #expect(notPDF.body.contains(">Đã cấp</textarea>"), "the note typed is kept")
            #expect(try await Self.state(root, token: token, id) == "DOSSIER_STATE_PROCESSING")
            let result = Data("%PDF-1.4\n% Bản sao trích lục khai sinh\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
            let approved = try await approver.postMultipart(path + "/xu-ly", [
                ("csrf_token", approverCSRF), ("action", "8"), ("expected_version", approveVersion),
                ("result_note", "Đã cấp 2 bản sao " + Self.script)],
                file: (field: "result_document", name: "ket-qua.pdf", type: "application/pdf", content: result))
            #expect(approved.status == 303 && approved.location == path + "?da_xu_ly=1", "\(approved.status) \(approved.body)")
            #expect(try await Self.state(root, token: token, id) == "DOSSIER_STATE_PROCESSED")
            let approvedPage = try await approver.get(approved.location)
            #expect(approvedPage.body.contains("Đã thực hiện: Phê duyệt kết quả"))
            #expect(approvedPage.body.contains("Đã cấp 2 bản sao " + Self.escapedScript) && !approvedPage.body.contains(Self.script))
            let resultLink = try #require(approvedPage.body.range(of: "Tệp kết quả</th><td><a href=\"[^\"]+\"", options: .regularExpression)
                .map { String(approvedPage.body[$0]).components(separatedBy: "href=\"")[1].dropLast() })
            let resultFile = try await approver.get(String(resultLink))
            #expect(resultFile.status == 200 && resultFile.data == result && resultFile.headers["content-type"] == "application/pdf")
            #expect(resultFile.headers["content-disposition"] == "attachment; filename=\"ket-qua.pdf\"; filename*=UTF-8''ket-qua.pdf")

            let returnPage = try await receiver.get(path)
            #expect(returnPage.body.contains("<h3>Trả kết quả</h3>"))
            let returned = try await receiver.post(path + "/xu-ly", [
                ("csrf_token", csrf), ("action", "10"), ("expected_version", try Self.input("expected_version", in: returnPage.body))])
            #expect(returned.status == 303)
            #expect(try await Self.state(root, token: token, id) == "DOSSIER_STATE_RESULT_RETURNED")
            let done = try await receiver.get(path)
            #expect(done.body.contains("Đã trả kết quả") && done.body.contains("Không có thao tác nào"))
            // A step the state does not allow, posted anyway with the current version: 422, said so.
            let illegal = try await receiver.post(path + "/xu-ly", [
                ("csrf_token", csrf), ("action", "1"), ("expected_version", try await Self.version(root, token: token, id))])
            #expect(illegal.status == 422 && illegal.body.contains("Không thể thực hiện “Tiếp nhận hồ sơ” ở trạng thái hiện tại"))
            #expect(try await Self.state(root, token: token, id) == "DOSSIER_STATE_RESULT_RETURNED")

            // Statistics: one received and resolved on time; the second dossier was never received.
            let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(secondsFromGMT: 7 * 3600)!, from: Date()).year ?? 0
            let statistics = try await receiver.get("/can-bo/thong-ke")
            #expect(statistics.status == 200 && statistics.body.contains("<h1>Thống kê năm \(year)</h1>"))
            #expect(statistics.body.contains("<tr><th>Đã tiếp nhận</th><td>1</td></tr>"), "\(statistics.body)")
            #expect(statistics.body.contains("<tr><th>Có kết quả đúng hạn</th><td>1</td></tr>"))
            #expect(statistics.body.contains("<tr><th>Có kết quả quá hạn</th><td>0</td></tr>"))
            #expect(statistics.body.contains("<tr><th>Đang giải quyết</th><td>0</td></tr>"))
            #expect(statistics.body.contains("<td>100,0%</td>"))
            #expect(statistics.body.contains("href=\"/can-bo/so-theo-doi?nam=\(year)\""))
            let book = try await receiver.get("/can-bo/so-theo-doi?nam=\(year)")
            #expect(book.status == 200 && book.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
            #expect(book.body.contains("SỔ THEO DÕI HỒ SƠ") && book.body.contains(receipt))
            let lastYear = try await receiver.get("/can-bo/thong-ke?nam=\(year - 1)")
            #expect(lastYear.body.contains("<tr><th>Đã tiếp nhận</th><td>0</td></tr>") && lastYear.body.contains("<td>—</td>"))
        }
    }

    @Test("the overdue list with the apology form for approvers, the apology through it, and its letter")
    func overdue() async throws {
        try await Self.withPlatform { root, data, dossierData in
            let receiverPassword = try await Self.officer(data, agency: Self.agency, id: "tn.badinh", roles: "receiver")
            let approverPassword = try await Self.officer(data, agency: Self.agency, id: "ld.badinh", roles: "approver")
            let token = try await Self.citizenToken(root)
            let id = try await Self.submit(root, token: token, key: "console-4")
            let path = "/can-bo/ho-so/\(id)"
            var receiver = Browser(root: root)
            try await receiver.signIn("tn.badinh", receiverPassword)
            let page = try await receiver.get(path)
            let received = try await receiver.post(path + "/xu-ly", [
                ("csrf_token", try Self.input("csrf_token", in: page.body)), ("action", "1"),
                ("expected_version", try Self.input("expected_version", in: page.body))])
            #expect(received.status == 303)
            #expect(try await receiver.get("/can-bo/qua-han").body.contains("Không có hồ sơ nào quá hạn."))

            // Time passes: the appointment is moved into the past in dossier-svc's own file, and
            // its deadline scan (every second here) marks the dossier overdue.
            try await Self.moveAppointmentIntoThePast(id, dossierData)
            var overdueList = try await receiver.get("/can-bo/qua-han")
            for _ in 0..<50 where !overdueList.body.contains(path) {
                try await Task.sleep(for: .milliseconds(200))
                overdueList = try await receiver.get("/can-bo/qua-han")
            }
            #expect(overdueList.body.contains("<a href=\"\(path)\">") && overdueList.body.contains("Quá hạn"))
            #expect(!overdueList.body.contains("<h3>Xin lỗi và hẹn lại ngày trả kết quả</h3>"), "a receiver does not apologise")
            #expect(try await receiver.get("/can-bo?han=qua-han").body.contains(path))
            #expect(try await receiver.get("/can-bo?han=sap-den-han").body.contains(path))
            let statistics = try await receiver.get("/can-bo/thong-ke")
            #expect(statistics.body.contains("<tr><th>Đang giải quyết</th><td>1</td></tr>"))
            #expect(statistics.body.contains("<tr><th>Đang giải quyết, đã quá hạn</th><td>1</td></tr>"), "\(statistics.body)")

            var approver = Browser(root: root)
            try await approver.signIn("ld.badinh", approverPassword)
            let list = try await approver.get("/can-bo/qua-han")
            #expect(list.body.contains("<h3>Xin lỗi và hẹn lại ngày trả kết quả</h3>") && list.body.contains("type=\"datetime-local\""))
            #expect(!list.body.contains("/giay-to/04"), "no letter yet")
            let csrf = try Self.input("csrf_token", in: list.body)
            let version = try Self.input("expected_version", in: list.body, after: "id=\"a12\"")
            // A date that is not one: refused next to its field.
            let badDate = try await approver.post(path + "/xu-ly", [
                ("csrf_token", csrf), ("action", "12"), ("expected_version", version), ("new_appointment", "ngày mai"), ("note", "Cần xác minh")])
            #expect(badDate.status == 400 && badDate.body.contains("id=\"a12-new_appointment-error\""))
            // Three days from now, in Hà Nội time as the datetime-local input gives it.
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
            formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
            let newDate = Date().addingTimeInterval(3 * 86_400)
            let typed = formatter.string(from: newDate)
            let apologised = try await approver.post(path + "/xu-ly", [
                ("csrf_token", csrf), ("action", "12"), ("expected_version", version), ("new_appointment", typed),
                ("note", "Cần xác minh thêm với nơi đăng ký " + Self.script)])
            #expect(apologised.status == 303 && apologised.location == path + "?da_xu_ly=1", "\(apologised.status) \(apologised.body)")
            let after = try await approver.get(apologised.location)
            #expect(after.body.contains("Đã thực hiện: Xin lỗi và hẹn lại ngày trả kết quả"))
            let shown = PortalFormatProbe.dateTime(newDate)
            #expect(after.body.contains(shown), "the new appointment \(shown) in Hà Nội time")
            #expect(after.body.contains("href=\"\(path)/giay-to/04\""))
            #expect(after.body.contains(Self.escapedScript) && !after.body.contains(Self.script))
            let letter = try await approver.get(path + "/giay-to/04")
            #expect(letter.status == 200 && letter.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
            #expect(letter.body.contains("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ") && letter.body.contains("Cần xác minh thêm với nơi đăng ký"))
            #expect(!letter.body.contains(Self.script))
            #expect(try await approver.get("/can-bo/qua-han").body.contains("Không có hồ sơ nào quá hạn."), "the apology clears the mark")

            // Late again: the overdue list links the letter already issued.
            try await Self.moveAppointmentIntoThePast(id, dossierData)
            var again = try await approver.get("/can-bo/qua-han")
            for _ in 0..<50 where !again.body.contains(path) {
                try await Task.sleep(for: .milliseconds(200))
                again = try await approver.get("/can-bo/qua-han")
            }
            #expect(again.body.contains("href=\"\(path)/giay-to/04\">Phiếu xin lỗi và hẹn lại ngày trả kết quả</a>"))
        }
    }

    /// Stands in for the clock: sets the dossier's appointment an hour in the past in
    /// dossier-svc's database (WAL, so the running service sees it at its next scan).
    static func moveAppointmentIntoThePast(_ id: String, _ folder: URL) async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sqlite") }
        let file = try #require(files.first, "no database in \(folder.path): \(files)")
        let script = """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], timeout=10)
            changed = db.execute("UPDATE dossier SET appointment_at_ms = ? WHERE id = ?", (int(time.time() * 1000) - 3600000, sys.argv[2])).rowcount
            db.commit()
            print(changed)
            """
        let done = try await runToCompletion(URL(fileURLWithPath: "/usr/bin/env"),
                                             ["python3", "-c", script, folder.appendingPathComponent(file).path, id])
        #expect(done.exited && done.status == 0 && done.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(done)")
    }
}

/// How the console writes a time ("09:30, 15/12/2026", Hà Nội), to look for it in a page.
enum PortalFormatProbe {
    static func dateTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "vi_VN")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "HH:mm, dd/MM/yyyy"
        return formatter.string(from: date)
    }
}
