import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCNIO
import TestKit
import Testing

/// The citizen's side of the portal over plain HTTP from the real gateway: the online form built
/// from the declared fields (errors beside their fields, values kept and escaped), uploads as
/// multipart within the limits, the submission slip, the dossier's own page with its files and
/// history, withdrawal, the level-2 refusal with the forms to download, and the walls between
/// citizens (an id typed in the URL) and against forged forms.
@Suite(.timeLimit(.minutes(3))) struct CitizenPortalTests {
    typealias Answer = PortalPagesTests.Answer
    static let procedure = "1.001193"
    static let levelFour = "000.01.20.H26"
    static let levelTwo = "000.02.22.H26"
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    enum Part {
        case field(String, String)
        case file(String, filename: String, Data)
    }

    static func multipart(_ parts: [Part], boundary: String) -> Data {
        var body = Data()
        for part in parts {
            body.append(Data("--\(boundary)\r\n".utf8))
            switch part {
            case .field(let name, let value):
                body.append(Data("Content-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
            case .file(let name, let filename, let content):
                body.append(Data("Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: application/pdf\r\n\r\n".utf8))
                body.append(content)
                body.append(Data("\r\n".utf8))
            }
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return body
    }

    static func post(_ session: URLSession, _ url: String, body: Data, boundary: String, headers: [String: String]) async throws -> Answer {
        try await PortalPagesTests.send(session, "POST", url, body: body,
                                        headers: headers.merging(["Content-Type": "multipart/form-data; boundary=\(boundary)"]) { $1 })
    }

    /// A registered, signed-in citizen: their cookie and the CSRF token their pages carry.
    static func citizen(_ session: URLSession, _ root: String, id: String, name: String) async throws -> (cookie: String, csrf: String) {
        let origin = ["Origin": root]
        let registered = try await PortalPagesTests.send(session, "POST", root + "/dang-ky", form: [
            ("id", id), ("full_name", name), ("password", "Hoa sen 2026!")], headers: origin)
        #expect(registered.status == 303)
        let signedIn = try await PortalPagesTests.send(session, "POST", root + "/dang-nhap", form: [
            ("id", id), ("password", "Hoa sen 2026!")], headers: origin)
        let cookie = try #require(signedIn.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        let mine = try await PortalPagesTests.send(session, "GET", root + "/ho-so-cua-toi", headers: ["Cookie": cookie])
        return (cookie, try #require(value(of: "csrf_token", in: mine.body)))
    }

    /// The value of the first input named `name` in a page.
    static func value(of name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return html[range.upperBound...].prefix { $0 != "\"" }.description
    }

    /// Every field the birth registration form declares, filled as a citizen would.
    static let goodForm: [(String, String)] = [
        ("nguoi_yeu_cau_ho_ten", "Nguyễn Văn An"), ("nguoi_yeu_cau_so_dinh_danh", "001099012345"),
        ("nguoi_yeu_cau_noi_cu_tru", "12 Phúc Xá, Ba Đình"), ("quan_he_voi_nguoi_duoc_khai_sinh", "Cha"),
        ("ho_ten", "Nguyễn Minh Khôi"), ("ngay_sinh", "2026-11-01"), ("gioi_tinh", "Nam"), ("dan_toc", "Kinh"),
        ("quoc_tich", "Việt Nam"), ("noi_sinh", "Bệnh viện Phụ sản Hà Nội"), ("que_quan", "Hà Nội"),
    ]

    @Test("online form from the declared fields, errors beside them, limits, slip, the dossier page, withdrawal, walls between citizens")
    func onlineSubmission() async throws {
        try await withHTTPGateway { platform in
            let root = platform.root
            let session = cookielessBrowser()
            let formURL = root + "/nop-ho-so/\(Self.procedure)?co_quan=\(Self.levelFour)"

            // Not signed in: sent to sign in, and back here afterwards.
            let anonymous = try await PortalPagesTests.send(session, "GET", formURL)
            #expect(anonymous.status == 303 && anonymous.headers["location"]?.hasPrefix("/dang-nhap?tiep=%2Fnop-ho-so%2F1.001193") == true,
                    "\(anonymous.headers)")

            let an = try await Self.citizen(session, root, id: "001099012345", name: "Nguyễn Văn An")
            let binh = try await Self.citizen(session, root, id: "001099054321", name: "Trần Thị Bình")
            let asAn = ["Cookie": an.cookie, "Origin": root]

            // The form: every declared field, a file input per document, the tokens.
            let blank = try await PortalPagesTests.send(session, "GET", formURL, headers: ["Cookie": an.cookie])
            #expect(blank.status == 200)
            for (name, _) in Self.goodForm { #expect(blank.body.contains("name=\"\(name)\""), "no input \(name)") }
            #expect(blank.body.contains("<option value=\"Mẹ\">Mẹ</option>") && blank.body.contains("type=\"date\""))
            #expect(blank.body.contains("name=\"tep_0\" type=\"file\"") && blank.body.contains("enctype=\"multipart/form-data\""))
            let key = try #require(Self.value(of: "idempotency_key", in: blank.body))
            #expect(Self.value(of: "csrf_token", in: blank.body) == an.csrf)

            // Level 2 elsewhere: no form, the forms to download instead.
            let levelTwo = try await PortalPagesTests.send(session, "GET", root + "/nop-ho-so/\(Self.procedure)?co_quan=\(Self.levelTwo)",
                                                           headers: ["Cookie": an.cookie])
            #expect(levelTwo.status == 403 && levelTwo.body.contains("mức độ 2 — tải biểu mẫu") && !levelTwo.body.contains("type=\"file\""))
            let download = "/bieu-mau/\(Self.procedure)/to-khai-dang-ky-khai-sinh?co_quan=\(Self.levelTwo)"
            #expect(levelTwo.body.contains("href=\"\(download)\""), "\(levelTwo.body)")
            let template = try await PortalPagesTests.send(session, "GET", root + download)
            #expect(template.status == 200 && template.headers["content-type"] == "application/pdf" && template.body.hasPrefix("%PDF"))

            let boundary = "----ranh-gioi-\(UInt32.random(in: 0...UInt32.max))"
            func form(_ fields: [(String, String)], files: [Part], csrf: String? = an.csrf, key: String = key) -> Data {
                var parts: [Part] = fields.map { Part.field($0.0, $0.1) } + files
                if let csrf { parts.append(.field("csrf_token", csrf)) }
                parts.append(.field("idempotency_key", key))
                return Self.multipart(parts, boundary: boundary)
            }
            let attachment = Part.file("tep_1", filename: "giấy chứng sinh.pdf", Self.pdf)

            // Forged or missing token, another site: refused, nothing created.
            let noToken = try await Self.post(session, formURL, body: form(Self.goodForm, files: [attachment], csrf: nil),
                                              boundary: boundary, headers: asAn)
            #expect(noToken.status == 403)
            let crossSite = try await Self.post(session, formURL, body: form(Self.goodForm, files: [attachment]), boundary: boundary,
                                                headers: ["Cookie": an.cookie, "Origin": "http://ke-gian.example"])
            #expect(crossSite.status == 403)

            // Wrong values: each error beside its field, the values kept (escaped), nothing created.
            var wrong = Self.goodForm.filter { $0.0 != "nguoi_yeu_cau_so_dinh_danh" && $0.0 != "ho_ten" && $0.0 != "ngay_sinh" }
            wrong += [("nguoi_yeu_cau_so_dinh_danh", "123"), ("ho_ten", "<script>alert('x')</script>"), ("ngay_sinh", "2026-02-30")]
            let refused = try await Self.post(session, formURL, body: form(wrong, files: [attachment]), boundary: boundary, headers: asAn)
            #expect(refused.status == 422)
            #expect(refused.body.contains("aria-describedby=\"nguoi_yeu_cau_so_dinh_danh-error\""))
            #expect(refused.body.contains("id=\"nguoi_yeu_cau_so_dinh_danh-error\" role=\"alert\">“Số định danh cá nhân của người yêu cầu” phải là số định danh cá nhân hợp lệ gồm 12 chữ số."))
            #expect(refused.body.contains("id=\"ngay_sinh-error\""))
            #expect(!refused.body.contains("id=\"ho_ten-error\"") && !refused.body.contains("<script>alert"))
            #expect(refused.body.contains("value=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;\""))
            #expect(refused.body.contains("value=\"Kinh\""))

            // A file over 10 MiB: refused beside its input while it streams; a cut body: refused.
            let big = Part.file("tep_1", filename: "lon.pdf", Self.pdf + Data(count: 10 << 20))
            let oversize = try await Self.post(session, formURL, body: form(Self.goodForm, files: [big]), boundary: boundary, headers: asAn)
            #expect(oversize.status == 413 && oversize.body.contains("id=\"tep_1-error\"") && oversize.body.contains("lớn hơn 10 MB"))
            let whole = form(Self.goodForm, files: [attachment])
            let cut = try await Self.post(session, formURL, body: whole.prefix(whole.count - 300), boundary: boundary, headers: asAn)
            #expect(cut.status == 400 && cut.body.contains("bị cắt ngang"))
            let notPDF = Part.file("tep_1", filename: "virus.pdf", Data("\u{7F}ELF not a document".utf8))
            let spoofed = try await Self.post(session, formURL, body: form(Self.goodForm, files: [notPDF]), boundary: boundary, headers: asAn)
            #expect(spoofed.status == 422 && spoofed.body.contains("id=\"tep_1-error\"") && spoofed.body.contains("Chỉ nhận tệp PDF, JPG hoặc PNG"))

            let mineBefore = try await PortalPagesTests.send(session, "GET", root + "/ho-so-cua-toi", headers: ["Cookie": an.cookie])
            #expect(mineBefore.body.contains("Chưa có hồ sơ nào."), "a refused submission created a dossier")

            // Good values, a script in a free-text field: the slip, with the PIN shown once.
            var good = Self.goodForm.filter { $0.0 != "noi_sinh" }
            good.append(("noi_sinh", "<img src=x onerror=alert(1)>"))
            let slip = try await Self.post(session, formURL, body: form(good, files: [attachment]), boundary: boundary, headers: asAn)
            #expect(slip.status == 200 && slip.body.contains("Đã nộp hồ sơ"), "\(slip.status) \(slip.body)")
            let pin = try #require(slip.body.range(of: "id=\"tracking-pin\">").map { slip.body[$0.upperBound...].prefix(8) }).description
            #expect(pin.count == 8 && pin.allSatisfy(\.isNumber))
            let dossierID = try #require(slip.body.range(of: "href=\"/ho-so/").map { slip.body[$0.upperBound...].prefix { $0 != "\"" } }).description
            // The same form sent again (a double click, a reload): the same dossier.
            let again = try await Self.post(session, formURL, body: form(good, files: [attachment]), boundary: boundary, headers: asAn)
            #expect(again.body.contains("href=\"/ho-so/\(dossierID)\"") && again.body.contains(">\(pin)<"))

            let mine = try await PortalPagesTests.send(session, "GET", root + "/ho-so-cua-toi", headers: ["Cookie": an.cookie])
            #expect(mine.body.components(separatedBy: "href=\"/ho-so/\(dossierID)\"").count == 2, "one dossier listed once")

            // The dossier's page: state, the escaped text, the file, the history.
            let page = try await PortalPagesTests.send(session, "GET", root + "/ho-so/\(dossierID)", headers: ["Cookie": an.cookie])
            #expect(page.status == 200 && page.body.contains("Mới đăng ký") && page.body.contains("Đăng ký khai sinh"))
            #expect(page.body.contains("&lt;img src=x onerror=alert(1)&gt;") && !page.body.contains("<img src=x"))
            #expect(page.body.contains("giấy chứng sinh.pdf") && page.body.contains("Nộp hồ sơ"))
            #expect(page.body.contains("<th>Họ, chữ đệm, tên người được khai sinh</th><td>Nguyễn Minh Khôi</td>"), "the form's labels, not its field names")
            let fileLink = try #require(page.body.range(of: "href=\"/ho-so/\(dossierID)/tep/").map {
                page.body[$0.upperBound...].prefix { $0 != "\"" } }).description
            let file = try await PortalPagesTests.send(session, "GET", root + "/ho-so/\(dossierID)/tep/\(fileLink)", headers: ["Cookie": an.cookie])
            #expect(file.status == 200 && file.body == String(decoding: Self.pdf, as: UTF8.self))
            #expect(file.headers["content-disposition"]?.contains("filename*=UTF-8''gi%E1%BA%A5y%20ch%E1%BB%A9ng%20sinh.pdf") == true)

            // Another citizen changing the id in the URL sees nothing and changes nothing.
            let asBinh = ["Cookie": binh.cookie, "Origin": root]
            let peek = try await PortalPagesTests.send(session, "GET", root + "/ho-so/\(dossierID)", headers: ["Cookie": binh.cookie])
            #expect(peek.status == 404 && !peek.body.contains("Nguyễn"))
            let peekFile = try await PortalPagesTests.send(session, "GET", root + "/ho-so/\(dossierID)/tep/\(fileLink)", headers: ["Cookie": binh.cookie])
            #expect(peekFile.status == 404 && !peekFile.body.hasPrefix("%PDF"))
            let version = try #require(Self.value(of: "expected_version", in: page.body))
            let binhWithdraws = try await PortalPagesTests.send(session, "POST", root + "/ho-so/\(dossierID)/rut", form: [
                ("csrf_token", binh.csrf), ("expected_version", version), ("ly_do", "không phải của tôi")], headers: asBinh)
            #expect(binhWithdraws.status == 404)
            // A forged token from the owner's own browser: refused.
            let forged = try await PortalPagesTests.send(session, "POST", root + "/ho-so/\(dossierID)/rut", form: [
                ("csrf_token", binh.csrf), ("expected_version", version)], headers: asAn)
            #expect(forged.status == 403)
            let still = try await PortalPagesTests.send(session, "GET", root + "/ho-so/\(dossierID)", headers: ["Cookie": an.cookie])
            #expect(still.body.contains("Mới đăng ký") && !still.body.contains("Công dân yêu cầu rút hồ sơ"))

            // Tracking without signing in needs the receipt code, which comes at reception.
            let statistics = try await PortalPagesTests.send(session, "GET", root + "/thong-ke")
            #expect(statistics.status == 200 && statistics.body.contains("data-agency=\"\(Self.levelFour)\"") && statistics.body.contains("UBND Phường Phúc Xá"))

            // The owner withdraws; the page says so and offers nothing more.
            let withdrawn = try await PortalPagesTests.send(session, "POST", root + "/ho-so/\(dossierID)/rut", form: [
                ("csrf_token", an.csrf), ("expected_version", version), ("ly_do", "Nộp nhầm")], headers: asAn)
            #expect(withdrawn.status == 303 && withdrawn.headers["location"] == "/ho-so/\(dossierID)?da_rut=1")
            let after = try await PortalPagesTests.send(session, "GET", root + "/ho-so/\(dossierID)?da_rut=1", headers: ["Cookie": an.cookie])
            #expect(after.body.contains("Đã rút hồ sơ.") && after.body.contains("Công dân yêu cầu rút hồ sơ") && !after.body.contains("action=\"/ho-so/\(dossierID)/rut\""))

            // Signed out (the session revoked): the page asks to sign in again.
            let out = try await PortalPagesTests.send(session, "POST", root + "/dang-xuat", form: [("csrf_token", an.csrf)], headers: asAn)
            #expect(out.status == 303)
            let ended = try await PortalPagesTests.send(session, "GET", root + "/ho-so/\(dossierID)", headers: ["Cookie": an.cookie])
            #expect(ended.status == 303 && ended.headers["location"]?.hasPrefix("/dang-nhap?tiep=") == true)
        }
    }

    @Test("sessions end when idle and at their absolute limit (config), for pages and the JSON API alike")
    func sessionsExpire() async throws {
        try await withService("catalog-svc") { catalog in
            try await withService("dossier-svc", extraArguments: ["--catalog", catalog.address.description]) { dossier in
                let config = try NotifyTests.config(["session_idle_seconds": "2", "session_max_seconds": "4"])
                try await withService("gateway", extraArguments: [
                    "--catalog", catalog.address.description, "--dossier", dossier.address.description, "--http", "127.0.0.1:0",
                    "--config", config,
                ]) { gateway in
                    let root = try await PaymentFlowTests.httpAddress(gateway)
                    let session = cookielessBrowser()
                    let an = try await Self.citizen(session, root, id: "001099012345", name: "Nguyễn Văn An")
                    let signedIn = ContinuousClock.now
                    func mine() async throws -> Int {
                        try await PortalPagesTests.send(session, "GET", root + "/ho-so-cua-toi", headers: ["Cookie": an.cookie]).status
                    }
                    func api() async throws -> Int {
                        try await PortalPagesTests.send(session, "POST", root + "/api/v1/dvc.gateway.v1.DossierService/ListDossiers",
                                                        headers: ["Cookie": an.cookie, "X-CSRF-Token": an.csrf, "Content-Type": "application/json"]).status
                    }
                    let (page, call) = (try await mine(), try await api())
                    #expect(page == 200 && call == 200)
                    // Kept alive by use (never 2 s idle), the session still ends 4 s after sign-in.
                    while ContinuousClock.now - signedIn < .milliseconds(2500) {
                        try await Task.sleep(for: .milliseconds(500))
                        #expect(try await mine() == 200, "an active session ended early")
                    }
                    try await Task.sleep(until: signedIn + .milliseconds(4500))
                    let (pageAfter, callAfter) = (try await mine(), try await api())
                    #expect(pageAfter == 303 && callAfter == 401, "a session outlived session_max_seconds")

                    // Idle for longer than session_idle_seconds: ended.
                    let again = try await Self.citizen(session, root, id: "001099054321", name: "Trần Thị Bình")
                    #expect(try await PortalPagesTests.send(session, "GET", root + "/ho-so-cua-toi", headers: ["Cookie": again.cookie]).status == 200)
                    try await Task.sleep(for: .milliseconds(2600))
                    let idle = try await PortalPagesTests.send(session, "GET", root + "/ho-so-cua-toi", headers: ["Cookie": again.cookie])
                    #expect(idle.status == 303 && idle.headers["location"] == "/dang-nhap", "an idle session lived on")
                }
            }
        }
        // A bad value is refused at start, naming the key.
        let bad = try NotifyTests.config(["session_idle_seconds": "mot-phut"])
        let refused = try await runToCompletion(try Executables.url("gateway"), try Executables.minimalArguments("gateway") + ["--config", bad, "--data-dir", try makeTemporaryFolder("bad-config").path, "--listen", "127.0.0.1:0"])
        #expect(refused.exited && refused.status != 0 && refused.stderr.contains("session_idle_seconds"), "\(refused)")
    }
}
