import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import TestKit
import Testing

/// The portal's side of the data tracker and of tracking, from the real gateway, dossier-svc
/// and catalog-svc over HTTP, without a browser: the citizen's "Ai đã xem hồ sơ của tôi" page
/// after an officer worked in the console, and the tracking form that posts its PIN.
@Suite(.timeLimit(.minutes(3))) struct DataTrackerPortalTests {
    typealias Console = OfficerConsoleTests
    static let password = "Hoa sen 2026!"
    static let otherCitizen = "079199000001"

    /// The citizen's submission over the JSON API: its id and tracking PIN.
    static func submit(_ root: String, token: String) async throws -> (id: String, pin: String) {
        let submission: [String: Any] = [
            "agencyCode": Console.agency, "procedureCode": Console.procedure, "channel": "CHANNEL_ONLINE",
            "formData": [
                "nguoi_yeu_cau_ho_ten": "Nguyễn Văn An", "nguoi_yeu_cau_so_dinh_danh": Console.citizen,
                "nguoi_yeu_cau_noi_cu_tru": "Phường Điện Biên, Quận Ba Đình", "quan_he": "Bản thân",
                "ho_ten_nguoi_duoc_cap": "Nguyễn Văn Bình", "noi_dang_ky": "UBND phường Điện Biên", "so_ban_sao": "2",
            ],
            "attachments": [["name": "tờ khai.pdf", "content": Console.pdf.base64EncodedString()]],
        ]
        let (status, answer) = try await Console.json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/SubmitDossier", submission,
                                                      headers: ["Authorization": "Bearer \(token)", "Idempotency-Key": "tracker-1"])
        #expect(status == 200, "\(answer)")
        return (try #require((answer["dossier"] as? [String: Any])?["id"] as? String), try #require(answer["trackingPin"] as? String))
    }

    /// A citizen signed in through the portal's own form; the browser keeps the cookie.
    static func citizenBrowser(_ root: String, _ id: String) async throws -> Console.Browser {
        var browser = Console.Browser(root: root)
        let answer = try await browser.post("/dang-nhap", [("id", id), ("password", password)])
        #expect(answer.status == 303, "\(answer.status) \(answer.body)")
        browser.cookie = try #require(answer.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        return browser
    }

    @Test("'Ai đã xem hồ sơ của tôi' lists the officer who opened the dossier in the console and downloaded its file, with agency and method; linked from the account and dossier pages; another citizen's page does not show it")
    func whoReadMyDossier() async throws {
        try await Console.withPlatform { root, data, _ in
            let officerPassword = try await Console.officer(data, agency: Console.agency, id: "tn.badinh", roles: "receiver")
            let token = try await Console.citizenToken(root)
            let (id, _) = try await Self.submit(root, token: token)
            _ = try await Console.json("POST", root + "/api/v1/citizens", ["id": Self.otherCitizen, "password": Self.password, "full_name": "Trần Thị Bích"])
            var citizen = try await Self.citizenBrowser(root, Console.citizen)

            // The citizen's own visits leave nothing.
            #expect(try await citizen.get("/ho-so/\(id)").status == 200)
            let before = try await citizen.get("/ai-da-xem-ho-so")
            #expect(before.status == 200 && before.body.contains("Chưa có cán bộ hay hệ thống nào"), "\(before.body)")

            var officer = Console.Browser(root: root)
            try await officer.signIn("tn.badinh", officerPassword)
            let page = try await officer.get("/can-bo/ho-so/\(id)")
            let fileLink = try #require(page.body.range(of: "/can-bo/ho-so/\(id)/tep/[^\"]+", options: .regularExpression)
                .map { String(page.body[$0]) })
            #expect(try await officer.get(fileLink).status == 200)

            let account = try await citizen.get("/ho-so-cua-toi")
            #expect(account.body.contains("href=\"/ai-da-xem-ho-so\""))
            #expect(try await citizen.get("/ho-so/\(id)").body.contains("href=\"/ai-da-xem-ho-so\""))
            let log = try await citizen.get("/ai-da-xem-ho-so")
            #expect(log.status == 200 && log.headers["cache-control"] == "no-store")
            #expect(log.body.contains("<h1>Ai đã xem hồ sơ của tôi</h1>"))
            #expect(log.body.contains("Cán bộ tn.badinh") && log.body.contains(Console.agency))
            #expect(log.body.contains("/dvc.gateway.v1.DossierService/GetDossier") && log.body.contains("Xem hồ sơ"))
            #expect(log.body.contains("/dvc.gateway.v1.DossierService/GetFile") && log.body.contains("Tệp: tờ khai.pdf"))
            #expect(log.body.contains("href=\"/ho-so/\(id)\""))

            // Another citizen: an empty page. Nobody signed in: sent to sign in.
            citizen = try await Self.citizenBrowser(root, Self.otherCitizen)
            let theirs = try await citizen.get("/ai-da-xem-ho-so")
            #expect(theirs.status == 200 && !theirs.body.contains("tn.badinh") && !theirs.body.contains(id))
            let anonymous = try await Console.Browser(root: root).get("/ai-da-xem-ho-so")
            #expect(anonymous.status == 303 && anonymous.location.hasPrefix("/dang-nhap"))
            // An officer's session is not a citizen's.
            #expect(try await officer.get("/ai-da-xem-ho-so").status == 303)
        }
    }

    @Test("the tracking form posts the PIN (from this site, with the session's token when signed in) and shows the status only; a PIN in the query string is never used")
    func trackingPostsThePIN() async throws {
        try await Console.withPlatform { root, data, _ in
            let officerPassword = try await Console.officer(data, agency: Console.agency, id: "tn.badinh", roles: "receiver")
            let token = try await Console.citizenToken(root)
            let (id, pin) = try await Self.submit(root, token: token)
            var officer = Console.Browser(root: root)
            try await officer.signIn("tn.badinh", officerPassword)
            let page = try await officer.get("/can-bo/ho-so/\(id)")
            let received = try await officer.post("/can-bo/ho-so/\(id)/xu-ly", [
                ("csrf_token", try Console.input("csrf_token", in: page.body)), ("action", "1"),
                ("expected_version", try Console.input("expected_version", in: page.body))])
            #expect(received.status == 303)
            let (_, dossier) = try await Console.json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/GetDossier", ["id": id],
                                                      headers: ["Authorization": "Bearer \(token)"])
            let receipt = try #require(dossier["receiptCode"] as? String)

            let visitor = Console.Browser(root: root)
            let form = try await visitor.get("/tra-cuu-ho-so?ma=\(receipt)&pin=\(pin)")
            #expect(form.status == 200 && form.body.contains("<form method=\"post\" action=\"/tra-cuu-ho-so\">"))
            #expect(!form.body.contains("method=\"get\" action=\"/tra-cuu-ho-so\""))
            // The code may come in a link; the PIN in the query is not used: no status shown.
            #expect(form.body.contains("value=\"\(receipt)\"") && !form.body.contains("Được tiếp nhận") && !form.body.contains(pin))

            let tracked = try await visitor.post("/tra-cuu-ho-so", [("ma", receipt), ("pin", pin)])
            #expect(tracked.status == 200 && tracked.body.contains("Được tiếp nhận") && tracked.body.contains("Cấp bản sao trích lục khai sinh"))
            for secret in [Console.citizen, "Nguyễn Văn An", "Phường Điện Biên", "tờ khai.pdf", pin] {
                #expect(!tracked.body.contains(secret), "the tracking page shows \(secret)")
            }
            let wrong = try await visitor.post("/tra-cuu-ho-so", [("ma", receipt), ("pin", "00000000")])
            #expect(wrong.status == 404 && wrong.body.contains("Không có hồ sơ với mã và mã tra cứu này."))
            // From another site: refused, nothing tried.
            var elsewhere = visitor
            elsewhere.origin = "http://ke-gian.example"
            #expect(try await elsewhere.post("/tra-cuu-ho-so", [("ma", receipt), ("pin", pin)]).status == 403)
            // Signed in, the form carries the session's token and a post without it is refused.
            let citizen = try await Self.citizenBrowser(root, Console.citizen)
            let signedInForm = try await citizen.get("/tra-cuu-ho-so")
            let csrf = try Console.input("csrf_token", in: signedInForm.body)
            #expect(try await citizen.post("/tra-cuu-ho-so", [("ma", receipt), ("pin", pin)]).status == 403)
            #expect(try await citizen.post("/tra-cuu-ho-so", [("csrf_token", csrf), ("ma", receipt), ("pin", pin)]).status == 200)
        }
    }
}
