import DVCProto
import Foundation
import Testing

/// Bytes that must be refused, with the reason and the field the RPC layer reports in its
/// INVALID_ARGUMENT field violation. protobuf-c alone would accept invalid UTF-8 and cut a
/// string at a NUL byte; a citizen's data is never repaired or shortened silently.
@Suite struct RefusalTests {
    /// Ill-formed UTF-8, each a classic way to smuggle or corrupt text.
    static let invalidUTF8: [[UInt8]] = [
        [0xC3, 0x28],              // 2-byte lead followed by ASCII
        [0x80],                    // lone continuation byte
        [0x61, 0xBF, 0x62],        // continuation byte between letters
        [0xC0, 0x80],              // overlong NUL ("modified UTF-8")
        [0xC1, 0xBF],              // overlong ASCII
        [0xE0, 0x80, 0xAF],        // overlong '/'
        [0xED, 0xA0, 0x80],        // UTF-16 surrogate U+D800
        [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
        [0xF8, 0x88, 0x80, 0x80, 0x80],  // 5-byte form
        [0xFF], [0xFE, 0xFF],      // bytes never in UTF-8
        [0x4E, 0x67, 0x75, 0x79, 0xE1, 0xBB],  // "Nguy" then "ễ" cut short
    ]

    @Test("invalid UTF-8 in a top-level string is refused with the field's name",
          arguments: invalidUTF8)
    func invalidTopLevel(_ payload: [UInt8]) {
        let error = decodingError(TestingV1.AllKinds.self, Wire.lengthDelimited(8, payload))
        #expect(error == ProtoDecodingError(reason: .invalidUTF8, message: "dvc.testing.v1.AllKinds", field: "f_string"))
        #expect(error?.description == "dvc.testing.v1.AllKinds.f_string is not valid UTF-8")
    }

    /// (bytes with `bad` placed somewhere, the path expected in the error)
    static func placements(_ bad: [UInt8]) -> [(bytes: [UInt8], field: String)] {
        let good = Array(Text.viNFC.utf8)
        return [
            (Wire.lengthDelimited(8, bad), "f_string"),
            (Wire.lengthDelimited(8, good) + Wire.lengthDelimited(25, good) + Wire.lengthDelimited(25, bad), "r_string"),
            (Wire.lengthDelimited(11, Wire.lengthDelimited(1, bad)), "f_message.name"),
            (Wire.lengthDelimited(11, Wire.lengthDelimited(1, good) + Wire.lengthDelimited(3, bad)), "f_message.tags"),
            (Wire.lengthDelimited(28, []) + Wire.lengthDelimited(28, Wire.lengthDelimited(3, bad)), "r_message.tags"),
            (Wire.mapEntry(31, key: bad, value: good), "m_string.key"),
            (Wire.mapEntry(31, key: good, value: good) + Wire.mapEntry(31, key: good, value: bad), "m_string.value"),
            (Wire.lengthDelimited(32, Wire.lengthDelimited(1, bad) + Wire.varintField(2, 1)), "m_int64.key"),
            (Wire.mapEntry(33, key: bad, value: []), "m_message.key"),
            (Wire.mapEntry(33, key: good, value: Wire.lengthDelimited(1, bad)), "m_message.value.name"),
            (Wire.mapEntry(33, key: good, value: Wire.lengthDelimited(3, good) + Wire.lengthDelimited(3, bad)),
             "m_message.value.tags"),
        ]
    }

    @Test("invalid UTF-8 anywhere: nested, repeated, map key and value; the path names it",
          arguments: invalidUTF8)
    func invalidEverywhere(_ bad: [UInt8]) {
        for (bytes, field) in Self.placements(bad) {
            let error = decodingError(TestingV1.AllKinds.self, bytes)
            #expect(error?.reason == .invalidUTF8, "\(field)")
            #expect(error?.field == field)
            #expect(error?.message == "dvc.testing.v1.AllKinds")
        }
    }

    @Test("a NUL byte in a string is refused, never cut short", arguments: [
        [0x00], [0x61, 0x00], [0x00, 0x61], Array("Nguy\u{1EC5}n".utf8) + [0x00] + Array("Admin".utf8),
    ])
    func nulInString(_ bad: [UInt8]) {
        for (bytes, field) in Self.placements(bad) {
            let error = decodingError(TestingV1.AllKinds.self, bytes)
            #expect(error?.reason == .nulInString, "\(field)")
            #expect(error?.field == field)
        }
        let error = decodingError(TestingV1.AllKinds.self, Wire.lengthDelimited(8, bad))
        #expect(error?.description == "dvc.testing.v1.AllKinds.f_string contains a NUL byte")
    }

    @Test("bytes fields may hold anything: invalid UTF-8 and NUL bytes pass untouched")
    func bytesFieldsAreNotText() throws {
        for bad in Self.invalidUTF8 + [[0x00], [0x00, 0x00, 0xC0, 0x80]] {
            let bytes = Wire.lengthDelimited(9, bad) + Wire.lengthDelimited(26, bad) + Wire.lengthDelimited(26, [0])
            let m = try TestingV1.AllKinds(protobuf: bytes)
            #expect(m.fBytes == Data(bad))
            #expect(m.rBytes == [Data(bad), Data([0])])
        }
        var request = TestingV1.SimpleRequest()
        request.payload = Data([0x00, 0xC3, 0x28, 0x00])
        #expect(try TestingV1.SimpleRequest(protobuf: request.protobufBytes).payload == request.payload)
    }

    @Test("the first bad field is the one reported")
    func firstBadField() {
        let bytes = Wire.lengthDelimited(8, Array("fine".utf8))
            + Wire.lengthDelimited(11, Wire.lengthDelimited(1, [0x00]))
            + Wire.lengthDelimited(25, [0xFF])
        let error = decodingError(TestingV1.AllKinds.self, bytes)
        #expect(error == ProtoDecodingError(reason: .nulInString, message: "dvc.testing.v1.AllKinds", field: "f_message.name"))
    }

    static let malformed: [(String, [UInt8])] = [
        ("truncated tag", [0x80]),
        ("truncated varint", [0x08, 0x80]),
        ("varint longer than ten bytes", [0x08] + Array(repeating: 0xFF, count: 10) + [0x01]),
        ("length past the end", [0x42, 0x05, 0x61]),
        ("length past the end, huge", [0x42] + Wire.varint(UInt64.max)),
        ("truncated fixed64", [0x61, 1, 2, 3]),
        ("truncated fixed32", Wire.tag(40, 5) + [1, 2]),
        ("wire type 6", Wire.tag(1, 6) + [0]),
        ("wire type 7", Wire.tag(1, 7) + [0]),
        ("field number 0", [0x00, 0x01]),
        ("field number 0, length-delimited", [0x02, 0x00]),
        ("end group without start", Wire.tag(5, 4)),
        ("string field as varint", Wire.varintField(8, 1)),
        ("message field as varint", Wire.varintField(11, 1)),
        ("message field as fixed32", Wire.fixed32Field(11, 1)),
        ("int32 field as length-delimited", Wire.lengthDelimited(1, [0x01])),
        ("bytes field as fixed64", Wire.fixed64Field(9, 1)),
        ("map field as varint", Wire.varintField(31, 1)),
        ("nested message truncated inside", Wire.lengthDelimited(11, [0x0A, 0x05, 0x61])),
        ("nested message with bad wire type", Wire.lengthDelimited(11, Wire.tag(1, 7))),
        ("map entry truncated inside", Wire.lengthDelimited(31, [0x0A, 0x09])),
        ("packed repeated ends mid-varint", Wire.lengthDelimited(21, [0x01, 0x80])),
        ("packed repeated length past the end", Wire.tag(22, 2) + [0x03, 0x01]),
        ("valid field then garbage", Wire.varintField(1, 1) + [0xFF]),
    ]

    @Test("bytes that are not a protobuf encoding are refused as malformed",
          arguments: malformed.map(\.0))
    func malformedInput(_ name: String) {
        let bytes = Self.malformed.first { $0.0 == name }!.1
        let error = decodingError(TestingV1.AllKinds.self, bytes)
        #expect(error?.reason == .malformed, "\(name): \(String(describing: error))")
        #expect(error?.message == "dvc.testing.v1.AllKinds")
        #expect(error?.description == "payload is not a valid dvc.testing.v1.AllKinds")
    }

    @Test("every prefix of a valid encoding either decodes or is refused as malformed")
    func truncations() throws {
        let full = GoldenCases.allKindsFull().protobufBytes
        var refused = 0
        for cut in 0..<full.count {
            do throws(ProtoDecodingError) {
                _ = try TestingV1.AllKinds(protobuf: Array(full.prefix(cut)))
            } catch {
                refused += 1
                #expect(error.reason == .malformed, "prefix of \(cut) bytes: \(error)")
            }
        }
        // Most cuts land inside a field; the few at field boundaries are valid messages.
        #expect(refused > full.count * 3 / 4)
        #expect(Wire.fields(full).count == full.count - refused)
    }

    @Test("refusals for the RPC headers name their fields too")
    func rpcHeaderPaths() {
        let request = Wire.lengthDelimited(1, Array("/dvc.x.v1.S/M".utf8))
            + Wire.mapEntry(3, key: Array("x-request-id".utf8), value: [0x61, 0xC3])
        #expect(decodingError(RpcV1.RequestHeader.self, request)
                == ProtoDecodingError(reason: .invalidUTF8, message: "dvc.rpc.v1.RequestHeader", field: "metadata.value"))
        let response = Wire.varintField(1, 3) + Wire.lengthDelimited(4, Wire.lengthDelimited(2, Array("a\u{0}b".utf8)))
        #expect(decodingError(RpcV1.ResponseHeader.self, response)
                == ProtoDecodingError(reason: .nulInString, message: "dvc.rpc.v1.ResponseHeader", field: "violations.description"))
        #expect(decodingError(RpcV1.RequestHeader.self, Wire.lengthDelimited(1, [0x00]))?.field == "method")
    }
}
