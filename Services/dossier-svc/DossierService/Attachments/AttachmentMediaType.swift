#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The kinds of attachment a dossier accepts, recognised from the bytes only: the name a
/// citizen gives a file says nothing (an executable called `don.pdf` is still an executable).
public enum AttachmentMediaType: String, Sendable, Hashable, CaseIterable {
    case pdf = "application/pdf"
    case jpeg = "image/jpeg"
    case png = "image/png"

    /// Why some bytes are not an acceptable attachment, in words for the citizen's client.
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// How far from the end a PDF's `%%EOF` marker may be (the PDF specification's
    /// implementation note: within the last 1024 bytes).
    static let pdfEndWindow = 1024

    private static let pdfHeader = Array("%PDF-".utf8)
    private static let pdfEnd = Array("%%EOF".utf8)
    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Length 13, type "IHDR": the chunk that must come first.
    private static let pngIHDR: [UInt8] = [0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52]
    /// Length 0, type "IEND", its CRC: the chunk that must come last.
    private static let pngIEND: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
    private static let jpegStart: [UInt8] = [0xFF, 0xD8, 0xFF]
    private static let jpegEnd: [UInt8] = [0xFF, 0xD9]

    /// The type of `bytes`, or why they are refused: empty, not one of the three types (with
    /// what they look like when that is known: an executable, a ZIP archive, …), or one of
    /// them but cut short (a PDF without `%%EOF`, a JPEG without its end-of-image marker, a PNG
    /// without its IEND chunk).
    public static func recognise(_ bytes: Data) throws(Refusal) -> AttachmentMediaType {
        let bytes = [UInt8](bytes)
        if bytes.isEmpty { throw Refusal("the attachment is empty (0 bytes)") }
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && bytes[offset..<offset + prefix.count].elementsEqual(prefix)
        }
        func ends(_ suffix: [UInt8]) -> Bool {
            bytes.count >= suffix.count && bytes[(bytes.count - suffix.count)...].elementsEqual(suffix)
        }

        if starts(pdfHeader) {
            let tail = bytes[max(0, bytes.count - pdfEndWindow)...]
            guard contains(tail, pdfEnd) else { throw Refusal("truncated PDF: no %%EOF near the end") }
            return .pdf
        }
        if starts(jpegStart) {
            guard bytes.count >= jpegStart.count + jpegEnd.count, ends(jpegEnd) else {
                throw Refusal("truncated JPEG: it does not end with the end-of-image marker (FF D9)")
            }
            return .jpeg
        }
        if starts(pngSignature) {
            guard starts(pngIHDR, at: pngSignature.count) else {
                throw Refusal("not a valid PNG: the first chunk is not IHDR")
            }
            guard bytes.count >= pngSignature.count + 25 + pngIEND.count, ends(pngIEND) else {
                throw Refusal("truncated PNG: it does not end with the IEND chunk")
            }
            return .png
        }
        throw Refusal("the bytes are \(lookalike(bytes)), not a PDF, JPEG or PNG")
    }

    /// What refused bytes look like, for the message.
    private static func lookalike(_ bytes: [UInt8]) -> String {
        func starts(_ prefix: [UInt8]) -> Bool { bytes.starts(with: prefix) }
        // ELF, Windows PE ("MZ"), Mach-O (both byte orders, 32 and 64 bits, universal), scripts.
        if starts([0x7F, 0x45, 0x4C, 0x46]) || starts([0x4D, 0x5A])
            || starts([0xCF, 0xFA, 0xED, 0xFE]) || starts([0xFE, 0xED, 0xFA, 0xCF])
            || starts([0xCE, 0xFA, 0xED, 0xFE]) || starts([0xFE, 0xED, 0xFA, 0xCE])
            || starts([0xCA, 0xFE, 0xBA, 0xBE]) || starts(Array("#!".utf8)) {
            return "an executable"
        }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) {
            return "a ZIP archive (or an Office document)"
        }
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return "a legacy Office document" }
        if starts(Array("GIF8".utf8)) { return "a GIF image" }
        if starts(Array("RIFF".utf8)) { return "a RIFF file (WebP, WAV or AVI)" }
        if starts([0x1F, 0x8B]) { return "a gzip archive" }
        if starts(Array("Rar!".utf8)) { return "a RAR archive" }
        if starts([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return "a 7-Zip archive" }
        let head = String(decoding: bytes.prefix(512), as: UTF8.self).lowercased()
        if head.contains("<html") || head.contains("<!doctype") || head.contains("<script") || head.contains("<svg") {
            return "HTML or SVG markup"
        }
        return "of no recognised type"
    }

    private static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        var index = haystack.startIndex
        while index <= haystack.endIndex - needle.count {
            if haystack[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
