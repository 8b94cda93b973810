// codec-memcheck: drives every encode and decode path of DVCProto (the Swift layer over
// protobuf-c) many times, refusals included, so that scripts/memcheck.sh can run it under
// valgrind's memcheck and show no leak, double free or invalid access.
//
//   codec-memcheck [rounds] [-v]   default 20 rounds; -v shows what each message type was
//                                  filled with; exits 0 when every check held, 1 otherwise
//   codec-memcheck --plant-leak    also leaks one block on purpose, to show memcheck notices
//
// Each round: for every generated message type, decode a populated encoding, encode it
// again, decode that and compare; decode inputs that must be refused (invalid UTF-8, NUL bytes,
// truncated and malformed bytes); plus dvc.testing.v1.AllKinds with every field kind set,
// 1 MiB bytes fields and the RPC headers.

import DVCProto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Every message type the protos generate, from the generated registry, so a new message is
// exercised without anyone listing it here.
let messageTypes: [any ProtoMessage.Type] = ProtoRegistry.messageNames.compactMap { ProtoRegistry.message($0) }

// MARK: - Wire bytes

/// Hand-made wire bytes (`ProtoWire`), for inputs no encoder would produce.
typealias Wire = ProtoWire

let text = Array("Nguy\u{1EC5}n Th\u{1ECB} \u{C1}nh \u{1F1FB}\u{1F1F3}".utf8)  // Nguyễn Thị Ánh + flag
let textNFD = Array("Nguye\u{302}\u{303}n Thi\u{323} A\u{301}nh".utf8)
let invalidUTF8: [[UInt8]] = [[0xC3, 0x28], [0x80], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE1, 0xBB]]
let withNUL: [[UInt8]] = [[0x00], [0x61, 0x00, 0x62], text + [0x00]]
let fieldNumbers: [UInt64] = Array(1...13) + Array(21...28) + Array(31...33) + [99, 100]

// MARK: - Checks

// One thread only; the counters are plain globals.
nonisolated(unsafe) var failures = 0
nonisolated(unsafe) var roundTrips = 0
nonisolated(unsafe) var refusals = 0

func fail(_ message: String) {
    failures += 1
    if failures <= 20 { print("codec-memcheck: FAILED: \(message)") }
}

func decodes<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8]) -> Bool {
    (try? M(protobuf: bytes)) != nil
}

/// Builds, without knowing the message's fields, an encoding that sets as many of them as
/// possible: for each field number, the first candidate value the decoder accepts. Twice, so
/// repeated fields and maps get two elements.
func populate<M: ProtoMessage>(_ type: M.Type) -> [UInt8] {
    var bytes: [UInt8] = []
    for round in 0..<2 {
        let s = round == 0 ? text : textNFD
        for n in fieldNumbers {
            let nestedFull = Wire.lengthDelimited(1, s) + Wire.varintField(2, 5) + Wire.lengthDelimited(3, s) + Wire.lengthDelimited(3, [])
            let candidates: [[UInt8]] = [
                Wire.lengthDelimited(n, s),                                        // string, bytes
                Wire.lengthDelimited(n, nestedFull),                               // message like Inner
                Wire.lengthDelimited(n, Wire.lengthDelimited(1, s) + Wire.lengthDelimited(2, s)),            // map<string,string>, two strings
                Wire.lengthDelimited(n, Wire.lengthDelimited(1, s) + Wire.varintField(2, UInt64(bitPattern: -7))),  // map<string,int>
                Wire.lengthDelimited(n, Wire.lengthDelimited(1, s) + Wire.lengthDelimited(2, nestedFull)),   // map<string,Inner>
                Wire.lengthDelimited(n, Wire.lengthDelimited(1, s)),                            // message with a string first
                Wire.lengthDelimited(n, Wire.varintField(1, 3)),                   // message with a number first
                Wire.lengthDelimited(n, [1, 0, 0x96, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),  // packed varints
                Wire.lengthDelimited(n, []),                                       // empty message
                Wire.varintField(n, 2),                               // number, bool, enum
                Wire.fixed64Field(n, 0x4009_21FB_5444_2D18),          // double, fixed64
                Wire.fixed32Field(n, 7),                              // float, fixed32
            ]
            for candidate in candidates where decodes(type, bytes + candidate) {
                bytes += candidate
                break
            }
        }
    }
    return bytes
}

/// Inputs the decoder must refuse: bad text in every field that holds text at any depth the
/// candidates reach, and broken wire bytes.
func refusalInputs<M: ProtoMessage>(_ type: M.Type, populated: [UInt8]) -> [[UInt8]] {
    var inputs: [[UInt8]] = [
        [0x80], [0x08, 0x80], [0x0F, 0x00], [0x00, 0x01], Wire.tag(1, 3),
        [0x0A, 0x05, 0x61],
        [0x0A] + Wire.varint(UInt64.max),
        populated + [0xFF],
    ]
    if populated.count > 2 {
        inputs.append(Array(populated.dropLast()))
        inputs.append(Array(populated.prefix(populated.count / 2)))
    }
    for n in fieldNumbers {
        for bad in invalidUTF8.prefix(2) + withNUL.prefix(2) {
            inputs.append(populated + Wire.lengthDelimited(n, bad))
            inputs.append(Wire.lengthDelimited(n, Wire.lengthDelimited(1, bad)))
            inputs.append(Wire.lengthDelimited(n, Wire.lengthDelimited(1, text) + Wire.lengthDelimited(2, bad)))
            inputs.append(Wire.lengthDelimited(n, Wire.lengthDelimited(1, text) + Wire.lengthDelimited(2, Wire.lengthDelimited(1, bad))))
        }
    }
    // Keep only what is refused: a bytes field legitimately takes any bytes.
    return inputs.filter { !decodes(type, $0) }
}

struct Plan<M: ProtoMessage> {
    let populated: [UInt8]
    let refused: [[UInt8]]

    init(_ type: M.Type) {
        populated = populate(type)
        refused = refusalInputs(type, populated: populated)
    }

    func run() {
        do throws(ProtoDecodingError) {
            let value = try M(protobuf: populated)
            let bytes = value.protobufBytes
            let again = try M(protobuf: bytes)
            if again != value || again.protobufBytes != bytes {
                fail("\(M.protoName): round trip changed the message")
            }
            if value.encodedSize != bytes.count { fail("\(M.protoName): encodedSize disagrees") }
            if try M(protobuf: [UInt8]()) != M() { fail("\(M.protoName): empty bytes are not the default") }
            if !M().protobufBytes.isEmpty { fail("\(M.protoName): default does not encode to nothing") }
            roundTrips += 1
        } catch {
            fail("\(M.protoName): \(error)")
        }
        for input in refused {
            do throws(ProtoDecodingError) {
                _ = try M(protobuf: input)
                fail("\(M.protoName): accepted \(input)")
            } catch {
                _ = error.description
                refusals += 1
            }
        }
    }
}

func plan<M: ProtoMessage>(_ type: M.Type, verbose: Bool) -> () -> Void {
    let plan = Plan(type)
    if plan.populated.isEmpty && type != TestingV1.Empty.self {
        fail("\(M.protoName): no field could be populated")
    }
    if verbose {
        let fields = (try? M(protobuf: plan.populated)).map { "\($0)" } ?? "?"
        print("\(M.protoName): \(plan.populated.count) bytes, \(plan.refused.count) refusals: \(fields)")
    }
    return plan.run
}

// MARK: - AllKinds with every field kind, and the RPC headers

func inner(_ name: String, _ amount: Int64, _ tags: [String]) -> TestingV1.Inner {
    var m = TestingV1.Inner()
    m.name = name
    m.amount = amount
    m.tags = tags
    return m
}

func allKinds(large: Bool) -> TestingV1.AllKinds {
    let vi = String(decoding: text, as: UTF8.self)
    let viNFD = String(decoding: textNFD, as: UTF8.self)
    var m = TestingV1.AllKinds()
    m.fInt32 = .min
    m.fInt64 = .min
    m.fUint32 = .max
    m.fUint64 = .max
    m.fSint32 = -1
    m.fSint64 = .max
    m.fBool = true
    m.fString = vi
    m.fBytes = large ? Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }) : Data([0, 0xC3, 0x28, 0])
    m.fEnum = .negative
    m.fMessage = inner(viNFD, -1, ["", vi])
    m.fDouble = -1.5e-300
    m.fFixed64 = .max
    m.rInt32 = [0, -1, .max]
    m.rInt64 = [.min, 0]
    m.rUint32 = [.max, 0]
    m.rBool = [true, false]
    m.rString = ["", vi, viNFD, ""]
    m.rBytes = [Data(), Data([0]), large ? m.fBytes : Data([0xFF])]
    m.rEnum = [.red, .unrecognized(-100), .unrecognized(7)]
    m.rMessage = [TestingV1.Inner(), inner("", 0, [""]), inner(vi, 3, [])]
    m.mString = ["": "", "e\u{301}": vi, "\u{E9}x": viNFD, "f": ""]
    m.mInt64 = ["": 0, "min": .min]
    m.mMessage = ["": TestingV1.Inner(), "x": inner(vi, 1, ["a", ""])]
    return m
}

func headers() -> (RpcV1.RequestHeader, RpcV1.ResponseHeader, RpcV1.GoAway) {
    var request = RpcV1.RequestHeader()
    request.method = "/dvc.testing.v1.TestService/UnaryCall"
    request.timeoutMs = 1500
    request.metadata = ["authorization": "Bearer x", "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                        "x-test-echo-t\u{EA}n": String(decoding: text, as: UTF8.self)]
    var response = RpcV1.ResponseHeader()
    response.code = 3
    response.message = String(decoding: textNFD, as: UTF8.self)
    var violation = RpcV1.FieldViolation()
    violation.field = "applicant.full_name"
    violation.description = "H\u{1ECD} t\u{EA}n"
    response.violations = [violation, RpcV1.FieldViolation()]
    response.metadata = ["x-request-id": "1"]
    var goAway = RpcV1.GoAway()
    goAway.code = 13
    goAway.message = "flags must be 0"
    return (request, response, goAway)
}

func roundTrip<M: ProtoMessage>(_ value: M) {
    do throws(ProtoDecodingError) {
        var viaBuffer: [UInt8] = []
        value.encode { size, pack in
            viaBuffer = [UInt8](repeating: 0, count: size)
            viaBuffer.withUnsafeMutableBytes { pack($0.baseAddress!) }
        }
        let back = try M(protobuf: value.protobufData)
        if back != value || viaBuffer != value.protobufBytes { fail("\(M.protoName): round trip changed the message") }
        roundTrips += 1
    } catch {
        fail("\(M.protoName): \(error)")
    }
}

func refuse<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8], _ reason: ProtoDecodingError.Reason, _ field: String? = nil) {
    do throws(ProtoDecodingError) {
        _ = try M(protobuf: bytes)
        fail("\(M.protoName): accepted \(bytes)")
    } catch {
        if error.reason != reason || (field != nil && error.field != field) {
            fail("\(M.protoName): refused \(bytes) with \(error.reason) at \(error.field), wanted \(reason) at \(field ?? "-")")
        }
        refusals += 1
    }
}

func allKindsChecks(large: Bool) {
    let full = allKinds(large: large)
    roundTrip(full)
    let bytes = full.protobufBytes
    // Truncations of a real encoding: every cut inside a field is malformed.
    let step = large ? 4099 : 1
    for cut in stride(from: 1, to: bytes.count, by: step) {
        _ = try? TestingV1.AllKinds(protobuf: Array(bytes.prefix(cut)))
    }
    _ = try? TestingV1.AllKindsV2(protobuf: bytes)  // unknown fields skipped
    for bad in invalidUTF8 {
        refuse(TestingV1.AllKinds.self, Wire.lengthDelimited(8, bad), .invalidUTF8, "f_string")
        refuse(TestingV1.AllKinds.self, Wire.lengthDelimited(11, Wire.lengthDelimited(3, text) + Wire.lengthDelimited(3, bad)), .invalidUTF8, "f_message.tags")
        refuse(TestingV1.AllKinds.self, Wire.lengthDelimited(31, Wire.lengthDelimited(1, bad)), .invalidUTF8, "m_string.key")
        refuse(TestingV1.AllKinds.self, Wire.lengthDelimited(33, Wire.lengthDelimited(1, text) + Wire.lengthDelimited(2, Wire.lengthDelimited(1, bad))),
               .invalidUTF8, "m_message.value.name")
        refuse(RpcV1.RequestHeader.self, Wire.lengthDelimited(3, Wire.lengthDelimited(1, text) + Wire.lengthDelimited(2, bad)), .invalidUTF8, "metadata.value")
    }
    for bad in withNUL {
        refuse(TestingV1.AllKinds.self, bytes + Wire.lengthDelimited(25, bad), .nulInString, "r_string")
        refuse(RpcV1.ResponseHeader.self, Wire.lengthDelimited(4, Wire.lengthDelimited(2, bad)), .nulInString, "violations.description")
    }
    refuse(TestingV1.AllKinds.self, bytes + [0x42, 0x05, 0x61], .malformed)
    refuse(TestingV1.AllKinds.self, Wire.varintField(8, 1), .malformed)
    refuse(TestingV1.AllKinds.self, Wire.lengthDelimited(21, [0x01, 0x80]), .malformed)
    refuse(TestingV1.AllKinds.self, Wire.lengthDelimited(11, Wire.tag(1, 7)), .malformed)
    // Bytes fields take anything.
    do throws(ProtoDecodingError) {
        let m = try TestingV1.AllKinds(protobuf: Wire.lengthDelimited(9, [0, 0xC3, 0x28, 0]) + Wire.lengthDelimited(26, [0xFF, 0]))
        if m.fBytes.count != 4 || m.rBytes.count != 1 { fail("bytes fields changed") }
    } catch {
        fail("bytes field refused: \(error)")
    }
}

// MARK: - Main

let arguments = CommandLine.arguments.dropFirst()
let verbose = arguments.contains("-v")
let rounds = arguments.first { !$0.hasPrefix("-") }.map { Int($0) ?? 0 } ?? 20
guard rounds > 0, arguments.allSatisfy({ !$0.hasPrefix("-") || $0 == "-v" || $0 == "--plant-leak" }) else {
    print("usage: codec-memcheck [rounds] [-v] [--plant-leak]")
    exit(2)
}

/// For `scripts/memcheck.sh --self-test`: a block nobody frees, which memcheck must report.
nonisolated(unsafe) var planted: UnsafeMutableRawPointer?
if arguments.contains("--plant-leak") {
    planted = malloc(4096)
    print("codec-memcheck: planted a 4096-byte leak at \(planted!)")
    planted = nil
}

let plans = messageTypes.map { plan($0, verbose: verbose) }
let (request, response, goAway) = headers()
for round in 0..<rounds {
    for run in plans { run() }
    allKindsChecks(large: false)
    if round % 10 == 0 { allKindsChecks(large: true) }
    roundTrip(request)
    roundTrip(response)
    roundTrip(goAway)
}

print("codec-memcheck: \(messageTypes.count) message types, \(rounds) rounds, "
      + "\(roundTrips) round trips, \(refusals) refusals, \(failures) failures")
exit(failures == 0 ? 0 : 1)
