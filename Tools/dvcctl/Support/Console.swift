import Foundation

/// Standard output for results, standard error for everything else.
enum Console {
    static func print(_ text: String) {
        write(text + "\n")
    }

    /// Writes to standard output. When the reader has gone away (`dvcctl ... | head`), the
    /// command ends quietly with status 141, as SIGPIPE would have ended it (SwiftNIO ignores
    /// SIGPIPE, and FileHandle's non-throwing `write` would crash instead).
    static func write(_ text: String) {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
        } catch {
            exit(141)
        }
    }

    static func error(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        try? FileHandle.standardError.write(contentsOf: Data(lines.map { $0 + "\n" }.joined().utf8))
    }

    static func error(_ line: String) {
        error([line])
    }

    /// Rows as columns padded to their widest cell (the last column is not padded).
    static func table(_ rows: [[String]]) -> [String] {
        guard let columns = rows.map(\.count).max(), columns > 0 else { return [] }
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for (i, cell) in row.enumerated() where i < columns - 1 {
                widths[i] = max(widths[i], cell.count)
            }
        }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i < row.count - 1 ? cell + String(repeating: " ", count: widths[i] - cell.count) : cell
            }.joined(separator: "  ")
        }
    }
}
