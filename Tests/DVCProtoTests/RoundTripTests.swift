import DVCProto
import Foundation
import Testing

/// Encode then decode, for every field kind of `dvc.testing.v1.AllKinds`: what goes in comes
/// out, byte for byte.
@Suite struct RoundTripTests {
    @Test("every field set at once")
    func everyField() throws {
        let full = GoldenCases.allKindsFull()
        let back = try roundTrip(full)
        #expect(back.fMessage?.tags.count == 3)
        #expect(back.rString.count == 5)
        #expect(back.rBytes.count == 4)
        #expect(back.mString.count == 4)
    }

    @Test("Vietnamese text keeps its normalisation form, NFC and NFD, byte for byte")
    func vietnameseNormalisationForms() throws {
        // The two spellings differ in bytes but are canonically equivalent, so Swift's `==`
        // calls them equal: only a byte comparison shows whether the codec kept the form.
        #expect(Text.viNFC == Text.viNFD)
        #expect(!sameText(Text.viNFC, Text.viNFD))
        #expect(Text.viNFC.utf8.count == 75)
        #expect(Text.viNFD.utf8.count == 89)

        for text in [Text.viNFC, Text.viNFD, Text.hcmNFC, Text.hcmNFD] {
            var m = TestingV1.AllKinds()
            m.fString = text
            m.rString = [text, text]
            m.fMessage = inner(name: text, tags: [text])
            m.mString = [text: text]
            m.mMessage = [text: inner(name: text)]
            let back = try TestingV1.AllKinds(protobuf: m.protobufBytes)
            #expect(sameText(back.fString, text))
            #expect(back.rString.allSatisfy { sameText($0, text) })
            #expect(sameText(back.fMessage!.name, text))
            #expect(sameText(back.fMessage!.tags[0], text))
            #expect(back.mString.keys.allSatisfy { sameText($0, text) })
            #expect(back.mString.values.allSatisfy { sameText($0, text) })
            #expect(back.mMessage.keys.allSatisfy { sameText($0, text) })
            #expect(sameText(back.mMessage.values.first!.name, text))
            // On the wire too: field 8 carries exactly the UTF-8 bytes.
            let field8 = Wire.fields(m.protobufBytes).first { $0.number == 8 }
            #expect(field8?.payload == Array(text.utf8))
        }
    }

    @Test("emoji: 4-byte scalars, ZWJ sequences, flags, variation selectors",
          arguments: [Text.family, Text.flagVN, Text.party, Text.building,
                      "\u{1F44D}\u{1F3FD}", "\u{10FFFF}", "\u{FEFF}x", "\u{1F600}"])
    func emoji(_ text: String) throws {
        var m = TestingV1.AllKinds()
        m.fString = text
        m.rString = [text, "", text]
        m.mString = [text: text]
        let back = try roundTrip(m)
        #expect(sameText(back.fString, text))
        #expect(back.fString.unicodeScalars.count == text.unicodeScalars.count)
    }

    @Test("empty strings: absent when singular, kept as elements, keys and values")
    func emptyStrings() throws {
        var m = TestingV1.AllKinds()
        m.fString = ""
        #expect(m.protobufBytes.isEmpty)
        m.rString = ["", "", ""]
        m.mString = ["": "", "k": ""]
        m.fMessage = inner(name: "", tags: [""])
        let back = try roundTrip(m)
        #expect(back.rString == ["", "", ""])
        #expect(back.mString == ["": "", "k": ""])
        #expect(back.fMessage?.tags == [""])
    }

    @Test("repeated fields of every kind, with empty and default elements")
    func repeatedOfEachKind() throws {
        var m = TestingV1.AllKinds()
        m.rInt32 = [0, 0, -1, .min, .max, 0]
        m.rInt64 = [0, .min, .max, -1, 0]
        m.rUint32 = [0, .max, 0]
        m.rBool = [false, false, true, false]
        m.rString = ["", Text.viNFD, "", ""]
        m.rBytes = [Data(), Data([0]), Data(), Data([0, 0, 0])]
        m.rEnum = [.unspecified, .unspecified, .negative, .unrecognized(.min), .unrecognized(.max)]
        m.rMessage = [inner(), inner(), inner(name: "x"), inner()]
        let back = try roundTrip(m)
        #expect(back.rBytes.map(\.count) == [0, 1, 0, 3])
        #expect(back.rMessage.count == 4)

        // One element each, and empty arrays encode to nothing.
        var one = TestingV1.AllKinds()
        one.rInt32 = [7]
        one.rBool = [false]
        one.rBytes = [Data()]
        one.rMessage = [inner()]
        try roundTrip(one)
        var none = TestingV1.AllKinds()
        none.rInt32 = []
        none.rMessage = []
        #expect(none.protobufBytes.isEmpty)
    }

    @Test("maps string->string, string->int64, string->message")
    func maps() throws {
        var m = TestingV1.AllKinds()
        m.mString = Dictionary(uniqueKeysWithValues: (0..<50).map { ("k\($0) \(Text.province)", "v\($0) \(Text.viNFD)") })
        m.mInt64 = ["zero": 0, "min": .min, "max": .max, "": -1, Text.negativeKey: -42]
        m.mMessage = [
            "empty": inner(),
            "full": inner(name: Text.hanoi, amount: .min, tags: ["", Text.danang]),
            "": inner(amount: 1),
        ]
        let back = try roundTrip(m)
        #expect(back.mString.count == 50)
        #expect(back.mInt64["min"] == .min)
        #expect(back.mMessage["empty"] == inner())
    }

    @Test("bytes: every byte value, zeros, invalid UTF-8, 1 MiB")
    func bytes() throws {
        var m = TestingV1.AllKinds()
        m.fBytes = Data((0...255).map(UInt8.init))
        m.rBytes = [Data(repeating: 0, count: 1000), rawBytes, Data([0xC0, 0x80]), Data([0xED, 0xA0, 0x80])]
        try roundTrip(m)

        var large = TestingV1.AllKinds()
        large.fBytes = largeBytes
        large.rBytes = [largeBytes, Data(), largeBytes]
        let back = try roundTrip(large)
        #expect(back.fBytes.count == 1 << 20)
        #expect(back.fBytes == largeBytes)
        #expect(back.rBytes[2] == largeBytes)
        #expect(large.encodedSize > 3 << 20)
    }

    @Test("enums: known, negative, and values this version does not know",
          arguments: [TestingV1.Colour.unspecified, .red, .green, .negative,
                      .unrecognized(3), .unrecognized(99), .unrecognized(-1), .unrecognized(-100),
                      .unrecognized(.max), .unrecognized(.min)])
    func enums(_ colour: TestingV1.Colour) throws {
        var m = TestingV1.AllKinds()
        m.fEnum = colour
        m.rEnum = [colour, .red, colour]
        let back = try roundTrip(m)
        #expect(back.fEnum == colour)
        #expect(back.fEnum.rawValue == colour.rawValue)
        #expect(TestingV1.Colour(rawValue: colour.rawValue) == colour)
    }

    @Test("an unknown enum number on the wire decodes to .unrecognized(n)")
    func unknownEnumFromWire() throws {
        // f_enum = 5, r_enum packed = [1, 42, -7]
        let negative7 = Wire.varint(UInt64(bitPattern: -7))
        let bytes = Wire.varintField(10, 5) + Wire.lengthDelimited(27, [1, 42] + negative7)
        let m = try TestingV1.AllKinds(protobuf: bytes)
        #expect(m.fEnum == .unrecognized(5))
        #expect(m.rEnum == [.red, .unrecognized(42), .unrecognized(-7)])
        // Negative enum values take ten bytes, as every protobuf implementation writes them.
        var negative = TestingV1.AllKinds()
        negative.fEnum = .negative
        #expect(negative.protobufBytes == Wire.varintField(10, UInt64(bitPattern: -3)))
        #expect(negative.protobufBytes.count == 11)
    }

    @Test("nested messages: absent, present but empty, deep")
    func nestedMessages() throws {
        var m = TestingV1.AllKinds()
        #expect(m.fMessage == nil)
        m.fMessage = inner()
        // Present but empty is not the same as absent: tag 11, length 0.
        #expect(m.protobufBytes == [0x5A, 0x00])
        #expect(try TestingV1.AllKinds(protobuf: m.protobufBytes).fMessage == inner())
        #expect(try TestingV1.AllKinds(protobuf: [UInt8]()).fMessage == nil)

        m.fMessage = inner(name: Text.viNFC, amount: .max, tags: (0..<100).map { "tag \($0)" })
        m.rMessage = (0..<100).map { inner(name: "\($0)", amount: Int64($0), tags: Array(repeating: "", count: $0 % 3)) }
        m.mMessage = ["x": inner(tags: ["a", "", "b"])]
        try roundTrip(m)
    }

    @Test("all defaults encode to zero bytes and decode from zero bytes")
    func defaults() throws {
        #expect(TestingV1.AllKinds().protobufBytes.isEmpty)
        #expect(TestingV1.AllKinds().encodedSize == 0)
        #expect(TestingV1.Inner().protobufBytes.isEmpty)
        #expect(try TestingV1.AllKinds(protobuf: [UInt8]()) == TestingV1.AllKinds())

        // Every field explicitly set to its default still encodes to nothing.
        var m = TestingV1.AllKinds()
        m.fInt32 = 0; m.fInt64 = 0; m.fUint32 = 0; m.fUint64 = 0; m.fSint32 = 0; m.fSint64 = 0
        m.fBool = false; m.fString = ""; m.fBytes = Data(); m.fEnum = .unspecified
        m.fDouble = 0; m.fFixed64 = 0
        m.rInt32 = []; m.rString = []; m.mString = [:]
        #expect(m.protobufBytes.isEmpty)

        // Defaults written explicitly on the wire (as some encoders do) decode to defaults.
        let explicit = Wire.varintField(1, 0) + Wire.varintField(7, 0) + Wire.lengthDelimited(8, [])
            + Wire.lengthDelimited(9, []) + Wire.varintField(10, 0) + Wire.fixed64Field(12, 0)
        let decoded = try TestingV1.AllKinds(protobuf: explicit)
        #expect(decoded == TestingV1.AllKinds())
        #expect(decoded.protobufBytes.isEmpty)
    }

    @Test("integer extremes in every scalar field")
    func integerExtremes() throws {
        for sign in [true, false] {
            var m = TestingV1.AllKinds()
            m.fInt32 = sign ? .min : .max
            m.fInt64 = sign ? .min : .max
            m.fUint32 = sign ? 1 : .max
            m.fUint64 = sign ? 1 : .max
            m.fSint32 = sign ? .min : .max
            m.fSint64 = sign ? .min : .max
            m.fFixed64 = sign ? 1 : .max
            try roundTrip(m)
        }
        // -1 as int32 takes ten bytes; as sint32 (zigzag) one.
        var a = TestingV1.AllKinds()
        a.fInt32 = -1
        #expect(a.protobufBytes.count == 11)
        var b = TestingV1.AllKinds()
        b.fSint32 = -1
        #expect(b.protobufBytes == [0x28, 0x01])
    }

    @Test("doubles bit for bit: infinities, NaN, subnormal",
          arguments: [.infinity, -.infinity, .nan, -.nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                      -1234.5678e-9, 1.0 / 3.0])
    func doubles(_ value: Double) throws {
        var m = TestingV1.AllKinds()
        m.fDouble = value
        let back = try TestingV1.AllKinds(protobuf: m.protobufBytes)
        #expect(back.fDouble.bitPattern == value.bitPattern)
    }

    @Test("-0.0 comes back as +0.0: protobuf-c treats it as the default and leaves it out")
    func negativeZero() throws {
        // A limitation of protobuf-c 1.4 (its proto3 "is zero" test compares the value with 0.0),
        // documented in docs/protobuf.md; C++, Go and Python keep the sign. Nothing on
        // the platform relies on a signed zero.
        var m = TestingV1.AllKinds()
        m.fDouble = -0.0
        #expect(m.protobufBytes.isEmpty)
        let back = try TestingV1.AllKinds(protobuf: m.protobufBytes)
        #expect(back.fDouble == 0 && back.fDouble.sign == .plus)
        // Sent by another implementation, it decodes with its sign.
        let fromPython = Wire.fixed64Field(12, (-0.0 as Double).bitPattern)
        #expect(try TestingV1.AllKinds(protobuf: fromPython).fDouble.sign == .minus)
    }

    @Test("the other message kinds the protos use: bytes and nested in the interop messages")
    func interopMessages() throws {
        var request = TestingV1.SimpleRequest()
        request.responseSize = 0
        request.payload = rawBytes
        var status = TestingV1.EchoStatus()
        status.code = 16
        status.message = "  \(Text.viNFD)\t\(Text.family)\n  "
        request.responseStatus = status
        request.sleepMs = .max
        let back = try TestingV1.SimpleRequest(protobuf: request.protobufBytes)
        #expect(back == request)
        #expect(sameText(back.responseStatus!.message, status.message))
        #expect(back.payload == rawBytes)
        #expect(try TestingV1.Empty(protobuf: TestingV1.Empty().protobufBytes) == TestingV1.Empty())
        #expect(TestingV1.Empty().protobufBytes.isEmpty)
    }

    @Test("encode(_:) writes straight into a caller's buffer")
    func encodeIntoBuffer() throws {
        let m = GoldenCases.allKindsFull()
        var buffer = [UInt8](repeating: 0xAA, count: 4 + m.encodedSize + 4)
        m.encode { size, pack in
            #expect(size == buffer.count - 8)
            buffer.withUnsafeMutableBytes { pack($0.baseAddress! + 4) }
        }
        #expect(buffer.prefix(4).allSatisfy { $0 == 0xAA })
        #expect(buffer.suffix(4).allSatisfy { $0 == 0xAA })
        #expect(Array(buffer.dropFirst(4).dropLast(4)) == m.protobufBytes)
        #expect(try TestingV1.AllKinds(protobuf: Data(m.protobufBytes)) == m)
    }
}
