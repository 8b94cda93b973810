import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Testing

/// Peers that hold connections without using them (docs/protocol.md, "Limits"): one that
/// connects and never finishes its preface, one that trickles a frame a byte at a time (each
/// byte is a read, so keepalive never fires), and one address opening more connections than
/// the server allows. Each is closed; everyone else is served.
@Suite(.timeLimit(.minutes(1))) struct SlowPeerTests {
    static let sleep = ProbeMethods.sleep.path

    @Test("a connection whose preface does not arrive within the preface timeout is closed")
    func prefaceTimeout() async throws {
        let configuration = TestServer.configuration { $0.prefaceTimeout = .milliseconds(300) }
        try await withServer(configuration: configuration) { server in
            let silent = try await RawConnection.connect(port: server.port)
            let trickling = try await RawConnection.connect(port: server.port)
            defer { Task { await silent.close(); await trickling.close() } }
            // Half the preface: right so far, never finished.
            try await trickling.send(Array(Preface.bytes.prefix(4)))
            _ = try await silent.readUntilClosed(within: .seconds(2))
            _ = try await trickling.readUntilClosed(within: .seconds(2))
            // A peer that says its preface in time is served as before.
            let prompt = try await RawConnection.handshake(port: server.port)
            defer { Task { await prompt.close() } }
            try await prompt.send(RawFrame.request(1, method: Self.sleep, payload: simpleRequest(token: "ok")))
            #expect(try await prompt.readFrame().frameType == .response)
        }
    }

    @Test("a frame trickled a byte at a time is cut off with GOAWAY DEADLINE_EXCEEDED after the incomplete-frame timeout")
    func trickledFrame() async throws {
        let configuration = TestServer.configuration { $0.incompleteFrameTimeout = .milliseconds(500) }
        try await withServer(configuration: configuration) { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            let bytes = RawFrame.request(1, method: Self.sleep, payload: simpleRequest(token: "slow")).bytes()
            // One byte every 100 ms: keepalive sees a busy peer; the frame needs seconds.
            let start = ContinuousClock.now
            for byte in bytes.dropLast() {
                if connection.isClosed { break }
                try? await connection.send([byte])
                try await Task.sleep(for: .milliseconds(100))
                if ContinuousClock.now - start > .seconds(3) { break }
            }
            #expect(connection.isClosed, "the connection was still open after \(ContinuousClock.now - start)")
            let (goAway, _) = try #require(RawFrame.parse(connection.unreadBytes))
            #expect(goAway.frameType == .goAway)
            let header = try goAway.goAway()
            #expect(StatusCode(wireValue: header.code) == .deadlineExceeded, "\(header.code): \(header.message)")
            #expect(header.message.contains("incomplete"), "\(header.message)")
            #expect(await server.probe.hasStarted("slow") == false)
        }
    }

    @Test("a frame sent whole after a pause is not cut off: the timer runs only while a frame is incomplete")
    func pausesBetweenFramesAreFine() async throws {
        let configuration = TestServer.configuration { $0.incompleteFrameTimeout = .milliseconds(300) }
        try await withServer(configuration: configuration) { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            let first = RawFrame.request(1, method: Self.sleep, payload: simpleRequest(token: "a")).bytes()
            // A frame in two halves, within the timeout, then a pause longer than it.
            try await connection.send(Array(first.prefix(10)))
            try await Task.sleep(for: .milliseconds(100))
            try await connection.send(Array(first.dropFirst(10)))
            #expect(try await connection.readFrame().frameType == .response)
            try await Task.sleep(for: .milliseconds(600))
            try await connection.send(RawFrame.request(3, method: Self.sleep, payload: simpleRequest(token: "b")))
            #expect(try await connection.readFrame().frameType == .response)
            #expect(!connection.isClosed)
        }
    }

    @Test("connections beyond the per-address limit are closed at once; closing one makes room")
    func connectionsPerAddress() async throws {
        let configuration = TestServer.configuration { $0.maximumConnectionsPerAddress = 3 }
        try await withServer(configuration: configuration) { server in
            var open: [RawConnection] = []
            for _ in 0..<3 { open.append(try await RawConnection.handshake(port: server.port)) }
            let refused = try await RawConnection.connect(port: server.port)
            try? await refused.send(Preface.bytes)
            let answer = try await refused.readUntilClosed(within: .seconds(2))
            #expect(answer.isEmpty, "the refused connection got \(answer)")
            // The three admitted ones still work.
            for (index, connection) in open.enumerated() {
                try await connection.send(RawFrame.request(1, method: Self.sleep, payload: simpleRequest(token: "c\(index)")))
                #expect(try await connection.readFrame().frameType == .response)
            }
            await open.removeFirst().close()
            // The server counts the close once it has seen it.
            var admitted: RawConnection?
            for _ in 0..<50 where admitted == nil {
                try await Task.sleep(for: .milliseconds(20))
                admitted = try? await RawConnection.handshake(port: server.port)
            }
            #expect(admitted != nil, "no room was made by closing a connection")
            await admitted?.close()
            for connection in open { await connection.close() }
            await refused.close()
        }
    }
}
