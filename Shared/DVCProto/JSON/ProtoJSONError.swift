/// Why JSON could not be read as a message: where, and what was expected.
///
/// `description` is one line for an operator, the path of the bad field first:
///
/// ```text
/// procedure.fees[2].amountVnd: expected an integer, got a string "12 000"
/// unknown field 'foo' in dvc.catalog.v1.GetProcedureRequest (did you mean 'code'?)
/// invalid JSON at line 3, column 9: expected ',' or '}' after an object member
/// ```
public struct ProtoJSONError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The text is not JSON (or not UTF-8); `line`, `column` and `offset` say where.
        case syntax
        /// A key that is no field of the message.
        case unknownField
        /// The same field twice, e.g. as `amountVnd` and as `amount_vnd`.
        case duplicateField
        /// A value of the wrong JSON type: a string where an integer belongs, an array for an
        /// object.
        case wrongType
        /// The right JSON type but a bad value: an integer out of range, bad base64, an enum
        /// name that does not exist, a NUL character in a string field.
        case invalidValue
    }

    public var kind: Kind
    /// Where, in the JSON names of the fields, e.g. `procedure.fees[2].amountVnd` or
    /// `metadata["x-a"]`; empty for the top-level object (and for syntax errors).
    public var path: String
    /// What was wrong, e.g. `expected an integer, got 1.5`.
    public var reason: String
    /// For syntax errors: 1-based line and column (in characters), and the 0-based byte offset.
    public var line: Int?
    public var column: Int?
    public var offset: Int?

    public init(_ kind: Kind, path: String, _ reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    static func syntax(_ reason: String, line: Int, column: Int, offset: Int) -> ProtoJSONError {
        var error = ProtoJSONError(.syntax, path: "", reason)
        error.line = line
        error.column = column
        error.offset = offset
        return error
    }

    public var description: String {
        if kind == .syntax {
            if let line, let column { return "invalid JSON at line \(line), column \(column): \(reason)" }
            return "invalid JSON: \(reason)"
        }
        return path.isEmpty ? reason : "\(path): \(reason)"
    }
}
