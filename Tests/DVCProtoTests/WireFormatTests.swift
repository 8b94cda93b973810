import DVCProto
import Foundation
import Testing

/// Encodings other implementations may send that our encoder never writes: all must be read
/// as the protobuf specification says.
@Suite struct WireFormatTests {
    @Test("repeated scalars accepted unpacked as well as packed, and mixed")
    func unpackedRepeated() throws {
        let unpacked = Wire.varintField(21, 5) + Wire.varintField(21, 6)
        #expect(try TestingV1.AllKinds(protobuf: unpacked).rInt32 == [5, 6])
        let mixed = Wire.lengthDelimited(21, [1, 2]) + Wire.varintField(21, 3) + Wire.lengthDelimited(21, [4])
        #expect(try TestingV1.AllKinds(protobuf: mixed).rInt32 == [1, 2, 3, 4])
        let bools = Wire.varintField(24, 1) + Wire.lengthDelimited(24, [0, 1])
        #expect(try TestingV1.AllKinds(protobuf: bools).rBool == [true, false, true])
    }

    @Test("we write repeated scalars packed, as proto3 asks")
    func weWritePacked() {
        var m = TestingV1.AllKinds()
        m.rInt32 = [1, 2, 3]
        #expect(m.protobufBytes == Wire.lengthDelimited(21, [1, 2, 3]))
    }

    @Test("a singular field seen twice: the last value wins")
    func lastValueWins() throws {
        let bytes = Wire.varintField(1, 1) + Wire.lengthDelimited(8, Array("first".utf8))
            + Wire.varintField(1, 2) + Wire.lengthDelimited(8, Array("second".utf8))
        let m = try TestingV1.AllKinds(protobuf: bytes)
        #expect(m.fInt32 == 2)
        #expect(m.fString == "second")
    }

    @Test("a nested message seen twice is merged")
    func messagesMerge() throws {
        let bytes = Wire.lengthDelimited(11, Wire.lengthDelimited(1, Array("a".utf8)) + Wire.lengthDelimited(3, Array("t1".utf8)))
            + Wire.lengthDelimited(11, Wire.varintField(2, 9) + Wire.lengthDelimited(3, Array("t2".utf8)))
        let m = try TestingV1.AllKinds(protobuf: bytes)
        #expect(m.fMessage == inner(name: "a", amount: 9, tags: ["t1", "t2"]))
    }

    @Test("a map key seen twice: the last entry wins")
    func mapLastEntryWins() throws {
        let bytes = Wire.mapEntry(31, key: Array("k".utf8), value: Array("1".utf8))
            + Wire.mapEntry(31, key: Array("j".utf8), value: Array("x".utf8))
            + Wire.mapEntry(31, key: Array("k".utf8), value: Array("2".utf8))
        #expect(try TestingV1.AllKinds(protobuf: bytes).mString == ["k": "2", "j": "x"])
    }

    @Test("map entries missing their key or value mean the defaults")
    func mapEntryDefaults() throws {
        let bytes = Wire.lengthDelimited(31, Wire.lengthDelimited(2, Array("no key".utf8)))
            + Wire.lengthDelimited(32, Wire.lengthDelimited(1, Array("no value".utf8)))
            + Wire.lengthDelimited(33, Wire.lengthDelimited(1, Array("no message".utf8)))
            + Wire.lengthDelimited(33, [])
        let m = try TestingV1.AllKinds(protobuf: bytes)
        #expect(m.mString == ["": "no key"])
        #expect(m.mInt64 == ["no value": 0])
        #expect(m.mMessage == ["no message": inner(), "": inner()])
    }

    @Test("fields in any order")
    func fieldOrder() throws {
        let full = GoldenCases.allKindsFull()
        let reversed = Wire.fields(full.protobufBytes).reversed().flatMap { field -> [UInt8] in
            switch field.wireType {
            case 2: return Wire.lengthDelimited(field.number, field.payload)
            default: return Wire.tag(field.number, field.wireType) + field.payload
            }
        }
        let back = try TestingV1.AllKinds(protobuf: reversed)
        // Repeated fields whose elements were separate fields come back reversed; compare a
        // message whose repeated non-packed fields hold one element.
        #expect(back.fInt32 == full.fInt32)
        #expect(sameText(back.fString, full.fString))
        #expect(back.fMessage.map { $0.differences(from: full.fMessage!) } == [])
        #expect(back.mString.count == full.mString.count)
        #expect(back.rInt32 == full.rInt32)  // one packed field: order inside kept
        #expect(back.rString == full.rString.reversed())
    }

    @Test("non-minimal varints (padded with 0x80) are accepted")
    func paddedVarints() throws {
        // f_int32 = 1 written in three bytes.
        let bytes = Wire.tag(1, 0) + [0x81, 0x80, 0x00]
        #expect(try TestingV1.AllKinds(protobuf: bytes).fInt32 == 1)
    }
}
