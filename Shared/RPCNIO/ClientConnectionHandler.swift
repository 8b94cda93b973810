import DVCProto
import Logging
import NIOCore
import NIOSSL
import RPCCore

/// How a call on one connection ended, as far as failover needs to know.
enum CallFailure: Error {
    /// The request never left: safe to try another peer.
    case notSent(RPCError)
    /// The connection died after the request was written: the server may or may not have
    /// run it.
    case lost(RPCError)
    /// The server answered with this status (or the deadline passed): final.
    case status(RPCError)
}

/// The client side of one connection: writes requests, matches responses to calls by call_id,
/// answers pings, and fails every pending call promptly when the connection dies.
///
/// A connection whose peer has silently gone (its host cut off: no FIN, no RST) is found two
/// ways: the keepalive ping after `keepaliveInterval` without reads, and a probe ping when a
/// call starts after `probeAfterSilence` without reads; an unanswered ping closes the
/// connection, which fails its calls with UNAVAILABLE.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = InboundFrame
    typealias OutboundOut = ByteBuffer

    typealias Decoder = @Sendable (ByteBuffer) throws(ProtoDecodingError) -> any ProtoMessage
    typealias Completion = (Result<any ProtoMessage, CallFailure>) -> Void

    private struct Pending {
        var decode: Decoder
        var complete: Completion
        var timer: Scheduled<Void>?
    }

    private let peer: String
    private let keepaliveTimeout: Duration
    private let probeAfterSilence: TimeAmount
    private let probeTimeout: Duration
    private let state: ConnectionFlags
    private let logger: Logger
    private var pending: [UInt32: Pending] = [:]
    private var context: ChannelHandlerContext?
    private var outbound = OutboundFrames()
    private var pingTimeout: Scheduled<Void>?
    /// While calls wait: checks every `probeAfterSilence` that something came back, and probes
    /// when nothing did (a connection that went silent just after its last read).
    private var watchdog: Scheduled<Void>?
    /// When the peer last sent anything.
    private var lastRead = NIODeadline.now()
    private var closed = false
    /// The server said GOAWAY: no new calls; the connection is closed once the last pending
    /// call is answered.
    private var goingAway = false
    /// Completed when the server's preface arrives (TLS connections wait for it), failed when
    /// the connection fails first.
    private var ready: EventLoopPromise<Void>?
    /// The future of `ready`, for the connect that waits on it.
    let readyFuture: EventLoopFuture<Void>?
    private var prefaceReceived = false
    /// The error that ended the connection, for the message of the calls it fails.
    private var failure: (any Error)?

    init(peer: String, configuration: RPCClientConfiguration, state: ConnectionFlags, logger: Logger,
         ready: EventLoopPromise<Void>? = nil) {
        self.peer = peer
        self.keepaliveTimeout = configuration.keepaliveTimeout
        self.probeAfterSilence = TimeAmount(configuration.probeAfterSilence)
        self.probeTimeout = configuration.probeTimeout
        self.state = state
        self.logger = logger
        self.ready = ready
        self.readyFuture = ready?.futureResult
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: Preface.bytes.count)
        buffer.writeBytes(Preface.bytes)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        context.fireChannelActive()
    }

    /// A REQUEST frame: encoded by a caller on another thread, or to be encoded here, straight
    /// into the connection's outbound buffer, by a caller already on the event loop.
    enum RequestFrame {
        case encoded(ByteBuffer)
        case message(header: RpcV1.RequestHeader, request: any ProtoMessage)
    }

    /// Registers a call and writes its REQUEST frame.
    func start(callID: UInt32, frame: RequestFrame, timeout: Duration?, decode: @escaping Decoder,
               complete: @escaping Completion) {
        guard !closed, !goingAway, let context else {
            complete(.failure(.notSent(RPCError(.unavailable, state.closeReason ?? "connection to \(peer) is closed or going away"))))
            return
        }
        var call = Pending(decode: decode, complete: complete)
        if let timeout {
            let loop = NIOLoopBound(self, eventLoop: context.eventLoop)
            call.timer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                loop.value.deadlinePassed(callID)
            }
        }
        if pingTimeout == nil, NIODeadline.now() - lastRead > probeAfterSilence {
            sendPing(context: context, timeout: probeTimeout, reason: "probe ping unanswered")
        }
        pending[callID] = call
        armWatchdog(context: context)
        switch frame {
        case .encoded(let buffer):
            outbound.append(allocator: context.channel.allocator, encoded: buffer)
            scheduleFlush(context: context)
        case .message(let header, let request):
            enqueue(context: context) {
                $0.writeFrame(type: .request, callID: callID, header: header, payload: request)
            }
        }
    }

    /// The caller gave up: tell the server so it can stop the work.
    func cancel(callID: UInt32) {
        guard let call = pending.removeValue(forKey: callID), let context else { return }
        call.timer?.cancel()
        sendCancel(callID, context: context)
        call.complete(.failure(.status(RPCError(.cancelled, "the call was cancelled by the caller"))))
    }

    private func deadlinePassed(_ callID: UInt32) {
        guard let call = pending.removeValue(forKey: callID), let context else { return }
        sendCancel(callID, context: context)
        call.complete(.failure(.status(RPCError(.deadlineExceeded, "deadline exceeded"))))
    }

    private func sendCancel(_ callID: UInt32, context: ChannelHandlerContext) {
        enqueue(context: context) { $0.writeFrame(type: .cancel, callID: callID, header: nil, payload: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = .now()
        guard case .frame(let frame) = unwrapInboundIn(data) else {
            prefaceReceived = true
            ready?.succeed()
            ready = nil
            return
        }
        switch frame.type {
        case .response:
            receiveResponse(frame)
        case .ping:
            enqueue(context: context) { $0.writeFrame(type: .pong, callID: 0, rawPayload: frame.payload) }
        case .pong:
            pingTimeout?.cancel()
            pingTimeout = nil
        case .goAway:
            let goAway = try? RpcV1.GoAway(buffer: frame.header)
            state.markGoingAway()
            goingAway = true
            closeIfIdleAfterGoAway(context: context)
            let code = StatusCode(wireValue: goAway?.code ?? 0)
            if code != .ok {
                logger.warning("server sent GOAWAY for a protocol error",
                               metadata: ["peer": "\(peer)", "code": "\(code)", "message": "\(goAway?.message ?? "")"])
            }
        case .request, .cancel:
            logger.warning("server sent a \(frame.type) frame; closing", metadata: ["peer": "\(peer)"])
            context.close(promise: nil)
        }
    }

    /// After GOAWAY the client closes the connection itself once nothing is pending, so the
    /// server need not wait out its grace period.
    private func closeIfIdleAfterGoAway(context: ChannelHandlerContext) {
        guard goingAway, pending.isEmpty, !closed else { return }
        context.close(promise: nil)
    }

    private func receiveResponse(_ frame: Frame) {
        defer { if let context { closeIfIdleAfterGoAway(context: context) } }
        guard let call = pending.removeValue(forKey: frame.callID) else {
            // A response to a call already given up on (deadline, cancel): nothing to do.
            return
        }
        call.timer?.cancel()
        let header: RpcV1.ResponseHeader
        do {
            // Zero bytes are an OK header with nothing in it, the common case.
            header = frame.header.readableBytes == 0 ? RpcV1.ResponseHeader() : try RpcV1.ResponseHeader(buffer: frame.header)
        } catch {
            call.complete(.failure(.status(RPCError(.internalError, "undecodable response header: \(error)"))))
            return
        }
        let code = StatusCode(wireValue: header.code)
        guard code == .ok else {
            let error = RPCError(code, header.message, metadata: header.metadata, violations: header.violations)
            // The server refused the call without running it (it is going away): as safe to
            // send elsewhere as a call never sent.
            if header.metadata[RPCRefusal.metadataKey] != nil {
                call.complete(.failure(.notSent(error)))
            } else {
                call.complete(.failure(.status(error)))
            }
            return
        }
        do {
            call.complete(.success(try call.decode(frame.payload)))
        } catch {
            call.complete(.failure(.status(RPCError(.internalError, "undecodable response: \(error)"))))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        state.markClosed()
        pingTimeout?.cancel()
        watchdog?.cancel()
        let calls = pending
        pending.removeAll()
        let reason: String
        if let failure, isTLSError(failure) {
            reason = "connection to \(peer) was closed by TLS: \(TLSFailure.describe(failure))"
        } else if !prefaceReceived {
            reason = "connection to \(peer) was lost before the server answered the preface (does it require TLS? --tls-cert, --tls-key, --tls-ca)"
        } else {
            reason = "connection to \(peer) was lost"
        }
        state.markClosed(because: reason)
        ready?.fail(TLSConnectFailure(failure.map { "TLS connection to \(peer) failed: \(TLSFailure.describe($0))" }
                                       ?? "\(peer) closed the connection during the TLS handshake (it refused this client's certificate?)"))
        ready = nil
        for call in calls.values {
            call.timer?.cancel()
            call.complete(.failure(.lost(RPCError(.unavailable, reason))))
        }
        context.fireChannelInactive()
    }

    /// The peer stopped answering: its calls fail now, with UNAVAILABLE, and take no new ones.
    /// Closing may take a while longer (a TLS close waits for the peer's close_notify, which a
    /// vanished host never sends); the callers should not wait for it.
    private func abandon(because reason: String) {
        closed = true
        state.markClosed()
        let calls = pending
        pending.removeAll()
        for call in calls.values {
            call.timer?.cancel()
            call.complete(.failure(.lost(RPCError(.unavailable, "connection to \(peer) stopped answering (\(reason))"))))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if failure == nil { failure = error }
        if isTLSError(error) {
            logger.warning("TLS error; closing connection", metadata: ["peer": "\(peer)", "reason": "\(TLSFailure.describe(error))"])
        } else {
            logger.debug("connection error; closing", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is IdleStateHandler.IdleStateEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard pingTimeout == nil else { return }
        sendPing(context: context, timeout: keepaliveTimeout, reason: "keepalive ping unanswered")
    }

    /// One timer per connection, not per call: armed while calls are pending.
    private func armWatchdog(context: ChannelHandlerContext) {
        guard watchdog == nil else { return }
        let loop = NIOLoopBound(self, eventLoop: context.eventLoop)
        watchdog = context.eventLoop.scheduleTask(in: probeAfterSilence) {
            let handler = loop.value
            handler.watchdog = nil
            guard !handler.pending.isEmpty, !handler.closed, let context = handler.context else { return }
            if handler.pingTimeout == nil, NIODeadline.now() - handler.lastRead >= handler.probeAfterSilence {
                handler.sendPing(context: context, timeout: handler.probeTimeout, reason: "probe ping unanswered while calls wait")
            }
            handler.armWatchdog(context: context)
        }
    }

    /// A PING; the connection is closed (failing its calls) unless something comes back in time.
    private func sendPing(context: ChannelHandlerContext, timeout: Duration, reason: String) {
        var payload = context.channel.allocator.buffer(capacity: 8)
        payload.writeInteger(UInt64.random(in: .min ... .max))
        enqueue(context: context) { $0.writeFrame(type: .ping, callID: 0, rawPayload: payload) }
        let loop = NIOLoopBound(self, eventLoop: context.eventLoop)
        pingTimeout = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            let handler = loop.value
            handler.logger.info("closing connection: \(reason)", metadata: ["peer": "\(handler.peer)"])
            handler.abandon(because: reason)
            handler.context?.close(promise: nil)
        }
    }

    /// Adds frames to the outbound buffer; a flush follows once the loop has run what is
    /// queued, so calls started together leave in one write.
    private func enqueue(context: ChannelHandlerContext, _ body: (inout ByteBuffer) -> Void) {
        outbound.append(allocator: context.channel.allocator, body)
        scheduleFlush(context: context)
    }

    private func scheduleFlush(context: ChannelHandlerContext) {
        if outbound.shouldFlushEagerly, let buffer = outbound.take() {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            return
        }
        guard !outbound.flushScheduled else { return }
        outbound.flushScheduled = true
        let loop = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let handler = loop.value
            handler.outbound.flushScheduled = false
            guard let buffer = handler.outbound.take(), let context = handler.context else { return }
            context.writeAndFlush(handler.wrapOutboundOut(buffer), promise: nil)
        }
    }
}

@available(*, unavailable)
extension ClientConnectionHandler: Sendable {}

private func isTLSError(_ error: any Error) -> Bool {
    error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError
}
