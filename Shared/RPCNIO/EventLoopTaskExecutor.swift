import NIOCore

/// Runs Swift tasks on one NIO event loop.
///
/// A handler task that prefers its connection's event loop, and a caller that prefers its
/// client connection's loop, resume there after every await: no thread hop between the network
/// code and the Swift code, which is what a unary call's latency is mostly made of otherwise.
public final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
