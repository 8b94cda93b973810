import DVCProto
import Foundation
import Testing

/// The headers of every REQUEST, RESPONSE and GOAWAY frame (docs/protocol.md, "Header messages").
@Suite struct RPCHeaderTests {
    @Test("RequestHeader: method, deadline, reserved and Unicode metadata")
    func requestHeader() throws {
        try roundTrip(GoldenCases.requestHeader())
        for timeout: UInt32 in [0, 1, 1500, .max] {
            var m = GoldenCases.requestHeader()
            m.timeoutMs = timeout
            #expect(try roundTrip(m).timeoutMs == timeout)
        }
        var bare = RpcV1.RequestHeader()
        #expect(bare.protobufBytes.isEmpty)
        bare.method = "/dvc.health.v1.Health/Check"
        let back = try roundTrip(bare)
        #expect(back.timeoutMs == 0)  // no deadline
        #expect(back.metadata.isEmpty)
    }

    @Test("metadata values keep whitespace, emoji and both normalisation forms")
    func metadataValues() throws {
        var m = RpcV1.RequestHeader()
        m.method = "/dvc.testing.v1.TestService/UnaryCall"
        m.metadata = [
            "x-test-echo-nfc": Text.viNFC,
            "x-test-echo-nfd": Text.viNFD,
            "x-test-echo-spaces": "  \t leading and trailing \n ",
            "x-test-echo-emoji": Text.family + Text.flagVN,
            "x-test-echo-empty": "",
            Text.echoKey: Text.tranThiBich,
        ]
        let back = try roundTrip(m)
        #expect(sameText(back.metadata["x-test-echo-nfd"]!, Text.viNFD))
        #expect(sameText(back.metadata["x-test-echo-nfc"]!, Text.viNFC))
    }

    @Test("ResponseHeader: every status code, message, metadata, violations",
          arguments: Array(0...16) as [UInt32])
    func responseHeader(_ code: UInt32) throws {
        var m = GoldenCases.responseHeader()
        m.code = code
        #expect(try roundTrip(m).code == code)
    }

    @Test("ResponseHeader: OK with nothing else encodes to nothing; many violations")
    func responseHeaderShapes() throws {
        #expect(RpcV1.ResponseHeader().protobufBytes.isEmpty)
        var m = RpcV1.ResponseHeader()
        m.code = 3
        m.violations = (0..<200).map { i in
            var v = RpcV1.FieldViolation()
            v.field = "attachments[\(i)].media_type"
            v.description = i % 2 == 0 ? "" : Text.nameRequired
            return v
        }
        let back = try roundTrip(m)
        #expect(back.violations.count == 200)
        #expect(back.violations[1].description == Text.nameRequired)
    }

    @Test("GoAway")
    func goAway() throws {
        var m = RpcV1.GoAway()
        m.code = 8  // RESOURCE_EXHAUSTED
        m.message = "frame length 20000000 exceeds the limit of 16777216"
        let back = try RpcV1.GoAway(protobuf: m.protobufBytes)
        #expect(back == m)
        #expect(RpcV1.GoAway().protobufBytes.isEmpty)
    }

    @Test("the golden header fixtures decode, ours match them")
    func goldenHeaders() throws {
        let request = try RpcV1.RequestHeader(protobuf: GoldenFixtureTests.fixture("request_header"))
        #expect(request.differences(from: GoldenCases.requestHeader()).isEmpty)
        let response = try RpcV1.ResponseHeader(protobuf: GoldenFixtureTests.fixture("response_header"))
        #expect(response.differences(from: GoldenCases.responseHeader()).isEmpty)
    }
}
