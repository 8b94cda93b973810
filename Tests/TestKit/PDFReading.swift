import Foundation

/// What a person would read on a PDF: page 1 drawn at 150 dpi by poppler (`pdftoppm`) and read
/// back by Tesseract with its Vietnamese model (`tesseract -l vie`), and the fonts the file
/// carries (`pdffonts`). Text found this way was drawn with the right glyphs, tone marks and all,
/// which a search of the PDF's bytes cannot show. Debian: poppler-utils, tesseract-ocr,
/// tesseract-ocr-vie (scripts/install-deps.sh).
public enum PDFReading {
    /// The text Tesseract reads on page 1, NFC-normalised, its whitespace runs made single spaces.
    public static func ocrFirstPage(_ pdf: Data) async throws -> String {
        let folder = try makeTemporaryFolder("ocr")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = try await firstPage(pdf, in: folder)
        // One thread: on a busy machine Tesseract's OpenMP threads spin against each other and
        // take several times longer than one thread alone.
        let read = try await runToCompletion(try tool("tesseract"), [image.path, "-", "-l", "vie"],
                                             environment: childEnvironment(["OMP_THREAD_LIMIT": "1"]), timeout: .seconds(60))
        guard read.exited, read.status == 0 else { throw TestFailure(description: "tesseract failed: \(read)") }
        return read.stdout.precomposedStringWithCanonicalMapping
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// What the QR codes drawn on page 1 say (zbarimg on the page drawn at 150 dpi), one per line.
    public static func qrCodesOnFirstPage(_ pdf: Data) async throws -> String {
        let folder = try makeTemporaryFolder("qr")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = try await firstPage(pdf, in: folder)
        let read = try await runToCompletion(try tool("zbarimg"), ["--raw", "-q", image.path])
        guard read.exited, read.status == 0 else { throw TestFailure(description: "zbarimg found no QR code: \(read)") }
        return read.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Page 1 of `pdf` drawn by pdftoppm at 150 dpi into `folder`, as PNG.
    static func firstPage(_ pdf: Data, in folder: URL) async throws -> URL {
        let input = folder.appendingPathComponent("document.pdf")
        try pdf.write(to: input)
        let stem = folder.appendingPathComponent("page").path
        let drawn = try await runToCompletion(try tool("pdftoppm"), ["-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", input.path, stem])
        guard drawn.exited, drawn.status == 0 else { throw TestFailure(description: "pdftoppm failed: \(drawn)") }
        return URL(fileURLWithPath: stem + ".png")
    }

    /// `pdffonts`' table: one line per font, with its name and whether it is embedded.
    public static func fonts(_ pdf: Data) async throws -> [(name: String, embedded: Bool)] {
        let folder = try makeTemporaryFolder("fonts")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("document.pdf")
        try pdf.write(to: input)
        let listed = try await runToCompletion(try tool("pdffonts"), [input.path])
        guard listed.exited, listed.status == 0 else { throw TestFailure(description: "pdffonts failed: \(listed)") }
        // name type encoding emb sub uni object ID: the name is the first column, "emb" the
        // fourth from the end's left (yes/no), counted from the right as names have no spaces.
        return listed.stdout.split(separator: "\n").dropFirst(2).compactMap { line in
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            guard columns.count >= 7 else { return nil }
            return (String(columns[0]), columns[columns.count - 5] == "yes")
        }
    }

    static func tool(_ name: String) throws -> URL {
        for folder in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
            return URL(fileURLWithPath: "\(folder)/\(name)")
        }
        throw TestFailure(description: "\(name) is not installed (scripts/install-deps.sh installs poppler-utils, tesseract-ocr, tesseract-ocr-vie)")
    }
}
