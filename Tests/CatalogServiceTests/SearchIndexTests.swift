import DVCProto
import Foundation
import Testing

@testable import CatalogService

/// Folding and the search index as pure types: what catalog-svc's SearchProcedures ranks.
@Suite struct SearchIndexTests {
    @Test("folding drops diacritics, maps đ/Đ to d, lowers case, whether NFC or NFD")
    func folding() {
        let expected = ["giay", "phep", "xay", "dung"]
        #expect(VietnameseFolding.words("Giấy phép xây dựng") == expected)
        #expect(VietnameseFolding.words("GIẤY PHÉP XÂY DỰNG") == expected)
        #expect(VietnameseFolding.words("Giấy phép xây dựng".decomposedStringWithCanonicalMapping) == expected)
        #expect(VietnameseFolding.words("giay-phep, xay_dung!") == ["giay", "phep", "xay", "dung"])
        #expect(VietnameseFolding.words("Đăng ký ĐẤT ĐAI") == ["dang", "ky", "dat", "dai"])
        #expect(VietnameseFolding.words("Mẫu số 01/2021") == ["mau", "so", "01", "2021"])
        #expect(VietnameseFolding.words("  ,;  ").isEmpty)
    }

    func procedure(_ code: String, _ name: String, description: String = "", documents: [String] = []) -> CatalogV1.Procedure {
        var procedure = CatalogV1.Procedure()
        procedure.code = code
        procedure.name = name
        procedure.description = description
        procedure.documents = documents.map {
            var document = CatalogV1.RequiredDocument()
            document.name = $0
            return document
        }
        return procedure
    }

    var index: SearchIndex {
        SearchIndex(procedures: [
            procedure("A", "Cấp giấy phép xây dựng nhà ở riêng lẻ"),
            procedure("B", "Gia hạn giấy phép xây dựng"),
            procedure("C", "Cấp bản sao trích lục khai sinh", documents: ["Giấy phép lái xe (bản sao)"]),
            procedure("D", "Đăng ký khai sinh", description: "Đăng ký cho trẻ em sinh ra tại Việt Nam"),
            procedure("E", "Cấp phép xây dựng công trình", description: "giấy phép cho công trình"),
        ])
    }

    @Test("every word must match; the phrase in the name ranks first; ties by name")
    func ranking() {
        let hits = index.search("giay phep xay dung") { _ in true }
        #expect(hits.map(\.code) == ["A", "B", "E"])
        #expect(hits[0].score == hits[1].score, "both have the phrase in the name; order by folded name")
        #expect(hits[2].score < hits[1].score, "E has the words but not the phrase in its name")
        #expect(index.search("giay phep xay dung ngam") { _ in true }.isEmpty)
    }

    @Test("a word matches as a prefix, for less than a whole word")
    func prefixes() {
        let whole = index.search("trich luc") { _ in true }
        let prefix = index.search("trich lu") { _ in true }
        #expect(whole.map(\.code) == ["C"])
        #expect(prefix.map(\.code) == ["C"])
        #expect(prefix[0].score < whole[0].score)
        #expect(index.search("kh") { _ in true }.map(\.code).sorted() == ["C", "D"])
    }

    @Test("the filter applies before ranking; an empty query finds nothing")
    func filtering() {
        #expect(index.search("khai sinh") { $0 != "C" }.map(\.code) == ["D"])
        #expect(index.search("   ") { _ in true }.isEmpty)
    }

    @Test("a page token continues after the last code even when the list shifted")
    func pageTokens() throws {
        let token = PageToken(offset: 2, lastCode: "B")
        let parsed = try #require(PageToken(token.text))
        #expect(parsed == token)
        #expect(parsed.start(in: ["A", "B", "C", "D"]) == 2)
        // Something was inserted before B: continue right after B, not at position 2.
        #expect(parsed.start(in: ["A", "X", "B", "C"]) == 3)
        // B is gone: continue at the same position.
        #expect(parsed.start(in: ["A", "C", "D"]) == 2)
        #expect(PageToken("not a token") == nil)
        #expect(PageToken(Data("p1|0|B".utf8).base64EncodedString()) == nil)
    }
}
