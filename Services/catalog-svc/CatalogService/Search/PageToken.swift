import Foundation

/// The cursor of a search page: where the previous page ended, as a position and the code of
/// its last procedure. If the catalog changed in between and that procedure moved, the next
/// page continues right after wherever it is now, so no procedure is skipped or repeated
/// because of a change elsewhere in the list.
struct PageToken: Equatable {
    var offset: Int
    var lastCode: String

    init(offset: Int, lastCode: String) {
        self.offset = offset
        self.lastCode = lastCode
    }

    /// Parses a token from a previous response; nil when it is not one of ours.
    init?(_ text: String) {
        guard let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8) else {
            return nil
        }
        let parts = decoded.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "p1", let offset = Int(parts[1]), offset > 0, !parts[2].isEmpty else {
            return nil
        }
        self.offset = offset
        self.lastCode = String(parts[2])
    }

    var text: String { Data("p1|\(offset)|\(lastCode)".utf8).base64EncodedString() }

    /// Where the next page starts in `codes`.
    func start(in codes: [String]) -> Int {
        if offset <= codes.count, codes[offset - 1] == lastCode { return offset }
        if let index = codes.firstIndex(of: lastCode) { return index + 1 }
        return min(offset, codes.count)
    }
}
