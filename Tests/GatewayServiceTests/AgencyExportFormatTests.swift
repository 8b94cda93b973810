import Foundation
@testable import GatewayWeb
import RPCCore
import Testing

/// The pieces of the agency systems' HTTP answers that need no running service: the field
/// names of problem documents, the request ids kept or replaced, the export's period, its CSV
/// lines and its format.
@Suite struct AgencyExportFormatTests {
    @Test("a refused field is named as a JSON request spells it; a map key stays as the caller wrote it")
    func fieldNames() {
        #expect(JSONFieldPath.from(proto: "dossier_id") == "dossierId")
        #expect(JSONFieldPath.from(proto: "result_return.postal_address") == "resultReturn.postalAddress")
        #expect(JSONFieldPath.from(proto: "attachments[2].digitised") == "attachments[2].digitised")
        #expect(JSONFieldPath.from(proto: "reused_documents[0]") == "reusedDocuments[0]")
        #expect(JSONFieldPath.from(proto: "form_data.so_luong_phieu") == "formData[\"so_luong_phieu\"]")
        #expect(JSONFieldPath.from(proto: "quantities.so_ban") == "quantities[\"so_ban\"]")
        #expect(JSONFieldPath.from(proto: "payload.payment.applicant_id") == "payload.payment.applicantId")
        // Headers and plain names are left alone.
        #expect(JSONFieldPath.from(proto: "x-dvc-on-behalf-of") == "x-dvc-on-behalf-of")
        #expect(JSONFieldPath.from(proto: "from") == "from")
        #expect(JSONFieldPath.from(proto: "agencyCode") == "agencyCode")
    }

    @Test("the map fields named are exactly the maps of proto/")
    func mapFieldsMatchTheProtos() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("proto/dvc")
        var maps: Set<String> = []
        let files = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
        for case let file as URL in files where file.pathExtension == "proto" && !file.path.contains("/testing/") {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") where line.contains("map<") {
                let words = line.split(separator: ">").last?.split(separator: " ") ?? []
                if let name = words.first { maps.insert(String(name)) }
            }
        }
        #expect(maps == JSONFieldPath.mapFields)
    }

    @Test("a caller's request id is kept when it is a plain token, replaced otherwise")
    func requestIDs() {
        #expect(RequestIDMiddleware.acceptable("erp-2026-000123") == "erp-2026-000123")
        #expect(RequestIDMiddleware.acceptable("a.b_C-9") == "a.b_C-9")
        #expect(RequestIDMiddleware.acceptable("") == nil)
        #expect(RequestIDMiddleware.acceptable(String(repeating: "a", count: 65)) == nil)
        #expect(RequestIDMiddleware.acceptable("a b") == nil)
        #expect(RequestIDMiddleware.acceptable("x\r\nSet-Cookie: y") == nil)
        #expect(RequestIDMiddleware.acceptable("mã-số") == nil)
        let made = RequestIDMiddleware.make()
        #expect(made.count == 32 && made.allSatisfy(\.isHexDigit) && made != RequestIDMiddleware.make())
    }

    @Test("an export's period is whole days in Hà Nội, both ends included, at most 366 days")
    func periods() throws {
        let november = try ExportPeriod(from: "2026-11-01", to: "2026-11-30")
        // 2026-10-31T17:00:00Z is midnight of 1 November in Hà Nội.
        #expect(november.startMs == 1_793_466_000_000)
        #expect(november.endMs == november.startMs + 30 * 86_400_000)
        #expect(try ExportPeriod(from: "2026-12-07", to: "2026-12-07").endMs - ExportPeriod(from: "2026-12-07", to: "2026-12-07").startMs == 86_400_000)
        #expect(throws: Never.self) { try ExportPeriod(from: "2028-01-01", to: "2028-12-31") }  // 366 days, a leap year
        for (from, to, field) in [
            (nil, "2026-11-30", "from"), ("2026-11-01", nil, "to"), ("2026-02-30", "2026-03-01", "from"),
            ("2026-11-1", "2026-11-30", "from"), ("01/11/2026", "2026-11-30", "from"), ("2026-11-01", "2026-10-31", "to"),
            ("2026-01-01", "2027-01-02", "to"), ("1999-12-31", "2000-01-01", "from"), ("2026-11-01", "2026-13-01", "to"),
        ] as [(String?, String?, String)] {
            let error = #expect(throws: RPCError.self) { try ExportPeriod(from: from, to: to) }
            #expect(error?.violations.map(\.field) == [field], "\(String(describing: from)) \(String(describing: to))")
        }
        #expect(ExportPeriod.timestamp(1_793_466_000_000) == "2026-11-01T00:00:00+07:00")
        #expect(ExportPeriod.timestamp(0) == "")
    }

    @Test("CSV lines quote what must be quoted, end in CRLF, and never start a formula")
    func csvLines() throws {
        #expect(CSVLine.make(["a", "b c", ""]) == "a,b c,\r\n")
        #expect(CSVLine.make(["Nguyễn, Văn", "nói \"có\"", "hai\ndòng"]) == "\"Nguyễn, Văn\",\"nói \"\"có\"\"\",\"hai\ndòng\"\r\n")
        #expect(CSVLine.text("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")")
        for dangerous in ["+1", "-1", "@SUM(A1)", "\tx"] { #expect(CSVLine.text(dangerous).hasPrefix("'")) }
        #expect(CSVLine.text("000.00.07.H26-261207-0001") == "000.00.07.H26-261207-0001")
        #expect(try ExportFormat(nil) == .csv && ExportFormat("json") == .json)
        #expect(throws: RPCError.self) { try ExportFormat("xlsx") }
    }
}
