/// Protobuf wire bytes written by hand, field by field: for inputs no encoder would produce
/// (unknown fields, wrong wire types, invalid UTF-8, truncated lengths). The hostile-input
/// tests, the valgrind check (`codec-memcheck`) and the fuzzers' seeds all build theirs with it,
/// so the wire format is spelled out once. Services never need it: they encode through
/// protobuf-c.
public enum ProtoWire {
    public static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
        return out
    }

    public static func tag(_ field: UInt64, _ wireType: UInt64) -> [UInt8] {
        varint(field << 3 | wireType)
    }

    /// A length-delimited field (string, bytes, message, packed repeated, map entry).
    public static func lengthDelimited(_ field: UInt64, _ payload: [UInt8]) -> [UInt8] {
        tag(field, 2) + varint(UInt64(payload.count)) + payload
    }

    public static func varintField(_ field: UInt64, _ value: UInt64) -> [UInt8] {
        tag(field, 0) + varint(value)
    }

    public static func fixed64Field(_ field: UInt64, _ value: UInt64) -> [UInt8] {
        tag(field, 1) + withUnsafeBytes(of: value.littleEndian, Array.init)
    }

    public static func fixed32Field(_ field: UInt64, _ value: UInt32) -> [UInt8] {
        tag(field, 5) + withUnsafeBytes(of: value.littleEndian, Array.init)
    }
}
