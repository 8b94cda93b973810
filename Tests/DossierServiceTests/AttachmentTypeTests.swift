@testable import DossierService
import Foundation
import Testing

/// The type of an attachment comes from its bytes, never its name.
@Suite struct AttachmentTypeTests {
    typealias Fixtures = AttachmentFixtures

    func refusal(_ bytes: Data) -> String? {
        do {
            _ = try AttachmentMediaType.recognise(bytes)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func theThreeTypesAreRecognised() throws {
        #expect(try AttachmentMediaType.recognise(Fixtures.pdf) == .pdf)
        #expect(try AttachmentMediaType.recognise(Fixtures.jpeg) == .jpeg)
        #expect(try AttachmentMediaType.recognise(Fixtures.png) == .png)
        #expect(AttachmentMediaType.pdf.rawValue == "application/pdf")
        #expect(AttachmentMediaType.jpeg.rawValue == "image/jpeg")
        #expect(AttachmentMediaType.png.rawValue == "image/png")
    }

    /// Data slices keep their parent's indices: recognition must not assume they start at 0.
    @Test func aSliceIsRecognisedLikeACopy() throws {
        let framed = Data([1, 2, 3]) + Fixtures.png + Data([4])
        let slice = framed[3..<(3 + Fixtures.png.count)]
        #expect(try AttachmentMediaType.recognise(slice) == .png)
    }

    @Test func aPDFMayHaveTrailingBytesAfterItsEOFMarker() throws {
        #expect(try AttachmentMediaType.recognise(Fixtures.pdf + Data(repeating: 0x0A, count: 900)) == .pdf)
    }

    @Test func executablesAndArchivesAreRefusedWhateverTheirName() {
        #expect(refusal(Fixtures.elf) == "the bytes are an executable, not a PDF, JPEG or PNG")
        #expect(refusal(Data("MZ\u{90}\0\u{3}".utf8)) == "the bytes are an executable, not a PDF, JPEG or PNG")
        #expect(refusal(Data("#!/bin/sh\nrm -rf /\n".utf8)) == "the bytes are an executable, not a PDF, JPEG or PNG")
        #expect(refusal(Fixtures.zip) == "the bytes are a ZIP archive (or an Office document), not a PDF, JPEG or PNG")
        #expect(refusal(Data("<!DOCTYPE html><script>alert(1)</script>".utf8))
            == "the bytes are HTML or SVG markup, not a PDF, JPEG or PNG")
        #expect(refusal(Data("GIF89a".utf8) + Data(repeating: 0, count: 20)) == "the bytes are a GIF image, not a PDF, JPEG or PNG")
        #expect(refusal(Data("plain text".utf8)) == "the bytes are of no recognised type, not a PDF, JPEG or PNG")
    }

    @Test func emptyBytesAreRefused() {
        #expect(refusal(Data()) == "the attachment is empty (0 bytes)")
    }

    @Test func truncatedFilesAreRefused() {
        // A PDF cut anywhere before its end loses the %%EOF marker.
        #expect(refusal(Fixtures.pdf.prefix(Fixtures.pdf.count - 8)) == "truncated PDF: no %%EOF near the end")
        #expect(refusal(Data("%PDF-".utf8)) == "truncated PDF: no %%EOF near the end")
        // An %%EOF far from the end is an earlier revision's, not this file's end.
        #expect(refusal(Fixtures.pdf + Data(repeating: 0x20, count: 2000)) == "truncated PDF: no %%EOF near the end")
        #expect(refusal(Fixtures.jpeg.dropLast(1))
            == "truncated JPEG: it does not end with the end-of-image marker (FF D9)")
        #expect(refusal(Fixtures.jpeg.prefix(3))
            == "truncated JPEG: it does not end with the end-of-image marker (FF D9)")
        #expect(refusal(Fixtures.png.dropLast(4)) == "truncated PNG: it does not end with the IEND chunk")
        #expect(refusal(Fixtures.png.prefix(33)) == "truncated PNG: it does not end with the IEND chunk")
    }

    @Test func aPNGMustStartWithItsHeaderChunk() {
        var bytes = Fixtures.png
        bytes.replaceSubrange(12..<16, with: Data("IDAT".utf8))
        #expect(refusal(bytes) == "not a valid PNG: the first chunk is not IHDR")
        #expect(refusal(Fixtures.png.prefix(8)) == "not a valid PNG: the first chunk is not IHDR")
    }

    /// Every prefix of each valid file is refused: nothing short of the whole file passes.
    @Test func everyProperPrefixIsRefused() {
        // The PDF's last byte is the line feed after %%EOF, which a PDF may do without.
        for (bytes, shortest) in [(Fixtures.pdf, 1), (Fixtures.jpeg, 0), (Fixtures.png, 0)] {
            for length in 0..<(bytes.count - shortest) {
                #expect(refusal(bytes.prefix(length)) != nil, "\(length) of \(bytes.count) bytes")
            }
        }
    }
}
