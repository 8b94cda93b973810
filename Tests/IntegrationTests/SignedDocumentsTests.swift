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

/// Signed documents and their public verification (docs/signatures.md), with catalog-svc,
/// dossier-svc (the demo CA in its data directory) and the gateway as real processes, and the
/// real `openssl cms -verify`, `rsvg-convert` and `zbarimg` as the outside world's tools: a receipt
/// slip and a PDF result verify with their .p7s and chain; one byte changed fails with openssl and
/// shows "KHÔNG khớp" on the page; the QR code decodes to the verification link; a re-rendered
/// control slip replaces its predecessor; rotation keeps old documents verifying; revocation
/// keeps what was signed before and invalidates what claims a later time; annulment shows; an
/// unknown code is a 404.
@Suite(.timeLimit(.minutes(3))) struct SignedDocumentsTests {
    static let publicURL = "https://dichvucong.example.gov.vn"

    @Test("documents and results are signed, verify with openssl and the public page, and follow replacement, rotation, revocation and annulment")
    func signedDocuments() async throws {
        try await withService("catalog-svc") { catalogProcess in
            let catalogAddress = catalogProcess.address.description
            try await withService("dossier-svc", extraArguments: ["--catalog", catalogAddress],
                                  environment: ["DVC_PUBLIC_URL": Self.publicURL + "/"]) { dossierProcess in
                try await withService("gateway", extraArguments: ["--catalog", catalogAddress, "--dossier", dossierProcess.address.description,
                                                                  "--http", "127.0.0.1:0"]) { gatewayProcess in
                    try await withClient(catalogProcess) { catalog in
                        try await withClient(dossierProcess) { dossiers in
                            try await withClient(gatewayProcess) { gateway in
                                let platform = GatewayDossierTests.Platform(
                                    catalog: catalog, dossiers: dossiers, gateway: gateway,
                                    gatewayData: try #require(gatewayProcess.dataDirectory))
                                try await check(platform, root: try await PaymentFlowTests.httpAddress(gatewayProcess),
                                                dossierData: try #require(dossierProcess.dataDirectory))
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("the verification page and its JSON are rate-limited per address, like the other public look-ups")
    func rateLimited() async throws {
        let config = try GatewayAdmissionTests.config(["rate_per_address": "1", "trusted_proxies": "127.0.0.1"])
        try await withHTTPGateway(gatewayArguments: ["--config", config]) { platform in
            let client = ["X-Forwarded-For": "203.0.113.9"]
            var statuses: [Int] = []
            for _ in 0..<10 {
                statuses.append(try await GatewayAdmissionTests.get(platform.root + "/xac-minh/ZZZZZZZZZZZZ", headers: client).status)
            }
            #expect(statuses.first == 404 && statuses.filter { $0 == 429 }.count >= 6, "\(statuses)")
            #expect(try await GatewayAdmissionTests.get(platform.root + "/api/v1/verify/ZZZZZZZZZZZZ", headers: client).status == 429)
            // Another client keeps its own allowance.
            let other = try await GatewayAdmissionTests.get(platform.root + "/xac-minh/ZZZZZZZZZZZZ", headers: ["X-Forwarded-For": "203.0.113.10"])
            #expect(other.status == 404)
        }
    }

    func check(_ platform: GatewayDossierTests.Platform, root: String, dossierData: URL) async throws {
        let calls = GatewayDossierTests()
        let folder = try makeTemporaryFolder("signed-documents")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (agency, procedure) = try await calls.offered(platform, level: 3)
        let key = try await platform.makeKey(agency: agency, scopes: "citizens,officers")
        let submitted = try await calls.submit(platform, key: key, agency: agency, procedure: procedure, idempotencyKey: "signed-1")
        var dossier = try #require(submitted.dossier)
        dossier = try await calls.act(platform, dossier, .receive, key: key, as: "officer:tn01:receiver")

        // The receipt slip carries its verification code, link and QR code, and is signed as issued.
        let receipt = try #require(dossier.documents.first { $0.form == "01" })
        let receiptCode = try Self.code(in: receipt.content)
        let page = String(decoding: receipt.content, as: UTF8.self)
        let link = "\(Self.publicURL)/xac-minh/\(receiptCode)"
        #expect(page.contains("<a href=\"\(link)\">\(link)</a>"), "the link is not printed on the slip")
        let record = try await Self.json(root, receiptCode)
        #expect(record["status"] as? String == "SIGNATURE_STATUS_VALID")
        #expect(record["receiptCode"] as? String == dossier.receiptCode && record["issuerAgencyCode"] as? String == agency)
        #expect((record["documentType"] as? String)?.hasPrefix("Mẫu số 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả") == true)
        #expect(record["signaturesChecked"] as? Bool == true)
        let renditions = try #require(record["renditions"] as? [[String: Any]])
        #expect(renditions.first?["sha256Hex"] as? String == Self.sha256(receipt.content))
        // No personal data in the record: not the applicant's identity number.
        #expect(!String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self).contains(GatewayDossierTests.citizen))

        // The real openssl verifies the slip with the downloaded .p7s and chain; one byte changed fails.
        #expect(try await Self.openssl(root, code: receiptCode, content: receipt.content, folder: folder, name: "receipt"))
        var altered = receipt.content
        altered[altered.startIndex + altered.count / 2] ^= 0x01
        #expect(try await !Self.openssl(root, code: receiptCode, content: altered, folder: folder, name: "receipt-altered"))

        // The page: issuer, type, status; an upload of the slip matches, the altered one does not.
        let (status, html) = try await Self.get("\(root)/xac-minh/\(receiptCode)")
        #expect(status == 200 && html.contains("Trạng thái: Hợp lệ") && html.contains(Self.sha256(receipt.content)))
        #expect(html.contains("chu-ky.p7s") && html.contains("chung-thu.pem"))
        #expect(try await Self.compare(root, receiptCode, file: receipt.content).contains("Tài liệu khớp với bản đã ký"))
        #expect(try await Self.compare(root, receiptCode, file: altered).contains("Tài liệu KHÔNG khớp – đã bị thay đổi"))
        #expect(try await Self.compare(root, receiptCode, sha256: Self.sha256(receipt.content)).contains("Tài liệu khớp với bản đã ký"))
        #expect(try await Self.compare(root, receiptCode, sha256: "abc").contains("Vui lòng chọn tệp cần đối chiếu"))

        // The QR code, drawn from the SVG and read by a real decoder, is the link.
        #expect(try await Self.decodeQR(page, folder: folder) == link)

        // The control slip (05 of the tests' 2018 set) re-rendered at the next step: a new code,
        // the old one replaced by it.
        let firstSlip = try Self.code(in: try #require(dossier.documents.first { $0.form == "05" }).content)
        dossier = try await calls.act(platform, dossier, .startProcessing, key: key, as: "officer:xl01:processor")
        let secondSlip = try Self.code(in: try #require(dossier.documents.first { $0.form == "05" }).content)
        #expect(secondSlip != firstSlip)
        let replaced = try await Self.json(root, firstSlip)
        #expect(replaced["status"] as? String == "SIGNATURE_STATUS_REPLACED" && replaced["replacedBy"] as? String == secondSlip)
        #expect(try await Self.get("\(root)/xac-minh/\(firstSlip)").1.contains("Đã được thay thế bởi văn bản mã \(secondSlip)"))

        // A second boundary between the receipt and the result, for the revocation below.
        try await Task.sleep(for: .milliseconds(1100))
        let pdf = GatewayDossierTests.pdf + Data("% kết quả đã ký\n".utf8)
        dossier = try await calls.act(platform, dossier, .approve, key: key, as: "officer:ld01:approver") {
            var result = DossierV1.AttachmentUpload()
            result.name = "ket-qua.pdf"
            result.content = pdf
            $0.resultDocument = result
        }
        // The result, as uploaded, verifies with openssl under its own code.
        let resultRecord = try #require(try await Self.signatures(platform, dossier, key: key).first { $0.documentType == "Kết quả giải quyết" })
        #expect(resultRecord.renditions.first?.mediaType == "application/pdf" && resultRecord.renditions.first?.sha256Hex == Self.sha256(pdf))
        #expect(try await Self.openssl(root, code: resultRecord.code, content: pdf, folder: folder, name: "result"))

        // Rotation: a new certificate signs the next documents; the old ones keep verifying with theirs.
        let oldSerial = try #require(resultRecord.certificate?.serialHex)
        let rotated = try await runToCompletion(try BuiltExecutables.url("dossier-svc"),
                                                ["signing", "rotate", "--data-dir", dossierData.path, "--agency", agency])
        #expect(rotated.exited && rotated.status == 0, "\(rotated)")
        dossier = try await calls.act(platform, dossier, .returnResult, key: key, as: "officer:tn01:receiver")
        let thirdSlip = try Self.code(in: try #require(dossier.documents.first { $0.form == "05" }).content)
        let newSerial = try #require(try await Self.signatures(platform, dossier, key: key).first { $0.code == thirdSlip }?.certificate?.serialHex)
        #expect(newSerial != oldSerial)
        #expect(try await Self.openssl(root, code: receiptCode, content: receipt.content, folder: folder, name: "receipt-after-rotation"))

        // Revocation of the old certificate from a time between the receipt and the result: the
        // receipt was signed before and stays valid; the result claims a later time and is not.
        let resultSecond = Date(timeIntervalSince1970: (Double(resultRecord.signedAtUnixMs) / 1000).rounded(.down))
        let revoke = { (arguments: [String]) in
            try await runToCompletion(try BuiltExecutables.url("dossier-svc"), ["signing", "revoke", "--data-dir", dossierData.path] + arguments)
        }
        let unknown = try await revoke(["--agency", agency, "--serial", "00", "--reason", "thử"])
        #expect(unknown.status != 0 && unknown.stderr.contains("no certificate with serial 00"), "\(unknown)")
        let noReason = try await revoke(["--agency", agency, "--serial", oldSerial, "--reason", " "])
        #expect(noReason.status != 0 && noReason.stderr.contains("--reason"), "\(noReason)")
        let revoked = try await revoke(["--agency", agency, "--serial", oldSerial, "--reason", "Lộ khóa bí mật",
                                        "--at", ISO8601DateFormatter().string(from: resultSecond)])
        #expect(revoked.exited && revoked.status == 0, "\(revoked)")
        let before = try await Self.json(root, receiptCode)
        #expect(before["status"] as? String == "SIGNATURE_STATUS_VALID" && before["signedBeforeRevocation"] as? Bool == true)
        #expect(try await Self.get("\(root)/xac-minh/\(receiptCode)").1.contains("ký trước thời điểm thu hồi"))
        #expect(try await Self.json(root, resultRecord.code)["status"] as? String == "SIGNATURE_STATUS_CERTIFICATE_REVOKED")
        #expect(try await Self.get("\(root)/xac-minh/\(resultRecord.code)").1.contains("Không hợp lệ"))
        #expect(try await Self.json(root, thirdSlip)["status"] as? String == "SIGNATURE_STATUS_VALID")

        // Annulment: an approver of the issuing agency, with a reason; not a receiver; not without one.
        func annul(_ code: String, reason: String, as person: String) async throws -> DossierV1.Verification {
            var request = DossierV1.AnnulDocumentRequest()
            request.code = code
            request.reason = reason
            return try await platform.gateway.unary(GatewayV1.VerificationService.annulDocument, request,
                                                    options: GatewayDossierTests.options(key, as: person))
        }
        let byReceiver = await rpcError { try await annul(receiptCode, reason: "Cấp nhầm", as: "officer:tn01:receiver") }
        #expect(byReceiver?.code == .permissionDenied)
        let noWhy = await rpcError { try await annul(receiptCode, reason: "  ", as: "officer:ld01:approver") }
        #expect(noWhy?.code == .invalidArgument && noWhy?.violations.first?.field == "reason")
        let annulled = try await annul(receiptCode, reason: "Cấp nhầm hồ sơ", as: "officer:ld01:approver")
        #expect(annulled.status == .annulled && annulled.annulReason == "Cấp nhầm hồ sơ")
        let again = await rpcError { try await annul(receiptCode, reason: "Lần nữa", as: "officer:ld01:approver") }
        #expect(again?.code == .failedPrecondition)
        let annulledPage = try await Self.get("\(root)/xac-minh/\(receiptCode)").1
        #expect(annulledPage.contains("Đã bị thu hồi") && annulledPage.contains("Cấp nhầm hồ sơ"))

        // The console: the dossier's signed documents with their codes; only an approver gets the
        // annulment form, which needs a reason and the session's CSRF token.
        let gatewayData = platform.gatewayData.path
        let receiverPassword = try await OfficerConsoleTests.officer(gatewayData, agency: agency, id: "tn.kyso", roles: "receiver")
        let approverPassword = try await OfficerConsoleTests.officer(gatewayData, agency: agency, id: "ld.kyso", roles: "approver")
        var receiverBrowser = OfficerConsoleTests.Browser(root: root)
        try await receiverBrowser.signIn("tn.kyso", receiverPassword)
        let receiverView = try await receiverBrowser.get("/can-bo/ho-so/\(dossier.id)")
        #expect(receiverView.body.contains("Văn bản đã ký số") && receiverView.body.contains("/xac-minh/\(thirdSlip)"))
        #expect(!receiverView.body.contains("Thu hồi văn bản"))
        var approverBrowser = OfficerConsoleTests.Browser(root: root)
        try await approverBrowser.signIn("ld.kyso", approverPassword)
        let approverView = try await approverBrowser.get("/can-bo/ho-so/\(dossier.id)")
        #expect(approverView.body.contains("Thu hồi văn bản") && approverView.body.contains("<label for=\"ly-do-\(thirdSlip)\">"))
        let csrf = try OfficerConsoleTests.input("csrf_token", in: approverView.body)
        let annulPath = "/can-bo/ho-so/\(dossier.id)/thu-hoi-van-ban"
        let withoutReason = try await approverBrowser.post(annulPath, [("csrf_token", csrf), ("code", thirdSlip), ("reason", " ")])
        #expect(withoutReason.status == 400 && withoutReason.body.contains("Vui lòng nêu lý do thu hồi."), "\(withoutReason.status)")
        let forged = try await approverBrowser.post(annulPath, [("csrf_token", "gia-mao"), ("code", thirdSlip), ("reason", "Phiếu in sai")])
        #expect(forged.status != 303)
        #expect(try await Self.json(root, thirdSlip)["status"] as? String == "SIGNATURE_STATUS_VALID")
        let byConsole = try await approverBrowser.post(annulPath, [("csrf_token", csrf), ("code", thirdSlip), ("reason", "Phiếu in sai")])
        #expect(byConsole.status == 303 && byConsole.location == "/can-bo/ho-so/\(dossier.id)?da_thu_hoi=1", "\(byConsole.status)")
        let annulledSlip = try await Self.json(root, thirdSlip)
        #expect(annulledSlip["status"] as? String == "SIGNATURE_STATUS_ANNULLED" && annulledSlip["annulReason"] as? String == "Phiếu in sai")

        // Unknown and malformed codes: a clear 404, on the page and in the API.
        for code in ["ZZZZZZZZZZZZ", "abc", "%3Cscript%3E"] {
            let (status, body) = try await Self.get("\(root)/xac-minh/\(code)")
            #expect(status == 404 && body.contains("Không tìm thấy văn bản"), "\(code): \(status)")
            #expect(try await Self.get("\(root)/api/v1/verify/\(code)").0 >= 400)
        }
    }

    // MARK: Helpers

    /// The verification code printed on a document ("Mã xác minh: <b>CODE</b>").
    static func code(in content: Data) throws -> String {
        let page = String(decoding: content, as: UTF8.self)
        guard let start = page.range(of: "Mã xác minh: <b>"), let end = page.range(of: "</b>", range: start.upperBound..<page.endIndex) else {
            throw TestFailure(description: "no verification code on the document")
        }
        return String(page[start.upperBound..<end.lowerBound])
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func get(_ url: String) async throws -> (Int, String) {
        let (body, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: body, as: UTF8.self))
    }

    static func download(_ url: String) async throws -> Data {
        let (body, response) = try await URLSession.shared.data(from: URL(string: url)!)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw TestFailure(description: "GET \(url): \(response)") }
        return body
    }

    static func json(_ root: String, _ code: String) async throws -> [String: Any] {
        let body = try await download("\(root)/api/v1/verify/\(code)")
        return try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
    }

    static func signatures(_ platform: GatewayDossierTests.Platform, _ dossier: DossierV1.Dossier, key: String) async throws -> [DossierV1.Verification] {
        var request = DossierV1.ListSignaturesRequest()
        request.dossierId = dossier.id
        return try await platform.gateway.unary(GatewayV1.VerificationService.listSignatures, request,
                                                options: GatewayDossierTests.options(key, as: "officer:tn01:receiver")).signatures
    }

    /// `openssl cms -verify` of `content` with the .p7s and the chain the page offers;
    /// `rendition` picks which signed rendition's .p7s (0 the page or file itself, 1 its PDF).
    static func openssl(_ root: String, code: String, content: Data, folder: URL, name: String, rendition: Int = 0) async throws -> Bool {
        let document = folder.appendingPathComponent(name)
        let signature = folder.appendingPathComponent("\(name).p7s")
        let chain = folder.appendingPathComponent("\(name)-chain.pem")
        try content.write(to: document)
        try await download("\(root)/xac-minh/\(code)/chu-ky.p7s" + (rendition == 0 ? "" : "?ban=\(rendition)")).write(to: signature)
        try await download("\(root)/xac-minh/\(code)/chung-thu.pem").write(to: chain)
        let finished = try await runToCompletion(URL(fileURLWithPath: "/usr/bin/openssl"), [
            "cms", "-verify", "-binary", "-inform", "DER", "-in", signature.path, "-content", document.path,
            "-CAfile", chain.path, "-purpose", "any", "-out", "/dev/null",
        ])
        return finished.exited && finished.status == 0 && finished.stderr.contains("Verification successful")
    }

    /// Posts a file (multipart) or a pasted SHA-256 to the page's comparison form.
    static func compare(_ root: String, _ code: String, file: Data? = nil, sha256: String? = nil) async throws -> String {
        let boundary = "----dvc-signing-test"
        var body = Data()
        if let file {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"tai-lieu.html\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            body += file + Data("\r\n".utf8)
        }
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"sha256\"\r\n\r\n\(sha256 ?? "")\r\n--\(boundary)--\r\n".utf8)
        var request = URLRequest(url: URL(string: "\(root)/xac-minh/\(code)")!)
        request.httpMethod = "POST"
        request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let (answer, _) = try await URLSession.shared.data(for: request)
        return String(decoding: answer, as: UTF8.self)
    }

    /// The document's QR code: its SVG drawn to a PNG by rsvg-convert, read by zbarimg.
    static func decodeQR(_ page: String, folder: URL) async throws -> String {
        guard let start = page.range(of: "<svg"), let end = page.range(of: "</svg>", range: start.upperBound..<page.endIndex) else {
            throw TestFailure(description: "no SVG on the document")
        }
        let svg = folder.appendingPathComponent("qr.svg")
        let png = folder.appendingPathComponent("qr.png")
        try String(page[start.lowerBound..<end.upperBound]).write(to: svg, atomically: true, encoding: .utf8)
        let drawn = try await runToCompletion(URL(fileURLWithPath: "/usr/bin/rsvg-convert"),
                                              ["-w", "400", "-h", "400", "-b", "white", "-o", png.path, svg.path])
        guard drawn.exited, drawn.status == 0 else { throw TestFailure(description: "rsvg-convert: \(drawn)") }
        let read = try await runToCompletion(URL(fileURLWithPath: "/usr/bin/zbarimg"), ["--raw", "-q", png.path])
        guard read.exited, read.status == 0 else { throw TestFailure(description: "zbarimg: \(read)") }
        return read.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
