import DVCProto
import Foundation
import Testing

/// The golden cases, written a second time, independently of Tests/python/golden.py: Python
/// builds them with Google's protobuf runtime, Swift with DVCProto, and the tests check that
/// both describe the same messages byte for byte. Keep the two in step.
///
/// Strings are spelled with escapes (readable form in the comment) so that no editor can
/// renormalise them.
enum Text {
    /// "Nguyễn Thị Ánh — Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh", precomposed (NFC).
    static let viNFC = "Nguy\u{1EC5}n Th\u{1ECB} \u{C1}nh \u{2014} Ph\u{1B0}\u{1EDD}ng B\u{1EBF}n Ngh\u{E9}, "
        + "Qu\u{1EAD}n 1, TP. H\u{1ED3} Ch\u{ED} Minh"
    /// The same text decomposed (NFD): base letters followed by combining marks.
    static let viNFD = "Nguye\u{302}\u{303}n Thi\u{323} A\u{301}nh \u{2014} Phu\u{31B}o\u{31B}\u{300}ng "
        + "Be\u{302}\u{301}n Nghe\u{301}, Qua\u{323}\u{302}n 1, TP. Ho\u{302}\u{300} Chi\u{301} Minh"
    static let hcmNFC = "H\u{1ED3} Ch\u{ED} Minh"  // Hồ Chí Minh
    static let hcmNFD = "Ho\u{302}\u{300} Chi\u{301} Minh"
    static let hanoi = "H\u{E0} N\u{1ED9}i"  // Hà Nội
    static let danang = "\u{110}\u{E0} N\u{1EB5}ng"  // Đà Nẵng
    static let procedure = "th\u{1EE7} t\u{1EE5}c"  // thủ tục
    static let province = "t\u{1EC9}nh"  // tỉnh
    static let binhDuong = "B\u{EC}nh D\u{1B0}\u{1A1}ng"  // Bình Dương
    static let negativeKey = "\u{E2}m"  // âm
    static let vietKey = "vi\u{1EC7}t"  // việt
    static let eAcuteNFD = "e\u{301}"  // é decomposed: sorts before "f" byte-wise, after it in Swift
    static let family = "\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}"  // family emoji
    static let flagVN = "\u{1F1FB}\u{1F1F3}"  // flag of Viet Nam
    static let party = "\u{1F389}"
    static let building = "\u{1F3DB}\u{FE0F}"
    static let tranThiBich = "Tr\u{1EA7}n Th\u{1ECB} B\u{ED}ch"  // Trần Thị Bích
    static let invalidDossier = "H\u{1ED3} s\u{1A1} kh\u{F4}ng h\u{1EE3}p l\u{1EC7}"  // Hồ sơ không hợp lệ
    static let nameRequired = "H\u{1ECD} t\u{EA}n kh\u{F4}ng \u{111}\u{1B0}\u{1EE3}c \u{111}\u{1EC3} tr\u{1ED1}ng"
    static let echoKey = "x-test-echo-t\u{EA}n"  // x-test-echo-tên
}

/// Bytes that are no text at all: zero bytes, invalid UTF-8, a lone continuation byte.
let rawBytes = Data([0x00, 0x01, 0x02, 0xFF, 0xFE, 0x00, 0x20, 0xC3, 0x28, 0x20, 0x80, 0x20]
    + Array("NUL".utf8) + [0x00] + Array("end".utf8) + [0x00])

/// 1 MiB, every byte value, zeros included; golden.py computes the same pattern.
let largeBytes = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ ($0 >> 8)) })

func inner(name: String = "", amount: Int64 = 0, tags: [String] = []) -> TestingV1.Inner {
    var m = TestingV1.Inner()
    m.name = name
    m.amount = amount
    m.tags = tags
    return m
}

enum GoldenCases {
    static func allKindsFull() -> TestingV1.AllKinds {
        var m = TestingV1.AllKinds()
        m.fInt32 = -123_456
        m.fInt64 = -9_000_000_000_000
        m.fUint32 = 4_000_000_000
        m.fUint64 = 18_000_000_000_000_000_000
        m.fSint32 = -2_000_000_000
        m.fSint64 = .min
        m.fBool = true
        m.fString = Text.viNFC + " " + Text.flagVN
        m.fBytes = rawBytes
        m.fEnum = .negative
        m.fMessage = inner(name: Text.viNFD, amount: -42, tags: ["", Text.procedure, Text.family])
        m.fDouble = -1234.5678e-9
        m.fFixed64 = 0xFEDC_BA98_7654_3210
        m.rInt32 = [0, -1, 1, .max, .min]
        m.rInt64 = [.min, 0, .max]
        m.rUint32 = [0, .max, 1]
        m.rBool = [true, false, true]
        m.rString = ["", Text.hcmNFC, Text.hcmNFD, "", Text.building]
        m.rBytes = [Data(), Data([0]), Data([0xFF, 0xFE, 0xFD]), Data()]
        m.rEnum = [.red, .unspecified, .negative, .unrecognized(7), .unrecognized(-100)]
        m.rMessage = [inner(), inner(name: Text.hanoi, amount: 1, tags: [""]), inner(name: "", amount: -1)]
        m.mString = [
            Text.province: Text.binhDuong,
            "emoji " + Text.party: Text.party,
            Text.eAcuteNFD: "decomposed key",
            "f": "after the decomposed key byte-wise",
        ]
        m.mInt64 = ["min": .min, "max": .max, Text.negativeKey: -1]
        m.mMessage = ["a": inner(name: "x"), Text.vietKey: inner(tags: [Text.danang]), "b": inner(amount: 7)]
        return m
    }

    static func allKindsDefaults() -> TestingV1.AllKinds { TestingV1.AllKinds() }

    static func allKindsSparse() -> TestingV1.AllKinds {
        var m = TestingV1.AllKinds()
        m.fEnum = .unrecognized(99)
        m.fMessage = inner()
        m.rString = [""]
        m.rMessage = [inner()]
        return m
    }

    static func allKindsZeroMapEntries() -> TestingV1.AllKinds {
        var m = TestingV1.AllKinds()
        m.mString = ["": "empty key", "empty value": ""]
        m.mInt64 = ["zero": 0]
        m.mMessage = ["empty": inner()]
        return m
    }

    static func allKindsLarge() -> TestingV1.AllKinds {
        var m = TestingV1.AllKinds()
        m.fBytes = largeBytes
        m.rString = (0..<1000).map { "m\u{1EE5}c \($0)" }  // mục i
        m.rInt64 = (0..<1000).map { Int64($0) * -3 }
        m.rMessage = (0..<200).map { inner(name: "n\($0)", amount: Int64($0), tags: ["t\($0)"]) }
        // Keys of one width: upb (Python's runtime) orders a key that is a prefix of another
        // after it, where C++, Go and we sort by bytes. Keeping prefixes out lets the bytes be
        // compared too.
        m.mInt64 = Dictionary(uniqueKeysWithValues: (0..<500).map { i in
            let digits = String(i)
            return ("k" + String(repeating: "0", count: 3 - digits.count) + digits, -3 * Int64(i) - 1)
        })
        return m
    }

    static func requestHeader() -> RpcV1.RequestHeader {
        var m = RpcV1.RequestHeader()
        m.method = "/dvc.testing.v1.TestService/UnaryCall"
        m.timeoutMs = 1500
        m.metadata = [
            "authorization": "Bearer abc.def.ghi",
            "x-request-id": "4bf92f3577b34da6",
            "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "idempotency-key": "b7c2a1f0-0d5e-4c49-9d3c-1f2e3a4b5c6d",
            Text.echoKey: Text.tranThiBich,
        ]
        return m
    }

    static func responseHeader() -> RpcV1.ResponseHeader {
        var m = RpcV1.ResponseHeader()
        m.code = 3
        m.message = Text.invalidDossier + " " + Text.party
        m.metadata = ["x-request-id": "4bf92f3577b34da6"]
        var a = RpcV1.FieldViolation()
        a.field = "applicant.full_name"
        a.description = Text.nameRequired
        var b = RpcV1.FieldViolation()
        b.field = "attachments[2].media_type"
        m.violations = [a, b]
        return m
    }

    /// Every case, by the name golden.py knows it by.
    static let all: [GoldenCase] = [
        GoldenCase("all_kinds_full", committed: true, sameBytesAsPython: true, allKindsFull),
        GoldenCase("all_kinds_defaults", committed: true, sameBytesAsPython: true, allKindsDefaults),
        GoldenCase("all_kinds_sparse", committed: true, sameBytesAsPython: true, allKindsSparse),
        // Python writes default key and value fields of map entries, protobuf-c leaves them
        // out: two valid encodings of one message.
        GoldenCase("all_kinds_zero_map_entries", committed: true, sameBytesAsPython: false,
                   allKindsZeroMapEntries),
        GoldenCase("request_header", committed: true, sameBytesAsPython: true, requestHeader),
        GoldenCase("response_header", committed: true, sameBytesAsPython: true, responseHeader),
        GoldenCase("all_kinds_large", committed: false, sameBytesAsPython: true, allKindsLarge),
    ]

    static var committed: [GoldenCase] { all.filter(\.committed) }
}

/// One golden case, whatever its message type.
struct GoldenCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// Kept under Tests/DVCProtoTests/Fixtures (the 1 MiB case is compared at test time only).
    let committed: Bool
    /// Whether our encoding is expected to be byte-identical to Python's deterministic one.
    let sameBytesAsPython: Bool
    /// Our encoding of the expected value.
    let encode: @Sendable () -> [UInt8]
    /// Decodes bytes and lists every field that differs from the expected value.
    let check: @Sendable ([UInt8]) throws(ProtoDecodingError) -> [String]

    init<M: ProtoMessage & FieldByField>(
        _ name: String, committed: Bool, sameBytesAsPython: Bool, _ build: @escaping @Sendable () -> M
    ) {
        self.name = name
        self.committed = committed
        self.sameBytesAsPython = sameBytesAsPython
        self.encode = { build().protobufBytes }
        self.check = { bytes throws(ProtoDecodingError) in
            try M(protobuf: bytes).differences(from: build())
        }
    }

    var testDescription: String { name }
}
