/// A JSON value as the proto3 JSON mapping reads and writes it.
///
/// Numbers keep their JSON text, so a 64-bit integer keeps every digit (a `Double` would not),
/// and objects keep their members in order, so a message prints its fields in `.proto` order.
/// `ProtoJSONParser` produces it from text, `ProtoJSONWriter` prints it, and
/// `init(jsonObject:)` / `jsonObject` convert it from and to the `Any` trees
/// `JSONSerialization` uses.
public enum ProtoJSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number as valid JSON number text, e.g. `-12`, `1.5e3`.
    case number(String)
    case string(String)
    case array([ProtoJSONValue])
    /// Members in order; keys are unique (the parser refuses duplicates).
    case object([ProtoJSONMember])

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// What a message of this value's kind is called in an error: `a string "abc"`, `an array`.
    var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return text.count > 40 ? "a number \(text.prefix(40))…" : text
        case .string(let text):
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return "a string " + ProtoJSONWriter.quoted(shown)
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// One member of a JSON object.
public struct ProtoJSONMember: Sendable, Hashable {
    public var key: String
    public var value: ProtoJSONValue

    public init(_ key: String, _ value: ProtoJSONValue) {
        self.key = key
        self.value = value
    }
}

// MARK: - The `Any` trees of JSONSerialization

extension ProtoJSONValue {
    /// The value as `JSONSerialization` writes it: `[String: Any]`, `[Any]`, `String`, `Bool`,
    /// `Int`, `UInt64` (above `Int.max`) or `Double`.
    ///
    /// `null` becomes `Optional<Any>.none`: this module does not link Foundation, whose `NSNull`
    /// is the usual spelling. Messages never print `null` (an absent field is left out).
    public var jsonObject: Any {
        switch self {
        case .null:
            return Optional<Any>.none as Any
        case .bool(let value):
            return value
        case .number(let text):
            if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
                if let value = Int(text) { return value }
                if let value = UInt64(text) { return value }
            }
            return Double(text) ?? 0
        case .string(let text):
            return text
        case .array(let items):
            return items.map(\.jsonObject)
        case .object(let members):
            var object: [String: Any] = [:]
            object.reserveCapacity(members.count)
            for member in members { object[member.key] = member.value.jsonObject }
            return object
        }
    }

    /// Reads an `Any` tree as `JSONSerialization.jsonObject(with:)` returns it, or as Swift
    /// code builds it: dictionaries with `String` keys, arrays, `String`, `Bool`, any integer
    /// type, `Double`, `Float`, `NSNumber`, `NSNull` or `nil`.
    ///
    /// - Throws: ``ProtoJSONError`` (`wrongType`) naming `path` for anything else.
    public init(jsonObject value: Any, path: String = "") throws(ProtoJSONError) {
        if let converted = Self.scalar(value) {
            self = converted
            return
        }
        if let object = value as? [String: Any] {
            var members: [ProtoJSONMember] = []
            members.reserveCapacity(object.count)
            // Sorted, so that errors come out the same from one run to the next.
            for key in object.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                members.append(ProtoJSONMember(key, try ProtoJSONValue(jsonObject: object[key]!,
                                                                       path: ProtoJSON.path(path, key))))
            }
            self = .object(members)
            return
        }
        if let array = value as? [Any] {
            var items: [ProtoJSONValue] = []
            items.reserveCapacity(array.count)
            for (index, item) in array.enumerated() {
                items.append(try ProtoJSONValue(jsonObject: item, path: ProtoJSON.path(path, index: index)))
            }
            self = .array(items)
            return
        }
        throw ProtoJSONError(.wrongType, path: path,
                             "\(type(of: value)) is not a JSON value (expected a dictionary, array, string, number, Bool or null)")
    }

    private static func scalar(_ value: Any) -> ProtoJSONValue? {
        let type = type(of: value)
        if type == String.self { return .string(value as! String) }
        if type == Bool.self { return .bool(value as! Bool) }
        if type == Int.self { return .number(String(value as! Int)) }
        if type == Int64.self { return .number(String(value as! Int64)) }
        if type == Int32.self { return .number(String(value as! Int32)) }
        if type == Int16.self { return .number(String(value as! Int16)) }
        if type == Int8.self { return .number(String(value as! Int8)) }
        if type == UInt.self { return .number(String(value as! UInt)) }
        if type == UInt64.self { return .number(String(value as! UInt64)) }
        if type == UInt32.self { return .number(String(value as! UInt32)) }
        if type == UInt16.self { return .number(String(value as! UInt16)) }
        if type == UInt8.self { return .number(String(value as! UInt8)) }
        if type == Double.self { return double(value as! Double) }
        if type == Float.self { return float(value as! Float) }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return .null }
            return scalar(wrapped)
        }
        // Foundation's classes, recognised without importing Foundation (which this module
        // does not link): NSNull, and NSNumber, whose booleans are a class of their own.
        if type is AnyObject.Type {
            let name = String(describing: type)
            if name == "NSNull" { return .null }
            if name.contains("Boolean"), let bool = value as? Bool { return .bool(bool) }
            if name.contains("Number") {
                if let integer = value as? Int64 { return .number(String(integer)) }
                if let integer = value as? UInt64 { return .number(String(integer)) }
                if let double = value as? Double { return Self.double(double) }
            }
            if let string = value as? String { return .string(string) }
        }
        return nil
    }

    /// A double as proto3 JSON writes it: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`.
    static func double(_ value: Double) -> ProtoJSONValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value < 0 ? "-Infinity" : "Infinity") }
        return .number(trimmed(value.description))
    }

    static func float(_ value: Float) -> ProtoJSONValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value < 0 ? "-Infinity" : "Infinity") }
        return .number(trimmed(value.description))
    }

    /// Swift writes whole numbers as `100.0`; JSON readers prefer `100`.
    private static func trimmed(_ text: String) -> String {
        text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
