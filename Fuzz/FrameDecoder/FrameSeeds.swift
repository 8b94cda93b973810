import DVCProto
import NIOCore

/// The frame-decoder seed corpus: streams a client or server really sends, written with the
/// project's frame encoder (ByteBuffer.writeFrame), under each limit and chunking the input
/// layout offers.
enum FrameSeeds {
    static func write(to folder: String) {
        func write(_ control: [UInt8], _ stream: [UInt8], _ name: String) {
            SeedFile.write(control + stream, named: name, in: folder)
        }
        let ping = frame { $0.writeFrame(type: .ping, callID: 0, rawPayload: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])) }
        let pong = frame { $0.writeFrame(type: .pong, callID: 0, rawPayload: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])) }
        let cancel = frame { $0.writeFrame(type: .cancel, callID: 7, header: nil, payload: nil) }
        let goAway = frame { $0.writeFrame(type: .goAway, callID: 0, header: SeedMessages.goAway, payload: nil) }
        let okResponse = frame { $0.writeFrame(type: .response, callID: 7, header: nil, payload: SeedMessages.goAway) }
        let errorResponse = frame {
            $0.writeFrame(type: .response, callID: 7, header: SeedMessages.errorHeader, payload: nil)
        }

        // Control byte: bits 0-1 the limit (3: 16 MiB), bit 2 puts the preface in front.
        let withPreface: UInt8 = 4 | 3
        write([withPreface, 0], [], "preface-only")
        write([3, 0], Preface.bytes, "preface-byte-at-a-time")
        write([withPreface, 0], ping, "ping")
        write([withPreface, 9], pong, "pong")
        write([withPreface, 0], cancel, "cancel")
        write([withPreface, 0], goAway, "goaway")
        write([withPreface, 5], okResponse, "response-ok")
        write([withPreface, 0], errorResponse, "response-error")
        write([withPreface, 77], ping + cancel + errorResponse + goAway, "several-frames")
        // The same frames under the smaller limits, which some of them exceed.
        for limit: UInt8 in 0...2 {
            write([4 | limit, 3], ping + errorResponse, "limit-\(limit)")
        }

        // A REQUEST for every method, with its request type populated, in varied chunkings.
        for (index, path) in ProtoRegistry.methodPaths.enumerated() {
            guard let method = ProtoRegistry.method(path) else { continue }
            var header = SeedMessages.requestHeader
            header.method = path
            let payload = request(method.requestType)
            let bytes = frame {
                $0.writeFrame(type: .request, callID: UInt32(index + 1), header: header, payload: payload)
            }
            let name = path.split(separator: "/").joined(separator: "-")
            write([withPreface, UInt8(truncatingIfNeeded: index * 37)], bytes, "request-\(name)")
        }
    }

    private static func request<M: ProtoMessage>(_ type: M.Type) -> M {
        (try? M(protobuf: SeedMessages.populated(type))) ?? M()
    }

    private static func frame(_ body: (inout ByteBuffer) -> Void) -> [UInt8] {
        var buffer = ByteBuffer()
        body(&buffer)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}
