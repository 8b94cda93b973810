import DVCProto
import OneStop
import RPCCore
import Testing

@testable import DossierService

/// The workflow against a table written out here independently of `DossierWorkflow.rules`,
/// from the comments of `Action` in dossier.proto: a typo in either shows up as a mismatch.
@Suite struct DossierWorkflowTests {
    typealias State = DossierV1.DossierState
    typealias Action = DossierV1.Action

    static let agency = "000.00.20.H26"
    static let ownerID = "001099012345"

    static let owner = DossierActor.citizen(id: ownerID)
    static let otherCitizen = DossierActor.citizen(id: "079201000001")
    static let receiver = DossierActor.officer(id: "nv01", agencyCode: agency, roles: [.receiver])
    static let processor = DossierActor.officer(id: "nv02", agencyCode: agency, roles: [.processor])
    static let approver = DossierActor.officer(id: "ld01", agencyCode: agency, roles: [.approver])
    static let everyRole = DossierActor.officer(id: "nv03", agencyCode: agency, roles: [.receiver, .processor, .approver])
    static let noRole = DossierActor.officer(id: "nv04", agencyCode: agency, roles: [])
    static let foreignOfficer = DossierActor.officer(id: "nv99", agencyCode: "000.00.21.H26",
                                                     roles: [.receiver, .processor, .approver])
    static let paymentSystem = DossierActor.system(service: "payment-svc")

    /// Every actor that has standing on the dossier (owner, own agency, system).
    static let actorsWithStanding: [DossierActor] = [owner, receiver, processor, approver, everyRole, noRole, paymentSystem]

    enum Who: Hashable { case receiver, processor, approver, owner, system }

    /// The expected legal transitions: (from, action) → (to, who). RESUBMIT's `to` is nil: back
    /// to where the supplement was requested.
    static let legal: [Pair: (to: Int32?, who: Who)] = [
        Pair(1, 1): (2, .receiver),        // RECEIVE
        Pair(1, 2): (3, .receiver),        // REFUSE_RECEPTION
        Pair(2, 3): (4, .processor),       // START_PROCESSING
        Pair(1, 4): (5, .receiver),        // REQUEST_SUPPLEMENT at reception
        Pair(4, 4): (5, .processor),       // REQUEST_SUPPLEMENT during processing
        Pair(5, 5): (nil, .owner),         // RESUBMIT
        Pair(4, 6): (6, .processor),       // REQUEST_PAYMENT
        Pair(6, 7): (4, .system),          // CONFIRM_PAYMENT
        Pair(4, 8): (9, .approver),        // APPROVE
        Pair(4, 9): (8, .approver),        // REFUSE
        Pair(9, 10): (10, .receiver),      // RETURN_RESULT
        Pair(1, 11): (7, .owner), Pair(2, 11): (7, .owner), Pair(4, 11): (7, .owner),
        Pair(5, 11): (7, .owner), Pair(6, 11): (7, .owner),  // WITHDRAW
        Pair(2, 12): (2, .approver), Pair(4, 12): (4, .approver), Pair(6, 12): (6, .approver),  // APOLOGIZE
        Pair(1, 13): (1, .receiver), Pair(2, 13): (2, .receiver), Pair(4, 13): (4, .processor),  // TRANSFER
        Pair(4, 14): (2, .approver),       // COMPLETE_STEP (an inter-agency dossier with a next step)
    ]

    struct Pair: Hashable {
        let state: Int32
        let action: Int32
        init(_ state: Int32, _ action: Int32) {
            self.state = state
            self.action = action
        }
    }

    static func actor(_ who: Who) -> DossierActor {
        switch who {
        case .receiver: receiver
        case .processor: processor
        case .approver: approver
        case .owner: owner
        case .system: paymentSystem
        }
    }

    /// - Parameter nextStep: an inter-agency dossier whose step is not the last (what
    ///   COMPLETE_STEP needs, and what APPROVE refuses).
    static func subject(_ state: State, from: State? = nil, nextStep: Bool = false) -> DossierWorkflow.Subject {
        DossierWorkflow.Subject(state: state, ownerID: ownerID, agencyCode: agency, supplementRequestedFrom: from,
                                hasNextStep: nextStep)
    }

    /// The agency a TRANSFER in the table goes to.
    static let competentAgency = "000.00.31.H26"

    /// A command carrying every argument any action needs, so only the state and actor decide.
    static func complete(_ action: Action, by actor: DossierActor) -> DossierWorkflow.Command {
        DossierWorkflow.Command(action, by: actor, reason: "Hồ sơ không hợp lệ",
                                missingDocuments: ["Bản sao giấy khai sinh"], feeSettled: true, targetAgency: competentAgency)
    }

    static func refusal(_ result: Result<DossierWorkflow.Transition, WorkflowRefusal>) -> WorkflowRefusal? {
        if case .failure(let refusal) = result { return refusal }
        return nil
    }

    // MARK: - The full table: 10 states × 14 actions

    @Test(arguments: Array(Int32(1)...10), Array(Int32(1)...14))
    func everyStateAndAction(stateCode: Int32, actionCode: Int32) throws {
        let state = State(rawValue: stateCode)
        let action = Action(rawValue: actionCode)
        if let expected = Self.legal[Pair(stateCode, actionCode)] {
            #expect(DossierWorkflow.rule(from: state, action: action) != nil)
            // RESUBMIT is tried from both places a supplement can be requested.
            let resumes: [State?] = expected.to == nil ? [.submitted, .processing] : [nil]
            for resume in resumes {
                let result = DossierWorkflow.decide(Self.complete(action, by: Self.actor(expected.who)),
                                                    for: Self.subject(state, from: resume, nextStep: action == .completeStep))
                let transition = try result.get()
                #expect(transition.from == state)
                #expect(transition.action == action)
                #expect(transition.to.rawValue == (expected.to ?? resume!.rawValue))
            }
        } else {
            #expect(DossierWorkflow.rule(from: state, action: action) == nil)
            // Whoever asks, with every argument present: FAILED_PRECONDITION naming both.
            for actor in Self.actorsWithStanding {
                let refusal = try #require(Self.refusal(DossierWorkflow.decide(
                    Self.complete(action, by: actor), for: Self.subject(state, from: .processing))))
                #expect(refusal.why == .notAllowedInState)
                #expect(refusal.state == state && refusal.action == action)
                #expect(refusal.code == .failedPrecondition)
                let error = RPCError(from: refusal)
                #expect(error.code == .failedPrecondition)
                #expect(error.message.contains(DossierWorkflow.nationalName(of: state)))
                #expect(error.message.contains(state.protoValueName!))
                #expect(error.message.contains(action.protoValueName!))
            }
        }
    }

    @Test func theTableHasExactlyTheExpectedRules() {
        #expect(DossierWorkflow.rules.count == Self.legal.count)
        for rule in DossierWorkflow.rules {
            #expect(Self.legal[Pair(rule.from.rawValue, rule.action.rawValue)] != nil, "\(rule)")
        }
    }

    @Test func terminalStatesAllowNothing() {
        for state: State in [.notReceived, .withdrawn, .stopped, .resultReturned] {
            #expect(DossierWorkflow.isTerminal(state))
            #expect(DossierWorkflow.allowedActions(in: state).isEmpty)
            let error = RPCError(from: Self.refusal(DossierWorkflow.decide(
                Self.complete(.withdraw, by: Self.owner), for: Self.subject(state)))!)
            #expect(error.message.contains("no action is allowed there"))
        }
        for state: State in [.submitted, .received, .processing, .supplementRequested, .awaitingPayment, .processed] {
            #expect(!DossierWorkflow.isTerminal(state))
            #expect(!DossierWorkflow.allowedActions(in: state).isEmpty)
        }
    }

    @Test func theRefusalNamesTheStateInVietnamese() {
        let refusal = Self.refusal(DossierWorkflow.decide(Self.complete(.receive, by: Self.receiver),
                                                          for: Self.subject(.processing)))!
        #expect(refusal.rpcError.message
                == "ACTION_RECEIVE is not allowed in state 4 “Đang xử lý” (DOSSIER_STATE_PROCESSING); allowed there: ACTION_REQUEST_SUPPLEMENT, ACTION_REQUEST_PAYMENT, ACTION_APPROVE, ACTION_REFUSE, ACTION_WITHDRAW, ACTION_APOLOGIZE, ACTION_TRANSFER, ACTION_COMPLETE_STEP")
    }

    @Test func unknownStatesAllowNothing() {
        for state: State in [.unspecified, .unrecognized(42)] {
            for action in Action.allCases where action != .unspecified {
                let refusal = Self.refusal(DossierWorkflow.decide(Self.complete(action, by: Self.everyRole),
                                                                  for: Self.subject(state)))
                #expect(refusal?.why == .notAllowedInState)
            }
        }
    }

    @Test func unknownActionsAreInvalidArguments() {
        for action: Action in [.unspecified, .unrecognized(12), .unrecognized(-1)] {
            let refusal = Self.refusal(DossierWorkflow.decide(Self.complete(action, by: Self.everyRole),
                                                              for: Self.subject(.processing)))!
            #expect(refusal.why == .unknownAction)
            #expect(refusal.rpcError.code == .invalidArgument)
            #expect(refusal.rpcError.violations.map(\.field) == ["action"])
        }
    }

    // MARK: - Who may act

    @Test func everyRuleRefusesEveryOtherActorWithStanding() throws {
        for (pair, expected) in Self.legal {
            let state = State(rawValue: pair.state)
            let action = Action(rawValue: pair.action)
            let right = Self.actor(expected.who)
            var candidates = Self.actorsWithStanding.filter { $0 != right }
            if case .officer = right {
                candidates.removeAll { $0 == Self.everyRole }
                // An officer holding every role may do any officer's step.
                #expect(throws: Never.self) {
                    try DossierWorkflow.transition(Self.complete(action, by: Self.everyRole),
                                                   for: Self.subject(state, from: .processing, nextStep: action == .completeStep))
                }
            }
            for actor in candidates {
                let refusal = try #require(Self.refusal(DossierWorkflow.decide(
                    Self.complete(action, by: actor), for: Self.subject(state, from: .processing, nextStep: action == .completeStep))),
                    "\(actor) \(action)")
                guard case .wrongRole = refusal.why else {
                    Issue.record("\(actor) doing \(action) in \(state): \(refusal)")
                    continue
                }
                #expect(refusal.code == .permissionDenied)
                #expect(RPCError(from: refusal).code == .permissionDenied)
            }
        }
    }

    @Test func theWrongRoleMessageSaysWhoMay() {
        let refusal = Self.refusal(DossierWorkflow.decide(Self.complete(.approve, by: Self.processor),
                                                          for: Self.subject(.processing)))!
        #expect(refusal.why == .wrongRole(required: .officer(.approver)))
        #expect(refusal.rpcError.message.contains("approver (lãnh đạo phê duyệt)"))
    }

    @Test func theSupplementRequestNeedsTheRoleOfItsState() {
        // Receiver at reception, processor during processing, and not the other way round.
        #expect(throws: Never.self) {
            _ = try DossierWorkflow.transition(Self.complete(.requestSupplement, by: Self.receiver), for: Self.subject(.submitted))
            _ = try DossierWorkflow.transition(Self.complete(.requestSupplement, by: Self.processor), for: Self.subject(.processing))
        }
        #expect(Self.refusal(DossierWorkflow.decide(Self.complete(.requestSupplement, by: Self.processor),
                                                    for: Self.subject(.submitted)))?.why
                == .wrongRole(required: .officer(.receiver)))
        #expect(Self.refusal(DossierWorkflow.decide(Self.complete(.requestSupplement, by: Self.receiver),
                                                    for: Self.subject(.processing)))?.why
                == .wrongRole(required: .officer(.processor)))
    }

    @Test func onlyTheSystemConfirmsPayment() {
        for actor in [Self.everyRole, Self.owner] {
            #expect(Self.refusal(DossierWorkflow.decide(Self.complete(.confirmPayment, by: actor),
                                                        for: Self.subject(.awaitingPayment)))?.why
                    == .wrongRole(required: .system))
        }
    }

    @Test func anotherCitizenIsNotTheOwnerWhateverTheStateOrAction() {
        for state in State.allCases {
            for action in Action.allCases where action != .unspecified {
                let refusal = Self.refusal(DossierWorkflow.decide(Self.complete(action, by: Self.otherCitizen),
                                                                  for: Self.subject(state, from: .submitted)))
                #expect(refusal?.why == .notOwner, "\(state) \(action)")
                #expect(refusal?.code == .permissionDenied)
                // No standing, no news: the message does not reveal the dossier's state.
                #expect(refusal.map { !$0.rpcError.message.contains(DossierWorkflow.nationalName(of: state)) } == true)
            }
        }
    }

    @Test func anOfficerOfAnotherAgencyIsRefusedWhateverTheStateOrAction() {
        for state in State.allCases {
            for action in Action.allCases where action != .unspecified {
                let refusal = Self.refusal(DossierWorkflow.decide(Self.complete(action, by: Self.foreignOfficer),
                                                                  for: Self.subject(state, from: .submitted)))
                #expect(refusal?.why == .wrongAgency, "\(state) \(action)")
                #expect(refusal?.rpcError.code == .permissionDenied)
            }
        }
    }

    @Test func emptyIdentitiesNeverMatch() {
        let orphan = DossierWorkflow.Subject(state: .submitted, ownerID: "", agencyCode: "")
        #expect(Self.refusal(DossierWorkflow.decide(Self.complete(.withdraw, by: .citizen(id: "")), for: orphan))?.why
                == .notOwner)
        #expect(Self.refusal(DossierWorkflow.decide(
            Self.complete(.receive, by: .officer(id: "x", agencyCode: "", roles: [.receiver])), for: orphan))?.why
                == .wrongAgency)
    }

    @Test func theSubjectComesFromTheDossier() {
        var dossier = DossierV1.Dossier()
        dossier.state = .processing
        dossier.applicantId = Self.ownerID
        dossier.agencyCode = Self.agency
        #expect(DossierWorkflow.Subject(dossier) == Self.subject(.processing))
    }

    @Test func actorsFromTheGatewayIdentity() {
        #expect(DossierActor(CallerIdentity.citizen(id: Self.ownerID)) == Self.owner)
        #expect(DossierActor(CallerIdentity.officer(id: "nv03", agency: Self.agency,
                                                    roles: ["receiver", "processor", "approver", "boss"])) == Self.everyRole)
        #expect(DossierActor(CallerIdentity.system(service: "payment-svc")) == Self.paymentSystem)
        #expect(DossierActor(CallerIdentity.agencySystem(agency: Self.agency)) == .agencySystem(agencyCode: Self.agency))
        #expect(Self.receiver.historyName == "officer:nv01")
        #expect(Self.owner.historyName == "citizen:001099012345")
        #expect(Self.paymentSystem.historyName == "system:payment-svc")
    }

    /// An agency's own software reads its agency's dossiers but takes no step: every step
    /// needs a person's role (or the owner), so each action it tries is refused, and on another
    /// agency's dossier it is refused for the agency first.
    @Test(arguments: [Action.receive, .refuseReception, .startProcessing, .requestSupplement, .resubmit,
                      .requestPayment, .confirmPayment, .approve, .refuse, .returnResult, .withdraw, .apologize])
    func anAgencySystemTakesNoStep(action: Action) {
        let system = DossierActor.agencySystem(agencyCode: Self.agency)
        for state in [State.submitted, .received, .processing, .supplementRequested, .awaitingPayment, .processed] {
            let command = Self.complete(action, by: system)
            if let refusal = Self.refusal(DossierWorkflow.decide(command, for: Self.subject(state))) {
                #expect(refusal.why != .wrongAgency)
                #expect(refusal.rpcError.code != .ok)
            } else {
                Issue.record("\(action) from \(state) was allowed to an agency system")
            }
        }
        let other = DossierActor.agencySystem(agencyCode: "000.00.99.H26")
        #expect(Self.refusal(DossierWorkflow.decide(Self.complete(action, by: other), for: Self.subject(.processing)))?.why
                == .wrongAgency)
        #expect(system.historyName == "agency-system:\(Self.agency)")
    }

    // MARK: - Arguments

    @Test(arguments: [Action.refuseReception, .refuse, .apologize])
    func refusingNeedsAReason(action: Action) throws {
        let state: State = action == .refuseReception ? .submitted : .processing
        let actor = action == .refuseReception ? Self.receiver : Self.approver
        for reason in ["", "   ", "\n\t"] {
            let refusal = try #require(Self.refusal(DossierWorkflow.decide(
                DossierWorkflow.Command(action, by: actor, reason: reason), for: Self.subject(state))))
            #expect(refusal.why == .missingReason)
            #expect(refusal.rpcError.code == .invalidArgument)
            #expect(refusal.rpcError.violations.map(\.field) == ["note"])
        }
        let transition = try DossierWorkflow.transition(DossierWorkflow.Command(action, by: actor, reason: "Sai thẩm quyền"),
                                                        for: Self.subject(state))
        #expect(transition.to == [.refuse: .stopped, .refuseReception: .notReceived, .apologize: .processing][action])
    }

    @Test(arguments: [State.submitted, .processing])
    func aSupplementRequestNeedsItsList(from state: State) throws {
        let actor = state == .submitted ? Self.receiver : Self.processor
        for list in [[], [""], ["Tờ khai", "  "]] {
            let refusal = try #require(Self.refusal(DossierWorkflow.decide(
                DossierWorkflow.Command(.requestSupplement, by: actor, missingDocuments: list), for: Self.subject(state))))
            #expect(refusal.why == .missingDocumentList)
            #expect(refusal.rpcError.code == .invalidArgument)
            #expect(refusal.rpcError.violations.map(\.field) == ["missing_documents"])
        }
        let transition = try DossierWorkflow.transition(
            DossierWorkflow.Command(.requestSupplement, by: actor, missingDocuments: ["Tờ khai"]), for: Self.subject(state))
        #expect(transition.to == .supplementRequested)
        #expect(transition.supplementRequestedFrom == state)
    }

    @Test func approvalWaitsForTheFee() throws {
        let unpaid = DossierWorkflow.Command(.approve, by: Self.approver, feeSettled: false)
        let refusal = try #require(Self.refusal(DossierWorkflow.decide(unpaid, for: Self.subject(.processing))))
        #expect(refusal.why == .feeUnpaid)
        #expect(refusal.rpcError.code == .failedPrecondition)
        #expect(refusal.rpcError.message.contains("Đang xử lý"))
        // Forgetting to say is the same as unpaid.
        #expect(Self.refusal(DossierWorkflow.decide(DossierWorkflow.Command(.approve, by: Self.approver),
                                                    for: Self.subject(.processing)))?.why == .feeUnpaid)
        let paid = DossierWorkflow.Command(.approve, by: Self.approver, feeSettled: true)
        #expect(try DossierWorkflow.transition(paid, for: Self.subject(.processing)).to == .processed)
    }

    @Test func permissionIsCheckedBeforeArgumentsAndTheFee() {
        // A processor approving without the fee hears about the role, not about the fee.
        #expect(Self.refusal(DossierWorkflow.decide(DossierWorkflow.Command(.approve, by: Self.processor),
                                                    for: Self.subject(.processing)))?.why
                == .wrongRole(required: .officer(.approver)))
        #expect(Self.refusal(DossierWorkflow.decide(DossierWorkflow.Command(.refuse, by: Self.receiver),
                                                    for: Self.subject(.processing)))?.why
                == .wrongRole(required: .officer(.approver)))
    }

    // MARK: - Resubmission

    @Test func resubmissionReturnsWhereTheSupplementWasRequested() throws {
        for from: State in [.submitted, .processing] {
            let transition = try DossierWorkflow.transition(DossierWorkflow.Command(.resubmit, by: Self.owner),
                                                            for: Self.subject(.supplementRequested, from: from))
            #expect(transition.to == from)
            #expect(transition.clock == .resume)
        }
    }

    @Test func resubmissionWithoutAKnownOriginIsAnInternalError() {
        for from: State? in [nil, .received, .awaitingPayment, .supplementRequested, .unrecognized(77)] {
            let refusal = Self.refusal(DossierWorkflow.decide(DossierWorkflow.Command(.resubmit, by: Self.owner),
                                                              for: Self.subject(.supplementRequested, from: from)))
            #expect(refusal?.why == .unknownResumeState, "\(String(describing: from))")
            #expect(refusal?.rpcError.code == .internalError)
        }
    }

    @Test func theOriginOfASupplementRequestFromHistory() {
        func entry(_ sequence: UInt64, _ from: State, _ to: State) -> DossierV1.HistoryEntry {
            var entry = DossierV1.HistoryEntry()
            entry.sequence = sequence
            entry.fromState = from
            entry.toState = to
            return entry
        }
        let atReception = [entry(1, .unspecified, .submitted), entry(2, .submitted, .supplementRequested)]
        #expect(DossierWorkflow.supplementRequestedFrom(history: atReception) == .submitted)
        let later: [DossierV1.HistoryEntry] = [
            entry(5, .processing, .supplementRequested), entry(1, .unspecified, .submitted),
            entry(2, .submitted, .supplementRequested), entry(3, .supplementRequested, .submitted),
            entry(4, .submitted, .received),
        ]
        // Out of order on purpose: the sequence decides, not the array order.
        #expect(DossierWorkflow.supplementRequestedFrom(history: later) == .processing)
        #expect(DossierWorkflow.supplementRequestedFrom(history: Array(atReception) + [entry(3, .supplementRequested, .submitted)]) == nil)
        #expect(DossierWorkflow.supplementRequestedFrom(history: []) == nil)
    }

    // MARK: - The clock and decisions

    @Test func theClockPausesEnteringFiveAndResumesLeavingIt() throws {
        for (pair, expected) in Self.legal {
            let state = State(rawValue: pair.state)
            let action = Action(rawValue: pair.action)
            let transition = try DossierWorkflow.transition(
                Self.complete(action, by: Self.actor(expected.who)),
                for: Self.subject(state, from: .processing, nextStep: action == .completeStep))
            let wanted: DossierWorkflow.ClockEffect =
                transition.to == .supplementRequested ? .pause : state == .supplementRequested ? .resume : .unchanged
            #expect(transition.clock == wanted, "\(transition)")
        }
        // Named explicitly too: both supplement requests pause; resubmit and withdraw from 5 resume.
        let pause = try DossierWorkflow.transition(Self.complete(.requestSupplement, by: Self.processor), for: Self.subject(.processing))
        #expect(pause.clock == .pause)
        let withdraw = try DossierWorkflow.transition(Self.complete(.withdraw, by: Self.owner), for: Self.subject(.supplementRequested))
        #expect(withdraw.clock == .resume)
        let payment = try DossierWorkflow.transition(Self.complete(.requestPayment, by: Self.processor), for: Self.subject(.processing))
        #expect(payment.clock == .unchanged)
        #expect(State.allCases.filter(DossierWorkflow.clockPaused(in:)) == [.supplementRequested])
    }

    @Test func decisions() throws {
        #expect(DossierWorkflow.decisionStates == [.processed, .stopped])
        #expect(State.allCases.filter(DossierWorkflow.hasDecision) == [.stopped, .processed, .resultReturned])
        for (pair, expected) in Self.legal {
            let action = Action(rawValue: pair.action)
            let transition = try DossierWorkflow.transition(
                Self.complete(action, by: Self.actor(expected.who)),
                for: Self.subject(State(rawValue: pair.state), from: .processing, nextStep: action == .completeStep))
            #expect(transition.isDecision == (transition.action == .approve || transition.action == .refuse), "\(transition)")
        }
    }

    // MARK: - Whole lifecycles

    @Test func aLevelFourDossierFromSubmissionToResult() throws {
        var subject = Self.subject(.submitted)
        func step(_ command: DossierWorkflow.Command) throws -> DossierWorkflow.Transition {
            let transition = try DossierWorkflow.transition(command, for: subject)
            subject.state = transition.to
            if let from = transition.supplementRequestedFrom { subject.supplementRequestedFrom = from }
            return transition
        }
        _ = try step(.init(.receive, by: Self.receiver))
        _ = try step(.init(.startProcessing, by: Self.processor))
        #expect(try step(.init(.requestSupplement, by: Self.processor, missingDocuments: ["Bản vẽ"])).clock == .pause)
        #expect(try step(.init(.resubmit, by: Self.owner)).to == .processing)
        _ = try step(.init(.requestPayment, by: Self.processor))
        #expect(throws: WorkflowRefusal.self) { try DossierWorkflow.transition(.init(.approve, by: Self.approver), for: subject) }
        _ = try step(.init(.confirmPayment, by: Self.paymentSystem))
        #expect(try step(.init(.approve, by: Self.approver, feeSettled: true)).isDecision)
        _ = try step(.init(.returnResult, by: Self.receiver))
        #expect(subject.state == .resultReturned)
        #expect(DossierWorkflow.isTerminal(subject.state))
    }

    @Test func nationalNames() {
        #expect(State.allCases.dropFirst().map(DossierWorkflow.nationalName(of:)) == [
            "Mới đăng ký", "Được tiếp nhận", "Không được tiếp nhận", "Đang xử lý", "Yêu cầu bổ sung giấy tờ",
            "Yêu cầu thực hiện nghĩa vụ tài chính", "Công dân yêu cầu rút hồ sơ", "Dừng xử lý", "Đã xử lý xong",
            "Đã trả kết quả",
        ])
        #expect(DossierWorkflow.describe(State.processing) == "4 “Đang xử lý” (DOSSIER_STATE_PROCESSING)")
        #expect(DossierWorkflow.describe(Action.unrecognized(40)) == "ACTION_40")
    }
}
