import DVCProto
@testable import DossierService
import Foundation
import Logging
import RPCCore
import Storage
import StorageTestKit
import Testing

/// The pieces of document signing (docs/signatures.md) on their own: verification codes, the
/// demo CA and per-agency keys, CMS signatures, the stamp, and the records' replacement,
/// renditions, revocation and annulment on a real database of each backend. The end-to-end
/// path, with the real openssl and a QR decoder, is IntegrationTests/SignedDocumentsTests.
@Suite struct DocumentSignaturesTests {
    static let agency = "000.00.20.H26"

    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("signing-\(UUID().uuidString)").path
    }

    static func signatures(_ data: String) throws -> DocumentSignatures {
        DocumentSignatures(keys: try AgencySigningKeys(signingDirectory: nil, dataDirectory: data, logger: Logger(label: "test")),
                           publicURL: "https://dichvucong.example.gov.vn/")
    }

    @Test("codes: 12 characters of Crockford base32, random; typed codes are normalised, anything else refused")
    func codes() {
        let codes = Set((0..<2000).map { _ in VerificationCode.random() })
        #expect(codes.count == 2000)
        #expect(codes.allSatisfy { $0.count == 12 && $0.allSatisfy { VerificationCode.alphabet.contains($0) } })
        #expect(VerificationCode.normalized("abcd-efgh-jkmn") == "ABCDEFGHJKMN")
        #expect(VerificationCode.normalized("o1il 0000 0000") == "011100000000")
        for bad in ["", "abc", "ABCDEFGHJKMNP", "ABCDEFGHJKMU", "ABCDEFGHJK<>"] { #expect(VerificationCode.normalized(bad) == nil, "\(bad)") }
    }

    @Test("the demo CA issues each agency a certificate on first use (O=name, CN=code), kept until rotated")
    func demoKeys() throws {
        let data = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let keys = try AgencySigningKeys(signingDirectory: nil, dataDirectory: data, logger: Logger(label: "test"))
        #expect(keys.isDemo)
        let first = try keys.credential(agencyCode: Self.agency, agencyName: "Sở Tư pháp")
        #expect(first.certificate.subject.contains("CN=\(Self.agency)") && first.certificate.subject.contains("O=Sở Tư pháp"))
        #expect(first.certificate.issuer.contains("CN=CA dịch vụ công – demo"))
        #expect(try keys.credential(agencyCode: Self.agency, agencyName: "Sở Tư pháp").certificate == first.certificate)
        // The key file is the owner's only.
        let key = "\(data)/signing-demo/agencies/\(Self.agency)/key.pem"
        #expect((try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int) == 0o600)
        try keys.rotateDemo(agencyCode: Self.agency, agencyName: "Sở Tư pháp")
        let second = try keys.credential(agencyCode: Self.agency, agencyName: "Sở Tư pháp")
        #expect(second.certificate.serialHex != first.certificate.serialHex)
        // The same CA after a restart: not made again.
        let again = try AgencySigningKeys(signingDirectory: nil, dataDirectory: data, logger: Logger(label: "test"))
        #expect(try again.credential(agencyCode: Self.agency, agencyName: "x").certificate == second.certificate)
        for unsafe in ["../etc", "a/b", ".hidden", ""] {
            #expect(throws: AgencySigningKeys.Missing.self) { try keys.credential(agencyCode: unsafe, agencyName: "x") }
        }
    }

    @Test("signing_dir: an agency without its files is refused naming the agency and the folder; a key not of the certificate too")
    func productionKeys() throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: AgencySigningKeys.Missing.self) {
            try AgencySigningKeys(signingDirectory: root + "/none", dataDirectory: root, logger: Logger(label: "test"))
        }
        // Two agencies from the demo CA, their files copied as an operator would, one key swapped.
        let demo = try AgencySigningKeys(signingDirectory: nil, dataDirectory: root, logger: Logger(label: "test"))
        _ = try demo.credential(agencyCode: "A", agencyName: "Cơ quan A")
        _ = try demo.credential(agencyCode: "B", agencyName: "Cơ quan B")
        let dir = root + "/keys"
        for code in ["A", "B"] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(code)", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(root)/signing-demo/agencies/\(code)/chain.pem", toPath: "\(dir)/\(code)/chain.pem")
        }
        try FileManager.default.copyItem(atPath: "\(root)/signing-demo/agencies/A/key.pem", toPath: "\(dir)/A/key.pem")
        try FileManager.default.copyItem(atPath: "\(root)/signing-demo/agencies/A/key.pem", toPath: "\(dir)/B/key.pem")
        let keys = try AgencySigningKeys(signingDirectory: dir, dataDirectory: root, logger: Logger(label: "test"))
        #expect(try keys.credential(agencyCode: "A", agencyName: "").certificate.subject.contains("CN=A"))
        let wrongKey = #expect(throws: AgencySigningKeys.Missing.self) { try keys.credential(agencyCode: "B", agencyName: "") }
        #expect(wrongKey?.description.contains("does not belong") == true, "\(String(describing: wrongKey))")
        let missing = #expect(throws: AgencySigningKeys.Missing.self) { try keys.credential(agencyCode: "C", agencyName: "") }
        #expect(missing?.description.contains("agency C") == true && missing?.description.contains("\(dir)/C") == true)
    }

    @Test("CMS: a signature verifies over its content and chain, not over one changed byte nor against another CA")
    func cms() throws {
        let (first, second) = (Self.folder(), Self.folder())
        defer { for folder in [first, second] { try? FileManager.default.removeItem(atPath: folder) } }
        let keys = try AgencySigningKeys(signingDirectory: nil, dataDirectory: first, logger: Logger(label: "test"))
        let credential = try keys.credential(agencyCode: Self.agency, agencyName: "Sở Tư pháp")
        let content = Data("<p>Giấy tiếp nhận</p>".utf8)
        let now = Date()
        let signature = try CMS.sign(content, with: credential, at: now)
        #expect(signature.first == 0x30) // DER: a SEQUENCE
        #expect(CMS.verify(signature, content: content, trustedPEM: credential.chainPEM, at: now))
        var altered = content
        altered[altered.startIndex + 3] ^= 1
        #expect(!CMS.verify(signature, content: altered, trustedPEM: credential.chainPEM, at: now))
        let other = try AgencySigningKeys(signingDirectory: nil, dataDirectory: second, logger: Logger(label: "test"))
            .credential(agencyCode: Self.agency, agencyName: "Sở Tư pháp")
        #expect(!CMS.verify(signature, content: content, trustedPEM: other.chainPEM, at: now))
        #expect(!CMS.verify(Data([1, 2, 3]), content: content, trustedPEM: credential.chainPEM, at: now))
    }

    @Test("the stamp goes at the end of the sheet, escaped, with an SVG QR code of the link")
    func stamp() {
        let page = Data("<html><body>\n<div class=\"page\">\n<p>x</p>\n</div>\n</body>\n</html>\n".utf8)
        let stamped = String(decoding: SignatureStamp.stamp(page, link: "https://a.example/xac-minh/ABC", code: "ABC",
                                                            issuer: "Sở <Tư> pháp"), as: UTF8.self)
        let block = try? #require(stamped.range(of: "<div class=\"verification\""))
        let sheetEnd = try? #require(stamped.range(of: "</div>\n</body>"))
        #expect(block != nil && sheetEnd != nil && block!.lowerBound < sheetEnd!.lowerBound)
        #expect(stamped.contains("<svg") && stamped.contains("Sở &lt;Tư&gt; pháp") && stamped.contains("Mã xác minh: <b>ABC</b>"))

        // A one-stop document's sheet is its <main>: the block goes after the signatures' table,
        // not into its last cell.
        let document = Data("<html><body>\n<main class=\"page\">\n<table><tr><td><div>ký</div></td></tr></table>\n</main>\n</body>\n</html>\n".utf8)
        let signed = String(decoding: SignatureStamp.stamp(document, link: "https://a.example/xac-minh/ABC", code: "ABC", issuer: "Sở"),
                            as: UTF8.self)
        #expect(signed.contains("</table>\n<div class=\"verification\"") && signed.contains("</tr></table>\n</div>\n</main>"), "\(signed)")
    }

    @Test("records: a re-rendered document replaces its predecessor; a second rendition joins the same code; revocation and annulment",
          arguments: TestDatabases.backends)
    func records(backend: SQLBackend) throws {
        let data = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let signatures = try Self.signatures(data)
        let database = try TestDatabases.make(backend, name: "dossier", migrations: DossierSchema.migrations)
        let issuer = DocumentSignatures.Issuer(code: Self.agency, name: "Sở Tư pháp")
        try database.write { db in try ChangeFeedTests.row("d1", agency: Self.agency).insertAll(db) }
        func document() -> DossierV1.DossierDocument {
            var document = DossierV1.DossierDocument()
            document.form = "05"
            document.number = "05/2026/\(Self.agency)-1"
            document.mediaType = "text/html; charset=utf-8"
            document.content = Data("<html><body><div class=\"page\"></div></body></html>".utf8)
            return document
        }
        var first = document()
        var second = document()
        // Now: the certificate is judged valid at the signing time.
        let t0 = Int64(Date().timeIntervalSince1970 * 1000)
        let firstCode = try database.write { db in
            try signatures.signDocument(&first, title: "Phiếu kiểm soát", dossierID: "d1", receiptCode: "R-1", issuer: issuer, atMs: t0, db)
        }
        #expect(String(decoding: first.content, as: UTF8.self).contains("https://dichvucong.example.gov.vn/xac-minh/\(firstCode)"))
        let secondCode = try database.write { db in
            try signatures.signDocument(&second, title: "Phiếu kiểm soát", dossierID: "d1", receiptCode: "R-1", issuer: issuer,
                                        atMs: t0 + 10_000, db)
        }
        let old = try #require(try database.read { db in try signatures.verification(code: firstCode, db) })
        #expect(old.status == .replaced && old.replacedBy == secondCode && old.documentType == "Mẫu số 05 – Phiếu kiểm soát")
        // A PDF rendition under the current code.
        let pdf = Data("%PDF-1.4 bản PDF".utf8)
        let pdfCode = try database.write { db in
            try signatures.sign(bytes: pdf, documentNumber: second.number, rendition: "application/pdf", atMs: t0 + 20_000, db)
        }
        #expect(pdfCode == secondCode)
        let current = try #require(try database.read { db in try signatures.verification(code: secondCode.lowercased(), db) })
        #expect(current.renditions.map(\.mediaType) == ["text/html; charset=utf-8", "application/pdf"])
        #expect(current.renditions[1].sha256Hex == DocumentSignatures.sha256Hex(pdf))
        let chain = try #require(current.certificate?.chainPem)
        #expect(DocumentSignatures.check(current.renditions[1].signature, content: pdf, chainPEM: chain, signedAtMs: t0 + 20_000))
        #expect(throws: RPCError.self) {
            try database.write { db in try signatures.sign(bytes: pdf, documentNumber: "nope", rendition: "application/pdf", atMs: t0, db) }
        }

        // Revoked from between the two: the first stays (signed before), the second does not.
        let serial = try #require(current.certificate?.serialHex)
        #expect(try database.write { db in
            try DocumentSignatures.revoke(agencyCode: Self.agency, serialHex: serial.lowercased(), atMs: t0 + 5_000, reason: "lộ khóa", db)
        } == 2)
        let before = try #require(try database.read { db in try signatures.verification(code: firstCode, db) })
        #expect(before.signedBeforeRevocation && before.status == .replaced)
        let after = try #require(try database.read { db in try signatures.verification(code: secondCode, db) })
        #expect(after.status == .certificateRevoked && !after.signedBeforeRevocation)
        #expect(try database.write { db in try DocumentSignatures.revoke(agencyCode: Self.agency, serialHex: "00", atMs: t0, reason: "x", db) } == nil)
        // The revoked certificate never signs again: the demo CA issues a new one.
        var third = document()
        third.number = "01/2026/\(Self.agency)-9"
        let thirdCode = try database.write { db in
            try signatures.signDocument(&third, title: "Giấy tiếp nhận", dossierID: "d1", receiptCode: "R-1", issuer: issuer, atMs: t0 + 30_000, db)
        }
        let fresh = try #require(try database.read { db in try signatures.verification(code: thirdCode, db) })
        #expect(fresh.status == .valid && fresh.certificate?.serialHex != serial)

        // Annulment: the issuing agency only, once.
        #expect(throws: RPCError.self) {
            try database.write { db in try signatures.annul(code: thirdCode, reason: "r", officer: "officer:x", agencyCode: "OTHER", atMs: t0, db) }
        }
        try database.write { db in
            try signatures.annul(code: thirdCode, reason: "Cấp nhầm", officer: "officer:ld01", agencyCode: Self.agency, atMs: t0 + 40_000, db)
        }
        let annulled = try #require(try database.read { db in try signatures.verification(code: thirdCode, db) })
        #expect(annulled.status == .annulled && annulled.annulReason == "Cấp nhầm" && annulled.annulledAtUnixMs == t0 + 40_000)
        let twice = #expect(throws: RPCError.self) {
            try database.write { db in try signatures.annul(code: thirdCode, reason: "r", officer: "officer:ld01", agencyCode: Self.agency, atMs: t0, db) }
        }
        #expect(twice?.code == .failedPrecondition)
        #expect(try database.read { db in try signatures.verification(code: "ZZZZZZZZZZZZ", db) } == nil)

        // A result replaced by a new upload: the old result's record is replaced by the new one.
        var file = DossierV1.Attachment()
        file.id = "r1"
        file.mediaType = "application/pdf"
        let firstResult = try database.write { db in
            try signatures.signResult(Data("%PDF-1.4 v1".utf8), file: file, dossierID: "d1", receiptCode: "R-1", issuer: issuer,
                                      atMs: t0 + 50_000, db)
        }
        file.id = "r2"
        let secondResult = try database.write { db in
            try signatures.signResult(Data("%PDF-1.4 v2".utf8), file: file, dossierID: "d1", receiptCode: "R-1", issuer: issuer,
                                      atMs: t0 + 60_000, db)
        }
        let oldResult = try #require(try database.read { db in try signatures.verification(code: firstResult, db) })
        #expect(oldResult.status == .replaced && oldResult.replacedBy == secondResult && oldResult.documentType == "Kết quả giải quyết")
        #expect(try database.read { db in try signatures.verification(code: secondResult, db) }?.status == .valid)
        #expect(try database.read { db in try signatures.signatures(dossierID: "d1", db) }.map(\.code) == [secondResult, firstResult, thirdCode, secondCode, firstCode])
    }
}
