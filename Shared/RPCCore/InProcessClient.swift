import DVCProto
import Logging

/// A client whose server is a router in the same process, as grpc-swift's in-process
/// transport: the request passes through the router's interceptors to the handler without
/// sockets or encoding, with the call's deadline, metadata and request id as the network
/// transport would give them (`x-request-id` kept, a missing one made). Tests use it to run a
/// service's logic behind another service's client — the gateway's door over an in-process
/// catalog-svc, say — where nothing in the test crosses a process.
public struct InProcessClient: RPCClientProtocol {
    public let router: RPCRouter
    let logger: Logger

    public init(router: RPCRouter, logger: Logger = Logger(label: "in-process")) {
        self.router = router
        self.logger = logger
    }

    public func unary<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, options: CallOptions
    ) async throws -> Response {
        guard let handler = router.handler(for: method.path) else { throw router.unimplemented(method.path) }
        var ids = IDGenerator()
        let requestID = options.metadata[MetadataKey.requestID] ?? ids.hex(words: 1)
        let trace = options.metadata[MetadataKey.traceparent].flatMap(TraceContext.init(traceparent:))?.child()
            ?? TraceContext.random()
        let context = ServerContext(method: method.path, metadata: options.metadata,
                                    deadline: options.timeout.map { ContinuousClock.now + $0 }, requestID: requestID,
                                    trace: trace, remoteAddress: "in-process", logger: logger)
        let work = { @Sendable () async throws -> Response in
            guard let response = try await handler.run(request, context) as? Response else {
                throw RPCError(.internalError, "\(method.path) answered with the wrong type")
            }
            return response
        }
        guard let timeout = options.timeout else { return try await work() }
        // The deadline as the network server keeps it: the handler's task is cancelled and the
        // caller told DEADLINE_EXCEEDED.
        return try await withThrowingTaskGroup(of: Response.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw RPCError(.deadlineExceeded, "\(method.path) did not finish within its deadline")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
