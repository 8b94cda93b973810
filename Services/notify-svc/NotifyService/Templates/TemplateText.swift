import Foundation

/// A template's text split into literal pieces and `{{placeholder}}` references: checked once
/// when a template is saved, and used to render it.
struct TemplateText: Sendable, Hashable {
    enum Piece: Sendable, Hashable {
        case literal(String)
        case placeholder(Placeholder)
    }

    /// Why a text is refused, in words an editor can act on.
    struct Problem: Error, Hashable, CustomStringConvertible {
        var description: String
    }

    let pieces: [Piece]

    /// Parses `text`. Every `{` and `}` must belong to a `{{name}}` with a known name; a
    /// literal brace is refused rather than guessed at, so a typo such as `{ma_ho_so}}` or
    /// `{{ ma_ho_so }` cannot reach a citizen as raw markup.
    init(_ text: String) throws(Problem) {
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(text)
        while let index = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            literal += rest[..<index]
            let tail = rest[index...]
            if tail.hasPrefix("}") {
                throw Problem(description: "unbalanced braces: '}' without a matching '{{' near \"\(Self.excerpt(tail))\"")
            }
            guard tail.hasPrefix("{{") else {
                throw Problem(description: "unbalanced braces: a single '{' near \"\(Self.excerpt(tail))\"; placeholders are written {{name}}")
            }
            let inside = tail.dropFirst(2)
            guard let close = inside.range(of: "}}") else {
                throw Problem(description: "unbalanced braces: '{{' is never closed near \"\(Self.excerpt(tail))\"")
            }
            let name = String(inside[..<close.lowerBound]).trimmingCharacters(in: .whitespaces)
            if name.contains("{") || name.contains("}") || name.isEmpty {
                throw Problem(description: "unbalanced braces near \"\(Self.excerpt(tail))\"")
            }
            guard let placeholder = Placeholder(rawValue: name) else {
                throw Problem(description: "unknown placeholder {{\(name)}}; known: \(Placeholder.list)")
            }
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = ""
            pieces.append(.placeholder(placeholder))
            rest = inside[close.upperBound...]
        }
        literal += rest
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
    }

    /// The text with every placeholder replaced by its value ("" when the event has none).
    func render(_ values: [Placeholder: String]) -> String {
        var result = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): result += text
            case .placeholder(let placeholder): result += values[placeholder] ?? ""
            }
        }
        return result
    }

    private static func excerpt(_ text: Substring) -> String {
        String(text.prefix(24))
    }
}
