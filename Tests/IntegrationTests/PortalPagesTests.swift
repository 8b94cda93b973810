import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import RPCNIO
import TestKit
import Testing

/// The portal's public pages from the real gateway: search with Vietnamese folding, a
/// procedure's page with the level at each agency and what it lets a citizen do, and text a
/// visitor types shown as text, never run.
@Suite(.timeLimit(.minutes(2))) struct PortalPagesTests {
    static func page(_ url: String) async throws -> (Int, String, String) {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, http.value(forHTTPHeaderField: "Content-Type") ?? "", String(decoding: data, as: UTF8.self))
    }

    @Test("home, folded search, a procedure's page with its levels; typed text escaped; unknown procedure 404")
    func publicPages() async throws {
        try await withService("catalog-svc") { catalog in
            try await withService("gateway", extraArguments: ["--catalog", catalog.address.description, "--http", "127.0.0.1:0"]) { gateway in
                let root = try await PaymentFlowTests.httpAddress(gateway)
                let (homeStatus, homeType, home) = try await Self.page(root + "/")
                #expect(homeStatus == 200 && homeType.hasPrefix("text/html") && home.contains("<html lang=\"vi\">"))
                #expect(home.contains("name=\"viewport\"") && home.contains("action=\"/thu-tuc\""))

                let (status, _, results) = try await Self.page(root + "/thu-tuc?q=dang+ky+khai+sinh")
                #expect(status == 200)
                #expect(results.contains("<a href=\"/thu-tuc/1.001193\">Đăng ký khai sinh</a>"), "\(results)")
                // What the browser's form sends ("+" for spaces) is shown as the citizen typed it.
                #expect(results.contains("Kết quả cho “dang ky khai sinh”") && results.contains("value=\"dang ky khai sinh\""))

                let (procedureStatus, _, procedure) = try await Self.page(root + "/thu-tuc/1.001193")
                #expect(procedureStatus == 200)
                #expect(procedure.contains("<h1>Đăng ký khai sinh</h1>"))
                #expect(procedure.contains("mức độ 4 — toàn trình") && procedure.contains("thanh toán phí và nhận kết quả hoàn toàn trực tuyến"))
                #expect(procedure.contains("Trình tự thực hiện") && procedure.contains("Thành phần hồ sơ") && procedure.contains("Căn cứ pháp lý"))

                let typed = "<script>alert('x')</script>"
                let (_, _, echoed) = try await Self.page(root + "/thu-tuc?q=" + (typed.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
                #expect(!echoed.contains(typed) && echoed.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))

                // Filters: by agency alone (browsing), by field, by lowest level; the list of agencies.
                let (_, _, agencies) = try await Self.page(root + "/co-quan")
                #expect(agencies.contains("<a href=\"/thu-tuc?co_quan=000.00.07.H26\">Sở Tư pháp</a>"))
                let (byAgency, _, justice) = try await Self.page(root + "/thu-tuc?co_quan=000.00.07.H26")
                #expect(byAgency == 200 && justice.contains("Thủ tục của Sở Tư pháp") && justice.contains("/thu-tuc/HN-TP-001"))
                #expect(!justice.contains("/thu-tuc/1.001193"), "a ward's procedure listed under a department")
                #expect(justice.contains("<option value=\"000.00.07.H26\" selected>— Sở Tư pháp</option>") && justice.contains("<details class=\"filters\" open>"))
                let (_, _, levelFour) = try await Self.page(root + "/thu-tuc?q=khai+sinh&muc_do=4")
                let (_, _, anyLevel) = try await Self.page(root + "/thu-tuc?q=khai+sinh")
                #expect(levelFour.contains("/thu-tuc/1.001193") && anyLevel.contains("/thu-tuc/HN-HT-104"))
                #expect(!levelFour.contains("mức độ 3 — một phần</span>"), "a level filter let a lower level through")
                let (emptyStatus, _, empty) = try await Self.page(root + "/thu-tuc?q=")
                #expect(emptyStatus == 400 && empty.contains("Hãy nhập từ khóa"))

                let (missingStatus, _, missing) = try await Self.page(root + "/thu-tuc/KHONG-CO")
                #expect(missingStatus == 404 && missing.contains("Không tìm thấy thủ tục"))
            }
        }
    }

    /// A browser that does not follow redirects, so each answer can be looked at.
    final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
            completionHandler(nil)
        }
    }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    static func send(_ session: URLSession, _ method: String, _ url: String, form: [(String, String)]? = nil,
                     headers: [String: String] = [:]) async throws -> Answer {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        request.httpShouldHandleCookies = false
        if let form {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-_.*")
            request.httpBody = Data(form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
                .joined(separator: "&").utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
        return Answer(status: http.statusCode, headers: fields, body: String(decoding: data, as: UTF8.self))
    }

    @Test("registration with errors next to fields, sign-in with a fresh session, my dossiers, sign-out with CSRF, cross-site forms refused")
    func accountPages() async throws {
        try await withService("catalog-svc") { catalog in
            try await withService("dossier-svc", extraArguments: ["--catalog", catalog.address.description]) { dossier in
                try await withService("gateway", extraArguments: [
                    "--catalog", catalog.address.description, "--dossier", dossier.address.description, "--http", "127.0.0.1:0",
                ]) { gateway in
                    let root = try await PaymentFlowTests.httpAddress(gateway)
                    // Cookies are sent by hand, so that each request carries exactly the ones the test means.
                    let configuration = URLSessionConfiguration.ephemeral
                    configuration.httpShouldSetCookies = false
                    configuration.httpCookieAcceptPolicy = .never
                    configuration.httpCookieStorage = nil
                    let browser = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
                    let origin = ["Origin": root]

                    let blank = try await Self.send(browser, "GET", root + "/dang-ky")
                    #expect(blank.status == 200 && blank.body.contains("name=\"id\"") && blank.body.contains("name=\"password\""))
                    let wrong = try await Self.send(browser, "POST", root + "/dang-ky", form: [
                        ("id", "12345"), ("full_name", "<b>An</b>"), ("password", "ngan")], headers: origin)
                    #expect(wrong.status == 400)
                    #expect(wrong.body.contains("aria-invalid=\"true\" aria-describedby=\"id-error\""))
                    #expect(wrong.body.contains("Số định danh cá nhân phải gồm đúng 12 chữ số."))
                    #expect(wrong.body.contains("value=\"&lt;b&gt;An&lt;/b&gt;\"") && !wrong.body.contains("<b>An</b>"))
                    let crossSite = try await Self.send(browser, "POST", root + "/dang-ky", form: [
                        ("id", "001099012345"), ("full_name", "An"), ("password", "Hoa sen 2026!")], headers: ["Origin": "http://ke-gian.example"])
                    #expect(crossSite.status == 403)
                    let registered = try await Self.send(browser, "POST", root + "/dang-ky", form: [
                        ("id", "001099012345"), ("full_name", "Nguyễn Văn An"), ("password", "Hoa sen 2026!")], headers: origin)
                    #expect(registered.status == 303 && registered.headers["location"] == "/dang-nhap?da_dang_ky=1")

                    let badSignIn = try await Self.send(browser, "POST", root + "/dang-nhap",
                                                        form: [("id", "001099012345"), ("password", "sai")], headers: origin)
                    #expect(badSignIn.status == 401 && badSignIn.body.contains("không đúng"))
                    // A session id planted before sign-in is never the one signed in.
                    let planted = "dvc_session=do-ke-gian-cai-san"
                    let signedIn = try await Self.send(browser, "POST", root + "/dang-nhap", form: [
                        ("id", "001099012345"), ("password", "Hoa sen 2026!")], headers: origin.merging(["Cookie": planted]) { $1 })
                    #expect(signedIn.status == 303 && signedIn.headers["location"] == "/ho-so-cua-toi")
                    let cookie = try #require(signedIn.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
                    #expect(cookie != planted && cookie.hasPrefix("dvc_session="))

                    let mine = try await Self.send(browser, "GET", root + "/ho-so-cua-toi", headers: ["Cookie": cookie])
                    #expect(mine.status == 200 && mine.body.contains("Chưa có hồ sơ nào.") && mine.body.contains("001099012345"))
                    let noSession = try await Self.send(browser, "GET", root + "/ho-so-cua-toi", headers: ["Cookie": planted])
                    #expect(noSession.status == 303 && noSession.headers["location"] == "/dang-nhap", "\(noSession.status) \(noSession.headers)")

                    let csrf = try #require(mine.body.range(of: #"name="csrf_token" value="([^"]+)""#, options: .regularExpression)
                        .map { String(mine.body[$0]).components(separatedBy: "value=\"")[1].dropLast() }).description
                    let forged = try await Self.send(browser, "POST", root + "/dang-xuat", form: [("csrf_token", "gia-mao")],
                                                     headers: origin.merging(["Cookie": cookie]) { $1 })
                    #expect(forged.status == 403)
                    let out = try await Self.send(browser, "POST", root + "/dang-xuat", form: [("csrf_token", csrf)],
                                                  headers: origin.merging(["Cookie": cookie]) { $1 })
                    #expect(out.status == 303 && out.headers["set-cookie"]?.contains("Max-Age=0") == true)
                    let after = try await Self.send(browser, "GET", root + "/ho-so-cua-toi", headers: ["Cookie": cookie])
                    #expect(after.status == 303, "the session ended")

                    // Tracking by receipt code and PIN, without signing in.
                    let (receipt, pin) = try await withClient(catalog) { catalogClient in
                        try await withClient(dossier) { dossiers in
                            let export = try await catalogClient.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                                                       options: CallOptions(timeout: .seconds(10)))
                            let simple = Set(export.procedures.filter { $0.forms.allSatisfy { $0.fields.isEmpty } }.map(\.code))
                            let level = try #require(export.levels.first { $0.level == 3 && simple.contains($0.procedureCode) })
                            var submit = DossierV1.SubmitDossierRequest()
                            submit.agencyCode = level.agencyCode
                            submit.procedureCode = level.procedureCode
                            var upload = DossierV1.AttachmentUpload()
                            upload.name = "to-khai.pdf"
                            upload.content = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
                            submit.attachments = [upload]
                            var options = CallOptions(timeout: .seconds(10))
                            options.metadata["x-dvc-identity"] = "citizen:001099012345"
                            options.metadata["idempotency-key"] = "tra-cuu"
                            let submitted = try await dossiers.unary(DossierV1.DossierService.submitDossier, submit, options: options)
                            var receive = DossierV1.ActRequest()
                            receive.dossierId = try #require(submitted.dossier).id
                            receive.action = .receive
                            receive.expectedVersion = try #require(submitted.dossier).version
                            options.metadata["x-dvc-identity"] = "officer:tn01@\(level.agencyCode):receiver"
                            let received = try await dossiers.unary(DossierV1.DossierService.act, receive, options: options)
                            return (received.receiptCode, submitted.trackingPin)
                        }
                    }
                    let tracked = try await Self.send(browser, "GET", root + "/tra-cuu-ho-so?ma=\(receipt)&pin=\(pin)")
                    #expect(tracked.status == 200 && tracked.body.contains("Được tiếp nhận") && tracked.body.contains(receipt))
                    let wrongPIN = try await Self.send(browser, "GET", root + "/tra-cuu-ho-so?ma=\(receipt)&pin=00000000")
                    #expect(wrongPIN.status == 404 && wrongPIN.body.contains("Không có hồ sơ"))
                }
            }
        }
    }
}
