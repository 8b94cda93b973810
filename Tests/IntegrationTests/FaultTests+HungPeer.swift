import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension FaultTests {
    /// What callers give every call in the hung-peer test.
    static let callDeadline: Duration = .seconds(1)
    /// How long a peer stays stopped.
    static let hangFor: Duration = .seconds(5)

    @Test("a hung dossier-svc, then a hung catalog-svc (SIGSTOP) under load: calls end by their deadlines, the gateway holds no pile of calls, and after SIGCONT calls succeed again by themselves")
    func hungPeers() async throws {
        try await FaultPlatform.with(["catalog-svc", "dossier-svc", "gateway"]) { platform, gateway in
            try await hangAndRecover(platform, gateway)
        }
    }

    private func hangAndRecover(_ platform: FaultPlatform, _ gateway: RPCClient) async throws {
        let key = try await makeAPIKey(gatewayData: platform.nodes["gateway"]!.data, agency: Self.diskAgency, scopes: "citizens,officers")
        let calls = TimedCalls()
        let workers = 8
        // Closed-loop callers: each submits, waits for the answer or its deadline, and goes
        // again; a caller whose call was refused at once pauses a little so that a fast
        // refusal does not turn into a busy loop.
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<workers {
                    group.addTask {
                        var n = 0
                        while !calls.isStopped {
                            n += 1
                            var options = LevelFourLoad.options(key, as: "citizen:001099012388", idempotencyKey: "treo-\(worker)-\(n)")
                            options.timeout = Self.callDeadline
                            let call = await calls.time {
                                _ = try await gateway.unary(GatewayV1.DossierService.submitDossier,
                                                            ShardingTests.submission(Self.diskAgency), options: options)
                            }
                            if call.code != .ok && call.duration < .milliseconds(100) {
                                try? await Task.sleep(for: .milliseconds(20))
                            }
                        }
                    }
                }
            }
        }
        defer {
            calls.stop()
            load.cancel()
        }

        var lines: [String] = []
        for victim in ["dossier-svc", "catalog-svc"] {
            // The platform works before the fault.
            let warm = ContinuousClock.now
            let working = try await waitFor(seconds: 20) { calls.ended(after: warm).filter { $0.code == .ok }.count >= 10 }
            try #require(working, "no submissions succeed before stopping \(victim)")
            let rssBefore = try await platform.metric("process_resident_memory_bytes", of: "gateway")
            // A call whose caller gave up at the deadline a moment before the gateway's own timer
            // fired is ended as CANCELLED: ended by the gateway all the same.
            let peerGone = [#"code="DEADLINE_EXCEEDED""#, #"code="UNAVAILABLE""#, #"code="CANCELLED""#]
            let answeredBefore = try await platform.metric("dvc_rpc_server_errors_total", of: "gateway", labels: peerGone)

            let stoppedAt = ContinuousClock.now
            platform.signal(victim, SIGSTOP)
            var maxInFlight = 0.0
            var maxRSS = rssBefore
            // The fault lasts `hangFor`; meanwhile the gateway's own gauges are sampled.
            while ContinuousClock.now - stoppedAt < Self.hangFor {
                maxInFlight = max(maxInFlight, try await platform.metric("dvc_rpc_server_in_flight", of: "gateway"))
                maxRSS = max(maxRSS, try await platform.metric("process_resident_memory_bytes", of: "gateway"))
                try await Task.sleep(for: .milliseconds(200))
            }
            let continuedAt = ContinuousClock.now
            platform.signal(victim, SIGCONT)

            // Calls that started while the peer was stopped: each over by its deadline, with
            // a code that says the peer is slow or gone.
            let hung = calls.started(in: stoppedAt..<continuedAt).filter { $0.ended <= continuedAt }
            let failed = hung.filter { $0.code != .ok }
            let late = hung.map { $0.duration - Self.callDeadline }.max() ?? .zero
            let codes = Dictionary(grouping: hung, by: { $0.code.description }).mapValues(\.count)
            #expect(!failed.isEmpty, "stopping \(victim) changed nothing: \(codes)")
            #expect(failed.allSatisfy { $0.code == .deadlineExceeded || $0.code == .unavailable }, "\(victim) stopped: \(codes)")
            #expect(late < .milliseconds(500), "\(victim) stopped: a call ended \(late) past its deadline")
            // The gateway ended those calls itself (it did not leave them to the callers'
            // timers): its own count of them grew by as many, but for the few in flight.
            let answered = try await platform.metric("dvc_rpc_server_errors_total", of: "gateway", labels: peerGone) - answeredBefore
            #expect(answered >= Double(failed.count - workers), "\(victim) stopped: the gateway answered \(answered) of \(failed.count) failed calls")
            #expect(maxInFlight <= Double(2 * workers), "\(victim) stopped: the gateway held \(maxInFlight) calls for \(workers) callers")
            #expect(maxRSS - rssBefore < 64 * 1024 * 1024, "\(victim) stopped: the gateway grew by \(Int(maxRSS - rssBefore) / 1024) KiB")

            // Recovery by itself: a call started after SIGCONT succeeds within a few seconds.
            let recovered = try await waitFor(seconds: 15) {
                calls.ended(after: continuedAt).contains { $0.code == .ok && $0.started >= continuedAt }
            }
            let firstOK = calls.ended(after: continuedAt).first { $0.code == .ok && $0.started >= continuedAt }
            let recovery = firstOK.map { $0.ended - continuedAt }
            #expect(recovered, "no call succeeded within 15 s of continuing \(victim)")
            #expect((recovery ?? .seconds(99)) < .seconds(10), "\(victim): first success \(String(describing: recovery)) after SIGCONT")
            // The backlog of calls in the gateway is gone too.
            let settled = try await waitFor(seconds: 10) {
                try await platform.metric("dvc_rpc_server_in_flight", of: "gateway") <= Double(workers)
            }
            #expect(settled, "the gateway's calls in flight stayed above \(workers) after \(victim) came back")

            func ms(_ duration: Duration) -> Int { Int((duration / .milliseconds(1)).rounded()) }
            lines.append("faults hung \(victim): stopped \(ms(Self.hangFor)) ms under \(workers) callers with \(ms(Self.callDeadline)) ms deadlines; "
                + "\(hung.count) calls during the stop (\(codes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), "
                + "latest end \(ms(late)) ms past the deadline, \(Int(answered)) ended by the gateway itself; gateway in flight at most \(Int(maxInFlight)), RSS +\(Int(maxRSS - rssBefore) / 1024) KiB; "
                + "first success \(recovery.map { "\(ms($0)) ms" } ?? "never") after SIGCONT")
        }
        calls.stop()
        await load.value
        for line in lines { print(line) }
    }
}
