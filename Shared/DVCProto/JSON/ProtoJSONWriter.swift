/// Prints a ``ProtoJSONValue`` as JSON text: compact, or pretty with two-space indents.
///
/// Members come out in the order the value holds them (a message's fields in `.proto` order,
/// map keys sorted), so the same message always prints the same text. Text other than
/// ASCII is written as UTF-8, not escaped; control characters are escaped.
public enum ProtoJSONWriter {
    public static func string(_ value: ProtoJSONValue, pretty: Bool = false) -> String {
        String(decoding: utf8(value, pretty: pretty), as: UTF8.self)
    }

    /// The JSON text as UTF-8 bytes, ready to send. Written into one byte array: appending to a
    /// `String` scalar by scalar cost half of the gateway's time on a JSON answer.
    public static func utf8(_ value: ProtoJSONValue, pretty: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out, pretty: pretty, indent: 0)
        return out
    }

    private static func write(_ value: ProtoJSONValue, into out: inout [UInt8], pretty: Bool, indent: Int) {
        switch value {
        case .null:
            out += "null".utf8
        case .bool(let value):
            out += (value ? "true" : "false").utf8
        case .number(let text):
            out += text.utf8
        case .string(let text):
            appendQuoted(text, to: &out)
        case .array(let items):
            if items.isEmpty {
                out += "[]".utf8
                return
            }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, pretty: pretty, indent: indent + 1)
                write(item, into: &out, pretty: pretty, indent: indent + 1)
            }
            newline(&out, pretty: pretty, indent: indent)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                out += "{}".utf8
                return
            }
            out.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, pretty: pretty, indent: indent + 1)
                appendQuoted(member.key, to: &out)
                out += (pretty ? ": " : ":").utf8
                write(member.value, into: &out, pretty: pretty, indent: indent + 1)
            }
            newline(&out, pretty: pretty, indent: indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout [UInt8], pretty: Bool, indent: Int) {
        guard pretty else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        appendQuoted(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Copies the UTF-8 bytes as they are, in runs, escaping only `"`, `\\` and control
    /// characters (every byte of a multi-byte sequence is ≥ 0x80, so none is ever escaped).
    private static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var run = 0
            for (i, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F {
                out.append(contentsOf: bytes[run..<i])
                run = i + 1
                switch byte {
                case 0x22: out += #"\""#.utf8
                case 0x5C: out += #"\\"#.utf8
                case 0x0A: out += #"\n"#.utf8
                case 0x0D: out += #"\r"#.utf8
                case 0x09: out += #"\t"#.utf8
                case 0x08: out += #"\b"#.utf8
                case 0x0C: out += #"\f"#.utf8
                default:
                    let hex = Array("0123456789ABCDEF".utf8)
                    out += #"\u00"#.utf8
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0x0F)])
                }
            }
            out.append(contentsOf: bytes[run...])
        }
        out.append(UInt8(ascii: "\""))
    }
}
