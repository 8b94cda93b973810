#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the generated JSON code of every message calls: one function per field kind, to read a
/// value (with the path for errors) and to write one. Pure Swift; nothing here touches C.
enum ProtoJSON {
    // MARK: - Paths

    static func path(_ base: String, _ key: String) -> String {
        base.isEmpty ? key : base + "." + key
    }

    static func path(_ base: String, index: Int) -> String {
        base + "[\(index)]"
    }

    static func path(_ base: String, mapKey: String) -> String {
        base + "[" + ProtoJSONWriter.quoted(mapKey) + "]"
    }

    // MARK: - Messages

    /// The members of the object a message is read from.
    static func members(_ json: ProtoJSONValue, _ path: String, _ message: String) throws(ProtoJSONError) -> [ProtoJSONMember] {
        guard case .object(let members) = json else {
            throw ProtoJSONError(.wrongType, path: path, "expected an object (\(message)), got \(json.summary)")
        }
        return members
    }

    static func unknownField(_ key: String, _ message: String, _ path: String, known: [String]) -> ProtoJSONError {
        var reason = "unknown field \(quotedKey(key)) in \(message)"
        if let suggestion = closest(to: key, in: known) {
            reason += " (did you mean '\(suggestion)'?)"
        } else if known.isEmpty {
            reason += ", which has no fields"
        }
        return ProtoJSONError(.unknownField, path: path, reason)
    }

    private static func quotedKey(_ key: String) -> String {
        key.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0 != "'" && $0.value != 0x7F }) ? "'\(key)'" : ProtoJSONWriter.quoted(key)
    }

    /// The known name nearest to a misspelt one, compared without case and underscores: within
    /// an edit distance of about a third of its length, or else the one name that begins or
    /// ends with it (`resultDoc`, `CITY` for `AGENCY_KIND_CITY`).
    static func closest(to key: String, in known: [String]) -> String? {
        func folded(_ text: String) -> [Character] { Array(text.lowercased().filter { $0 != "_" }) }
        let target = folded(key)
        var best: (name: String, distance: Int)?
        for name in known {
            let distance = editDistance(target, folded(name))
            if distance < (best?.distance ?? Int.max) { best = (name, distance) }
        }
        if let best, best.distance <= max(1, min(3, target.count / 3)) { return best.name }
        guard target.count >= 3 else { return nil }
        let partial = known.filter {
            let name = folded($0)
            return name.starts(with: target) || name.reversed().starts(with: target.reversed())
        }
        return partial.count == 1 ? partial[0] : nil
    }

    /// Edits (insert, delete, replace, swap two neighbours) from `a` to `b`: the optimal string
    /// alignment distance, so `levle` is one edit from `level`.
    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = Array(repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }

    /// The fields a message's object has named so far, so that one field given twice (as
    /// `amountVnd` and `amount_vnd`) is refused.
    struct Seen {
        private var fields: [(number: Int32, key: String)] = []

        /// Records the field; false when its value is `null`, which leaves the default.
        mutating func first(_ number: Int32, _ key: String, _ value: ProtoJSONValue, _ path: String) throws(ProtoJSONError) -> Bool {
            if let earlier = fields.first(where: { $0.number == number }) {
                throw ProtoJSONError(.duplicateField, path: ProtoJSON.path(path, key),
                                     "the field is given twice (also as '\(earlier.key)')")
            }
            fields.append((number, key))
            return !value.isNull
        }
    }

    // MARK: - Repeated fields and maps

    static func array<T>(
        _ json: ProtoJSONValue, _ path: String,
        _ element: (ProtoJSONValue, String) throws(ProtoJSONError) -> T
    ) throws(ProtoJSONError) -> [T] {
        guard case .array(let items) = json else {
            throw ProtoJSONError(.wrongType, path: path, "expected an array, got \(json.summary)")
        }
        var result: [T] = []
        result.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            let itemPath = ProtoJSON.path(path, index: index)
            if item.isNull { throw ProtoJSONError(.wrongType, path: itemPath, "null is not allowed in a list") }
            result.append(try element(item, itemPath))
        }
        return result
    }

    static func map<K: Hashable, V>(
        _ json: ProtoJSONValue, _ path: String,
        key: (String, String) throws(ProtoJSONError) -> K,
        value: (ProtoJSONValue, String) throws(ProtoJSONError) -> V
    ) throws(ProtoJSONError) -> [K: V] {
        guard case .object(let members) = json else {
            throw ProtoJSONError(.wrongType, path: path, "expected an object (a map), got \(json.summary)")
        }
        var result: [K: V] = [:]
        result.reserveCapacity(members.count)
        for member in members {
            let entryPath = ProtoJSON.path(path, mapKey: member.key)
            if member.value.isNull { throw ProtoJSONError(.wrongType, path: entryPath, "null is not allowed as a map value") }
            let k = try key(member.key, entryPath)
            if result[k] != nil {
                throw ProtoJSONError(.duplicateField, path: entryPath, "the map key is given twice")
            }
            result[k] = try value(member.value, entryPath)
        }
        return result
    }

    static func mapKey(_ key: String, _ path: String) throws(ProtoJSONError) -> String {
        try checkNoNUL(key, path, what: "the map key")
        return key
    }

    static func mapKey<T: FixedWidthInteger>(_ key: String, _ path: String) throws(ProtoJSONError) -> T {
        try integer(.string(key), path, T.self, name: typeName(T.self), what: "map key")
    }

    static func mapKey(_ key: String, _ path: String) throws(ProtoJSONError) -> Bool {
        switch key {
        case "true": return true
        case "false": return false
        default: throw ProtoJSONError(.invalidValue, path: path, "expected the map key \"true\" or \"false\"")
        }
    }

    static func mapJSON<V>(_ map: [String: V], _ value: (V) -> ProtoJSONValue) -> ProtoJSONValue {
        .object(map.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { ProtoJSONMember($0.key, value($0.value)) })
    }

    static func mapJSON<K: FixedWidthInteger, V>(_ map: [K: V], _ value: (V) -> ProtoJSONValue) -> ProtoJSONValue {
        .object(map.sorted { $0.key < $1.key }.map { ProtoJSONMember(String($0.key), value($0.value)) })
    }

    static func mapJSON<V>(_ map: [Bool: V], _ value: (V) -> ProtoJSONValue) -> ProtoJSONValue {
        .object(map.sorted { !$0.key && $1.key }.map { ProtoJSONMember($0.key ? "true" : "false", value($0.value)) })
    }

    // MARK: - Scalars: reading

    static func int32(_ json: ProtoJSONValue, _ path: String) throws(ProtoJSONError) -> Int32 {
        try integer(json, path, Int32.self, name: "int32", what: "integer")
    }

    static func int64(_ json: ProtoJSONValue, _ path: String) throws(ProtoJSONError) -> Int64 {
        try integer(json, path, Int64.self, name: "int64", what: "integer")
    }

    static func uint32(_ json: ProtoJSONValue, _ path: String) throws(ProtoJSONError) -> UInt32 {
        try integer(json, path, UInt32.self, name: "uint32", what: "integer")
    }

    static func uint64(_ json: ProtoJSONValue, _ path: String) throws(ProtoJSONError) -> UInt64 {
        try integer(json, path, UInt64.self, name: "uint64", what: "integer")
    }

    static func bool(_ json: ProtoJSONValue, _ path: String) throws(ProtoJSONError) -> Bool {
        guard case .bool(let value) = json else {
            throw ProtoJSONError(.wrongType, path: path, "expected true or false, got \(json.summary)")
        }
        return value
    }

    static func string(_ json: ProtoJSONValue, _ path: String) throws(ProtoJSONError) -> String {
        guard case .string(let value) = json else {
            throw ProtoJSONError(.wrongType, path: path, "expected a string, got \(json.summary)")
        }
        try checkNoNUL(value, path, what: "a string field")
        return value
    }

    private static func checkNoNUL(_ value: String, _ path: String, what: String) throws(ProtoJSONError) {
        if value.utf8.contains(0) {
            throw ProtoJSONError(.invalidValue, path: path,
                                 "contains a NUL character (\\u0000), which \(what) cannot hold")
        }
    }

    static func bytes(_ json: ProtoJSONValue, _ path: String) throws(ProtoJSONError) -> Data {
        guard case .string(let text) = json else {
            throw ProtoJSONError(.wrongType, path: path, "expected a base64 string, got \(json.summary)")
        }
        switch Base64.decode(text) {
        case .success(let bytes): return Data(bytes)
        case .failure(let problem):
            throw ProtoJSONError(.invalidValue, path: path, "expected base64 (standard or URL-safe alphabet): \(problem.reason)")
        }
    }

    static func double(_ json: ProtoJSONValue, _ path: String) throws(ProtoJSONError) -> Double {
        try floating(json, path, Double.self, name: "double")
    }

    static func float(_ json: ProtoJSONValue, _ path: String) throws(ProtoJSONError) -> Float {
        try floating(json, path, Float.self, name: "float")
    }

    static func enumValue<E: ProtoJSONEnum>(_ json: ProtoJSONValue, _ path: String) throws(ProtoJSONError) -> E {
        switch json {
        case .string(let name):
            if let value = E(protoValueName: name) { return value }
            var reason = "\(ProtoJSONWriter.quoted(name)) is not a value of \(E.protoName)"
            if let suggestion = closest(to: name, in: E.protoValueNames) { reason += " (did you mean '\(suggestion)'?)" }
            reason += "; expected one of \(E.protoValueNames.joined(separator: ", ")), or a number"
            throw ProtoJSONError(.invalidValue, path: path, reason)
        case .number:
            return E(rawValue: try integer(json, path, Int32.self, name: "enum", what: "integer"))
        default:
            throw ProtoJSONError(.wrongType, path: path,
                                 "expected a value name of \(E.protoName) (\(E.protoValueNames.joined(separator: ", "))) or a number, got \(json.summary)")
        }
    }

    // MARK: - Scalars: writing

    static func json<T: FixedWidthInteger>(int value: T) -> ProtoJSONValue { .number(String(value)) }
    static func json<T: FixedWidthInteger>(int64 value: T) -> ProtoJSONValue { .string(String(value)) }
    static func json(bytes value: Data) -> ProtoJSONValue { .string(Base64.encode(value)) }
    static func json(double value: Double) -> ProtoJSONValue { ProtoJSONValue.double(value) }
    static func json(float value: Float) -> ProtoJSONValue { ProtoJSONValue.float(value) }
    static func json<E: ProtoJSONEnum>(enum value: E) -> ProtoJSONValue {
        if let name = value.protoValueName { return .string(name) }
        return .number(String(value.rawValue))
    }

    // MARK: - Numbers

    private static func typeName<T: FixedWidthInteger>(_ type: T.Type) -> String {
        switch type {
        case is Int32.Type: return "int32"
        case is Int64.Type: return "int64"
        case is UInt32.Type: return "uint32"
        case is UInt64.Type: return "uint64"
        default: return "\(type)"
        }
    }

    /// An integer from a JSON number or a string holding one (`"12"`, `"-3"`, `"1e3"`).
    private static func integer<T: FixedWidthInteger>(
        _ json: ProtoJSONValue, _ path: String, _ type: T.Type, name: String, what: String
    ) throws(ProtoJSONError) -> T {
        let text: String
        switch json {
        case .number(let number): text = number
        case .string(let string) where isNumberSyntax(string): text = string
        default: throw ProtoJSONError(.wrongType, path: path, "expected an \(what), got \(json.summary)")
        }
        switch exactInteger(text) {
        case .notInteger:
            throw ProtoJSONError(.wrongType, path: path, "expected an \(what), got \(json.summary)")
        case .tooLarge:
            throw outOfRange(text, path, T.self, name)
        case .value(let negative, let magnitude):
            if negative {
                // -magnitude must be >= T.min.
                guard T.isSigned, magnitude <= UInt64(T.max) + 1 else {
                    if magnitude == 0 { return 0 }
                    throw outOfRange(text, path, T.self, name)
                }
                return magnitude == UInt64(T.max) + 1 ? T.min : 0 - T(magnitude)
            }
            guard magnitude <= UInt64(T.max) else { throw outOfRange(text, path, T.self, name) }
            return T(magnitude)
        }
    }

    private static func outOfRange<T: FixedWidthInteger>(_ text: String, _ path: String, _ type: T.Type, _ name: String) -> ProtoJSONError {
        ProtoJSONError(.invalidValue, path: path, "\(text) is out of range for \(name) (\(T.min) to \(T.max))")
    }

    private enum ExactInteger {
        case value(negative: Bool, magnitude: UInt64)
        case notInteger
        case tooLarge
    }

    /// The integer a JSON number's text denotes exactly, if it is one (`1e3` and `2.0` are).
    private static func exactInteger(_ text: String) -> ExactInteger {
        var bytes = Substring(text).utf8[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var digits: [UInt8] = []
        var exponent = 0
        var seenPoint = false
        while let byte = bytes.first, byte != UInt8(ascii: "e"), byte != UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if byte == UInt8(ascii: ".") {
                seenPoint = true
                continue
            }
            digits.append(byte - 0x30)
            if seenPoint { exponent -= 1 }
        }
        if !bytes.isEmpty {
            bytes = bytes.dropFirst()  // e
            let text = String(decoding: bytes, as: UTF8.self)
            guard let value = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
                // An exponent too large for Int: zero stays zero, anything else is huge or tiny.
                if digits.allSatisfy({ $0 == 0 }) { return .value(negative: negative, magnitude: 0) }
                return text.hasPrefix("-") ? .notInteger : .tooLarge
            }
            exponent += value
        }
        while let first = digits.first, first == 0 { digits.removeFirst() }
        if digits.isEmpty { return .value(negative: negative, magnitude: 0) }
        while let last = digits.last, last == 0 {
            digits.removeLast()
            exponent += 1
        }
        if exponent < 0 { return .notInteger }
        if digits.count + exponent > 20 { return .tooLarge }
        var magnitude: UInt64 = 0
        for digit in digits + Array(repeating: 0, count: exponent) {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            if overflow1 || overflow2 { return .tooLarge }
            magnitude = sum
        }
        return .value(negative: negative, magnitude: magnitude)
    }

    /// Whether `text` is a JSON number, exactly (no spaces, no `+`, no leading zeros).
    static func isNumberSyntax(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        func digits() -> Int {
            var count = 0
            while let byte = bytes.first, byte >= 0x30, byte <= 0x39 {
                bytes = bytes.dropFirst()
                count += 1
            }
            return count
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        if bytes.first == UInt8(ascii: "0") {
            bytes = bytes.dropFirst()
        } else if digits() == 0 {
            return false
        }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            if digits() == 0 { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            if digits() == 0 { return false }
        }
        return bytes.isEmpty
    }

    private static func floating<T: BinaryFloatingPoint & LosslessStringConvertible>(
        _ json: ProtoJSONValue, _ path: String, _ type: T.Type, name: String
    ) throws(ProtoJSONError) -> T {
        let text: String
        switch json {
        case .number(let number):
            text = number
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case .string(let string) where isNumberSyntax(string):
            text = string
        default:
            throw ProtoJSONError(.wrongType, path: path,
                                 "expected a number (or \"NaN\", \"Infinity\", \"-Infinity\"), got \(json.summary)")
        }
        guard let value = T(text), value.isFinite else {
            throw ProtoJSONError(.invalidValue, path: path, "\(text) is out of range for \(name)")
        }
        return value
    }
}
