import Foundation

/// Recognises a file's type from its first bytes, never from its name: a form template
/// declared as a PDF must start like one, and an executable is refused whatever it is called.
enum ContentSniffer {
    enum Kind: Equatable {
        case pdf, zipContainer, oleDocument, png, jpeg, executable, unknown

        /// Media types a file of this kind may be declared as.
        var mediaTypes: Set<String> {
            switch self {
            case .pdf: ["application/pdf"]
            case .zipContainer: [
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.oasis.opendocument.text",
                "application/vnd.oasis.opendocument.spreadsheet",
            ]
            case .oleDocument: ["application/msword", "application/vnd.ms-excel"]
            case .png: ["image/png"]
            case .jpeg: ["image/jpeg"]
            case .executable, .unknown: []
            }
        }

        var description: String {
            switch self {
            case .pdf: "a PDF document"
            case .zipContainer: "an Office Open XML or OpenDocument file"
            case .oleDocument: "a legacy Word or Excel document"
            case .png: "a PNG image"
            case .jpeg: "a JPEG image"
            case .executable: "an executable program"
            case .unknown: "of no recognised document type"
            }
        }
    }

    static func kind(of bytes: Data) -> Kind {
        func starts(_ prefix: [UInt8]) -> Bool { bytes.count >= prefix.count && bytes.prefix(prefix.count).elementsEqual(prefix) }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return .zipContainer }
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return .oleDocument }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        // ELF, Windows PE ("MZ"), Mach-O, and scripts with a #! line.
        if starts([0x7F, 0x45, 0x4C, 0x46]) || starts([0x4D, 0x5A]) || starts([0xCF, 0xFA, 0xED, 0xFE])
            || starts([0xFE, 0xED, 0xFA, 0xCF]) || starts(Array("#!".utf8)) {
            return .executable
        }
        return .unknown
    }
}
