import Logging
import NIOCore
import NIOPosix

/// A small SMTP client (RFC 5321) on SwiftNIO: one connection per message — greeting, EHLO
/// (HELO when EHLO is refused), MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT.
///
/// STARTTLS: the client reads whether the server offers it; encryption itself is not linked
/// in yet (docs/notify.md), so with `requireTLS` a server is refused rather than sent to in
/// clear, and otherwise the message goes in clear on the configured (loopback or private)
/// relay.
struct SMTPClient: Sendable {
    struct Configuration: Sendable, Hashable {
        var host: String
        var port: Int
        /// The name given in EHLO: this host's name as the relay should know it.
        var heloName: String = "notify-svc.localdomain"
        /// The whole conversation's limit.
        var timeout: Duration = .seconds(30)
        var requireTLS = false
    }

    let configuration: Configuration

    /// Sends `message` from `from` to `to`; returns the server's answer to the end of DATA
    /// (e.g. `250 2.0.0 Ok: queued as 4F1A2`), what the delivery log keeps.
    func send(from: String, to: String, message: [UInt8]) async throws -> String {
        let channel: NIOAsyncChannel<String, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(10))
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                        return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError.transient("cannot connect to the SMTP server \(configuration.host):\(configuration.port): \(error)")
        }
        // The limit closes the connection, which ends the conversation with an error below.
        let limit = channel.channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(configuration.timeout.milliseconds) * 1_000_000)) {
            channel.channel.close(promise: nil)
        }
        defer { limit.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            var session = SMTPSession(lines: inbound.makeAsyncIterator(), outbound: outbound)
            return try await session.run(from: from, to: to, message: message, configuration: configuration)
        }
    }
}

/// One conversation, command by command.
private struct SMTPSession {
    var lines: NIOAsyncChannelInboundStream<String>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    struct Reply {
        var code: Int
        var lines: [String]
        var text: String { lines.joined(separator: " / ") }
    }

    mutating func run(from: String, to: String, message: [UInt8], configuration: SMTPClient.Configuration) async throws -> String {
        try expect(await reply(), 220, "greeting")
        try await command("EHLO \(configuration.heloName)")
        var ehlo = try await reply()
        if ehlo.code / 100 != 2 {
            try await command("HELO \(configuration.heloName)")
            ehlo = try await reply()
            try expect(ehlo, 250, "HELO")
        }
        let offersTLS = ehlo.lines.contains { $0.dropFirst(4).uppercased().hasPrefix("STARTTLS") }
        if configuration.requireTLS {
            throw SMTPError.transient(offersTLS
                ? "smtp_require_tls is set and the server offers STARTTLS, but this build has no TLS; not sending in clear"
                : "smtp_require_tls is set and the server does not offer STARTTLS; not sending in clear")
        }
        try await command("MAIL FROM:<\(from)>")
        try expect(await reply(), 250, "MAIL FROM")
        try await command("RCPT TO:<\(to)>")
        try expect(await reply(), 250, "RCPT TO", orAlso: 251)
        try await command("DATA")
        try expect(await reply(), 354, "DATA")
        try await outbound.write(ByteBuffer(bytes: MailMessage.dotStuffed(message)))
        let accepted = try await reply()
        try expect(accepted, 250, "end of DATA")
        // The message is the server's now; a failed QUIT changes nothing.
        try? await command("QUIT")
        _ = try? await reply()
        return "\(accepted.code) \(accepted.text)"
    }

    func command(_ line: String) async throws {
        do {
            try await outbound.write(ByteBuffer(string: line + "\r\n"))
        } catch {
            throw SMTPError.transient("the SMTP connection closed while sending '\(line.prefix(10))': \(error)")
        }
    }

    /// One reply: `250-...` lines continue, `250 ...` ends it.
    mutating func reply() async throws -> Reply {
        var collected: [String] = []
        while true {
            let line: String?
            do { line = try await lines.next() } catch {
                throw SMTPError.transient("the SMTP connection failed: \(error)")
            }
            guard let line else {
                throw SMTPError.transient("the SMTP server closed the connection (or the timeout passed) before replying")
            }
            guard line.utf8.count >= 3, let code = Int(line.prefix(3)) else {
                throw SMTPError.transient("the SMTP server sent a line that is not a reply: \(line.prefix(80))")
            }
            collected.append(String(line.dropFirst(4)))
            if line.utf8.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] != "-" {
                return Reply(code: code, lines: collected)
            }
        }
    }

    func expect(_ reply: Reply, _ code: Int, _ step: String, orAlso other: Int? = nil) throws {
        guard reply.code != code && reply.code != other else { return }
        let permanent = reply.code >= 500 && ["MAIL FROM", "RCPT TO", "DATA", "end of DATA"].contains(step)
        throw SMTPError(permanent: permanent, description: "SMTP \(step) answered \(reply.code) \(reply.text)")
    }
}
