import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// A small SMTP client (RFC 5321) on SwiftNIO: one connection per message — greeting, EHLO
/// (HELO when EHLO is refused), STARTTLS (RFC 3207) when the server offers it, MAIL FROM,
/// RCPT TO, DATA with dot-stuffing, QUIT.
///
/// STARTTLS (`starttls`): `.auto` upgrades whenever the server offers it and never sends in
/// clear to a server that offered it but failed the handshake or the certificate check (that
/// is an attack or a misconfiguration, retried and logged); `.required` also refuses a server
/// that does not offer it; `.off` never upgrades.
struct SMTPClient: Sendable {
    enum StartTLS: String, Sendable, Hashable {
        case auto, required, off
    }

    struct Configuration: Sendable, Hashable {
        var host: String
        var port: Int
        /// The name given in EHLO: this host's name as the relay should know it.
        var heloName: String = "notify-svc.localdomain"
        /// The whole conversation's limit.
        var timeout: Duration = .seconds(30)
        var starttls: StartTLS = .auto
        /// PEM file of the certificate authorities to trust; nil for the system's.
        var caFile: String?
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
        let raw = channel.channel
        // A cancelled task (shutdown) closes the connection, which ends the conversation at once.
        return try await withTaskCancellationHandler {
            try await channel.executeThenClose { inbound, outbound in
                var session = SMTPSession(lines: inbound.makeAsyncIterator(), outbound: outbound, channel: raw)
                return try await session.run(from: from, to: to, message: message, configuration: configuration)
            }
        } onCancel: {
            raw.close(promise: nil)
        }
    }
}

/// One conversation, command by command.
private struct SMTPSession {
    var lines: NIOAsyncChannelInboundStream<String>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let channel: any Channel
    /// Set once TLS is under the conversation, to say where a later failure likely comes from.
    var tls = false

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
        // Each EHLO line after the first names one extension, e.g. "STARTTLS", "SIZE 10240000".
        let offersTLS = ehlo.lines.dropFirst().contains { $0.uppercased().hasPrefix("STARTTLS") }
        if offersTLS && configuration.starttls != .off {
            try await command("STARTTLS")
            try expect(await reply(), 220, "STARTTLS")
            try await startTLS(configuration)
            tls = true
            // RFC 3207 §4.2: everything learnt before is forgotten; greet again over TLS.
            try await command("EHLO \(configuration.heloName)")
            try expect(await reply(), 250, "EHLO after STARTTLS")
        } else if configuration.starttls == .required {
            throw SMTPError.transient("smtp_starttls=required and \(configuration.host) does not offer STARTTLS; not sending in clear")
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

    /// Puts TLS under the line decoder: the handler goes first in the pipeline (next to the
    /// socket), so what follows is encrypted both ways; a failed handshake or certificate check
    /// surfaces as an error on the next read.
    func startTLS(_ configuration: SMTPClient.Configuration) async throws {
        do {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .fullVerification
            if let caFile = configuration.caFile { tls.trustRoots = .file(caFile) }
            let context = try NIOSSLContext(configuration: tls)
            // SNI and the name check use the host name; an IP literal is checked against the
            // certificate's IP addresses instead.
            let isAddress = configuration.host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" }
            let serverHostname = isAddress ? nil : configuration.host
            let channel = self.channel
            // Handlers are not Sendable: made and added on the channel's own event loop.
            try await channel.eventLoop.submit {
                let handler = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
            }.get()
        } catch {
            throw SMTPError.transient("STARTTLS with \(configuration.host) could not start: \(error)")
        }
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
                throw SMTPError.transient(tls
                    ? "the SMTP connection failed after STARTTLS (is the server's certificate trusted? see smtp_tls_ca_file): \(error)"
                    : "the SMTP connection failed: \(error)")
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
