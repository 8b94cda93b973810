/// A message that reads and writes the proto3 JSON mapping
/// (https://protobuf.dev/programming-guides/json/). Every generated message adopts it.
///
/// - Field names are printed in lowerCamelCase (`amountVnd`); the `.proto` names
///   (`amount_vnd`) are accepted too when reading.
/// - `int64`, `uint64` (and their fixed / zigzag kinds) print as strings (`"9007199254740993"`);
///   every integer kind accepts a number or a string of digits.
/// - `bytes` print as standard base64; reading accepts standard or URL-safe, padded or not.
/// - Enums print as their value name (`"COLOUR_RED"`), a number only for values the `.proto`
///   does not know; reading accepts a name or a number.
/// - Maps are JSON objects, repeated fields arrays; `double` and `float` accept `"NaN"`,
///   `"Infinity"` and `"-Infinity"`.
/// - Fields at their default value (0, `""`, `false`, empty, first enum value, absent message)
///   are left out when printing; `null` reads as the default.
/// - Stricter than the spec allows: a key that is no field of the message is an error (so a
///   typo is caught, not ignored), as is the same field twice or a NUL character in a string
///   field (protobuf-c would cut the string there).
///
/// ```swift
/// let request = try CatalogV1.GetProcedureRequest(jsonString: #"{"code": "1.001234"}"#)
/// print(response.jsonString(pretty: true))
/// ```
public protocol ProtoJSONMessage: ProtoMessage {
    /// Reads the message from a parsed JSON value; `path` names where it sits in a larger
    /// document, and prefixes every error's path ("" at the top).
    init(protoJSON: ProtoJSONValue, path: String) throws(ProtoJSONError)

    /// The message as a JSON value, fields in `.proto` order, defaults left out.
    var protoJSON: ProtoJSONValue { get }

    /// The message as a JSON value; with `includingDefaults`, fields at their default value are
    /// printed too (`0`, `""`, `false`, `[]`, `{}`, the first enum value; protobuf's
    /// "always print fields with no presence"), for readers that want every key. An absent
    /// message field stays absent.
    func protoJSON(includingDefaults: Bool) -> ProtoJSONValue

    /// Reads the `Any` tree `JSONSerialization.jsonObject(with:)` returns (or one built in
    /// Swift): `[String: Any]` at the top.
    init(jsonObject: Any) throws(ProtoJSONError)

    /// The message as an `Any` tree that `JSONSerialization.data(withJSONObject:)` accepts.
    var jsonObject: Any { get }
}

extension ProtoJSONMessage {
    public var protoJSON: ProtoJSONValue { protoJSON(includingDefaults: false) }

    public init(jsonObject: Any) throws(ProtoJSONError) {
        try self.init(protoJSON: ProtoJSONValue(jsonObject: jsonObject), path: "")
    }

    public var jsonObject: Any { protoJSON.jsonObject }

    /// Reads JSON text.
    ///
    /// - Throws: ``ProtoJSONError``: `.syntax` with line and column when it is not JSON, else
    ///   the path of the first bad field and what was expected.
    public init(jsonString: String) throws(ProtoJSONError) {
        try self.init(protoJSON: ProtoJSONParser.parse(jsonString), path: "")
    }

    /// Reads JSON text given as UTF-8 bytes (a file's contents); invalid UTF-8 is a `.syntax`
    /// error at its offset.
    public init(jsonUTF8 bytes: some Collection<UInt8>) throws(ProtoJSONError) {
        try self.init(protoJSON: ProtoJSONParser.parse(utf8: bytes), path: "")
    }

    /// The message as JSON text: compact, or indented by two spaces per level; defaults left
    /// out unless `includingDefaults`.
    public func jsonString(pretty: Bool = false, includingDefaults: Bool = false) -> String {
        ProtoJSONWriter.string(protoJSON(includingDefaults: includingDefaults), pretty: pretty)
    }

    /// The same JSON text as UTF-8 bytes, for a response body (no `String` in between).
    public func jsonUTF8(pretty: Bool = false, includingDefaults: Bool = false) -> [UInt8] {
        ProtoJSONWriter.utf8(protoJSON(includingDefaults: includingDefaults), pretty: pretty)
    }
}

/// A proto enum's names, for the JSON mapping. Every generated enum adopts it.
public protocol ProtoJSONEnum: Sendable, Hashable {
    /// The enum's full protobuf name, e.g. `dvc.catalog.v1.AgencyKind`.
    static var protoName: String { get }
    /// Every value name in `.proto` order, e.g. `AGENCY_KIND_UNSPECIFIED`.
    static var protoValueNames: [String] { get }
    init(rawValue: Int32)
    var rawValue: Int32 { get }
    /// The value with this `.proto` name, or nil.
    init?(protoValueName: String)
    /// The `.proto` name of the value; nil for a number this version does not know.
    var protoValueName: String? { get }
}
