import DVCProto
import Foundation
import Testing

/// The package's root folder, found from this file's path (Tests/DVCProtoTests/TestSupport.swift).
let repoRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // DVCProtoTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

let fixturesFolder = repoRoot.appendingPathComponent("Tests/DVCProtoTests/Fixtures")
let goldenScript = repoRoot.appendingPathComponent("Tests/python/golden.py")

/// Hand-made protobuf wire bytes (`ProtoWire`), for inputs our encoder would never produce, with
/// what only these tests need.
typealias Wire = ProtoWire

extension ProtoWire {
    /// A map entry message: key (field 1) and value (field 2), both length-delimited.
    static func mapEntry(_ field: UInt64, key: [UInt8], value: [UInt8]) -> [UInt8] {
        lengthDelimited(field, lengthDelimited(1, key) + lengthDelimited(2, value))
    }

    /// The top-level fields of an encoding, in order: (number, wire type, payload bytes).
    /// Only for well-formed input the test itself produced.
    static func fields(_ bytes: [UInt8]) -> [(number: UInt64, wireType: UInt64, payload: [UInt8])] {
        var out: [(UInt64, UInt64, [UInt8])] = []
        var i = 0
        func readVarint() -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = bytes[i]
                i += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }
        while i < bytes.count {
            let key = readVarint()
            let start: Int
            switch key & 7 {
            case 0:
                start = i
                _ = readVarint()
            case 1:
                start = i
                i += 8
            case 5:
                start = i
                i += 4
            case 2:
                let length = Int(readVarint())
                start = i
                i += length
            default:
                fatalError("unexpected wire type in test input")
            }
            out.append((key >> 3, key & 7, Array(bytes[start..<i])))
        }
        return out
    }
}

/// Swift compares strings by canonical equivalence: an NFC and an NFD spelling of the same
/// Vietnamese text are `==`, and so are messages holding them. Byte-for-byte checks compare
/// the UTF-8 instead.
func sameText(_ a: String, _ b: String) -> Bool {
    Array(a.utf8) == Array(b.utf8)
}

func byteOrder(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

func show(_ s: String) -> String {
    s.unicodeScalars.map { $0.isASCII ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
}

/// Messages that can list, field by field, how they differ from an expected value: strings
/// compared byte for byte, doubles bit for bit, map keys by their UTF-8.
protocol FieldByField {
    func differences(from want: Self, at path: String) -> [String]
}

extension FieldByField {
    func differences(from want: Self) -> [String] { differences(from: want, at: "") }
}

struct Differ {
    let path: String
    var problems: [String] = []

    init(_ path: String) { self.path = path }

    private func at(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    mutating func value<T: Equatable>(_ name: String, _ got: T, _ want: T) {
        if got != want { problems.append("\(at(name)): got \(got), want \(want)") }
    }

    mutating func text(_ name: String, _ got: String, _ want: String) {
        if !sameText(got, want) { problems.append("\(at(name)): got \"\(show(got))\", want \"\(show(want))\"") }
    }

    mutating func double(_ name: String, _ got: Double, _ want: Double) {
        if got.bitPattern != want.bitPattern { problems.append("\(at(name)): got \(got), want \(want)") }
    }

    mutating func message<M: FieldByField>(_ name: String, _ got: M?, _ want: M?) {
        switch (got, want) {
        case (nil, nil): break
        case let (got?, want?): problems += got.differences(from: want, at: at(name))
        default: problems.append("\(at(name)): present \(got != nil), want \(want != nil)")
        }
    }

    mutating func values<T: Equatable>(_ name: String, _ got: [T], _ want: [T]) {
        if got.count != want.count { problems.append("\(at(name)): got \(got.count) elements, want \(want.count)") }
        for (i, (g, w)) in zip(got, want).enumerated() where g != w {
            problems.append("\(at(name))[\(i)]: got \(g), want \(w)")
        }
    }

    mutating func texts(_ name: String, _ got: [String], _ want: [String]) {
        if got.count != want.count { problems.append("\(at(name)): got \(got.count) elements, want \(want.count)") }
        for (i, (g, w)) in zip(got, want).enumerated() { text("\(name)[\(i)]", g, w) }
    }

    mutating func messages<M: FieldByField>(_ name: String, _ got: [M], _ want: [M]) {
        if got.count != want.count { problems.append("\(at(name)): got \(got.count) elements, want \(want.count)") }
        for (i, (g, w)) in zip(got, want).enumerated() { problems += g.differences(from: w, at: at("\(name)[\(i)]")) }
    }

    /// Keys compared by their UTF-8 (so an NFD key never passes for its NFC twin), then values.
    mutating func map<V>(_ name: String, _ got: [String: V], _ want: [String: V],
                         _ compare: (inout Differ, String, V, V) -> Void) {
        let gotKeys = got.keys.sorted(by: byteOrder).map { Array($0.utf8) }
        let wantKeys = want.keys.sorted(by: byteOrder).map { Array($0.utf8) }
        if gotKeys != wantKeys {
            let g = got.keys.sorted(by: byteOrder).map(show)
            let w = want.keys.sorted(by: byteOrder).map(show)
            problems.append("\(at(name)): keys \(g), want \(w)")
            return
        }
        for key in want.keys.sorted(by: byteOrder) {
            compare(&self, "\(name)[\"\(show(key))\"]", got[key]!, want[key]!)
        }
    }
}

extension TestingV1.Inner: FieldByField {
    func differences(from want: Self, at path: String) -> [String] {
        var d = Differ(path)
        d.text("name", name, want.name)
        d.value("amount", amount, want.amount)
        d.texts("tags", tags, want.tags)
        return d.problems
    }
}

extension TestingV1.AllKinds: FieldByField {
    func differences(from want: Self, at path: String) -> [String] {
        var d = Differ(path)
        d.value("f_int32", fInt32, want.fInt32)
        d.value("f_int64", fInt64, want.fInt64)
        d.value("f_uint32", fUint32, want.fUint32)
        d.value("f_uint64", fUint64, want.fUint64)
        d.value("f_sint32", fSint32, want.fSint32)
        d.value("f_sint64", fSint64, want.fSint64)
        d.value("f_bool", fBool, want.fBool)
        d.text("f_string", fString, want.fString)
        d.value("f_bytes", fBytes, want.fBytes)
        d.value("f_enum", fEnum, want.fEnum)
        d.message("f_message", fMessage, want.fMessage)
        d.double("f_double", fDouble, want.fDouble)
        d.value("f_fixed64", fFixed64, want.fFixed64)
        d.values("r_int32", rInt32, want.rInt32)
        d.values("r_int64", rInt64, want.rInt64)
        d.values("r_uint32", rUint32, want.rUint32)
        d.values("r_bool", rBool, want.rBool)
        d.texts("r_string", rString, want.rString)
        d.values("r_bytes", rBytes, want.rBytes)
        d.values("r_enum", rEnum, want.rEnum)
        d.messages("r_message", rMessage, want.rMessage)
        d.map("m_string", mString, want.mString) { d, name, g, w in d.text(name, g, w) }
        d.map("m_int64", mInt64, want.mInt64) { d, name, g, w in d.value(name, g, w) }
        d.map("m_message", mMessage, want.mMessage) { d, name, g, w in d.message(name, g, w) }
        return d.problems
    }
}

extension RpcV1.FieldViolation: FieldByField {
    func differences(from want: Self, at path: String) -> [String] {
        var d = Differ(path)
        d.text("field", field, want.field)
        d.text("description", description, want.description)
        return d.problems
    }
}

extension RpcV1.RequestHeader: FieldByField {
    func differences(from want: Self, at path: String) -> [String] {
        var d = Differ(path)
        d.text("method", method, want.method)
        d.value("timeout_ms", timeoutMs, want.timeoutMs)
        d.map("metadata", metadata, want.metadata) { d, name, g, w in d.text(name, g, w) }
        return d.problems
    }
}

extension RpcV1.ResponseHeader: FieldByField {
    func differences(from want: Self, at path: String) -> [String] {
        var d = Differ(path)
        d.value("code", code, want.code)
        d.text("message", message, want.message)
        d.map("metadata", metadata, want.metadata) { d, name, g, w in d.text(name, g, w) }
        d.messages("violations", violations, want.violations)
        return d.problems
    }
}

/// Encodes, decodes, and checks the result equals the original field by field (bytes too).
@discardableResult
func roundTrip<M: ProtoMessage & FieldByField>(
    _ message: M, sourceLocation: SourceLocation = #_sourceLocation
) throws -> M {
    let bytes = message.protobufBytes
    #expect(bytes.count == message.encodedSize, sourceLocation: sourceLocation)
    let back = try M(protobuf: bytes)
    let problems = back.differences(from: message)
    #expect(problems.isEmpty, "round trip changed fields:\n\(problems.joined(separator: "\n"))",
            sourceLocation: sourceLocation)
    #expect(back == message, sourceLocation: sourceLocation)
    // Encoding is deterministic, so the decoded value encodes to the very same bytes.
    #expect(back.protobufBytes == bytes, sourceLocation: sourceLocation)
    return back
}

/// Decoding that must fail: returns the error, or records an issue when decoding succeeds.
func decodingError<M: ProtoMessage>(
    _ type: M.Type, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
) -> ProtoDecodingError? {
    do throws(ProtoDecodingError) {
        let value = try M(protobuf: bytes)
        Issue.record("decoded \(bytes) as \(value), expected a refusal", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
