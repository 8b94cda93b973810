/// Percent-encoding of UTF-8 bytes, for query strings and `filename*=`: ASCII letters, digits
/// and the few marks given stay as they are, every other byte becomes `%XX`.
///
/// By bytes rather than with Foundation's `CharacterSet`: building the set on every call was a
/// tenth of a procedure page's time (by perf), and a set of "alphanumerics" lets non-ASCII
/// letters through unencoded.
enum PercentEncoding {
    static func encode(_ text: String, keeping marks: String) -> String {
        let kept = Set(marks.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.append(byte)
            case _ where kept.contains(byte):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
