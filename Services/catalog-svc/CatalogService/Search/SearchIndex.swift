import DVCProto

/// An in-memory full-text index of the procedures: built once per catalog version, searched
/// without touching the database.
///
/// Every query word must match (as a whole folded word, or as the prefix of one); a match in
/// the name weighs most, then the description, the steps and the required documents, and a
/// whole word more than a prefix. The query as a phrase inside the name adds a bonus, so
/// "giay phep xay dung" ranks "Cấp giấy phép xây dựng" above a procedure that merely mentions
/// the four words. Ties are broken by name and code, so the order is total and stable.
struct SearchIndex: Sendable {
    struct Hit: Sendable, Equatable {
        var code: String
        var score: Double
    }

    private struct Entry: Sendable {
        var code: String
        var foldedName: String
        /// Folded word -> best weight of the sections it appears in.
        var words: [String: Double]
    }

    private static let nameWeight = 10.0
    private static let descriptionWeight = 3.0
    private static let stepsWeight = 1.5
    private static let documentsWeight = 2.0
    private static let prefixFactor = 0.6
    private static let phraseBonus = 25.0

    private var entries: [Entry] = []

    init(procedures: some Sequence<CatalogV1.Procedure>) {
        for procedure in procedures {
            var words: [String: Double] = [:]
            func add(_ text: String, _ weight: Double) {
                for word in VietnameseFolding.words(text) where words[word, default: 0] < weight {
                    words[word] = weight
                }
            }
            add(procedure.name, Self.nameWeight)
            add(procedure.description, Self.descriptionWeight)
            procedure.steps.forEach { add($0, Self.stepsWeight) }
            procedure.documents.forEach { add($0.name, Self.documentsWeight) }
            entries.append(Entry(code: procedure.code, foldedName: VietnameseFolding.fold(procedure.name),
                                 words: words))
        }
    }

    /// The procedures matching every word of `query`, best first. `include` filters by code.
    func search(_ query: String, include: (String) -> Bool) -> [Hit] {
        let queryWords = VietnameseFolding.words(query)
        let phrase = queryWords.joined(separator: " ")
        var hits: [(hit: Hit, sortName: String)] = []
        for entry in entries where include(entry.code) {
            var score = 0.0
            var matchedAll = true
            for word in queryWords {
                let best = Self.bestWeight(of: word, in: entry.words)
                if best == 0 {
                    matchedAll = false
                    break
                }
                score += best
            }
            guard matchedAll else { continue }
            if !phrase.isEmpty, entry.foldedName.contains(phrase) { score += Self.phraseBonus }
            hits.append((Hit(code: entry.code, score: score), entry.foldedName))
        }
        hits.sort { left, right in
            if left.hit.score != right.hit.score { return left.hit.score > right.hit.score }
            if left.sortName != right.sortName { return left.sortName < right.sortName }
            return left.hit.code < right.hit.code
        }
        return hits.map(\.hit)
    }

    private static func bestWeight(of word: String, in words: [String: Double]) -> Double {
        if let exact = words[word] { return exact }
        var best = 0.0
        for (candidate, weight) in words where candidate.hasPrefix(word) {
            best = max(best, weight * prefixFactor)
        }
        return best
    }
}
