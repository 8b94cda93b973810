import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestKit
import Testing

/// The console as a day's workspace, through the real gateway, dossier-svc and catalog-svc:
/// the administrator adds an officer; the queue's tabs with their counts, search by name,
/// identity number and receipt code, the orders, 20 to a page; assignment from the list (who may,
/// to whom, a stale version); a processor's own dossiers first; dates as dd/MM/yyyy; the
/// statistics counting approved, refused and withdrawn apart, and the Decision 766 index on
/// its public page and through the API.
@Suite(.timeLimit(.minutes(4))) struct ConsoleWorkspaceTests {
    typealias Console = OfficerConsoleTests
    static let agency = Console.agency
    static let otherCitizen = "001099054321"

    /// A dossier of HN-HT-101 by `token`'s citizen, the applicant named `name`; returns its id.
    static func submit(_ root: String, token: String, key: String, name: String, identity: String) async throws -> String {
        let submission: [String: Any] = [
            "agencyCode": agency, "procedureCode": Console.procedure, "channel": "CHANNEL_ONLINE",
            "formData": [
                "nguoi_yeu_cau_ho_ten": name, "nguoi_yeu_cau_so_dinh_danh": identity,
                "nguoi_yeu_cau_noi_cu_tru": "Phường Điện Biên, Quận Ba Đình", "quan_he": "Bản thân",
                "ho_ten_nguoi_duoc_cap": name, "noi_dang_ky": "UBND phường Điện Biên", "so_ban_sao": "1",
                "ngay_dang_ky": "2019-03-07",
            ],
            "attachments": [["name": "to-khai.pdf", "content": Console.pdf.base64EncodedString()]],
        ]
        let (status, answer) = try await Console.json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/SubmitDossier", submission,
                                                      headers: ["Authorization": "Bearer \(token)", "Idempotency-Key": key])
        #expect(status == 200, "\(answer)")
        return try #require((answer["dossier"] as? [String: Any])?["id"] as? String)
    }

    static func token(_ root: String, id: String, name: String) async throws -> String {
        _ = try await Console.json("POST", root + "/api/v1/citizens", ["id": id, "password": "Hoa sen 2026!", "full_name": name])
        let (status, signedIn) = try await Console.json("POST", root + "/api/v1/sessions", ["id": id, "password": "Hoa sen 2026!"])
        #expect(status == 201)
        return try #require(signedIn["token"] as? String)
    }

    /// One step through the dossier's console form, as `officer`.
    static func act(_ officer: Console.Browser, _ id: String, action: Int, fields: [(String, String)] = []) async throws {
        let page = try await officer.get("/can-bo/ho-so/\(id)")
        let done = try await officer.post("/can-bo/ho-so/\(id)/xu-ly", [
            ("csrf_token", try Console.input("csrf_token", in: page.body)), ("action", "\(action)"),
            ("expected_version", try Console.input("expected_version", in: page.body, after: "id=\"a\(action)\""))] + fields)
        #expect(done.status == 303, "action \(action) on \(id): \(done.status) \(done.body)")
    }

    /// The dossier links of a queue page, in order.
    static func links(_ body: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "<tr data-id=\"([^\"]+)\">")
        return pattern.matches(in: body, range: NSRange(body.startIndex..., in: body)).compactMap {
            Range($0.range(at: 1), in: body).map { String(body[$0]) }
        }
    }

    @Test("the administrator adds an officer (bad input named, nothing made; only an admin may); tabs, search, orders, paging, assignment, a processor's own first, dd/MM/yyyy")
    func workspace() async throws {
        // Many submissions by a few citizens within seconds: the per-person upload allowance
        // (2/s, tested in GatewayAdmissionTests) is lifted here.
        try await Console.withPlatform(gatewaySettings: "rate_per_upload=0\n") { root, data, _ in
            let adminPassword = try await Console.officer(data, agency: Self.agency, id: "qt.badinh", roles: "admin")
            let receiverPassword = try await Console.officer(data, agency: Self.agency, id: "tn.badinh", roles: "receiver")
            let approverPassword = try await Console.officer(data, agency: Self.agency, id: "ld.badinh", roles: "approver")
            _ = try await Console.officer(data, agency: Console.otherAgency, id: "xl.hoankiem", roles: "processor")

            // The administrator adds a processor through the console.
            var admin = Console.Browser(root: root)
            try await admin.signIn("qt.badinh", adminPassword)
            let adminPage = try await admin.get("/can-bo/quan-tri")
            #expect(adminPage.body.contains("<h2>Thêm cán bộ</h2>") && adminPage.body.contains("action=\"/can-bo/quan-tri\""))
            let csrf = try Console.input("csrf_token", in: adminPage.body)
            let bad = try await admin.post("/can-bo/quan-tri", [("csrf_token", csrf), ("id", "Xu Ly"), ("full_name", "Phạm Xử Lý"),
                                                                ("vai_tro_processor", "1"), ("password", "ngan")])
            #expect(bad.status == 400 && bad.body.contains("Tên đăng nhập:") && bad.body.contains("Mật khẩu:"), "\(bad.body)")
            #expect(bad.body.contains("value=\"Phạm Xử Lý\"") && !bad.body.contains("value=\"ngan\""), "typed values kept, never the password")
            let added = try await admin.post("/can-bo/quan-tri", [("csrf_token", csrf), ("id", "xl.badinh"), ("full_name", "Phạm Xử Lý"),
                                                                  ("vai_tro_processor", "1"), ("password", "Mat khau xu ly 2026")])
            #expect(added.status == 303 && added.location.hasPrefix("/can-bo/quan-tri?them=xl.badinh"), "\(added.status) \(added.body)")
            #expect(try await admin.get("/can-bo/quan-tri").body.contains("Phạm Xử Lý (xl.badinh)"))
            let again = try await admin.post("/can-bo/quan-tri", [("csrf_token", csrf), ("id", "xl.badinh"), ("full_name", "Khác"),
                                                                  ("vai_tro_receiver", "1"), ("password", "Mat khau xu ly 2026")])
            #expect(again.status == 409 && again.body.contains("đã được dùng"))
            var processor = Console.Browser(root: root)
            try await processor.signIn("xl.badinh", "Mat khau xu ly 2026")
            // Without the CSRF token, or not an administrator: nothing is made.
            #expect(try await admin.post("/can-bo/quan-tri", [("id", "gia.mao"), ("full_name", "X"), ("vai_tro_admin", "1"),
                                                             ("password", "Mat khau xu ly 2026")]).status == 403)
            var receiver = Console.Browser(root: root)
            try await receiver.signIn("tn.badinh", receiverPassword)
            let notAdmin = try await receiver.post("/can-bo/quan-tri", [
                ("csrf_token", try Console.input("csrf_token", in: try await receiver.get("/can-bo").body)),
                ("id", "tu.them"), ("full_name", "Tự thêm"), ("vai_tro_admin", "1"), ("password", "Mat khau xu ly 2026")])
            #expect(notAdmin.status == 403)
            #expect(!(try await admin.get("/can-bo/quan-tri").body.contains("tu.them")))

            // 22 dossiers of one citizen, one of another.
            let token = try await Console.citizenToken(root)
            var ids: [String] = []
            for index in 0..<22 {
                ids.append(try await Self.submit(root, token: token, key: "ws-\(index)", name: index % 2 == 0 ? "Nguyễn Văn An" : "Lê Thị Hoa",
                                                 identity: Console.citizen))
            }
            let otherToken = try await Self.token(root, id: Self.otherCitizen, name: "Trần Thị Bình")
            let binh = try await Self.submit(root, token: otherToken, key: "ws-binh", name: "Trần Thị Bình", identity: Self.otherCitizen)
            for id in ids.prefix(3) { try await Self.act(receiver, id, action: 1) }

            // Tabs with the agency's counts; 20 to a page, the second page holding the rest.
            let first = try await receiver.get("/can-bo")
            #expect(first.status == 200)
            #expect(first.body.contains(">Tất cả (23)</a>") && first.body.contains("data-state=\"1\">Mới đăng ký (20)</a>")
                    && first.body.contains("data-state=\"2\">Được tiếp nhận (3)</a>"), "\(first.body)")
            // The console's navigation, not the citizens'.
            #expect(first.body.contains("aria-label=\"Bàn làm việc cán bộ\"") && !first.body.contains("href=\"/ho-so-cua-toi\""))
            let firstIDs = Self.links(first.body)
            #expect(firstIDs.count == 20)
            let next = try #require(first.body.range(of: "href=\"(/can-bo\\?[^\"]*trang=[^\"]+)\" rel=\"next\"", options: .regularExpression)
                .map { String(first.body[$0]).dropFirst(6).prefix { $0 != "\"" } }).replacingOccurrences(of: "&amp;", with: "&")
            let second = try await receiver.get(String(next))
            let secondIDs = Self.links(second.body)
            #expect(secondIDs.count == 3 && Set(firstIDs + secondIDs) == Set(ids + [binh]) && !second.body.contains("rel=\"next\""))
            // The received ones come first (appointment order), with their receipt codes and dates as dd/MM/yyyy.
            #expect(Set(firstIDs.prefix(3)) == Set(ids.prefix(3)))
            #expect(first.body.range(of: "<td>[0-9]{2}:[0-9]{2}, [0-9]{2}/[0-9]{2}/20[0-9]{2}", options: .regularExpression) != nil)
            #expect(first.body.contains("Nguyễn Văn An<br><small>\(Console.citizen)</small>") && first.body.contains("Chưa phân công"))
            let receivedTab = try await receiver.get("/can-bo?trang_thai=2")
            #expect(Set(Self.links(receivedTab.body)) == Set(ids.prefix(3)) && receivedTab.body.contains("aria-current=\"page\" data-state=\"2\""))

            // Search: by name words without marks, by identity number, by the receipt code's beginning.
            #expect(Self.links(try await receiver.get("/can-bo?q=tran+binh").body) == [binh])
            #expect(Self.links(try await receiver.get("/can-bo?q=\(Self.otherCitizen)").body) == [binh])
            #expect(Self.links(try await receiver.get("/can-bo?q=le+hoa").body).count == 11)
            let receipt = try #require(receivedTab.body.range(of: "000\\.00\\.20\\.H26-[0-9]{6}-", options: .regularExpression)
                .map { String(receivedTab.body[$0]) })
            #expect(Set(Self.links(try await receiver.get("/can-bo?q=\(receipt)").body)) == Set(ids.prefix(3)))
            let nothing = try await receiver.get("/can-bo?q=khong+co+ai")
            #expect(nothing.status == 200 && Self.links(nothing.body).isEmpty && nothing.body.contains("Không tìm thấy hồ sơ nào khớp"))
            // Orders: newest and oldest submitted first.
            #expect(Self.links(try await receiver.get("/can-bo?sap_xep=moi-nhat").body).first == binh)
            #expect(Self.links(try await receiver.get("/can-bo?sap_xep=cu-nhat").body).first == ids[0])
            // The dossier page writes the form's date as Vietnamese do.
            let page = try await receiver.get("/can-bo/ho-so/\(ids[0])")
            #expect(page.body.contains("<td>07/03/2019</td>") && !page.body.contains("2019-03-07"))

            // A receiver has no assignment form and may not post one.
            #expect(!first.body.contains("/giao\""))
            let version = try Console.input("expected_version", in: page.body)
            let byReceiver = try await receiver.post("/can-bo/ho-so/\(ids[0])/giao", [
                ("csrf_token", try Console.input("csrf_token", in: first.body)), ("assignee", "xl.badinh"), ("expected_version", version)])
            #expect(byReceiver.status == 403 && byReceiver.body.contains("Chỉ quản trị viên hoặc lãnh đạo"))

            // The approver assigns from the list; an unknown officer, another agency's, a stale version: refused.
            var approver = Console.Browser(root: root)
            try await approver.signIn("ld.badinh", approverPassword)
            let approverQueue = try await approver.get("/can-bo?trang_thai=2")
            #expect(approverQueue.body.contains("action=\"/can-bo/ho-so/\(ids[0])/giao\"") && approverQueue.body.contains("Phạm Xử Lý (xl.badinh; processor)"))
            let approverCSRF = try Console.input("csrf_token", in: approverQueue.body)
            let rowVersion = try Console.input("expected_version", in: approverQueue.body, after: "/can-bo/ho-so/\(ids[0])/giao")
            for (who, status) in [("khong.co", 404), ("xl.hoankiem", 404)] {
                let refused = try await approver.post("/can-bo/ho-so/\(ids[0])/giao", [
                    ("csrf_token", approverCSRF), ("assignee", who), ("expected_version", rowVersion), ("next", "/can-bo?trang_thai=2")])
                #expect(refused.status == status && refused.body.contains("assignee"), "\(who): \(refused.status) \(refused.body)")
            }
            let assigned = try await approver.post("/can-bo/ho-so/\(ids[0])/giao", [
                ("csrf_token", approverCSRF), ("assignee", "xl.badinh"), ("expected_version", rowVersion), ("next", "/can-bo?trang_thai=2")])
            #expect(assigned.status == 303 && assigned.location == "/can-bo?trang_thai=2&da_giao=1", "\(assigned.status) \(assigned.body)")
            let stale = try await approver.post("/can-bo/ho-so/\(ids[0])/giao", [
                ("csrf_token", approverCSRF), ("assignee", ""), ("expected_version", rowVersion)])
            #expect(stale.status == 409)
            let after = try await approver.get(assigned.location)
            #expect(after.body.contains("Đã phân công hồ sơ.") && after.body.contains("<td>xl.badinh</td>"))
            // Recorded in the history with who assigned.
            let history = try await approver.get("/can-bo/ho-so/\(ids[0])")
            #expect(history.body.contains("Phân công xử lý") && history.body.contains("Giao cho xl.badinh") && history.body.contains("officer:ld.badinh"))
            #expect(Self.links(try await approver.get("/can-bo?nguoi_xu_ly=xl.badinh").body) == [ids[0]])

            // The processor lands on their own dossiers first, then the agency's.
            let own = try await processor.get("/can-bo")
            let mine = try #require(own.body.range(of: "Hồ sơ được giao cho bạn"))
            let agencyWide = try #require(own.body.range(of: "Tất cả hồ sơ của cơ quan"))
            #expect(mine.upperBound < agencyWide.lowerBound)
            #expect(Self.links(String(own.body[mine.upperBound..<agencyWide.lowerBound])) == [ids[0]])
            #expect(Self.links(String(own.body[agencyWide.upperBound...])).count == 20)
            // The tab "Giao cho tôi" is the same list.
            #expect(Self.links(try await processor.get("/can-bo?nguoi_xu_ly=xl.badinh").body) == [ids[0]])
        }
    }

    @Test("statistics count approved, refused and withdrawn apart; the 766 index through the API and on the public page with its charts")
    func statisticsAndIndex() async throws {
        // Many submissions by a few citizens within seconds: the per-person upload allowance
        // (2/s, tested in GatewayAdmissionTests) is lifted here.
        try await Console.withPlatform(gatewaySettings: "rate_per_upload=0\n") { root, data, _ in
            let receiverPassword = try await Console.officer(data, agency: Self.agency, id: "tn.badinh", roles: "receiver")
            let processorPassword = try await Console.officer(data, agency: Self.agency, id: "xl.badinh", roles: "processor")
            let approverPassword = try await Console.officer(data, agency: Self.agency, id: "ld.badinh", roles: "approver")
            let token = try await Console.citizenToken(root)
            var ids: [String] = []
            for index in 0..<4 {
                ids.append(try await Self.submit(root, token: token, key: "st-\(index)", name: "Nguyễn Văn An", identity: Console.citizen))
            }
            var receiver = Console.Browser(root: root)
            try await receiver.signIn("tn.badinh", receiverPassword)
            var processor = Console.Browser(root: root)
            try await processor.signIn("xl.badinh", processorPassword)
            var approver = Console.Browser(root: root)
            try await approver.signIn("ld.badinh", approverPassword)
            for id in ids.prefix(3) { try await Self.act(receiver, id, action: 1) }
            for id in ids.prefix(2) { try await Self.act(processor, id, action: 3) }
            try await Self.act(approver, ids[0], action: 8, fields: [("result_note", "Đã cấp bản sao")])
            try await Self.act(approver, ids[1], action: 9, fields: [("note", "Không đủ điều kiện cấp")])
            // The citizen withdraws the third after reception.
            let version = try await Console.version(root, token: token, ids[2])
            let (withdrawn, answer) = try await Console.json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/Act", [
                "dossierId": ids[2], "action": "ACTION_WITHDRAW", "expectedVersion": version, "note": "Không cần nữa"],
                headers: ["Authorization": "Bearer \(token)"])
            #expect(withdrawn == 200, "\(answer)")

            // Anyone, through the API: the counts apart, and the indicators with their formulas.
            let year = Calendar(identifier: .gregorian).component(.year, from: Date())
            let (status, figures) = try await Console.json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/GetAgencyStatistics",
                                                           ["agencyCode": Self.agency, "year": year, "byMonth": true])
            #expect(status == 200, "\(figures)")
            #expect(figures["received"] as? String == "3" && figures["resolvedOnTime"] as? String == "1", "\(figures)")
            #expect(figures["resolvedLate"] == nil && figures["refused"] as? String == "1" && figures["withdrawn"] as? String == "1")
            #expect(figures["submitted"] as? String == "4" && figures["submittedOnline"] as? String == "4")
            #expect((figures["months"] as? [[String: Any]])?.count == 12)
            let indicators = figures["indicators"] as? [[String: Any]] ?? []
            let onTime = try #require(indicators.first { $0["code"] as? String == "tien-do.truoc-han-dung-han" })
            #expect(onTime["numerator"] as? String == "1" && onTime["denominator"] as? String == "1" && onTime["perMille"] as? Int == 1000)
            #expect((onTime["citation"] as? String)?.contains("766/QĐ-TTg") == true)
            let online = try #require(indicators.first { $0["code"] as? String == "truc-tuyen.ho-so-truc-tuyen" })
            #expect(online["numerator"] as? String == "4" && online["denominator"] as? String == "4")
            let satisfaction = try #require(indicators.first { $0["code"] as? String == "hai-long.giai-quyet-tthc" })
            // No rating in the period: one approved dossier, none rated "không hài lòng" (docs/satisfaction.md).
            #expect(satisfaction["computable"] as? Bool == true && satisfaction["numerator"] as? String == "1" && satisfaction["perMille"] as? Int == 1000)
            #expect((satisfaction["reason"] as? String)?.contains("Chưa có đánh giá") == true, "\(satisfaction)")
            // Bad periods are refused with the field named.
            let (badStatus, bad) = try await Console.json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/GetAgencyStatistics",
                                                          ["agencyCode": Self.agency, "year": year, "month": 13])
            #expect(badStatus == 400 && "\(bad)".contains("month"), "\(bad)")
            let (noYear, noYearAnswer) = try await Console.json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/GetAgencyStatistics",
                                                                ["agencyCode": Self.agency, "byMonth": true])
            #expect(noYear == 400 && "\(noYearAnswer)".contains("by_month"), "\(noYearAnswer)")

            // The officer's statistics page and the public pages.
            let console = try await receiver.get("/can-bo/thong-ke")
            #expect(console.body.contains("<tr><th>Từ chối giải quyết</th><td>1</td></tr>") && console.body.contains("<tr><th>Công dân rút hồ sơ</th><td>1</td></tr>"))
            #expect(console.body.contains("<tr><th>Có kết quả đúng hạn</th><td>1</td></tr>"))
            let page = try await Console.Browser(root: root).get("/chi-so-phuc-vu?nam=\(year)&co_quan=\(Self.agency)")
            #expect(page.status == 200)
            #expect(page.body.contains("role=\"img\" aria-labelledby=\"xu-huong-title xu-huong-desc\""))
            #expect(page.body.contains("<tr data-indicator=\"tien-do.truoc-han-dung-han\">") && page.body.contains("<strong>100,0%</strong>"))
            #expect(page.body.contains("Chưa tính được") && page.body.contains("Quyết định số 766/QĐ-TTg"))
            #expect(page.body.contains("data-agency=\"\(Self.agency)\""))
            let publicStatistics = try await Console.Browser(root: root).get("/thong-ke?nam=\(year)")
            #expect(publicStatistics.body.contains("<th>Từ chối giải quyết</th>") && publicStatistics.body.contains("href=\"/chi-so-phuc-vu?nam=\(year)\""))
        }
    }
}
