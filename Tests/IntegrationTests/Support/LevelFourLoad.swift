import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Synchronization
import TestKit

/// A steady stream of level-4 dossiers through the gateway, as agency systems and citizens
/// drive them: submit, receive, start processing, ask for the fee, pay at the provider, wait
/// for payment-svc's "paid" event to move the dossier on, approve, return the result.
///
/// The clients behave as the platform asks of them: they retry only what is retriable
/// (UNAVAILABLE, DEADLINE_EXCEEDED) and only in a way that cannot apply twice — a submission
/// or a payment with the same idempotency key, a workflow step with the same expected version
/// (a step that was applied before its answer was lost then meets ABORTED or
/// FAILED_PRECONDITION, and the history shows whether it is there). Everything the platform
/// acknowledged goes into the ledger, for the checks after the faults.
final class LevelFourLoad: Sendable {
    /// One dossier's course as the clients saw it.
    struct Course: Sendable {
        var key: String
        var citizen: String
        var dossierID = ""
        /// Steps acknowledged with OK.
        var acknowledged: [DossierV1.Action] = []
        /// Steps whose answer was lost (a retriable error) and that the history shows applied.
        var appliedUnanswered: [DossierV1.Action] = []
        var paymentID = ""
        var orderID = ""
        var confirmed = false
        var finished = false
    }

    struct Tally: Sendable {
        var courses: [String: Course] = [:]
        /// Retriable refusals the clients retried.
        var retried = 0
        /// Anything else: the platform refused or lost something it should not have.
        var errors: [String] = []
        var browserErrors = 0
    }

    let gateway: RPCClient
    let apiKey: String
    let agency: String
    let procedure: String
    private let tally = Mutex(Tally())
    private let stopping = Atomic<Bool>(false)

    init(gateway: RPCClient, apiKey: String, agency: String, procedure: String) {
        self.gateway = gateway
        self.apiKey = apiKey
        self.agency = agency
        self.procedure = procedure
    }

    var snapshot: Tally { tally.withLock { $0 } }

    /// Acknowledged operations so far (submissions, steps, payments): the progress a fault
    /// schedule waits for.
    var acknowledgedCount: Int {
        tally.withLock { tally in
            tally.courses.values.reduce(0) { $0 + ($1.dossierID.isEmpty ? 0 : 1) + $1.acknowledged.count + ($1.paymentID.isEmpty ? 0 : 1) }
        }
    }

    /// Asks the workers to finish the dossier in hand and start no other.
    func stop() { stopping.store(true, ordering: .relaxed) }

    /// Runs `workers` concurrent clients until `stop()`; each finishes its dossier in hand.
    func run(workers: Int) async {
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    let citizen = String(format: "0010990%05d", 700 + worker)
                    var n = 0
                    while !self.stopping.load(ordering: .relaxed) {
                        n += 1
                        await self.course(key: "loi-\(worker)-\(n)", citizen: citizen)
                    }
                }
            }
        }
    }

    static func options(_ key: String, as person: String, idempotencyKey: String? = nil) -> CallOptions {
        var options = CallOptions(timeout: .seconds(5))
        options.metadata[MetadataKey.authorization] = key
        options.metadata["x-dvc-on-behalf-of"] = person
        if let idempotencyKey { options.metadata[MetadataKey.idempotencyKey] = idempotencyKey }
        return options
    }

    static func isRetriable(_ error: any Error) -> Bool {
        guard let error = error as? RPCError else { return false }
        return error.code == .unavailable || error.code == .deadlineExceeded
    }

    private func update(_ key: String, _ change: (inout Course) -> Void) {
        tally.withLock { change(&$0.courses[key, default: Course(key: key, citizen: "")]) }
    }

    private func fail(_ key: String, _ what: String) {
        tally.withLock { $0.errors.append("\(key): \(what)") }
    }

    /// Calls `call` until it answers or fails with something not retriable (30 s at most:
    /// every fault in the tests is over well before).
    private func retrying<T: Sendable>(_ call: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                return try await call()
            } catch let error where Self.isRetriable(error) && ContinuousClock.now < deadline {
                tally.withLock { $0.retried += 1 }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    private func course(key: String, citizen: String) async {
        update(key) { $0.citizen = citizen }
        let owner = "citizen:\(citizen)"
        do {
            var submit = DossierV1.SubmitDossierRequest()
            submit.agencyCode = agency
            submit.procedureCode = procedure
            var upload = DossierV1.AttachmentUpload()
            upload.name = "to-khai.pdf"
            upload.content = PaymentFlowTests.pdf + Data("% \(key)\n".utf8)
            submit.attachments = [upload]
            let submitted = try await retrying {
                try await gateway.unary(GatewayV1.DossierService.submitDossier, submit,
                                        options: Self.options(apiKey, as: owner, idempotencyKey: key))
            }
            guard var dossier = submitted.dossier else { return fail(key, "a submission answered without its dossier") }
            update(key) { $0.dossierID = dossier.id }

            for (action, person) in [(DossierV1.Action.receive, "officer:tn01:receiver"), (.startProcessing, "officer:xl01:processor"),
                                     (.requestPayment, "officer:xl01:processor")] {
                dossier = try await step(key, dossier, action, as: person)
            }

            var create = PaymentV1.CreatePaymentRequest()
            create.dossierId = dossier.id
            let payment = try await retrying {
                try await gateway.unary(GatewayV1.PaymentService.createPayment, create,
                                        options: Self.options(apiKey, as: owner, idempotencyKey: "tt-\(key)"))
            }
            update(key) { $0.paymentID = payment.id; $0.orderID = payment.orderId }
            // The citizen pays once. The provider tells payment-svc by its IPN (sent again until
            // the merchant answers); the browser's return to the gateway changes nothing, so a
            // gateway down at that moment costs only the page.
            do {
                _ = try await FaultPlatform.browse(payment.redirectUrl)
            } catch {
                tally.withLock { $0.browserErrors += 1 }
            }

            // payment-svc's "paid" event, through its outbox, moves the dossier on.
            var get = DossierV1.GetDossierRequest()
            get.id = dossier.id
            let waitUntil = ContinuousClock.now + .seconds(40)
            while true {
                let current = try? await gateway.unary(GatewayV1.DossierService.getDossier, get,
                                                       options: Self.options(apiKey, as: owner))
                if let current, current.state == .processing {
                    dossier = current
                    break
                }
                guard ContinuousClock.now < waitUntil else {
                    return fail(key, "still \(current.map { "\($0.state)" } ?? "unreadable") 40 s after paying")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            update(key) { $0.confirmed = true }

            dossier = try await step(key, dossier, .approve, as: "officer:ld01:approver")
            dossier = try await step(key, dossier, .returnResult, as: "officer:tn01:receiver")
            update(key) { $0.finished = true }
        } catch is CancellationError {
            return
        } catch {
            fail(key, "\(error)")
        }
    }

    /// One workflow step on the version in hand. Retried with the same expected version, so it
    /// can apply once at most; when a retry meets ABORTED or FAILED_PRECONDITION after a lost
    /// answer, the history says whether the lost attempt applied.
    private func step(_ key: String, _ dossier: DossierV1.Dossier, _ action: DossierV1.Action,
                      as person: String) async throws -> DossierV1.Dossier {
        var act = DossierV1.ActRequest()
        act.dossierId = dossier.id
        act.action = action
        act.expectedVersion = dossier.version
        if action == .approve { act.resultNote = "Đồng ý cấp (\(key))" }
        var answerLost = false
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                let next = try await gateway.unary(GatewayV1.DossierService.act, act, options: Self.options(apiKey, as: person))
                update(key) { $0.acknowledged.append(action) }
                return next
            } catch let error where Self.isRetriable(error) && ContinuousClock.now < deadline {
                answerLost = true
                tally.withLock { $0.retried += 1 }
                try await Task.sleep(for: .milliseconds(50))
            } catch let error as RPCError where answerLost && (error.code == .aborted || error.code == .failedPrecondition) {
                var history = DossierV1.GetHistoryRequest()
                history.dossierId = dossier.id
                let entries = try await retrying {
                    try await gateway.unary(GatewayV1.DossierService.getHistory, history, options: Self.options(apiKey, as: person))
                }.entries
                guard entries.contains(where: { $0.action == action }) else { throw error }
                update(key) { $0.appliedUnanswered.append(action) }
                var get = DossierV1.GetDossierRequest()
                get.id = dossier.id
                return try await retrying {
                    try await gateway.unary(GatewayV1.DossierService.getDossier, get, options: Self.options(apiKey, as: person))
                }
            }
        }
    }
}
