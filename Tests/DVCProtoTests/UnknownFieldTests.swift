import DVCProto
import Foundation
import Testing

/// A newer version of a message adds fields; an older reader must skip them and keep the rest.
@Suite struct UnknownFieldTests {
    @Test("AllKindsV2 bytes decode as AllKinds: known fields kept, added ones ignored")
    func newerVersionDecodesAsOlder() throws {
        var v2 = TestingV1.AllKindsV2()
        v2.fString = Text.viNFD
        v2.addedLater = "a field AllKinds does not have"
        v2.addedMessages = [inner(name: Text.hanoi, amount: 3, tags: ["x"]), inner()]
        let old = try TestingV1.AllKinds(protobuf: v2.protobufBytes)
        var expected = TestingV1.AllKinds()
        expected.fString = Text.viNFD
        #expect(old.differences(from: expected).isEmpty)
        // The unknown fields are dropped when copied into a Swift value: re-encoding gives
        // only what AllKinds knows.
        #expect(old.protobufBytes == expected.protobufBytes)
    }

    @Test("unknown fields of every wire type, interleaved with known ones, at any field number")
    func everyWireType() throws {
        let bytes = Wire.varintField(50, 12345)
            + Wire.fixed64Field(51, 0xDEAD_BEEF)
            + Wire.varintField(1, 150)
            + Wire.fixed32Field(52, 7)
            + Wire.lengthDelimited(53, Array(Text.viNFC.utf8))
            + Wire.lengthDelimited(8, Array("abc".utf8))
            + Wire.varintField(536_870_911, .max)  // the largest field number
            + Wire.lengthDelimited(1000, [0x08, 0x96, 0x01])
        let m = try TestingV1.AllKinds(protobuf: bytes)
        var expected = TestingV1.AllKinds()
        expected.fInt32 = 150
        expected.fString = "abc"
        #expect(m.differences(from: expected).isEmpty, "\(m.differences(from: expected))")
    }

    @Test("an unknown field is not checked as a string: invalid UTF-8 and NUL bytes pass")
    func unknownFieldsAreNotValidated() throws {
        // Field 99 is a string in AllKindsV2 but unknown to AllKinds: AllKinds cannot know it
        // is text, so it must not refuse it.
        let bytes = Wire.lengthDelimited(8, Array("kept".utf8))
            + Wire.lengthDelimited(99, [0xC3, 0x28, 0xFF])
            + Wire.lengthDelimited(100, Wire.lengthDelimited(1, [0xFF, 0x00]))
        let m = try TestingV1.AllKinds(protobuf: bytes)
        #expect(m.fString == "kept")
        // The newer reader, which knows the fields are strings, refuses the same bytes.
        let error = decodingError(TestingV1.AllKindsV2.self, bytes)
        #expect(error?.reason == .invalidUTF8)
        #expect(error?.field == "added_later")
    }

    @Test("AllKinds bytes decode as AllKindsV2: only f_string is shared")
    func olderVersionDecodesAsNewer() throws {
        let full = GoldenCases.allKindsFull()
        let v2 = try TestingV1.AllKindsV2(protobuf: full.protobufBytes)
        #expect(sameText(v2.fString, full.fString))
        #expect(v2.addedLater.isEmpty)
        #expect(v2.addedMessages.isEmpty)
    }

    @Test("an unknown field in a nested message is skipped too")
    func unknownInNested() throws {
        // f_message (11) = Inner { name: "n", 77: varint 1, 78: "zzz" }
        let nested = Wire.lengthDelimited(1, Array("n".utf8)) + Wire.varintField(77, 1)
            + Wire.lengthDelimited(78, Array("zzz".utf8))
        let m = try TestingV1.AllKinds(protobuf: Wire.lengthDelimited(11, nested))
        #expect(m.fMessage == inner(name: "n"))
    }

    @Test("a group (proto2 only, none in our protos) is refused as malformed, even unknown")
    func groupsAreRefused() throws {
        let bytes = Wire.tag(60, 3) + Wire.varintField(1, 1) + Wire.tag(60, 4)
        #expect(decodingError(TestingV1.AllKinds.self, bytes)?.reason == .malformed)
    }
}
