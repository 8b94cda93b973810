import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import RPCNIO
import TestKit
import Testing

/// The portal's account pages from the real gateway with dossier-svc behind it: registration,
/// sign-in, my dossiers, sign-out, tracking. (The public pages, which need no service but the
/// catalog, are tested in-process: GatewayServiceTests' PortalPagesInProcessTests.)
@Suite(.timeLimit(.minutes(2))) struct PortalPagesTests {
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

    /// One request: an urlencoded `form`, or a raw `body` with the `Content-Type` in `headers`.
    static func send(_ session: URLSession, _ method: String, _ url: String, form: [(String, String)]? = nil,
                     body: Data? = nil, headers: [String: String] = [:]) async throws -> Answer {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        request.httpShouldHandleCookies = false
        request.httpBody = body
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
        try await withHTTPGateway { platform in
            let root = platform.root
            let catalog = platform.catalog
            let dossier = platform.dossier
            // Cookies are sent by hand, so that each request carries exactly the ones the test means.
            let browser = cookielessBrowser()
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
            let planted = "__Host-dvc_session=do-ke-gian-cai-san"
            let signedIn = try await Self.send(browser, "POST", root + "/dang-nhap", form: [
                ("id", "001099012345"), ("password", "Hoa sen 2026!")], headers: origin.merging(["Cookie": planted]) { $1 })
            #expect(signedIn.status == 303 && signedIn.headers["location"] == "/ho-so-cua-toi")
            let cookie = try #require(signedIn.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
            #expect(cookie != planted && cookie.hasPrefix("__Host-dvc_session="))

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
                    let simple = Set(export.procedures.filter(\.isSimpleToSubmit).map(\.code))
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
            // The PIN is posted from the portal's form, never sent in the URL.
            let tracked = try await Self.send(browser, "POST", root + "/tra-cuu-ho-so", form: [("ma", receipt), ("pin", pin)],
                                              headers: ["Origin": root])
            #expect(tracked.status == 200 && tracked.body.contains("Được tiếp nhận") && tracked.body.contains(receipt))
            let wrongPIN = try await Self.send(browser, "POST", root + "/tra-cuu-ho-so", form: [("ma", receipt), ("pin", "00000000")],
                                               headers: ["Origin": root])
            #expect(wrongPIN.status == 404 && wrongPIN.body.contains("Không có hồ sơ"))
        }
    }
}
