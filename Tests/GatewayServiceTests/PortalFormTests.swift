import DVCProto
import Foundation
@testable import GatewayDoor
@testable import GatewayWeb
import HTTPTypes
import Hummingbird
import NIOCore
import RPCCore
import Testing

/// The portal's form handling without a server: multipart bodies read as they stream (cut at
/// every possible place), their limits, the online form built from declared fields, and the
/// citizen's words for each refusal.
@Suite struct PortalFormTests {
    static let boundary = "----ranh-gioi-7MA4YWxk"

    static func body(_ parts: [(name: String, filename: String?, content: Data)], close: Bool = true) -> Data {
        var body = Data()
        for part in parts {
            body.append(Data("--\(boundary)\r\n".utf8))
            if let filename = part.filename {
                body.append(Data("Content-Disposition: form-data; name=\"\(part.name)\"; filename=\"\(filename)\"\r\nContent-Type: application/pdf\r\n\r\n".utf8))
            } else {
                body.append(Data("Content-Disposition: form-data; name=\"\(part.name)\"\r\n\r\n".utf8))
            }
            body.append(part.content)
            body.append(Data("\r\n".utf8))
        }
        if close { body.append(Data("--\(boundary)--\r\n".utf8)) }
        return body
    }

    /// A request whose body arrives in `chunks` pieces of the given size.
    static func request(_ body: Data, chunkSize: Int, contentType: String = "multipart/form-data; boundary=\(boundary)") -> Request {
        let chunks = stride(from: 0, to: body.count, by: chunkSize).map { ByteBuffer(bytes: body[$0..<min($0 + chunkSize, body.count)]) }
        let head = HTTPRequest(method: .post, scheme: "http", authority: "portal.test", path: "/nop-ho-so/x",
                               headerFields: [.contentType: contentType])
        let stream = AsyncStream<ByteBuffer> { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
        return Request(head: head, body: RequestBody(asyncSequence: stream))
    }

    static let pdf = Data("%PDF-1.4\r\n--\(boundary.dropLast(2))\r\n\r\n%%EOF".utf8)  // a near-boundary inside the file

    @Test("fields and files come out whole however the body is cut into chunks")
    func chunking() async throws {
        let body = Self.body([("ho_ten", nil, Data("Nguyễn Văn An".utf8)), ("tep_0", "giấy khai sinh.pdf", Self.pdf),
                              ("ho_ten", nil, Data("bản sau".utf8)), ("tep_1", "", Data())])
        for size in [1, 2, 3, 7, 64, 1000, body.count] {
            let form = try await MultipartForm.read(Self.request(body, chunkSize: size), limits: .dossier)
            #expect(form.fields == ["ho_ten": "Nguyễn Văn An"], "chunk \(size)")
            #expect(form.values("ho_ten") == ["Nguyễn Văn An", "bản sau"])
            #expect(form.files.count == 1, "an empty file input is no file")
            #expect(form.files.first?.filename == "giấy khai sinh.pdf" && form.files.first?.content == Self.pdf, "chunk \(size)")
        }
    }

    @Test("limits are refused as the bytes arrive, naming the input; malformed and cut bodies are refused")
    func refusals() async throws {
        let limits = MultipartForm.Limits(maxFileBytes: 100, maxTotalBytes: 150, maxFields: 3, maxFieldBytes: 20)
        func refusal(_ body: Data, contentType: String? = nil) async -> MultipartForm.Refusal? {
            do {
                let request = contentType.map { Self.request(body, chunkSize: 16, contentType: $0) } ?? Self.request(body, chunkSize: 16)
                _ = try await MultipartForm.read(request, limits: limits)
                return nil
            } catch {
                return error as? MultipartForm.Refusal
            }
        }
        let big = await refusal(Self.body([("tep_2", "a.pdf", Data(count: 101))]))
        #expect(big?.field == "tep_2" && big?.tooLarge == true && big?.rpcError.code == .invalidArgument)
        let total = await refusal(Self.body([("tep_0", "a.pdf", Data(count: 90)), ("tep_1", "b.pdf", Data(count: 90))]))
        #expect(total?.field == "tep_1" && total?.message.contains("cộng lại") == true)
        let longField = await refusal(Self.body([("ghi_chu", nil, Data(count: 21))]))
        #expect(longField?.field == "ghi_chu" && longField?.tooLarge == true)
        let many = await refusal(Self.body((0..<4).map { ("f\($0)", nil, Data("x".utf8)) }))
        #expect(many?.tooLarge == true)
        let cut = Self.body([("tep_0", "a.pdf", Data(count: 50))], close: false)
        #expect(await refusal(cut.prefix(cut.count - 10))?.message.contains("cắt ngang") == true)
        #expect(await refusal(Data())?.field == "body", "an empty body is not a form")
        #expect(await refusal(Data("--\(Self.boundary)\r\nbad header line\r\n\r\n".utf8))?.field == "body")
        #expect(await refusal(Self.body([("a", nil, Data("1".utf8))]), contentType: "application/x-www-form-urlencoded")?.field == "body")
        #expect(await refusal(Self.body([("a", nil, Data("1".utf8))]), contentType: "multipart/form-data")?.field == "body", "no boundary")
    }

    @Test func dispositionParameters() {
        #expect(MultipartForm.parameters(#"form-data; name="tep_0"; filename="a;b.pdf""#) == ["name": "tep_0", "filename": "a;b.pdf"])
        #expect(MultipartForm.parameters(#"form-data; name="x%22y"; filename=plain.pdf"#) == ["name": "x\"y", "filename": "plain.pdf"])
        #expect(SubmissionPages.attachmentName(#"C:\Users\an\giấy.pdf"#, fallback: "f") == "giấy.pdf")
        #expect(SubmissionPages.attachmentName("   ", fallback: "tep_0.pdf") == "tep_0.pdf")
        #expect(PortalDownload.disposition(filename: "giấy \"1\".pdf") == #"attachment; filename="gi_y _1_.pdf"; filename*=UTF-8''gi%E1%BA%A5y%20%221%22.pdf"#)
    }

    static func procedure() -> CatalogV1.Procedure {
        var procedure = CatalogV1.Procedure()
        procedure.code = "1.001193"
        var form = CatalogV1.FormTemplate()
        var name = CatalogV1.FormField()
        name.name = "ho_ten"; name.label = "Họ tên"; name.type = "text"; name.required = true
        var id = CatalogV1.FormField()
        id.name = "so_dinh_danh"; id.label = "Số định danh"; id.type = "citizen_id"; id.required = true
        var sex = CatalogV1.FormField()
        sex.name = "gioi_tinh"; sex.label = "Giới tính"; sex.type = "select"; sex.options = ["Nam", "Nữ"]
        form.fields = [name, id, sex, name]
        procedure.forms = [form]
        var document = CatalogV1.RequiredDocument()
        document.name = "Giấy chứng sinh"
        procedure.documents = [document]
        return procedure
    }

    @Test("the online form: one input per declared field (once), errors beside them, values kept and escaped")
    func onlineForm() {
        var form = OnlineForm(procedure: Self.procedure(), agencyCode: "000.01.20.H26")
        form.values = ["ho_ten": "<b>An</b>", "gioi_tinh": "Nữ"]
        form.errors = ["so_dinh_danh": "sai", "tep_0": "Tệp lớn hơn 10 MB."]
        let html = form.html(csrfInput: "<input type=\"hidden\" name=\"csrf_token\" value=\"t\">", idempotencyKey: "k")
        #expect(html.components(separatedBy: "name=\"ho_ten\"").count == 2, "a field declared twice is one input")
        #expect(html.contains("value=\"&lt;b&gt;An&lt;/b&gt;\"") && !html.contains("<b>An</b>"))
        #expect(html.contains("<option value=\"Nữ\" selected>Nữ</option>"))
        #expect(html.contains("aria-describedby=\"so_dinh_danh-error\" required><p class=\"error\" id=\"so_dinh_danh-error\" role=\"alert\">sai</p>"))
        #expect(html.contains("id=\"tep_0-error\"") && html.contains("action=\"/nop-ho-so/1.001193?co_quan=000.01.20.H26\""))
        #expect(!html.contains("pattern="), "the server's check is the one that counts")
    }

    @Test("refusals in the citizen's words, by the declared type of the field")
    func messages() {
        let procedure = Self.procedure()
        let fields = procedure.forms[0].fields
        #expect(PortalMessages.fieldProblem(fields[0], value: " ") == "Cần điền “Họ tên”.")
        #expect(PortalMessages.fieldProblem(fields[1], value: "123").contains("12 chữ số"))
        #expect(PortalMessages.fieldProblem(fields[2], value: "Khác") == "Hãy chọn “Giới tính” trong danh sách.")
        #expect(PortalMessages.attachmentProblem("the attachment is 10485761 bytes: each may be at most 10 MiB") == "Tệp lớn hơn 10 MB.")
        #expect(PortalMessages.attachmentProblem("the attachments add up to 60000000 bytes") == "Các tệp đính kèm cộng lại lớn hơn 50 MB.")
        let form = OnlineForm(procedure: procedure, agencyCode: "A", values: ["so_dinh_danh": "1"])
        let error = RPCError(.invalidArgument, "bad", violations: [
            FieldViolation(field: "form_data.so_dinh_danh", description: "x"),
            FieldViolation(field: "attachments[1].content", description: "not a PDF"),
            FieldViolation(field: "form_data.la", description: "unknown"),
        ])
        let errors = SubmissionPages.explain(error, form: form, inputOfAttachment: ["tep_0", "tep_3"])
        #expect(errors["so_dinh_danh"]?.contains("12 chữ số") == true)
        #expect(errors["tep_3"] == "Chỉ nhận tệp PDF, JPG hoặc PNG còn nguyên vẹn.")
        #expect(errors["form"]?.contains("“la”") == true)
        #expect(SubmissionPages.explain(RPCError(.permissionDenied, "no"), form: form, inputOfAttachment: [])["form"]
            == "Bạn không được thực hiện việc này với hồ sơ này.")
        #expect(PortalFormat.money(1_250_000) == "1.250.000 đồng" && PortalFormat.money(500) == "500 đồng")
        #expect(PortalFormat.size(3 * 1024 * 1024 + 400 * 1024) == "3,3 MB")
    }
}
