import DVCProto
import Foundation
import Testing

@Test func smoke() throws {
    var r = TestingV1.SimpleRequest()
    r.payload = .init([1, 2, 3])
    r.responseStatus = .init()
    r.responseStatus?.message = "Nguyễn"
    let bytes = r.protobufBytes
    let back = try TestingV1.SimpleRequest(protobuf: bytes)
    #expect(back == r)
}
