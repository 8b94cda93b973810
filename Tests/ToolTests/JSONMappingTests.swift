import DVCProto
import Foundation
import Testing

/// The details of the proto3 JSON mapping (https://protobuf.dev/programming-guides/json/).
@Suite struct JSONMappingTests {
    @Test func defaultsAreLeftOut() throws {
        #expect(TestingV1.AllKinds().jsonString() == "{}")
        #expect(TestingV1.AllKinds().jsonString(pretty: true) == "{}")
        var message = TestingV1.AllKinds()
        message.fMessage = TestingV1.Inner()  // present but empty is not absent
        message.rMessage = [TestingV1.Inner()]
        message.mMessage = ["k": TestingV1.Inner()]
        #expect(message.jsonString() == #"{"fMessage":{},"rMessage":[{}],"mMessage":{"k":{}}}"#)
        #expect(try TestingV1.AllKinds(jsonString: message.jsonString()) == message)
    }

    @Test func everyGeneratedMessageReadsAndWritesItsDefault() throws {
        #expect(ProtoRegistry.messageNames.count > 50)
        for name in ProtoRegistry.messageNames {
            let type = try #require(ProtoRegistry.message(name))
            #expect(type.protoName == name)
            let empty = try type.init(jsonString: "{}")
            #expect(empty.jsonString() == "{}", "\(name)")
            #expect(empty.encodedSize == 0, "\(name)")
            let error = #expect(throws: ProtoJSONError.self) { try type.init(jsonString: #"{"noSuchField": 1}"#) }
            #expect(error?.kind == .unknownField)
            #expect(error?.description.hasPrefix("unknown field 'noSuchField' in \(name)") == true, "\(error?.description ?? "")")
        }
    }

    @Test func namesInLowerCamelCaseAndAsInTheProto() throws {
        var message = TestingV1.AllKinds()
        message.fSint64 = 5
        message.mString = ["a": "b"]
        #expect(message.jsonString() == #"{"fSint64":"5","mString":{"a":"b"}}"#)
        let snake = try TestingV1.AllKinds(jsonString: #"{"f_sint64": "5", "m_string": {"a": "b"}}"#)
        #expect(snake == message)
        let document = try CatalogV1.FormTemplate(jsonString: #"{"sha256_hex": "ab", "mediaType": "application/pdf"}"#)
        #expect(document.sha256Hex == "ab")
        #expect(document.jsonString() == #"{"mediaType":"application/pdf","sha256Hex":"ab"}"#)
    }

    @Test func fieldsPrintInProtoOrder() {
        var message = TestingV1.AllKinds()
        message.mString = ["z": "1"]
        message.fInt32 = 1
        message.rBool = [true]
        message.fFixed64 = 2
        #expect(message.jsonString() == #"{"fInt32":1,"fFixed64":"2","rBool":[true],"mString":{"z":"1"}}"#)
    }

    @Test func sixtyFourBitIntegersAreStrings() throws {
        var message = TestingV1.AllKinds()
        message.fInt64 = 9_007_199_254_740_993
        message.fUint64 = UInt64.max
        message.fSint64 = Int64.min
        message.fFixed64 = 1
        #expect(message.jsonString() == #"{"fInt64":"9007199254740993","fUint64":"18446744073709551615","fSint64":"-9223372036854775808","fFixed64":"1"}"#)
        // Numbers are accepted too, every digit kept.
        let numbers = try TestingV1.AllKinds(jsonString: #"{"fInt64": 9007199254740993, "fUint64": 18446744073709551615, "fSint64": -9223372036854775808, "fFixed64": 1}"#)
        #expect(numbers == message)
    }

    @Test func thirtyTwoBitIntegersAreNumbersAndAcceptStrings() throws {
        var message = TestingV1.AllKinds()
        message.fInt32 = -2_147_483_648
        message.fUint32 = 4_294_967_295
        #expect(message.jsonString() == #"{"fInt32":-2147483648,"fUint32":4294967295}"#)
        #expect(try TestingV1.AllKinds(jsonString: #"{"fInt32": "-2147483648", "fUint32": "4294967295"}"#) == message)
    }

    @Test func integralNumbersInOtherSpellings() throws {
        let message = try TestingV1.AllKinds(jsonString: #"{"fInt32": 1e3, "fInt64": "2.0", "fUint32": 1.5E1, "rInt32": [-0, 0.0e5]}"#)
        #expect(message.fInt32 == 1000)
        #expect(message.fInt64 == 2)
        #expect(message.fUint32 == 15)
        #expect(message.rInt32 == [0, 0])
    }

    @Test func bytesAreBase64() throws {
        var message = TestingV1.AllKinds()
        message.fBytes = Data([0xFB, 0xFF, 0xBF])
        message.rBytes = [Data("a".utf8), Data("ab".utf8), Data()]
        #expect(message.jsonString() == #"{"fBytes":"+/+/","rBytes":["YQ==","YWI=",""]}"#)
        // URL-safe and unpadded are read too.
        #expect(try TestingV1.AllKinds(jsonString: #"{"fBytes": "-_-_", "rBytes": ["YQ", "YWI", ""]}"#) == message)
    }

    @Test func enumsByNameAndNumber() throws {
        var message = TestingV1.AllKinds()
        message.fEnum = .green
        message.rEnum = [.negative, .unspecified]
        #expect(message.jsonString() == #"{"fEnum":"COLOUR_GREEN","rEnum":["COLOUR_NEGATIVE","COLOUR_UNSPECIFIED"]}"#)
        #expect(try TestingV1.AllKinds(jsonString: #"{"fEnum": 2, "rEnum": [-3, "COLOUR_UNSPECIFIED"]}"#) == message)
        let status = try HealthV1.HealthCheckResponse(jsonString: #"{"status": "SERVING"}"#)
        #expect(status.status == .serving)
        #expect(TestingV1.Colour.protoValueNames == ["COLOUR_UNSPECIFIED", "COLOUR_RED", "COLOUR_GREEN", "COLOUR_NEGATIVE"])
    }

    @Test func mapsAreObjectsWithSortedKeys() throws {
        var message = TestingV1.AllKinds()
        message.mInt64 = ["b": 2, "a": -1, "é": 3, "Z": 0]
        var inner = TestingV1.Inner()
        inner.name = "x"
        message.mMessage = ["m": inner]
        // Keys in UTF-8 byte order; int64 values as strings; a zero value is still an entry.
        #expect(message.jsonString() == #"{"mInt64":{"Z":"0","a":"-1","b":"2","é":"3"},"mMessage":{"m":{"name":"x"}}}"#)
        #expect(try TestingV1.AllKinds(jsonString: message.jsonString()) == message)
    }

    @Test func repeatedAreArrays() throws {
        let message = try TestingV1.AllKinds(jsonString: #"{"rString": ["", "b"], "rMessage": [{}, {"name": "n"}], "rBool": []}"#)
        #expect(message.rString == ["", "b"])
        #expect(message.rMessage.map(\.name) == ["", "n"])
        #expect(message.rBool == [])
    }

    @Test func nullMeansTheDefault() throws {
        let message = try TestingV1.AllKinds(jsonString: #"{"fInt32": null, "fMessage": null, "rString": null, "mString": null, "fEnum": null}"#)
        #expect(message == TestingV1.AllKinds())
    }

    @Test func doublesAcceptStringsAndSpecialValues() throws {
        let message = try TestingV1.AllKinds(jsonString: #"{"fDouble": "1.25"}"#)
        #expect(message.fDouble == 1.25)
        #expect(try TestingV1.AllKinds(jsonString: #"{"fDouble": "Infinity"}"#).fDouble == .infinity)
        #expect(try TestingV1.AllKinds(jsonString: #"{"fDouble": "NaN"}"#).fDouble.isNaN)
        #expect(try TestingV1.AllKinds(jsonString: #"{"fDouble": 3}"#).fDouble == 3)
    }

    @Test func stringsKeepEveryCharacter() throws {
        var message = TestingV1.AllKinds()
        message.fString = "tab\t nl\n quote\" backslash\\ del\u{7F} nul-free ẫ 🙂 \u{2028}"
        let text = message.jsonString()
        #expect(text == #"{"fString":"tab\t nl\n quote\" backslash\\ del\u007F nul-free ẫ 🙂 "# + "\u{2028}" + #""}"#)
        let back = try TestingV1.AllKinds(jsonString: text)
        #expect(Array(back.fString.utf8) == Array(message.fString.utf8))
        // Escapes, surrogate pairs included, are read.
        let escaped = try TestingV1.AllKinds(jsonString: #"{"fString": "\u0041\u1ea5\ud83d\ude42\/"}"#)
        #expect(escaped.fString == "Aấ🙂/")
    }

    @Test func prettyPrinting() {
        var message = TestingV1.AllKinds()
        message.fInt32 = 1
        message.rInt32 = [1, 2]
        message.fMessage = TestingV1.Inner()
        message.mString = ["k": "v"]
        #expect(message.jsonString(pretty: true) == """
            {
              "fInt32": 1,
              "fMessage": {},
              "rInt32": [
                1,
                2
              ],
              "mString": {
                "k": "v"
              }
            }
            """)
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"fInt32": 3}"#.utf8)
        #expect(try TestingV1.AllKinds(jsonUTF8: bytes).fInt32 == 3)
    }
}
