/// A strict JSON reader (RFC 8259) that says where the text goes wrong.
///
/// Stricter than most: the input must be UTF-8, a `\u` escape must not leave half a surrogate
/// pair, an object must not repeat a key, and nesting stops at `maximumDepth`. A UTF-8 byte
/// order mark at the start is skipped. Numbers keep their text (see ``ProtoJSONValue``).
public struct ProtoJSONParser {
    /// Objects and arrays nested deeper than this are refused (the protobuf runtimes' own
    /// recursion limit is 100), so hostile input cannot exhaust the stack.
    public static let maximumDepth = 100

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses one JSON value, with nothing but whitespace around it.
    public static func parse(_ text: String) throws(ProtoJSONError) -> ProtoJSONValue {
        // A Swift string is valid Unicode already.
        var parser = ProtoJSONParser(Array(text.utf8))
        return try parser.document()
    }

    /// Parses UTF-8 bytes (a file's contents); invalid UTF-8 is a syntax error at its offset.
    public static func parse(utf8 bytes: some Collection<UInt8>) throws(ProtoJSONError) -> ProtoJSONValue {
        var parser = ProtoJSONParser(Array(bytes))
        if let bad = parser.firstInvalidUTF8() {
            throw parser.error("the text is not valid UTF-8 (byte 0x\(String(parser.bytes[bad], radix: 16, uppercase: true)))", at: bad)
        }
        return try parser.document()
    }

    private mutating func document() throws(ProtoJSONError) -> ProtoJSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        skipWhitespace()
        if index == bytes.count { throw error("the text is empty; expected a JSON value") }
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw error("unexpected \(describe(bytes[index])) after the JSON value") }
        return value
    }

    // MARK: - Values

    private mutating func parseValue() throws(ProtoJSONError) -> ProtoJSONValue {
        guard index < bytes.count else { throw error("the text ends where a value was expected") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "'"): throw error("strings take double quotes (\"), not single quotes")
        case let byte where isLetter(byte): throw unexpectedWord()
        case let byte: throw error("unexpected \(describe(byte)); expected a JSON value")
        }
    }

    private mutating func parseObject() throws(ProtoJSONError) -> ProtoJSONValue {
        let start = index
        try enter()
        index += 1  // {
        var members: [ProtoJSONMember] = []
        var keys: Set<String> = []
        skipWhitespace()
        if peek(UInt8(ascii: "}")) {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("the text ends inside the object opened at \(position(start))") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                if bytes[index] == UInt8(ascii: "}") { throw error("a trailing comma is not allowed before '}'") }
                throw error("unexpected \(describe(bytes[index])); object keys are strings in double quotes")
            }
            let keyStart = index
            let key = try parseString()
            guard keys.insert(key).inserted else {
                throw error("duplicate key \(ProtoJSONWriter.quoted(key)) in the object opened at \(position(start))", at: keyStart)
            }
            skipWhitespace()
            guard peek(UInt8(ascii: ":")) else { throw error(expected: "':' after the object key \(ProtoJSONWriter.quoted(key))") }
            index += 1
            skipWhitespace()
            members.append(ProtoJSONMember(key, try parseValue()))
            skipWhitespace()
            guard index < bytes.count else { throw error("the text ends inside the object opened at \(position(start))") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(members)
            }
            throw error(expected: "',' or '}' after an object member")
        }
    }

    private mutating func parseArray() throws(ProtoJSONError) -> ProtoJSONValue {
        let start = index
        try enter()
        index += 1  // [
        var items: [ProtoJSONValue] = []
        skipWhitespace()
        if peek(UInt8(ascii: "]")) {
            index += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            if peek(UInt8(ascii: "]")) { throw error("a trailing comma is not allowed before ']'") }
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("the text ends inside the array opened at \(position(start))") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(items)
            }
            throw error(expected: "',' or ']' after an array element")
        }
    }

    private mutating func enter() throws(ProtoJSONError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw error("objects and arrays are nested more than \(Self.maximumDepth) deep")
        }
    }

    private mutating func parseString() throws(ProtoJSONError) -> String {
        let start = index
        index += 1  // "
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error("the text ends inside the string opened at \(position(start))") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                // The input is valid UTF-8 and escapes add whole scalars, so this never repairs.
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0..<0x20:
                throw error("a control character (U+\(hex4(UInt32(byte)))) must be escaped inside a string, e.g. as \\n or \\u\(hex4(UInt32(byte)))")
            default:
                out.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(ProtoJSONError) {
        let start = index
        index += 1  // backslash
        guard index < bytes.count else { throw error("the text ends inside an escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): out.append(byte)
        case UInt8(ascii: "\\"): out.append(byte)
        case UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad(escapeStart: start)
            if (0xD800...0xDBFF).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error("\\u\(hex4(scalar)) is half a UTF-16 surrogate pair; the low half must follow as another \\u escape", at: start)
                }
                let lowStart = index
                index += 2
                let low = try hexQuad(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("\\u\(hex4(scalar)) must be followed by a low surrogate (\\uDC00–\\uDFFF), not \\u\(hex4(low))", at: lowStart)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("\\u\(hex4(scalar)) is a lone low surrogate, not a character", at: start)
            }
            out.append(contentsOf: Unicode.Scalar(scalar)!.utf8)
        default:
            index = start
            throw error("\\\(describeEscaped(byte)) is not a JSON escape (use \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX)")
        }
    }

    private mutating func hexQuad(escapeStart: Int) throws(ProtoJSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let digit = hexDigit(bytes[index]) else {
                throw error("\\u must be followed by four hexadecimal digits", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(ProtoJSONError) -> String {
        let start = index
        if peek(UInt8(ascii: "-")) { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw error("a '-' must be followed by digits", at: start)
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw error("numbers do not start with 0 (write 12, not 012)", at: start)
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if peek(UInt8(ascii: ".")) {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error(expected: "digits after the decimal point") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            index += 1
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error(expected: "digits in the exponent") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func literal(_ word: StaticString) throws(ProtoJSONError) {
        let expected = word.withUTF8Buffer { Array($0) }
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected,
              index + expected.count == bytes.count || !isLetter(bytes[index + expected.count]) else {
            throw unexpectedWord()
        }
        index += expected.count
    }

    /// A bare word where a value belongs (`True`, `nil`, an unquoted string).
    private func unexpectedWord() -> ProtoJSONError {
        let end = bytes[index...].firstIndex { !isLetter($0) } ?? bytes.count
        let found = String(decoding: bytes[index..<max(end, index + 1)], as: UTF8.self)
        return error("unexpected '\(found)'; expected a JSON value (strings take double quotes)")
    }

    // MARK: - Bytes

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func peek(_ byte: UInt8) -> Bool {
        index < bytes.count && bytes[index] == byte
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || isDigit(byte) || byte == UInt8(ascii: "_")
    }

    private func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    private func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        if byte >= 0x80 {
            // The character that starts here.
            let end = bytes[(index + 1)...].firstIndex { $0 & 0xC0 != 0x80 } ?? bytes.count
            return "'\(String(decoding: bytes[index..<end], as: UTF8.self))'"
        }
        return "a control character (U+\(hex4(UInt32(byte))))"
    }

    private func describeEscaped(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7F ? String(Character(Unicode.Scalar(byte))) : "U+\(hex4(UInt32(byte)))"
    }

    /// The offset of the first byte that is not part of valid UTF-8, or nil.
    private func firstInvalidUTF8() -> Int? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    // MARK: - Errors

    private func error(expected what: String) -> ProtoJSONError {
        if index >= bytes.count { return error("the text ends where \(what) was expected") }
        return error("expected \(what), found \(describe(bytes[index]))")
    }

    private func error(_ reason: String, at offset: Int? = nil) -> ProtoJSONError {
        let offset = min(offset ?? index, bytes.count)
        let (line, column) = location(offset)
        return .syntax(reason, line: line, column: column, offset: offset)
    }

    /// "line 2, column 5" of an offset, for messages that point back at an opening bracket.
    private func position(_ offset: Int) -> String {
        let (line, column) = location(offset)
        return "line \(line), column \(column)"
    }

    private func location(_ offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes[..<offset] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
