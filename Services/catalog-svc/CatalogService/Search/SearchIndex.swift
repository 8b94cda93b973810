import DVCProto

/// An in-memory full-text index of the procedures: built once per catalog version, searched
/// without touching the database.
///
/// Every query word must match (as a whole folded word, or as the prefix of one); a match in
/// the name weighs most, then the description, the required documents and the steps, and a
/// whole word more than a prefix. The query as a phrase inside the name adds a bonus, so
/// "giay phep xay dung" ranks "Cấp giấy phép xây dựng" above a procedure that merely mentions
/// the four words. Ties are broken by name and code, so the order is total and stable.
///
/// It is an inverted index: each folded word maps to the procedures containing it with their
/// best weight, and the sorted vocabulary answers a prefix with a binary search, so a query
/// costs in proportion to the matches, not to the size of the catalog.
struct SearchIndex: Sendable {
    struct Hit: Sendable, Equatable {
        var code: String
        var score: Double
    }

    private struct Entry: Sendable {
        var code: String
        var foldedName: String
    }

    private struct Posting: Sendable {
        var entry: Int
        var weight: Double
    }

    static let nameWeight = 10.0
    static let descriptionWeight = 3.0
    static let documentsWeight = 2.0
    static let stepsWeight = 1.5
    static let prefixFactor = 0.6
    static let phraseBonus = 25.0

    private var entries: [Entry] = []
    private var postings: [String: [Posting]] = [:]
    /// Every indexed word, sorted, for prefix ranges.
    private var vocabulary: [String] = []

    init(procedures: some Sequence<CatalogV1.Procedure>) {
        for procedure in procedures {
            let index = entries.count
            var words: [String: Double] = [:]
            func add(_ text: String, _ weight: Double) {
                for word in VietnameseFolding.words(text) where words[word, default: 0] < weight {
                    words[word] = weight
                }
            }
            add(procedure.name, Self.nameWeight)
            add(procedure.description, Self.descriptionWeight)
            procedure.documents.forEach { add($0.name, Self.documentsWeight) }
            procedure.steps.forEach { add($0, Self.stepsWeight) }
            entries.append(Entry(code: procedure.code, foldedName: VietnameseFolding.fold(procedure.name)))
            for (word, weight) in words {
                postings[word, default: []].append(Posting(entry: index, weight: weight))
            }
        }
        vocabulary = postings.keys.sorted()
    }

    /// The procedures matching every word of `query`, best first. `include` filters by code.
    func search(_ query: String, include: (String) -> Bool) -> [Hit] {
        let queryWords = VietnameseFolding.words(query)
        guard !queryWords.isEmpty else { return [] }
        var scores: [Int: Double]?
        for word in queryWords {
            let matches = weights(for: word)
            if let current = scores {
                var narrowed: [Int: Double] = [:]
                for (entry, score) in current {
                    if let weight = matches[entry] { narrowed[entry] = score + weight }
                }
                scores = narrowed
            } else {
                scores = matches
            }
            if scores?.isEmpty ?? true { return [] }
        }
        let phrase = queryWords.joined(separator: " ")
        var hits: [(hit: Hit, sortName: String)] = []
        for (index, score) in scores ?? [:] {
            let entry = entries[index]
            guard include(entry.code) else { continue }
            let bonus = entry.foldedName.contains(phrase) ? Self.phraseBonus : 0
            hits.append((Hit(code: entry.code, score: score + bonus), entry.foldedName))
        }
        hits.sort { left, right in
            if left.hit.score != right.hit.score { return left.hit.score > right.hit.score }
            if left.sortName != right.sortName { return left.sortName < right.sortName }
            return left.hit.code < right.hit.code
        }
        return hits.map(\.hit)
    }

    /// For one query word: each matching procedure with its best weight, a whole-word match
    /// counting fully and a prefix match for `prefixFactor` of it.
    private func weights(for word: String) -> [Int: Double] {
        var result: [Int: Double] = [:]
        var position = lowerBound(word)
        while position < vocabulary.count, vocabulary[position].hasPrefix(word) {
            let candidate = vocabulary[position]
            let factor = candidate == word ? 1.0 : Self.prefixFactor
            for posting in postings[candidate] ?? [] {
                let weight = posting.weight * factor
                if weight > result[posting.entry, default: 0] { result[posting.entry] = weight }
            }
            position += 1
        }
        return result
    }

    /// The first vocabulary position not ordered before `word`.
    private func lowerBound(_ word: String) -> Int {
        var low = 0
        var high = vocabulary.count
        while low < high {
            let middle = (low + high) / 2
            if vocabulary[middle] < word { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
