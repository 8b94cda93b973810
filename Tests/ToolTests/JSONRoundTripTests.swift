import DVCProto
import Foundation
import Testing

/// Every field kind of `TestingV1.AllKinds` through JSON text, through the `Any` trees of
/// `JSONSerialization`, and back; and JSON through protobuf-c bytes and back.
@Suite struct JSONRoundTripTests {
    static func everyKind() -> TestingV1.AllKinds {
        var m = TestingV1.AllKinds()
        m.fInt32 = Int32.min
        m.fInt64 = Int64.min
        m.fUint32 = UInt32.max
        m.fUint64 = UInt64.max
        m.fSint32 = -42
        m.fSint64 = Int64.max
        m.fBool = true
        m.fString = "Nguyễn Văn A — \"quoted\"\\ \n\t\u{0001} 🇻🇳"
        m.fBytes = Data((0...255).map { UInt8($0) })
        m.fEnum = .negative
        var inner = TestingV1.Inner()
        inner.name = "Sở Tư pháp"
        inner.amount = -9_007_199_254_740_993  // not exact as a Double
        inner.tags = ["", "a", "đ"]
        m.fMessage = inner
        m.fDouble = 0.1
        m.fFixed64 = 1 << 63
        m.rInt32 = [0, -1, Int32.max]
        m.rInt64 = [Int64.min, 0, Int64.max]
        m.rUint32 = [0, UInt32.max]
        m.rBool = [true, false, true]
        m.rString = ["", "e\u{301}", "\u{E9}"]
        m.rBytes = [Data(), Data([0]), Data([0xFF, 0xFE])]
        m.rEnum = [.unspecified, .red, .green, .negative, .unrecognized(99)]
        m.rMessage = [TestingV1.Inner(), inner]
        m.mString = ["": "empty key", "k": "", "Nguyễn": "NFC"]
        m.mInt64 = ["max": Int64.max, "min": Int64.min, "zero": 0]
        m.mMessage = ["empty": TestingV1.Inner(), "full": inner]
        return m
    }

    @Test func everyKindThroughJSONText() throws {
        let message = Self.everyKind()
        for pretty in [false, true] {
            let text = message.jsonString(pretty: pretty)
            let back = try TestingV1.AllKinds(jsonString: text)
            #expect(back == message)
            // Strings by their bytes: Swift's == would accept NFD for NFC.
            #expect(back.rString.map { Array($0.utf8) } == message.rString.map { Array($0.utf8) })
            #expect(Array(back.fString.utf8) == Array(message.fString.utf8))
        }
    }

    @Test func everyKindThroughJSONSerialization() throws {
        let message = Self.everyKind()
        let object = message.jsonObject
        #expect(JSONSerialization.isValidJSONObject(object))
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let parsed = try JSONSerialization.jsonObject(with: data)
        let back = try TestingV1.AllKinds(jsonObject: parsed)
        #expect(back == message)
        // And our reader reads what Foundation wrote.
        #expect(try TestingV1.AllKinds(jsonUTF8: Array(data)) == message)
    }

    @Test func jsonObjectIsTheProtoMapping() throws {
        var message = TestingV1.AllKinds()
        message.fInt32 = 7
        message.fInt64 = 8
        message.fEnum = .red
        message.fBytes = Data("hi".utf8)
        message.fDouble = 1.5
        message.rInt64 = [1, 2]
        message.mInt64 = ["a": 3]
        let object = try #require(message.jsonObject as? [String: Any])
        #expect(object["fInt32"] as? Int == 7)
        #expect(object["fInt64"] as? String == "8")
        #expect(object["fEnum"] as? String == "COLOUR_RED")
        #expect(object["fBytes"] as? String == "aGk=")
        #expect(object["fDouble"] as? Double == 1.5)
        #expect(object["rInt64"] as? [String] == ["1", "2"])
        #expect(object["mInt64"] as? [String: String] == ["a": "3"])
        #expect(object.count == 7)
    }

    @Test func swiftBuiltObjectsAreRead() throws {
        let object: [String: Any] = [
            "fInt32": Int8(-5), "fInt64": 12 as UInt16, "fUint64": UInt64.max, "fBool": true,
            "fDouble": Float(0.5), "rString": ["a", "b"], "fMessage": ["name": "x", "tags": [String]()],
            "fString": Optional<String>.none as Any,
        ]
        let message = try TestingV1.AllKinds(jsonObject: object)
        #expect(message.fInt32 == -5)
        #expect(message.fInt64 == 12)
        #expect(message.fUint64 == UInt64.max)
        #expect(message.fBool)
        #expect(message.fDouble == 0.5)
        #expect(message.rString == ["a", "b"])
        #expect(message.fMessage?.name == "x")
        #expect(message.fString == "")
    }

    @Test func foundationNullAndNumbersAreRead() throws {
        let text = #"{"fInt32": 1, "fBool": true, "fDouble": 2.5, "fString": null, "fUint64": 18446744073709551615}"#
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let message = try TestingV1.AllKinds(jsonObject: parsed)
        #expect(message.fInt32 == 1)
        #expect(message.fBool)
        #expect(message.fDouble == 2.5)
        #expect(message.fString == "")
        #expect(message.fUint64 == UInt64.max)
        // A JSON boolean is not an integer, even though NSNumber would convert it.
        let wrong = try JSONSerialization.jsonObject(with: Data(#"{"fInt32": true}"#.utf8))
        #expect(throws: ProtoJSONError.self) { try TestingV1.AllKinds(jsonObject: wrong) }
    }

    @Test func throughProtobufBytesAndBack() throws {
        let message = Self.everyKind()
        let decoded = try TestingV1.AllKinds(protobuf: message.protobufBytes)
        #expect(decoded.jsonString() == message.jsonString())
    }

    @Test func unknownEnumNumbersSurvive() throws {
        var message = TestingV1.AllKinds()
        message.fEnum = .unrecognized(42)
        message.rEnum = [.unrecognized(-7), .red]
        let text = message.jsonString()
        #expect(text == #"{"fEnum":42,"rEnum":[-7,"COLOUR_RED"]}"#)
        #expect(try TestingV1.AllKinds(jsonString: text) == message)
    }

    @Test func extremeDoubles() throws {
        for value in [0.1, -0.5, 1e-300, 1.7976931348623157e308, Double.leastNonzeroMagnitude, 123456789.125, 100, -1e21,
                      Double.nan, Double.infinity, -Double.infinity] {
            var message = TestingV1.AllKinds()
            message.fDouble = value
            let back = try TestingV1.AllKinds(jsonString: message.jsonString())
            #expect(back.fDouble.bitPattern == value.bitPattern || (value.isNaN && back.fDouble.isNaN), "\(value)")
        }
        var message = TestingV1.AllKinds()
        message.fDouble = .nan
        #expect(message.jsonString() == #"{"fDouble":"NaN"}"#)
        message.fDouble = -.infinity
        #expect(message.jsonString() == #"{"fDouble":"-Infinity"}"#)
        message.fDouble = 100
        #expect(message.jsonString() == #"{"fDouble":100}"#)
    }

    @Test func realisticCatalogDocument() throws {
        let text = """
            {
              "agencies": [{"code": "000.00.20.H26", "name": "Sở Tư pháp", "kind": "AGENCY_KIND_DEPARTMENT",
                            "parentCode": "000.00.00.H26", "levelCeiling": 4,
                            "officeHours": [{"startMinute": 420, "endMinute": 690}, {"startMinute": 810, "endMinute": 1020}]}],
              "fields": [{"code": "TP", "name": "Tư pháp"}],
              "procedures": [{
                "code": "1.001193", "name": "Đăng ký khai sinh", "fieldCode": "TP",
                "agencyKinds": ["AGENCY_KIND_WARD_COMMUNE"], "steps": ["Nộp hồ sơ", "Nhận kết quả"],
                "documents": [{"name": "Tờ khai đăng ký khai sinh", "formOfCopy": "bản chính", "count": 1, "formId": "tk-ks"}],
                "processingWorkingDays": 1,
                "fees": [{"description": "Lệ phí", "amountVnd": "0", "unit": "per_dossier", "condition": "miễn lệ phí"},
                         {"description": "Bản sao", "amountVnd": 8000, "unit": "per_copy"}],
                "forms": [{"id": "tk-ks", "name": "Tờ khai", "mediaType": "application/pdf", "sizeBytes": "1024",
                           "fields": [{"name": "ho_ten", "label": "Họ tên", "type": "text", "required": true}]}]
              }],
              "levels": [{"agencyCode": "000.00.20.H26", "procedureCode": "1.001193", "level": 4}],
              "calendarOverrides": [{"date": "2025-04-26", "working": true, "reason": "làm bù"}]
            }
            """
        let document = try CatalogV1.CatalogDocument(jsonString: text)
        #expect(document.agencies.first?.kind == .department)
        #expect(document.agencies.first?.officeHours.count == 2)
        #expect(document.procedures.first?.fees.map(\.amountVnd) == [0, 8000])
        #expect(document.procedures.first?.forms.first?.sizeBytes == 1024)
        #expect(document.levels.first?.level == 4)
        // The printed form reads back the same, and survives protobuf-c.
        let printed = document.jsonString(pretty: true)
        let again = try CatalogV1.CatalogDocument(jsonString: printed)
        #expect(again == document)
        #expect(try CatalogV1.CatalogDocument(protobuf: again.protobufBytes) == document)
    }
}
