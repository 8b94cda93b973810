import DVCProto

/// Finds a method of the protos by the name an operator typed, or says what was meant.
enum MethodLookup {
    /// `/pkg.Service/Method` for the usual spellings: with or without the leading slash, and
    /// `pkg.Service.Method` (as grpcurl accepts).
    static func canonical(_ text: String) -> String {
        var path = text.trimmingCharacters(in: " ")
        if !path.hasPrefix("/") { path = "/" + path }
        if path.dropFirst().firstIndex(of: "/") == nil, let dot = path.lastIndex(of: ".") {
            path.replaceSubrange(dot...dot, with: "/")
        }
        return path
    }

    /// The methods an unknown name most likely meant, best first (at most `limit`): the same
    /// method name in another service, the methods of the service it names, and paths a few
    /// typos away.
    static func suggestions(for text: String, limit: Int = 8) -> [String] {
        let path = canonical(text)
        let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        let service = parts.first.map(String.init)?.lowercased() ?? ""
        let method = parts.count > 1 ? String(parts[1]).lowercased() : ""
        var scored: [(path: String, score: Int)] = []
        for candidate in ProtoRegistry.methodPaths {
            let candidateParts = candidate.dropFirst().split(separator: "/")
            let candidateService = String(candidateParts[0]).lowercased()
            let candidateMethod = String(candidateParts[1]).lowercased()
            let distance = editDistance(Array(path.lowercased()), Array(candidate.lowercased()))
            var score = Int.max
            if distance <= max(2, path.count / 6) { score = distance }
            if !method.isEmpty, candidateMethod == method { score = min(score, 1) }
            if !method.isEmpty, editDistance(Array(method), Array(candidateMethod)) <= max(1, method.count / 4) {
                score = min(score, 2 + editDistance(Array(service), Array(candidateService)))
            }
            if candidateService == service || candidateService.hasSuffix("." + service) { score = min(score, 50) }
            if score != Int.max { scored.append((candidate, score)) }
        }
        return scored.sorted { ($0.score, $0.path) < ($1.score, $1.path) }.prefix(limit).map(\.path)
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

extension String {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var slice = self[...]
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return String(slice)
    }
}
