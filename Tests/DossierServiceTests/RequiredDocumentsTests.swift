import DVCProto
import RPCCore
import Testing

@testable import DossierService

/// Which required documents a dossier must carry as files, read from the catalog's wording
/// (the seed's real entries), and the check of a submission's papers against them.
@Suite struct RequiredDocumentsTests {
    static func document(_ name: String, form: String = "") -> CatalogV1.RequiredDocument {
        var document = CatalogV1.RequiredDocument()
        document.name = name
        document.formId = form
        document.count = 1
        return document
    }

    /// Birth registration (1.001193) as the seed lists it, with its online form.
    static var birth: CatalogV1.Procedure {
        var procedure = CatalogV1.Procedure()
        procedure.documents = [
            document("Tờ khai đăng ký khai sinh theo mẫu", form: "to-khai-dang-ky-khai-sinh"),
            document("Giấy chứng sinh; nếu không có thì văn bản của người làm chứng xác nhận về việc sinh, hoặc giấy cam đoan về việc sinh"),
            document("Văn bản xác nhận của cơ sở y tế đã thực hiện kỹ thuật hỗ trợ sinh sản (trường hợp sinh con bằng mang thai hộ)"),
            document("Giấy tờ tùy thân của người đi đăng ký (hộ chiếu, thẻ căn cước hoặc giấy tờ có ảnh do cơ quan có thẩm quyền cấp) — xuất trình"),
            document("Giấy chứng nhận kết hôn của cha mẹ (xuất trình, nếu cha mẹ đã đăng ký kết hôn)"),
        ]
        var form = CatalogV1.FormTemplate()
        var field = CatalogV1.FormField()
        field.name = "ho_ten"
        form.fields = [field]
        procedure.forms = [form]
        return procedure
    }

    @Test func theKindOfEachDocumentComesFromItsWording() {
        let kinds = Self.birth.documents.map { RequiredDocuments.kind(of: $0, hasFormFields: true) }
        #expect(kinds == [.applicationForm, .filed, .conditional, .presented, .presented])
        // Without an online form, the application is a paper to file like any other.
        #expect(RequiredDocuments.kind(of: Self.birth.documents[0], hasFormFields: false) == .filed)
        #expect(RequiredDocuments.kind(of: Self.document("Giấy tờ chứng minh việc đã ly hôn (nếu đã từng kết hôn)"),
                                       hasFormFields: true) == .conditional)
        #expect(RequiredDocuments.kind(of: Self.document("Văn bản ủy quyền (khi ủy quyền yêu cầu cấp Phiếu số 1)"),
                                       hasFormFields: true) == .conditional)
        #expect(RequiredDocuments.kind(of: Self.document("Giấy đề nghị đăng ký hộ kinh doanh"), hasFormFields: true) == .applicationForm)
        #expect(RequiredDocuments(procedure: Self.birth).filed == [Self.birth.documents[1].name])
    }

    @Test func aSubmissionWithoutTheFiledPapersIsRefusedNamingThem() {
        let check = RequiredDocuments(procedure: Self.birth)
        let error = #expect(throws: RPCError.self) { try check.check(attachments: [], reused: []) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.violations.map(\.field) == ["attachments"])
        #expect(error?.violations.first?.description.hasPrefix("Thiếu giấy tờ bắt buộc: Giấy chứng sinh") == true)
        // A conditional paper does not stand for a filed one.
        let conditional = Self.birth.documents[2].name
        #expect(throws: RPCError.self) { try check.check(attachments: [conditional], reused: []) }
    }

    @Test func namedUnnamedAndReusedPapers() throws {
        let check = RequiredDocuments(procedure: Self.birth)
        let certificate = Self.birth.documents[1].name
        #expect(try check.check(attachments: [certificate], reused: []) == [certificate])
        // An unnamed file is taken for the first filed document still missing; the next is an extra paper.
        #expect(try check.check(attachments: ["", ""], reused: []) == [certificate, ""])
        // A reused paper covers it: no file needed.
        #expect(try check.check(attachments: [], reused: [certificate]) == [])
        // A name that is not the procedure's is refused at its index, and its document is still missing.
        let error = #expect(throws: RPCError.self) { try check.check(attachments: ["Sổ hộ khẩu"], reused: ["Sổ đỏ"]) }
        #expect(Set(error?.violations.map(\.field) ?? [])
                == ["attachments[0].required_document", "reused_documents[0].required_document", "attachments"])
    }
}
