import Foundation

/// Bytes for the attachment tests: the three accepted types, the lookalikes, and a temporary
/// data directory.
enum AttachmentFixtures {
    static func hex(_ text: String) -> Data {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return Data(bytes)
    }

    /// A complete one-page PDF.
    static let pdf = Data("""
        %PDF-1.4
        1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
        2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
        3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj
        trailer << /Root 1 0 R >>
        %%EOF

        """.utf8)

    /// A real 1×1 PNG (IHDR, IDAT, IEND with their CRCs).
    static let png = hex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082")

    /// SOI, a JFIF APP0 segment, some scan bytes, EOI.
    static let jpeg = hex("ffd8ffe000104a46494600010100000100010000") + Data(repeating: 0x55, count: 64) + hex("ffd9")

    /// The start of an x86-64 ELF executable.
    static let elf = hex("7f454c4602010100000000000000000002003e0001000000") + Data(repeating: 0, count: 100)

    /// A ZIP archive's local file header and end of central directory.
    static let zip = hex("504b0304140000000000") + Data(repeating: 0x41, count: 40) + hex("504b0506000000000000000000000000000000000000")

    /// A PDF of exactly `size` bytes (header, padding, %%EOF).
    static func pdf(size: Int) -> Data {
        let head = Data("%PDF-1.7\n".utf8)
        let tail = Data("\n%%EOF\n".utf8)
        return head + Data(repeating: 0x20, count: size - head.count - tail.count) + tail
    }

    /// Distinct valid PDFs.
    static func pdf(_ marker: String) -> Data {
        Data("%PDF-1.4\n% \(marker)\n%%EOF\n".utf8)
    }
}

/// A fresh data directory under the system's temporary folder, removed when the test is done.
final class AttachmentDataDirectory {
    let path: String

    init() throws {
        path = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("dossier-attachments-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Every regular file under `attachments/`, relative to it.
    func files() -> [String] {
        let root = path + "/attachments"
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let item = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + item, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(item)
            }
        }
        return files.sorted()
    }

    /// Sets a file's modification time.
    func age(_ path: String, to date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
    }
}
