import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestKit
import Testing

/// Citizens' satisfaction ratings through the real gateway, dossier-svc and catalog-svc
/// (docs/satisfaction.md): every refusal over the JSON API with its status and field; a rating
/// sent five times at once stored once; the aggregates per agency and month with the
/// satisfaction indicator of Decision 766/QĐ-TTg in the API and the agency's statistics; the
/// comments only to the agency's officers among five ratings or more; and no officer's or
/// agency key's call — summary, dossier, history, list, statistics — saying who rated what.
/// Then the portal's form: a refused choice named in Vietnamese, the thanks, the public page.
@Suite(.timeLimit(.minutes(4))) struct SatisfactionRatingTests {
    typealias Console = OfficerConsoleTests
    static let agency = Console.agency
    static let other = ConsoleWorkspaceTests.otherCitizen

    static func rating(_ root: String, _ method: String, _ body: [String: Any], auth: String? = nil) async throws -> (Int, [String: Any]) {
        try await Console.json("POST", root + "/api/v1/dvc.gateway.v1.RatingService/\(method)", body,
                               headers: auth.map { ["Authorization": $0] } ?? [:])
    }

    static func scores(_ values: [Int]) -> [String: Any] {
        ["publicity": values[0], "timeliness": values[1], "conduct": values[2], "fees": values[3], "result": values[4]]
    }

    /// The field a problem document names.
    static func field(_ problem: [String: Any]) -> String? {
        (problem["invalid_params"] as? [[String: Any]])?.first?["name"] as? String
    }

    static func localMonth() -> (year: Int, month: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        let parts = calendar.dateComponents([.year, .month], from: Date())
        return (parts.year!, parts.month!)
    }

    @Test("refusals with status and field, once under five concurrent sends, aggregates and the 766 indicator, comments to the agency only among five, no call of an officer or key tells who rated what, the portal's form")
    func ratings() async throws {
        // Many calls by one officer and one citizen within seconds: the per-person limits
        // (tested in GatewayAdmissionTests) are lifted here.
        try await Console.withPlatform(gatewaySettings: "rate_per_upload=0\nrate_per_person=0\n") { root, data, _ in
            let password = try await Console.officer(data, agency: Self.agency, id: "ld.badinh", roles: "receiver,processor,approver")
            let otherPassword = try await Console.officer(data, agency: Console.otherAgency, id: "ld.hoankiem", roles: "approver")
            let token = try await Console.citizenToken(root)
            let citizen = "Bearer \(token)"
            let otherCitizen = "Bearer \(try await ConsoleWorkspaceTests.token(root, id: Self.other, name: "Trần Thị Bình"))"
            var ids: [String] = []
            for index in 0..<7 {
                ids.append(try await ConsoleWorkspaceTests.submit(root, token: token, key: "hl-\(index)", name: "Nguyễn Văn An",
                                                                  identity: Console.citizen))
            }
            var officer = Console.Browser(root: root)
            try await officer.signIn("ld.badinh", password)
            for id in ids { try await ConsoleWorkspaceTests.act(officer, id, action: 1) }
            for id in ids.prefix(6) {
                try await ConsoleWorkspaceTests.act(officer, id, action: 3)
                try await ConsoleWorkspaceTests.act(officer, id, action: 8, fields: [("result_note", "Đã cấp bản sao")])
            }
            let open = ids[6]
            func officerToken(_ id: String, _ password: String) async throws -> String {
                let (status, body) = try await Console.json("POST", root + "/api/v1/sessions", ["officer_id": id, "password": password, "kind": "api"])
                #expect(status == 201, "\(body)")
                return "Bearer " + (try #require(body["token"] as? String))
            }
            let officerAPI = try await officerToken("ld.badinh", password)
            let outsiderAPI = try await officerToken("ld.hoankiem", otherPassword)
            let key = try await makeAPIKey(gatewayData: URL(fileURLWithPath: data), agency: Self.agency, scopes: "citizens")

            // Refusals, each with its status and field; nothing stored by any of them.
            let good = Self.scores([3, 3, 3, 3, 3])
            let (early, earlyBody) = try await Self.rating(root, "RateDossier", ["dossierId": open, "scores": good], auth: citizen)
            #expect(early == 422 && Self.field(earlyBody) == "dossierId", "\(earlyBody)")
            let (outOfRange, rangeBody) = try await Self.rating(root, "RateDossier", ["dossierId": ids[0], "scores": Self.scores([3, 3, 4, 3, 3])], auth: citizen)
            #expect(outOfRange == 400 && Self.field(rangeBody) == "scores.conduct", "\(rangeBody)")
            let (missing, missingBody) = try await Self.rating(root, "RateDossier", ["dossierId": ids[0], "scores": ["publicity": 2]], auth: citizen)
            #expect(missing == 400 && Self.field(missingBody) == "scores.timeliness", "\(missingBody)")
            let (long, longBody) = try await Self.rating(root, "RateDossier", ["dossierId": ids[0], "scores": good,
                                                                               "comment": String(repeating: "ý", count: 1001)], auth: citizen)
            #expect(long == 400 && Self.field(longBody) == "comment", "\(longBody)")
            #expect(try await Self.rating(root, "RateDossier", ["dossierId": ids[0], "scores": good], auth: otherCitizen).0 == 404)
            #expect(try await Self.rating(root, "RateDossier", ["dossierId": ids[0], "scores": good], auth: officerAPI).0 == 403)
            #expect(try await Self.rating(root, "RateDossier", ["dossierId": ids[0], "scores": good], auth: key).0 == 403,
                    "a key rated without acting for a citizen")
            #expect(try await Self.rating(root, "RateDossier", ["dossierId": ids[0], "scores": good]).0 == 401)
            // Nor through the agency's key acting for the owner: the rated agency never carries a rating.
            var viaKey = URLRequest(url: try #require(URL(string: root + "/api/v1/dvc.gateway.v1.RatingService/RateDossier")))
            viaKey.httpMethod = "POST"
            viaKey.httpBody = try JSONSerialization.data(withJSONObject: ["dossierId": ids[0], "scores": good])
            viaKey.setValue("application/json", forHTTPHeaderField: "Content-Type")
            viaKey.setValue(key, forHTTPHeaderField: "Authorization")
            viaKey.setValue("citizen:\(Console.citizen)", forHTTPHeaderField: "X-DVC-On-Behalf-Of")
            #expect((try await URLSession.shared.data(for: viaKey).1 as? HTTPURLResponse)?.statusCode == 403, "a key rated for a citizen")
            viaKey.url = try #require(URL(string: root + "/api/v1/dvc.gateway.v1.RatingService/GetRatingStatus"))
            viaKey.httpBody = try JSONSerialization.data(withJSONObject: ["dossierId": ids[0]])
            #expect((try await URLSession.shared.data(for: viaKey).1 as? HTTPURLResponse)?.statusCode == 403, "a key read a rating's status")
            let period = Self.localMonth()
            let ask: [String: Any] = ["agencyCode": Self.agency, "year": period.year, "month": period.month]
            #expect(try await Self.rating(root, "GetRatingSummary", ask).1["ratings"] == nil, "a refusal stored a rating")

            // Status for the owner; the rating sent five times at once is stored once.
            let (_, before) = try await Self.rating(root, "GetRatingStatus", ["dossierId": ids[0]], auth: citizen)
            #expect(before["rateable"] as? Bool == true && before["rated"] == nil, "\(before)")
            #expect(try await Self.rating(root, "GetRatingStatus", ["dossierId": open], auth: citizen).1["rateable"] == nil)
            #expect(try await Self.rating(root, "GetRatingStatus", ["dossierId": ids[0]], auth: otherCitizen).0 == 404)
            let first = ids[0]
            let concurrent = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        try await Self.rating(root, "RateDossier", ["dossierId": first, "scores": Self.scores([3, 2, 3, 3, 3]),
                                                                    "comment": "Cán bộ tận tình"], auth: citizen).0
                    }
                }
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                return statuses.sorted()
            }
            #expect(concurrent == [200, 409, 409, 409, 409], "\(concurrent)")
            let (_, after) = try await Self.rating(root, "GetRatingStatus", ["dossierId": ids[0]], auth: citizen)
            #expect(after["rated"] as? Bool == true && after["rateable"] == nil, "\(after)")

            // Three more ratings (one "không hài lòng"): four in the month, comments withheld.
            for (id, values, comment) in [(ids[1], [2, 2, 2, 2, 2], ""), (ids[2], [3, 1, 2, 3, 3], "Trả kết quả chậm"),
                                          (ids[3], [3, 3, 3, 3, 3], "")] {
                let (status, body) = try await Self.rating(root, "RateDossier", ["dossierId": id, "scores": Self.scores(values), "comment": comment],
                                                           auth: citizen)
                #expect(status == 200, "\(body)")
            }
            let (_, four) = try await Self.rating(root, "GetRatingSummary", ask, auth: officerAPI)
            #expect(four["ratings"] as? String == "4" && four["dissatisfiedRatings"] as? String == "1", "\(four)")
            // Fewer than five: no comment, no criterion's average (one person's scores could show).
            #expect(four["comments"] == nil && four["commentsWithheld"] as? Bool == true && four["averagesWithheld"] as? Bool == true)
            #expect((four["criteria"] as? [[String: Any]] ?? []).allSatisfy { $0["averageCenti"] == nil }, "\(four)")
            let indicator = try #require(four["indicator"] as? [String: Any])
            // Six approved, one rated "không hài lòng": 5/6.
            #expect(indicator["code"] as? String == "hai-long.giai-quyet-tthc" && indicator["numerator"] as? String == "5"
                    && indicator["denominator"] as? String == "6" && indicator["perMille"] as? Int == 833, "\(indicator)")

            // The fifth: the agency's officer and key read the comments, sorted; nobody else does.
            #expect(try await Self.rating(root, "RateDossier", ["dossierId": ids[4], "scores": Self.scores([3, 3, 3, 3, 3])], auth: citizen).0 == 200)
            let (_, five) = try await Self.rating(root, "GetRatingSummary", ask, auth: officerAPI)
            #expect(five["ratings"] as? String == "5" && five["comments"] as? [String] == ["Cán bộ tận tình", "Trả kết quả chậm"], "\(five)")
            // publicity (3+2+3+3+3)/5 = 2,80; timeliness (2+2+1+3+3)/5 = 2,20.
            let criteria = five["criteria"] as? [[String: Any]] ?? []
            #expect(five["averagesWithheld"] == nil && criteria.map { $0["averageCenti"] as? Int } == [280, 220, 260, 280, 280], "\(criteria)")
            #expect(try await Self.rating(root, "GetRatingSummary", ask, auth: key).1["comments"] as? [String] == ["Cán bộ tận tình", "Trả kết quả chậm"])
            let (publicStatus, publicSummary) = try await Self.rating(root, "GetRatingSummary", ask)
            #expect(publicStatus == 200 && publicSummary["ratings"] as? String == "5" && publicSummary["comments"] == nil, "\(publicSummary)")
            #expect(try await Self.rating(root, "GetRatingSummary", ask, auth: outsiderAPI).1["comments"] == nil)
            let (badPeriod, badBody) = try await Self.rating(root, "GetRatingSummary", ["agencyCode": Self.agency, "month": 3])
            #expect(badPeriod == 400 && Self.field(badBody) == "month", "\(badBody)")

            // The agency's statistics count them and compute the indicator the same way.
            let (_, figures) = try await Console.json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/GetAgencyStatistics", ask)
            #expect(figures["ratings"] as? String == "5" && figures["dissatisfiedRatings"] as? String == "1", "\(figures)")
            let satisfaction = try #require((figures["indicators"] as? [[String: Any]])?.first { $0["code"] as? String == "hai-long.giai-quyet-tthc" })
            #expect(satisfaction["perMille"] as? Int == 833 && satisfaction["computable"] as? Bool == true)

            // Anonymity: nothing an officer or the agency's key reads ties a rating to a dossier.
            let secrets = ["Cán bộ tận tình", "Trả kết quả chậm"]
            var summaries: [String] = []
            var answers: [String] = []
            for auth in [officerAPI, key] {
                summaries.append("\(try await Self.rating(root, "GetRatingSummary", ask, auth: auth).1)")
                for id in ids.prefix(5) {
                    answers.append("\(try await Console.json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/GetDossier", ["id": id], headers: ["Authorization": auth]).1)")
                    answers.append("\(try await Console.json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/GetHistory", ["dossierId": id], headers: ["Authorization": auth]).1)")
                }
                answers.append("\(try await Console.json("POST", root + "/api/v1/dvc.gateway.v1.DossierService/ListDossiers", ["agencyCode": Self.agency], headers: ["Authorization": auth]).1)")
            }
            for summary in summaries {
                #expect(!ids.contains { summary.contains($0) } && !summary.contains(Console.citizen), "the summary names a dossier or citizen")
            }
            // Every read answered (a refusal would pass trivially), none showing a comment.
            #expect(answers.filter { $0.contains(ids[0]) }.count >= 4, "the officer's and the key's reads were refused")
            for answer in answers {
                #expect(!secrets.contains { answer.contains($0) }, "a dossier's read shows its rating: \(answer.prefix(400))")
            }
            #expect(try await Self.rating(root, "GetRatingStatus", ["dossierId": ids[0]], auth: officerAPI).0 == 403,
                    "an officer asked whether a dossier was rated")
            // The officer's console page: the aggregates and the comments, no dossier or citizen.
            let console = try await officer.get("/can-bo/hai-long?nam=\(period.year)&thang=\(period.month)")
            #expect(console.status == 200 && console.body.contains("<td data-ratings>5</td>") && console.body.contains("<li>Trả kết quả chậm</li>"))
            #expect(console.body.contains("<td data-criterion=\"timeliness\">2,20</td>"), "\(console.body)")
            #expect(!ids.contains { console.body.contains($0) } && !console.body.contains(Console.citizen))

            // The portal's form: shown on a dossier with its result, a missing choice named in
            // Vietnamese with what was chosen kept, then the thanks; the public page counts it.
            var browser = try await DataTrackerPortalTests.citizenBrowser(root, Console.citizen)
            let page = try await browser.get("/ho-so/\(ids[5])")
            #expect(page.body.contains("<legend>Thời gian giải quyết</legend>") && page.body.contains("action=\"/ho-so/\(ids[5])/danh-gia\""))
            #expect(!(try await browser.get("/ho-so/\(open)")).body.contains("/danh-gia\""), "the form before the result")
            #expect((try await browser.get("/ho-so/\(ids[0])")).body.contains("Cảm ơn bạn đã đánh giá"))
            let csrf = try Console.input("csrf_token", in: page.body)
            let refused = try await browser.post("/ho-so/\(ids[5])/danh-gia", [("csrf_token", csrf), ("publicity", "3"), ("timeliness", "2"),
                                                                               ("conduct", "3"), ("result", "3"), ("gop_y", "Nhanh")])
            #expect(refused.status == 422 && refused.body.contains("Hãy chọn mức độ hài lòng cho tiêu chí &quot;Phí, lệ phí&quot;")
                    && refused.body.contains("aria-invalid=\"true\"") && refused.body.contains(">Nhanh</textarea>"), "\(refused.status) \(refused.body)")
            #expect(try await browser.post("/ho-so/\(ids[5])/danh-gia", [("publicity", "3"), ("timeliness", "2"), ("conduct", "3"),
                                                                        ("fees", "3"), ("result", "3")]).status == 403, "without the CSRF token")
            let done = try await browser.post("/ho-so/\(ids[5])/danh-gia", [("csrf_token", csrf), ("publicity", "3"), ("timeliness", "2"),
                                                                           ("conduct", "3"), ("fees", "3"), ("result", "3"), ("gop_y", "Nhanh")])
            #expect(done.status == 303 && done.location == "/ho-so/\(ids[5])?da_danh_gia=1", "\(done.status) \(done.body)")
            let thanked = try await browser.get(done.location)
            #expect(thanked.body.contains("Cảm ơn bạn đã đánh giá") && !thanked.body.contains("/danh-gia\""))
            browser.cookie = nil
            let publicPage = try await browser.get("/thong-ke/hai-long?nam=\(period.year)&thang=\(period.month)")
            #expect(publicPage.status == 200 && publicPage.body.contains("data-agency=\"\(Self.agency)\"")
                    && publicPage.body.contains("<td class=\"n\" data-ratings>6</td>") && !publicPage.body.contains("Nhanh"), "\(publicPage.body)")
        }
    }
}
