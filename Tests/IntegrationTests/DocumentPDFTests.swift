import Crypto
import DossierService
import DVCProto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCCore
import RPCNIO
import TestKit
import Testing

/// The PDFs citizens and officers get, read the way a person reads them: page 1 drawn by
/// poppler and read back by Tesseract's Vietnamese model, so the words must have been drawn with
/// their tone marks, not merely be in the file. One platform (catalog-svc, dossier-svc, the
/// gateway with its HTTP side) for the whole suite:
/// - a form template downloaded through the gateway (made by Services/catalog-svc/Seed/make-forms.py);
/// - a receipt slip's PDF rendition (dossier-svc, WeasyPrint), signed under the page's code (its
///   QR code read off the page, the real openssl, the verification page): made on the first request, kept
///   after, the citizen's page linking it, and the refusals.
@Suite(.timeLimit(.minutes(4))) struct DocumentPDFTests {
    static let citizen = "001099012345"
    static let agency = CitizenPortalTests.levelFour
    static let birth = CitizenPortalTests.procedure

    @Test("form template and receipt slip PDFs: Vietnamese text readable, fonts embedded; the rendition made once, kept, linked, refused when it should be")
    func pdfs() async throws {
        try await withHTTPGateway { platform in
            try await withClient(platform.gateway) { gateway in
                try await formTemplate(gateway)
                try await receiptSlip(gateway, platform)
            }
        }
    }

    /// With DVC_KEEP_PDFS=<folder>, the PDFs read here are left there to be looked at.
    static func keep(_ pdf: Data, as name: String) {
        guard let folder = ProcessInfo.processInfo.environment["DVC_KEEP_PDFS"] else { return }
        try? pdf.write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
    }

    func formTemplate(_ gateway: RPCClient) async throws {
        let form = try await CatalogGatewayTests().download(gateway, agency: Self.agency, procedure: Self.birth,
                                                            form: "to-khai-dang-ky-khai-sinh")
        #expect(form.content.starts(with: Array("%PDF-".utf8)))
        Self.keep(form.content, as: "form-template.pdf")
        let fonts = try await PDFReading.fonts(form.content)
        #expect(!fonts.isEmpty && fonts.allSatisfy(\.embedded), "\(fonts)")
        #expect(fonts.contains { $0.name.hasSuffix("+DejaVu-Serif") }, "\(fonts)")
        let text = try await PDFReading.ocrFirstPage(form.content)
        for words in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "TỜ KHAI ĐĂNG KÝ KHAI SINH",
                      "Thông tư 04/2020/TT-BTP", "Họ, chữ đệm, tên người yêu cầu", "Quan hệ với người được khai sinh",
                      "NGƯỜI YÊU CẦU"] {
            #expect(text.contains(words), "the form template reads: \(text)")
        }
    }

    func receiptSlip(_ gateway: RPCClient, _ platform: HTTPGateway) async throws {
        let key = try await makeAPIKey(gatewayData: try #require(platform.gateway.dataDirectory), agency: Self.agency,
                                       scopes: "citizens,officers")
        let asCitizen = GatewayDossierTests.options(key, as: "citizen:\(Self.citizen)")
        let asOfficer = GatewayDossierTests.options(key, as: "officer:tn01:receiver")

        var submit = DossierV1.SubmitDossierRequest()
        submit.agencyCode = Self.agency
        submit.procedureCode = Self.birth
        submit.channel = .online
        submit.formData = Dictionary(uniqueKeysWithValues: CitizenPortalTests.goodForm)
        // One file for each paper the procedure has filed (the birth certificate ...).
        let procedure = try #require(try await CatalogGatewayTests().getProcedure(gateway, agency: Self.agency, procedure: Self.birth).procedure)
        submit.attachments = RequiredDocuments(procedure: procedure).filed.map { name in
            var upload = DossierV1.AttachmentUpload()
            upload.name = "giay-to.pdf"
            upload.content = GatewayDossierTests.pdf
            upload.requiredDocument = name
            return upload
        }
        let submitted = try await gateway.unary(GatewayV1.DossierService.submitDossier, submit,
                                                options: GatewayDossierTests.options(key, as: "citizen:\(Self.citizen)", idempotencyKey: "pdf-1"))
        let new = try #require(submitted.dossier)
        var act = DossierV1.ActRequest()
        act.dossierId = new.id
        act.action = .receive
        act.expectedVersion = new.version
        let dossier = try await gateway.unary(GatewayV1.DossierService.act, act, options: asOfficer)
        let receipt = try #require(dossier.documents.first { $0.form == "01" })

        // The first request makes the PDF; the second is the kept copy, byte for byte.
        var get = DossierV1.GetDocumentRenditionRequest()
        get.dossierId = dossier.id
        get.form = "01"
        let clock = ContinuousClock()
        var started = clock.now
        let first = try await gateway.unary(GatewayV1.DocumentService.getDocumentRendition, get, options: asCitizen)
        let firstTook = clock.now - started
        started = clock.now
        let second = try await gateway.unary(GatewayV1.DocumentService.getDocumentRendition, get, options: asCitizen)
        let secondTook = clock.now - started
        print("receipt slip PDF: first request (rendered) \(firstTook), second (kept) \(secondTook), \(first.content.count) bytes")
        #expect(first.renderedNow && !second.renderedNow)
        #expect(first.content.starts(with: Array("%PDF-".utf8)) && second.content == first.content)
        #expect(first.number == receipt.number && first.mediaType == "application/pdf" && first.createdAtUnixMs > 0)
        #expect(first.sha256Hex == SHA256.hash(data: first.content).map { String(format: "%02x", $0) }.joined())
        #expect(first.sourceSha256Hex == SHA256.hash(data: receipt.content).map { String(format: "%02x", $0) }.joined())
        // The officer gets the same kept copy, by its number.
        get.number = receipt.number
        let officers = try await gateway.unary(GatewayV1.DocumentService.getDocumentRendition, get, options: asOfficer)
        #expect(!officers.renderedNow && officers.content == first.content)

        // The JSON API: the same kept PDF, base64 in `content`; a bad media type names the field.
        var json = URLRequest(url: try #require(URL(string: platform.root + "/api/v1/dvc.gateway.v1.DocumentService/GetDocumentRendition")))
        json.httpMethod = "POST"
        json.setValue(key, forHTTPHeaderField: "Authorization")
        json.setValue("citizen:\(Self.citizen)", forHTTPHeaderField: "X-DVC-On-Behalf-Of")
        json.setValue("application/json", forHTTPHeaderField: "Content-Type")
        json.httpBody = try JSONSerialization.data(withJSONObject: ["dossierId": dossier.id, "form": "01"])
        let (answer, jsonResponse) = try await URLSession.shared.data(for: json)
        let object = try #require(try JSONSerialization.jsonObject(with: answer) as? [String: Any], "\(String(decoding: answer, as: UTF8.self))")
        #expect((jsonResponse as? HTTPURLResponse)?.statusCode == 200)
        #expect((object["content"] as? String).flatMap { Data(base64Encoded: $0) } == first.content)
        #expect(object["sha256Hex"] as? String == first.sha256Hex && object["mediaType"] as? String == "application/pdf")
        json.httpBody = try JSONSerialization.data(withJSONObject: ["dossierId": dossier.id, "form": "01", "mediaType": "text/plain"])
        let (problemData, problemResponse) = try await URLSession.shared.data(for: json)
        let problem = try #require(try JSONSerialization.jsonObject(with: problemData) as? [String: Any])
        #expect((problemResponse as? HTTPURLResponse)?.statusCode == 400)
        #expect((problem["invalid_params"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["mediaType"], "\(problem)")

        Self.keep(first.content, as: "receipt-slip.pdf")
        let fonts = try await PDFReading.fonts(first.content)
        #expect(!fonts.isEmpty && fonts.allSatisfy(\.embedded), "\(fonts)")
        let text = try await PDFReading.ocrFirstPage(first.content)
        for words in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập", "Nguyễn Minh Khôi", "Đăng ký khai sinh", dossier.receiptCode] {
            #expect(text.contains(words), "the receipt slip reads: \(text)")
        }

        // Signed under the page's verification code: the QR code printed on the PDF links to it,
        // the real openssl verifies the PDF with the .p7s and chain the verification page offers,
        // the page recognises the file, and one byte changed fails.
        let html = String(decoding: receipt.content, as: UTF8.self)
        let code = try #require(html.firstMatch(of: /\/xac-minh\/([0-9A-HJKMNP-TV-Z]{12})/)?.1).description
        #expect(try await PDFReading.qrCodesOnFirstPage(first.content).hasSuffix("/xac-minh/\(code)"))
        let folder = try makeTemporaryFolder("pdf-signature")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try await SignedDocumentsTests.openssl(platform.root, code: code, content: first.content, folder: folder,
                                                       name: "receipt.pdf", rendition: 1))
        #expect(try await SignedDocumentsTests.compare(platform.root, code, file: first.content).contains("Tài liệu khớp với bản đã ký"))
        var altered = first.content
        altered[altered.count / 2] ^= 0x01
        #expect(try await !SignedDocumentsTests.openssl(platform.root, code: code, content: altered, folder: folder,
                                                        name: "receipt-altered.pdf", rendition: 1))

        // Refusals, each naming what is wrong.
        get.number = ""
        var wrongType = get
        wrongType.mediaType = "image/png"
        let badType = await rpcError { try await gateway.unary(GatewayV1.DocumentService.getDocumentRendition, wrongType, options: asCitizen) }
        #expect(badType?.code == .invalidArgument && badType?.violations.map(\.field) == ["media_type"], "\(String(describing: badType))")
        var noForm = get
        noForm.form = ""
        let missingForm = await rpcError { try await gateway.unary(GatewayV1.DocumentService.getDocumentRendition, noForm, options: asCitizen) }
        #expect(missingForm?.code == .invalidArgument && missingForm?.violations.map(\.field) == ["form"])
        var unissued = get
        unissued.form = "03"
        #expect(await rpcError { try await gateway.unary(GatewayV1.DocumentService.getDocumentRendition, unissued, options: asCitizen) }?.code == .notFound)
        var wrongNumber = get
        wrongNumber.number = "01/2000/khong-co"
        let numbered = await rpcError { try await gateway.unary(GatewayV1.DocumentService.getDocumentRendition, wrongNumber, options: asCitizen) }
        #expect(numbered?.code == .notFound && numbered?.violations.map(\.field) == ["number"])
        // The control slip is the agency's record: not the citizen's, whose page never lists it.
        // On receipt the dossier has two documents: the receipt 01 and that slip.
        let control = try #require(dossier.documents.first { $0.form != "01" })
        var slip = get
        slip.form = control.form
        #expect(await rpcError { try await gateway.unary(GatewayV1.DocumentService.getDocumentRendition, slip, options: asCitizen) }?.code == .notFound)
        // Another citizen's dossier is not found, exactly as one that does not exist.
        let stranger = GatewayDossierTests.options(key, as: "citizen:001099054321")
        #expect(await rpcError { try await gateway.unary(GatewayV1.DocumentService.getDocumentRendition, get, options: stranger) }?.code == .notFound)

        // The citizen's dossier page links the PDF beside the document; the link downloads the kept PDF.
        let session = cookielessBrowser()
        let me = try await CitizenPortalTests.citizen(session, platform.root, id: Self.citizen, name: "Nguyễn Văn An")
        let page = try await PortalPagesTests.send(session, "GET", platform.root + "/ho-so/\(dossier.id)", headers: ["Cookie": me.cookie])
        let number = try #require(receipt.number.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))))
        let link = "/ho-so/\(dossier.id)/giay-to/01/pdf?so=\(number)"
        #expect(page.status == 200 && page.body.contains("href=\"\(link)\"") && page.body.contains(">Tải bản PDF</a>"), "\(page.body)")
        var download = URLRequest(url: try #require(URL(string: platform.root + link)))
        download.setValue(me.cookie, forHTTPHeaderField: "Cookie")
        let (bytes, response) = try await session.data(for: download)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 200 && http.value(forHTTPHeaderField: "Content-Type") == "application/pdf")
        #expect(http.value(forHTTPHeaderField: "Content-Disposition")?.hasPrefix("attachment; filename=\"01-01-") == true)
        #expect(bytes == first.content)
        let hidden = try await PortalPagesTests.send(session, "GET", platform.root + "/ho-so/\(dossier.id)/giay-to/\(control.form)/pdf",
                                                     headers: ["Cookie": me.cookie])
        #expect(hidden.status == 404)
    }
}
