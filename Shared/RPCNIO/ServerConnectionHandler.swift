import DVCProto
import Logging
import NIOCore
import RPCCore

/// Serves the calls of one connection: decodes REQUEST frames, runs their handlers as tasks,
/// answers in any order, and enforces the rules of docs/protocol.md that need call state.
///
/// All state lives on the channel's event loop. Handlers run in Swift tasks; their results hop
/// back to the loop, where responses are written and flushed once per loop tick, so many calls
/// finishing together cost one syscall.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = InboundFrame
    typealias OutboundOut = ByteBuffer

    private struct Call {
        /// Tells this call from a later one reusing its call_id once it is no longer in flight.
        var serial: UInt64
        var task: Task<Void, Never>?
        var deadlineTimer: Scheduled<Void>?
    }

    private let router: RPCRouter
    private let configuration: RPCServerConfiguration
    private let logger: Logger
    private let drain: ServerDrainState

    private var calls: [UInt32: Call] = [:]
    private var lastSerial: UInt64 = 0
    private var goingAway = false
    /// When GOAWAY was sent: the connection stays open at least `goAwayGrace` after it.
    private var goAwayDeadline: NIODeadline?
    private var graceTimer: Scheduled<Void>?
    private var closed = false
    private var outbound = OutboundFrames()
    private var pingTimeout: Scheduled<Void>?
    /// Closes a connection whose preface has not arrived in time (`prefaceTimeout`).
    private var prefaceTimer: Scheduled<Void>?
    /// Closes a connection whose frame has started and not completed in time.
    private var incompleteFrameTimer: Scheduled<Void>?
    /// The caller's verified certificate under mutual TLS, from the TLS handler's event.
    private var peerCertificate: PeerCertificate?
    private var remoteAddress = "unknown"
    private var context: ChannelHandlerContext?
    private var ids = IDGenerator()

    init(router: RPCRouter, configuration: RPCServerConfiguration, drain: ServerDrainState, logger: Logger) {
        self.router = router
        self.configuration = configuration
        self.drain = drain
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        remoteAddress = context.channel.remoteAddress?.description ?? "unknown"
        // From the accept: the TLS handshake and the preface both count against it.
        let loop = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timeout = configuration.prefaceTimeout
        prefaceTimer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            let handler = loop.value
            handler.prefaceTimer = nil
            handler.logger.info("closing connection: no preface within the preface timeout",
                                metadata: ["peer": "\(handler.remoteAddress)", "preface_timeout": "\(timeout)"])
            handler.closed = true
            handler.context?.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        // Nobody is left to answer: stop the work of every call still running.
        for call in calls.values {
            call.task?.cancel()
            call.deadlineTimer?.cancel()
        }
        calls.removeAll()
        pingTimeout?.cancel()
        graceTimer?.cancel()
        prefaceTimer?.cancel()
        incompleteFrameTimer?.cancel()
        drain.connectionClosed(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .preface:
            prefaceTimer?.cancel()
            prefaceTimer = nil
            var buffer = context.channel.allocator.buffer(capacity: Preface.bytes.count)
            buffer.writeBytes(Preface.bytes)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        case .frame(let frame):
            receive(frame, context: context)
        }
    }

    private func receive(_ frame: Frame, context: ChannelHandlerContext) {
        switch frame.type {
        case .request:
            startCall(frame, context: context)
        case .cancel:
            if let call = calls.removeValue(forKey: frame.callID) {
                call.task?.cancel()
                call.deadlineTimer?.cancel()
                closeIfDrained(context: context)
            }
        case .ping:
            enqueue(context: context) { $0.writeFrame(type: .pong, callID: 0, rawPayload: frame.payload) }
        case .pong:
            pingTimeout?.cancel()
            pingTimeout = nil
        case .response, .goAway:
            protocolError(ProtocolViolation(.internalError, "a client may not send \(frame.type) frames"),
                          context: context)
        }
    }

    private func startCall(_ frame: Frame, context: ChannelHandlerContext) {
        let callID = frame.callID
        guard callID != 0 else {
            protocolError(ProtocolViolation(.internalError, "call_id 0 on a REQUEST"), context: context)
            return
        }
        guard calls[callID] == nil else {
            protocolError(ProtocolViolation(.internalError, "duplicate call_id \(callID) in flight"), context: context)
            return
        }
        if let peerCertificate, configuration.tls?.denyList?.contains(serial: peerCertificate.serial) == true {
            // Revoked after this connection was made: refused call by call from the reload on.
            respond(callID, .failure(RPCError(.unauthenticated,
                                              "the caller's certificate \(peerCertificate) has been revoked")),
                    context: context)
            return
        }
        if goingAway {
            respond(callID, .failure(RPCError(.unavailable, "server is going away; retry on another connection",
                                              metadata: [RPCRefusal.metadataKey: RPCRefusal.goingAway])),
                    context: context)
            return
        }
        guard calls.count < configuration.maximumCallsInFlight else {
            respond(callID, .failure(RPCError(.resourceExhausted,
                                              "more than \(configuration.maximumCallsInFlight) calls in flight on this connection")),
                    context: context)
            return
        }
        let header: RpcV1.RequestHeader
        do {
            header = try RpcV1.RequestHeader(buffer: frame.header)
        } catch {
            // The call id is known, so only this call fails; the connection stays usable.
            respond(callID, .failure(RPCError(.invalidArgument, "request header: \(error)",
                                              violations: [FieldViolation(field: "header", description: error.description)])),
                    context: context)
            return
        }
        guard let handler = router.handler(for: header.method) else {
            respond(callID, .failure(router.unimplemented(header.method)), context: context)
            return
        }
        let request: any ProtoMessage
        do {
            request = try frame.payload.withUnsafeReadableBytes { raw throws(ProtoDecodingError) in
                try handler.decode(raw)
            }
        } catch {
            respond(callID, .failure(RPCError(from: error)), context: context)
            return
        }

        let serverContext = makeContext(header)
        let run = handler.run
        let loop = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        lastSerial &+= 1
        let serial = lastSerial
        calls[callID] = Call(serial: serial)
        // `Task.immediate` runs the handler right here on the event loop until its first real
        // suspension: a handler that answers from memory completes without any thread hop,
        // and one that awaits I/O continues on the global executor and hops back to write.
        // (Preferring the loop as the task's executor measured slower: the preference record
        // costs more per call than the occasional hop it saves.)
        let task = Task.immediate {
            let result: Result<any ProtoMessage, RPCError>
            do {
                result = .success(try await run(request, serverContext))
            } catch {
                if Task.isCancelled, !(error is RPCError) {
                    result = .failure(RPCError(.cancelled, "the call was cancelled"))
                } else {
                    result = .failure(RPCError(from: error))
                }
            }
            let metadata = serverContext.responseMetadata.all
            if eventLoop.inEventLoop {
                loop.value.finish(callID, serial, result, metadata: metadata)
            } else {
                eventLoop.execute {
                    loop.value.finish(callID, serial, result, metadata: metadata)
                }
            }
        }
        calls[callID]?.task = task
        // Handlers that already answered need no deadline timer.
        if header.timeoutMs > 0, calls[callID] != nil {
            let timer = eventLoop.scheduleTask(in: .milliseconds(Int64(header.timeoutMs))) {
                loop.value.deadlinePassed(callID)
            }
            calls[callID]?.deadlineTimer = timer
        }
    }

    private func makeContext(_ header: RpcV1.RequestHeader) -> ServerContext {
        let metadata = header.metadata
        let requestID = metadata[MetadataKey.requestID].flatMap { RequestID.isAcceptable($0) ? $0 : nil }
            ?? RequestID.generate(using: &ids)
        let trace = metadata[MetadataKey.traceparent].flatMap(TraceContext.init(traceparent:))?.child(using: &ids)
            ?? TraceContext.random(using: &ids)
        let deadline = header.timeoutMs > 0
            ? ContinuousClock.now + .milliseconds(Int64(header.timeoutMs)) : nil
        return ServerContext(method: header.method, metadata: metadata, deadline: deadline,
                             requestID: requestID, trace: trace, remoteAddress: remoteAddress,
                             peerCertificate: peerCertificate, logger: logger)
    }

    private func finish(_ callID: UInt32, _ serial: UInt64, _ result: Result<any ProtoMessage, RPCError>,
                        metadata: Metadata) {
        // The call may already be gone: answered at its deadline, cancelled, or the connection
        // closed. Then the result has nobody to go to, even if a new call now has its call_id.
        guard let call = calls[callID], call.serial == serial, let context else { return }
        calls[callID] = nil
        call.deadlineTimer?.cancel()
        respond(callID, result, metadata: metadata, context: context)
        closeIfDrained(context: context)
    }

    private func deadlinePassed(_ callID: UInt32) {
        guard let call = calls.removeValue(forKey: callID), let context else { return }
        call.task?.cancel()
        respond(callID, .failure(RPCError(.deadlineExceeded, "deadline exceeded")), context: context)
        closeIfDrained(context: context)
    }

    private func respond(
        _ callID: UInt32,
        _ result: Result<any ProtoMessage, RPCError>,
        metadata: Metadata = [:],
        context: ChannelHandlerContext
    ) {
        guard !closed else { return }
        var header = RpcV1.ResponseHeader()
        header.metadata = metadata
        switch result {
        case .success(let response):
            // An OK header without metadata encodes to zero bytes: skip building it.
            let sentHeader = metadata.isEmpty ? nil : header
            enqueue(context: context) {
                $0.writeFrame(type: .response, callID: callID, header: sentHeader, payload: response)
            }
        case .failure(let error):
            header.code = error.code.wireValue
            header.message = error.message
            header.metadata.merge(error.metadata) { $1 }
            header.violations = error.violations
            enqueue(context: context) { $0.writeFrame(type: .response, callID: callID, header: header, payload: nil) }
        }
    }

    /// Adds frames to the connection's outbound buffer and makes sure a flush follows once
    /// the work queued on the loop has run, so responses finishing together leave in one write.
    private func enqueue(context: ChannelHandlerContext, _ body: (inout ByteBuffer) -> Void) {
        outbound.append(allocator: context.channel.allocator, body)
        if outbound.shouldFlushEagerly, let buffer = outbound.take() {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            return
        }
        guard !outbound.flushScheduled else { return }
        outbound.flushScheduled = true
        let loop = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            loop.value.flushOutbound()
        }
    }

    private func flushOutbound() {
        outbound.flushScheduled = false
        guard let buffer = outbound.take(), let context else { return }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let violation = error as? ProtocolViolation {
            protocolError(violation, context: context)
        } else {
            logger.debug("connection error", metadata: ["peer": "\(remoteAddress)", "error": "\(error)"])
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            sendPing(context: context)
        } else if let progress = event as? FrameDecoder.Progress {
            timeIncompleteFrame(progress, context: context)
        } else if let peer = event as? PeerCertificate {
            peerCertificate = peer
        } else if event is ServerDrainState.BeginDrain {
            beginDrain(context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// A frame that starts must end within `incompleteFrameTimeout`: a peer trickling a byte now
    /// and then would otherwise keep the connection (and its buffer) for ever.
    private func timeIncompleteFrame(_ progress: FrameDecoder.Progress, context: ChannelHandlerContext) {
        switch progress {
        case .frameCompleted:
            incompleteFrameTimer?.cancel()
            incompleteFrameTimer = nil
        case .frameStarted:
            guard incompleteFrameTimer == nil else { return }
            let loop = NIOLoopBound(self, eventLoop: context.eventLoop)
            let timeout = configuration.incompleteFrameTimeout
            incompleteFrameTimer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                let handler = loop.value
                handler.incompleteFrameTimer = nil
                guard let context = handler.context else { return }
                handler.protocolError(
                    ProtocolViolation(.deadlineExceeded, "a frame stayed incomplete for longer than \(timeout)"),
                    context: context)
            }
        }
    }

    private func sendPing(context: ChannelHandlerContext) {
        guard pingTimeout == nil else { return }
        var payload = context.channel.allocator.buffer(capacity: 8)
        payload.writeInteger(ids.next())
        enqueue(context: context) { $0.writeFrame(type: .ping, callID: 0, rawPayload: payload) }
        let loop = NIOLoopBound(self, eventLoop: context.eventLoop)
        pingTimeout = context.eventLoop.scheduleTask(in: TimeAmount(configuration.keepaliveTimeout)) {
            let handler = loop.value
            handler.logger.info("closing connection: keepalive ping unanswered",
                                metadata: ["peer": "\(handler.remoteAddress)"])
            handler.context?.close(promise: nil)
        }
    }

    /// GOAWAY: no new calls here; the calls in flight finish, then the connection closes.
    private func beginDrain(context: ChannelHandlerContext) {
        guard !goingAway else { return }
        goingAway = true
        goAwayDeadline = .now() + TimeAmount(configuration.goAwayGrace)
        var goAway = RpcV1.GoAway()
        goAway.code = StatusCode.ok.wireValue
        goAway.message = "server is shutting down; in-flight calls will complete"
        enqueue(context: context) { $0.writeFrame(type: .goAway, callID: 0, header: goAway, payload: nil) }
        closeIfDrained(context: context)
    }

    /// Closes a draining connection once no call is left, but not before the grace period
    /// after GOAWAY: a REQUEST the client sent before the GOAWAY reached it is then still
    /// answered (UNAVAILABLE, safe to retry elsewhere) rather than lost with the connection.
    /// A client that closes first (it saw GOAWAY and has nothing pending) ends it sooner.
    private func closeIfDrained(context: ChannelHandlerContext) {
        guard goingAway, calls.isEmpty, !closed else { return }
        if let goAwayDeadline, goAwayDeadline > .now() {
            guard graceTimer == nil else { return }
            let loop = NIOLoopBound(self, eventLoop: context.eventLoop)
            graceTimer = context.eventLoop.scheduleTask(deadline: goAwayDeadline) {
                let handler = loop.value
                handler.graceTimer = nil
                handler.goAwayDeadline = nil
                if let context = handler.context { handler.closeIfDrained(context: context) }
            }
            return
        }
        flushOutbound()
        closed = true
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { [channel = context.channel] _ in
            channel.close(promise: nil)
        }
    }

    private func protocolError(_ violation: ProtocolViolation, context: ChannelHandlerContext) {
        guard !closed else { return }
        // Answers already given go out before the GOAWAY.
        flushOutbound()
        logger.info("protocol error; closing connection",
                    metadata: ["peer": "\(remoteAddress)", "rule": "\(violation.message)"])
        closed = true
        if violation == .badPreface {
            var line = context.channel.allocator.buffer(capacity: 32)
            line.writeString(Preface.rejection)
            context.writeAndFlush(wrapOutboundOut(line)).whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
            return
        }
        var goAway = RpcV1.GoAway()
        goAway.code = violation.code.wireValue
        goAway.message = violation.message
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeFrame(type: .goAway, callID: 0, header: goAway, payload: nil)
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
    }
}

@available(*, unavailable)
extension ServerConnectionHandler: Sendable {}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
