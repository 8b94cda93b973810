import DVCProto
import Foundation
import Testing

/// Every way JSON is refused: the path of the bad field, and what was expected.
@Suite struct JSONErrorTests {
    /// The error reading `json` as `M`, recorded as an issue when there is none.
    func error<M: ProtoJSONMessage>(_ type: M.Type, _ json: String, sourceLocation: SourceLocation = #_sourceLocation) -> ProtoJSONError? {
        do {
            let message = try M(jsonString: json)
            Issue.record("read \(json) as \(message); an error was expected", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    func expectError<M: ProtoJSONMessage>(
        _ type: M.Type, _ json: String, _ kind: ProtoJSONError.Kind, path: String, _ description: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let error = error(type, json, sourceLocation: sourceLocation) else { return }
        #expect(error.kind == kind, sourceLocation: sourceLocation)
        #expect(error.path == path, sourceLocation: sourceLocation)
        #expect(error.description == description, sourceLocation: sourceLocation)
    }

    // MARK: - Fields

    @Test func wrongTypeDeepInsideNamesTheWholePath() {
        expectError(CatalogV1.GetProcedureResponse.self,
                    #"{"procedure": {"fees": [{}, {}, {"amountVnd": "12 000"}]}}"#,
                    .wrongType, path: "procedure.fees[2].amountVnd",
                    #"procedure.fees[2].amountVnd: expected an integer, got a string "12 000""#)
        expectError(CatalogV1.GetProcedureResponse.self,
                    #"{"procedure": {"fees": [{}, {}, {"amountVnd": 1.5}]}}"#,
                    .wrongType, path: "procedure.fees[2].amountVnd",
                    "procedure.fees[2].amountVnd: expected an integer, got 1.5")
    }

    @Test func unknownFieldAtTheTopAndInside() {
        expectError(CatalogV1.GetProcedureRequest.self, #"{"foo": 1}"#, .unknownField, path: "",
                    "unknown field 'foo' in dvc.catalog.v1.GetProcedureRequest")
        expectError(CatalogV1.GetProcedureRequest.self, #"{"cod": "x"}"#, .unknownField, path: "",
                    "unknown field 'cod' in dvc.catalog.v1.GetProcedureRequest (did you mean 'code'?)")
        expectError(CatalogV1.GetProcedureResponse.self, #"{"procedure": {"fees": [{"amount_vnd_": 1}]}}"#,
                    .unknownField, path: "procedure.fees[0]",
                    "procedure.fees[0]: unknown field 'amount_vnd_' in dvc.catalog.v1.FeeItem (did you mean 'amountVnd'?)")
        expectError(CatalogV1.CatalogDocument.self, #"{"levels": [{"levle": 3}]}"#, .unknownField, path: "levels[0]",
                    "levels[0]: unknown field 'levle' in dvc.catalog.v1.SetLevelRequest (did you mean 'level'?)")
        expectError(CatalogV1.GetProcedureRequest.self, #"{"procedure": "x"}"#, .unknownField, path: "",
                    "unknown field 'procedure' in dvc.catalog.v1.GetProcedureRequest")
        expectError(TestingV1.Empty.self, #"{"x": 1}"#, .unknownField, path: "",
                    "unknown field 'x' in dvc.testing.v1.Empty, which has no fields")
        expectError(TestingV1.AllKinds.self, #"{"mMessage": {"k": {"nam": "x"}}}"#, .unknownField,
                    path: #"mMessage["k"]"#,
                    #"mMessage["k"]: unknown field 'nam' in dvc.testing.v1.Inner (did you mean 'name'?)"#)
    }

    @Test func sameFieldTwice() {
        expectError(TestingV1.AllKinds.self, #"{"fInt32": 1, "f_int32": 2}"#, .duplicateField, path: "f_int32",
                    "f_int32: the field is given twice (also as 'fInt32')")
    }

    @Test func wrongTypeForEveryKind() {
        let cases: [(String, String, String)] = [
            (#"{"fInt32": "x"}"#, "fInt32", #"expected an integer, got a string "x""#),
            (#"{"fInt64": true}"#, "fInt64", "expected an integer, got true"),
            (#"{"fUint32": [1]}"#, "fUint32", "expected an integer, got an array"),
            (#"{"fUint64": {}}"#, "fUint64", "expected an integer, got an object"),
            (#"{"fBool": "true"}"#, "fBool", #"expected true or false, got a string "true""#),
            (#"{"fBool": 1}"#, "fBool", "expected true or false, got 1"),
            (#"{"fString": 5}"#, "fString", "expected a string, got 5"),
            (#"{"fBytes": 5}"#, "fBytes", "expected a base64 string, got 5"),
            (#"{"fDouble": "abc"}"#, "fDouble", #"expected a number (or "NaN", "Infinity", "-Infinity"), got a string "abc""#),
            (#"{"fEnum": true}"#, "fEnum", "expected a value name of dvc.testing.v1.Colour (COLOUR_UNSPECIFIED, COLOUR_RED, COLOUR_GREEN, COLOUR_NEGATIVE) or a number, got true"),
            (#"{"fMessage": []}"#, "fMessage", "expected an object (dvc.testing.v1.Inner), got an array"),
            (#"{"rInt32": 1}"#, "rInt32", "expected an array, got 1"),
            (#"{"rString": [1]}"#, "rString[0]", "expected a string, got 1"),
            (#"{"rMessage": [{}, 3]}"#, "rMessage[1]", "expected an object (dvc.testing.v1.Inner), got 3"),
            (#"{"mString": []}"#, "mString", "expected an object (a map), got an array"),
            (#"{"mInt64": {"a": "b"}}"#, #"mInt64["a"]"#, #"expected an integer, got a string "b""#),
            (#"{"fMessage": {"tags": ["a", false]}}"#, "fMessage.tags[1]", "expected a string, got false"),
        ]
        for (json, path, reason) in cases {
            guard let error = error(TestingV1.AllKinds.self, json) else { continue }
            #expect(error.kind == .wrongType, "\(json)")
            #expect(error.path == path, "\(json)")
            #expect(error.reason == reason, "\(json)")
            #expect(error.description == "\(path): \(reason)")
        }
    }

    @Test func topLevelMustBeAnObject() {
        expectError(TestingV1.AllKinds.self, "[]", .wrongType, path: "",
                    "expected an object (dvc.testing.v1.AllKinds), got an array")
        expectError(TestingV1.AllKinds.self, #""x""#, .wrongType, path: "",
                    #"expected an object (dvc.testing.v1.AllKinds), got a string "x""#)
    }

    @Test func nullInsideListsAndMaps() {
        expectError(TestingV1.AllKinds.self, #"{"rInt32": [1, null]}"#, .wrongType, path: "rInt32[1]",
                    "rInt32[1]: null is not allowed in a list")
        expectError(TestingV1.AllKinds.self, #"{"mString": {"a": null}}"#, .wrongType, path: #"mString["a"]"#,
                    #"mString["a"]: null is not allowed as a map value"#)
    }

    // MARK: - Values

    @Test func integersOutOfRange() {
        let cases: [(String, String, String)] = [
            (#"{"fInt32": 2147483648}"#, "fInt32", "2147483648 is out of range for int32 (-2147483648 to 2147483647)"),
            (#"{"fInt32": -2147483649}"#, "fInt32", "-2147483649 is out of range for int32 (-2147483648 to 2147483647)"),
            (#"{"fUint32": -1}"#, "fUint32", "-1 is out of range for uint32 (0 to 4294967295)"),
            (#"{"fInt64": "9223372036854775808"}"#, "fInt64", "9223372036854775808 is out of range for int64 (-9223372036854775808 to 9223372036854775807)"),
            (#"{"fUint64": 18446744073709551616}"#, "fUint64", "18446744073709551616 is out of range for uint64 (0 to 18446744073709551615)"),
            (#"{"fFixed64": 1e30}"#, "fFixed64", "1e30 is out of range for uint64 (0 to 18446744073709551615)"),
            (#"{"fEnum": 2147483648}"#, "fEnum", "2147483648 is out of range for enum (-2147483648 to 2147483647)"),
        ]
        for (json, path, reason) in cases {
            guard let error = error(TestingV1.AllKinds.self, json) else { continue }
            #expect(error.kind == .invalidValue, "\(json)")
            #expect(error.path == path, "\(json)")
            #expect(error.reason == reason, "\(json)")
        }
    }

    @Test func notAnInteger() {
        for json in [#"{"fInt64": 1.5}"#, #"{"fInt64": "1.5"}"#, #"{"fInt64": 1e-1}"#, #"{"fInt64": " 1"}"#, #"{"fInt64": "0x10"}"#] {
            guard let error = error(TestingV1.AllKinds.self, json) else { continue }
            #expect(error.kind == .wrongType, "\(json)")
            #expect(error.reason.hasPrefix("expected an integer, got"), "\(json)")
        }
    }

    @Test func badBase64() {
        expectError(TestingV1.AllKinds.self, #"{"fBytes": "ab$d"}"#, .invalidValue, path: "fBytes",
                    "fBytes: expected base64 (standard or URL-safe alphabet): '$' at offset 2 is not a base64 character")
        expectError(TestingV1.AllKinds.self, #"{"fBytes": "abcde"}"#, .invalidValue, path: "fBytes",
                    "fBytes: expected base64 (standard or URL-safe alphabet): the length is not that of any base64 text (5 characters)")
        expectError(TestingV1.AllKinds.self, #"{"rBytes": ["", "YQ="]}"#, .invalidValue, path: "rBytes[1]",
                    "rBytes[1]: expected base64 (standard or URL-safe alphabet): the '=' padding does not fit the length")
    }

    @Test func unknownEnumName() {
        expectError(TestingV1.AllKinds.self, #"{"fEnum": "COLOUR_REDD"}"#, .invalidValue, path: "fEnum",
                    #"fEnum: "COLOUR_REDD" is not a value of dvc.testing.v1.Colour (did you mean 'COLOUR_RED'?); expected one of COLOUR_UNSPECIFIED, COLOUR_RED, COLOUR_GREEN, COLOUR_NEGATIVE, or a number"#)
        expectError(TestingV1.AllKinds.self, #"{"rEnum": ["red"]}"#, .invalidValue, path: "rEnum[0]",
                    #"rEnum[0]: "red" is not a value of dvc.testing.v1.Colour (did you mean 'COLOUR_RED'?); expected one of COLOUR_UNSPECIFIED, COLOUR_RED, COLOUR_GREEN, COLOUR_NEGATIVE, or a number"#)
        expectError(TestingV1.AllKinds.self, #"{"rEnum": ["COLOUR_RED", "purple"]}"#, .invalidValue, path: "rEnum[1]",
                    #"rEnum[1]: "purple" is not a value of dvc.testing.v1.Colour; expected one of COLOUR_UNSPECIFIED, COLOUR_RED, COLOUR_GREEN, COLOUR_NEGATIVE, or a number"#)
    }

    @Test func nulInAStringField() {
        expectError(TestingV1.AllKinds.self, #"{"fMessage": {"name": "a\u0000b"}}"#, .invalidValue, path: "fMessage.name",
                    #"fMessage.name: contains a NUL character (\u0000), which a string field cannot hold"#)
        expectError(TestingV1.AllKinds.self, #"{"mString": {"a\u0000": "b"}}"#, .invalidValue,
                    path: #"mString["a\u0000"]"#,
                    #"mString["a\u0000"]: contains a NUL character (\u0000), which the map key cannot hold"#)
        expectError(RpcV1.RequestHeader.self, #"{"metadata": {"x-a": "\u0000"}}"#, .invalidValue, path: #"metadata["x-a"]"#,
                    #"metadata["x-a"]: contains a NUL character (\u0000), which a string field cannot hold"#)
        // Bytes may hold anything.
        #expect(throws: Never.self) { try TestingV1.AllKinds(jsonString: #"{"fBytes": "AA=="}"#) }
    }

    @Test func doubleOutOfRange() {
        expectError(TestingV1.AllKinds.self, #"{"fDouble": 1e400}"#, .invalidValue, path: "fDouble",
                    "fDouble: 1e400 is out of range for double")
    }

    @Test func anyTreesWithValuesJSONCannotHold() {
        #expect {
            try TestingV1.AllKinds(jsonObject: ["fMessage": ["name": Date(timeIntervalSince1970: 0)]])
        } throws: { error in
            let error = error as! ProtoJSONError
            return error.kind == .wrongType && error.path == "fMessage.name" && error.reason.contains("is not a JSON value")
        }
    }

    // MARK: - Syntax

    func expectSyntax(_ json: String, line: Int, column: Int, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = error(TestingV1.AllKinds.self, json, sourceLocation: sourceLocation) else { return }
        #expect(error.kind == .syntax, sourceLocation: sourceLocation)
        #expect(error.line == line, sourceLocation: sourceLocation)
        #expect(error.column == column, sourceLocation: sourceLocation)
        #expect(error.reason == reason, sourceLocation: sourceLocation)
        #expect(error.description == "invalid JSON at line \(line), column \(column): \(reason)", sourceLocation: sourceLocation)
    }

    @Test func syntaxErrorsSayWhere() {
        expectSyntax("", line: 1, column: 1, "the text is empty; expected a JSON value")
        expectSyntax("{\n  \"fInt32\": 1,\n}", line: 3, column: 1, "a trailing comma is not allowed before '}'")
        expectSyntax(#"{"fInt32" 1}"#, line: 1, column: 11, #"expected ':' after the object key "fInt32", found '1'"#)
        expectSyntax(#"{"fInt32": 1 "fBool": true}"#, line: 1, column: 14, "expected ',' or '}' after an object member, found '\"'")
        expectSyntax(#"{"fInt32": 1"#, line: 1, column: 13, "the text ends inside the object opened at line 1, column 1")
        expectSyntax(#"{"fString": "abc}"#, line: 1, column: 18, "the text ends inside the string opened at line 1, column 13")
        expectSyntax(#"{fInt32: 1}"#, line: 1, column: 2, "unexpected 'f'; object keys are strings in double quotes")
        expectSyntax(#"{'fInt32': 1}"#, line: 1, column: 2, "unexpected '''; object keys are strings in double quotes")
        expectSyntax(#"{"fBool": True}"#, line: 1, column: 11, "unexpected 'True'; expected a JSON value (strings take double quotes)")
        expectSyntax(#"{"fInt32": 012}"#, line: 1, column: 12, "numbers do not start with 0 (write 12, not 012)")
        expectSyntax(#"{"fInt32": 1.}"#, line: 1, column: 14, "expected digits after the decimal point, found '}'")
        expectSyntax(#"{"rInt32": [1,]}"#, line: 1, column: 15, "a trailing comma is not allowed before ']'")
        expectSyntax(#"{} {}"#, line: 1, column: 4, "unexpected '{' after the JSON value")
        expectSyntax(#"{"a": 1, "a": 2}"#, line: 1, column: 10, #"duplicate key "a" in the object opened at line 1, column 1"#)
        expectSyntax("{\"fString\": \"a\tb\"}", line: 1, column: 15, "a control character (U+0009) must be escaped inside a string, e.g. as \\n or \\u0009")
        expectSyntax(#"{"fString": "\x"}"#, line: 1, column: 14, #"\x is not a JSON escape (use \", \\, \/, \b, \f, \n, \r, \t or \uXXXX)"#)
        expectSyntax(#"{"fString": "\u12"}"#, line: 1, column: 14, #"\u must be followed by four hexadecimal digits"#)
        expectSyntax(#"{"fString": "\ud83d"}"#, line: 1, column: 14, #"\uD83D is half a UTF-16 surrogate pair; the low half must follow as another \u escape"#)
        expectSyntax(#"{"fString": "\ude42"}"#, line: 1, column: 14, #"\uDE42 is a lone low surrogate, not a character"#)
        expectSyntax("{\"fString\": \"ấ\", x}", line: 1, column: 18, "unexpected 'x'; object keys are strings in double quotes")
    }

    @Test func invalidUTF8IsRefusedWithItsOffset() {
        let bytes: [UInt8] = Array(#"{"fString": "a"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect {
            try TestingV1.AllKinds(jsonUTF8: bytes)
        } throws: { error in
            let error = error as! ProtoJSONError
            return error.kind == .syntax && error.offset == 14 && error.line == 1 && error.column == 15
                && error.reason == "the text is not valid UTF-8 (byte 0xC3)"
        }
    }

    @Test func nestingIsLimited() {
        let deep = String(repeating: "[", count: 101) + String(repeating: "]", count: 101)
        #expect {
            try TestingV1.AllKinds(jsonString: #"{"rInt32": "# + deep + "}")
        } throws: { error in
            (error as! ProtoJSONError).reason == "objects and arrays are nested more than 100 deep"
        }
        let ok = String(repeating: "[", count: 99) + String(repeating: "]", count: 99)
        #expect(throws: Never.self) { try ProtoJSONParser.parse(ok) }
    }
}
