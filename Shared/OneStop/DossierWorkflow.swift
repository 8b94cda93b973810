import DVCProto

/// The one-stop shop's state machine (docs/domain.md, "Transitions"): given a dossier's state, an
/// action and who acts, the next state or a typed refusal.
///
/// It is pure (no clock, no storage, no RPC) so that every transition, and every refusal, can
/// be tested as a table, and so that the Act handler, the scheduler and the tests all share one
/// definition of what is legal. The transitions are exactly the comments of `Action` in
/// proto/dvc/dossier/v1/dossier.proto; the state numbers are the national status codes.
///
/// What the caller still does around it: load the dossier and the actor's roles, check the
/// expected version (ABORTED is about concurrency, not about the workflow), then write the new
/// state, the history entry and the outbox event in one transaction.
public enum DossierWorkflow {
    public typealias State = DossierV1.DossierState
    public typealias Action = DossierV1.Action

    // MARK: - The table

    /// Who may perform a transition.
    public enum Performer: Sendable, Hashable, CustomStringConvertible {
        /// An officer of the dossier's own agency holding this role.
        case officer(DossierV1.OfficerRole)
        /// The citizen who submitted the dossier.
        case owner
        /// Another service's event (only payment confirmation today).
        case system

        public var description: String {
            switch self {
            case .officer(.receiver): return "a receiver (cán bộ tiếp nhận) of the dossier's agency"
            case .officer(.processor): return "a processor (cán bộ xử lý) of the dossier's agency"
            case .officer(.approver): return "an approver (lãnh đạo phê duyệt) of the dossier's agency"
            case .officer(let role): return "an officer with role \(role.rawValue) of the dossier's agency"
            case .owner: return "the citizen who submitted the dossier"
            case .system: return "the system (payment-svc's event)"
            }
        }
    }

    /// Where a transition leads.
    public enum Destination: Sendable, Hashable {
        case state(State)
        /// RESUBMIT: back to the state the supplement was requested from (1 or 4), so a
        /// dossier asked for more papers at reception returns to reception, and one asked
        /// during processing returns to processing.
        case whereSupplementWasRequested
    }

    /// One legal (state, action) pair.
    public struct Rule: Sendable, Hashable {
        public let from: State
        public let action: Action
        public let to: Destination
        public let performer: Performer

        /// A step of the reception desk (tiếp nhận và trả kết quả): receiving or refusing a new
        /// dossier, asking for papers before receipt, forwarding a new dossier sent to the wrong
        /// agency, and handing over the result. The receiving point's officers may take these
        /// for the competent agency (Decree 118/2025/NĐ-CP: the centre receives, the competent
        /// agency processes, the result is returned where the applicant chose); every other
        /// step belongs to the competent agency alone.
        public var atDesk: Bool {
            switch (from, action) {
            case (.submitted, .receive), (.submitted, .refuseReception), (.submitted, .requestSupplement),
                 (.submitted, .transfer), (.processed, .returnResult):
                return true
            default:
                return false
            }
        }
    }

    /// Every legal transition. A (state, action) pair not listed here is refused with
    /// FAILED_PRECONDITION; the terminal states 3, 7, 8 and 10 appear in no `from`.
    public static let rules: [Rule] = {
        var rules: [Rule] = [
            Rule(from: .submitted, action: .receive, to: .state(.received), performer: .officer(.receiver)),
            Rule(from: .submitted, action: .refuseReception, to: .state(.notReceived), performer: .officer(.receiver)),
            Rule(from: .received, action: .startProcessing, to: .state(.processing), performer: .officer(.processor)),
            // Before reception it is the receiver who checks completeness; during processing
            // the processor finds what is missing.
            Rule(from: .submitted, action: .requestSupplement, to: .state(.supplementRequested), performer: .officer(.receiver)),
            Rule(from: .processing, action: .requestSupplement, to: .state(.supplementRequested), performer: .officer(.processor)),
            Rule(from: .supplementRequested, action: .resubmit, to: .whereSupplementWasRequested, performer: .owner),
            Rule(from: .processing, action: .requestPayment, to: .state(.awaitingPayment), performer: .officer(.processor)),
            // Only payment-svc knows money arrived; an officer cannot declare it.
            Rule(from: .awaitingPayment, action: .confirmPayment, to: .state(.processing), performer: .system),
            Rule(from: .processing, action: .approve, to: .state(.processed), performer: .officer(.approver)),
            Rule(from: .processing, action: .refuse, to: .state(.stopped), performer: .officer(.approver)),
            Rule(from: .processed, action: .returnResult, to: .state(.resultReturned), performer: .officer(.receiver)),
            // An inter-agency dossier: the step's agency finishes its part and the next agency
            // receives it (its own time limit starts), one receipt code throughout.
            Rule(from: .processing, action: .completeStep, to: .state(.received), performer: .officer(.approver)),
        ]
        // A dossier at the wrong agency goes to the competent one where it stands: before or
        // after receipt by the desk, during processing by the processor (Decree 118/2025/NĐ-CP).
        rules.append(Rule(from: .submitted, action: .transfer, to: .state(.submitted), performer: .officer(.receiver)))
        rules.append(Rule(from: .received, action: .transfer, to: .state(.received), performer: .officer(.receiver)))
        rules.append(Rule(from: .processing, action: .transfer, to: .state(.processing), performer: .officer(.processor)))
        // A dossier running late keeps its place; the head of the agency apologises and sets a
        // new date (document 04). Only while the agency holds it: not while the citizen owes a
        // supplement, and not once decided.
        for from: State in [.received, .processing, .awaitingPayment] {
            rules.append(Rule(from: from, action: .apologize, to: .state(from), performer: .officer(.approver)))
        }
        // A citizen may withdraw at any point before a decision (state 7, docs/domain.md); once 8
        // or 9 is reached the agency has ruled, and 3 was never accepted.
        for from: State in [.submitted, .received, .processing, .supplementRequested, .awaitingPayment] {
            rules.append(Rule(from: from, action: .withdraw, to: .state(.withdrawn), performer: .owner))
        }
        return rules
    }()

    private static let ruleIndex: [RuleKey: Rule] = Dictionary(
        uniqueKeysWithValues: rules.map { (RuleKey(state: $0.from.rawValue, action: $0.action.rawValue), $0) })

    private struct RuleKey: Hashable {
        let state: Int32
        let action: Int32
    }

    /// The rule for a (state, action) pair, or nil when the action is illegal in that state.
    public static func rule(from state: State, action: Action) -> Rule? {
        ruleIndex[RuleKey(state: state.rawValue, action: action.rawValue)]
    }

    /// The actions legal in a state, in the order of the enum (what a UI offers as buttons,
    /// before looking at who is asking).
    public static func allowedActions(in state: State) -> [Action] {
        Action.allCases.filter { rule(from: state, action: $0) != nil }
    }

    // MARK: - Inputs and outputs

    /// The facts about the dossier the decision needs.
    public struct Subject: Sendable, Hashable {
        public var state: State
        /// `Dossier.applicant_id`: the citizen who may resubmit and withdraw.
        public var ownerID: String
        /// `Dossier.agency_code`: officers of any other agency are refused.
        public var agencyCode: String
        /// In state 5, the state the supplement was requested from (1 or 4); RESUBMIT returns
        /// there. The proto's Dossier has no field for it: it is the `from_state` of the history
        /// entry that entered 5 (see `supplementRequestedFrom(history:)`), or the caller's own
        /// column.
        public var supplementRequestedFrom: State?
        /// The reception desks other than the competent agency's own: the centre that received it
        /// (`receiving_agency_code`) and the centre chosen to return the result
        /// (`result_return.agency_code`). Their officers take the desk steps (`Rule.atDesk`).
        public var deskAgencies: Set<String>
        /// An inter-agency dossier whose current step is not the last: it completes the step
        /// (COMPLETE_STEP) rather than being approved; a single dossier, or the last step, is
        /// approved.
        public var hasNextStep: Bool

        public init(state: State, ownerID: String, agencyCode: String, supplementRequestedFrom: State? = nil,
                    deskAgencies: Set<String> = [], hasNextStep: Bool = false) {
            self.state = state
            self.ownerID = ownerID
            self.agencyCode = agencyCode
            self.supplementRequestedFrom = supplementRequestedFrom
            self.deskAgencies = deskAgencies.subtracting([""])
            self.hasNextStep = hasNextStep
        }

        public init(_ dossier: DossierV1.Dossier, supplementRequestedFrom: State? = nil) {
            var desks: Set<String> = [dossier.receivingAgencyCode]
            if let back = dossier.resultReturn, back.method == .atCentre { desks.insert(back.agencyCode) }
            self.init(state: dossier.state, ownerID: dossier.applicantId, agencyCode: dossier.agencyCode,
                      supplementRequestedFrom: supplementRequestedFrom, deskAgencies: desks,
                      hasNextStep: dossier.groupSteps.count > Int(dossier.currentStep))
        }
    }

    /// What is asked.
    public struct Command: Sendable, Hashable {
        public var action: Action
        public var actor: DossierActor
        /// REFUSE_RECEPTION and REFUSE: why (ActRequest.note); required, the citizen receives it
        /// on the refusal document.
        public var reason: String
        /// REQUEST_SUPPLEMENT: what the citizen must supply (ActRequest.missing_documents);
        /// required, because a supplement request that does not say what is missing stops the
        /// clock for nothing.
        public var missingDocuments: [String]
        /// APPROVE: true when no fee stands in the way: the procedure is not level 4 with a fee at
        /// this agency, or the fee is paid. It defaults to false so that a caller that forgets to
        /// look cannot approve an unpaid level-4 dossier (docs/domain.md: those reach 9 only once
        /// paid).
        public var feeSettled: Bool
        /// TRANSFER: the competent agency it goes to (ActRequest.target_agency_code); required
        /// and not the agency holding it.
        public var targetAgency: String

        public init(_ action: Action, by actor: DossierActor, reason: String = "",
                    missingDocuments: [String] = [], feeSettled: Bool = false, targetAgency: String = "") {
            self.action = action
            self.actor = actor
            self.reason = reason
            self.missingDocuments = missingDocuments
            self.feeSettled = feeSettled
            self.targetAgency = targetAgency
        }
    }

    /// What the deadline clock does on a transition.
    public enum ClockEffect: Sendable, Hashable {
        case unchanged
        /// Entering 5: the working time from now until the pause ends does not count.
        case pause
        /// Leaving 5 (by RESUBMIT or WITHDRAW): the pause ends here; its working minutes are
        /// added to `paused_working_minutes` and, on RESUBMIT, the appointment moves by them.
        case resume
    }

    /// A decided, legal transition.
    public struct Transition: Sendable, Hashable {
        public let from: State
        public let action: Action
        public let to: State

        public var clock: ClockEffect {
            if to == .supplementRequested { return .pause }
            if from == .supplementRequested { return .resume }
            return .unchanged
        }

        /// Entering 8 or 9: the moment the dossier was resolved, which on-time statistics
        /// compare with the appointment.
        public var isDecision: Bool { DossierWorkflow.decisionStates.contains(to) }

        /// On entering 5, the state to remember for the coming RESUBMIT; nil otherwise.
        public var supplementRequestedFrom: State? { to == .supplementRequested ? from : nil }
    }

    // MARK: - Deciding

    /// The next state for `command` on `subject`, or why not.
    ///
    /// Checks run in this order, each for a reason:
    /// 1. an unknown action is a malformed request (INVALID_ARGUMENT);
    /// 2. standing: a citizen who does not own the dossier, or an officer of another agency, is
    ///    refused (PERMISSION_DENIED) before anything about the dossier's state is revealed;
    /// 3. the state: an action illegal in it is FAILED_PRECONDITION, naming state and action,
    ///    whoever asks, so the same illegal pair always gets the same answer;
    /// 4. the role the transition needs (PERMISSION_DENIED); for RESUBMIT, the record must say
    ///    where the supplement was requested from (INTERNAL otherwise: the record is at fault);
    /// 5. the arguments: reason, list of missing documents (INVALID_ARGUMENT with the field);
    /// 6. the fee of a level-4 procedure (FAILED_PRECONDITION).
    public static func decide(_ command: Command, for subject: Subject) -> Result<Transition, WorkflowRefusal> {
        let action = command.action
        let state = subject.state
        func refuse(_ why: WorkflowRefusal.Why) -> Result<Transition, WorkflowRefusal> {
            .failure(WorkflowRefusal(action: action, state: state, why: why))
        }

        switch action {
        case .unspecified, .unrecognized: return refuse(.unknownAction)
        default: break
        }

        switch command.actor {
        case .citizen(let id):
            // An empty id never matches, even a (corrupt) dossier with an empty applicant.
            if id.isEmpty || id != subject.ownerID { return refuse(.notOwner) }
        case .officer(_, let agencyCode, _), .agencySystem(let agencyCode):
            if agencyCode.isEmpty || (agencyCode != subject.agencyCode && !subject.deskAgencies.contains(agencyCode)) {
                return refuse(.wrongAgency)
            }
        case .system:
            break
        }

        guard let found = rule(from: state, action: action) else { return refuse(.notAllowedInState) }

        // A receiving point's officer takes the desk steps only; processing is the competent
        // agency's (an officer of both, e.g. a commune that is its own desk, is the agency's).
        if let agency = command.actor.agencyCode, agency != subject.agencyCode, !found.atDesk {
            return refuse(.deskOnly)
        }

        let permitted: Bool
        switch (found.performer, command.actor) {
        case (.officer(let role), .officer(_, _, let roles)): permitted = roles.contains(role)
        case (.owner, .citizen): permitted = true  // ownership was checked above
        case (.system, .system): permitted = true
        default: permitted = false
        }
        guard permitted else { return refuse(.wrongRole(required: found.performer)) }

        let to: State
        switch found.to {
        case .state(let target):
            to = target
        case .whereSupplementWasRequested:
            guard let back = subject.supplementRequestedFrom,
                  rule(from: back, action: .requestSupplement) != nil
            else { return refuse(.unknownResumeState) }
            to = back
        }

        switch action {
        case .refuseReception, .refuse, .apologize:
            if isBlank(command.reason) { return refuse(.missingReason) }
        case .requestSupplement:
            if command.missingDocuments.isEmpty || command.missingDocuments.contains(where: isBlank) {
                return refuse(.missingDocumentList)
            }
        case .approve:
            // The last step (or a single dossier) is approved; an earlier step hands over.
            if subject.hasNextStep { return refuse(.stepsRemain) }
            if !command.feeSettled { return refuse(.feeUnpaid) }
        case .completeStep:
            if !subject.hasNextStep { return refuse(.noNextStep) }
        case .transfer:
            if isBlank(command.targetAgency) || command.targetAgency == subject.agencyCode { return refuse(.missingTarget) }
            if isBlank(command.reason) { return refuse(.missingReason) }
        default:
            break
        }

        return .success(Transition(from: state, action: action, to: to))
    }

    /// `decide` as a throwing call, for handlers that let the refusal become the RPC status.
    public static func transition(_ command: Command, for subject: Subject) throws(WorkflowRefusal) -> Transition {
        try decide(command, for: subject).get()
    }

    private static func isBlank(_ text: String) -> Bool {
        text.allSatisfy { $0.isWhitespace }
    }

    // MARK: - States

    /// States no action leaves: refused at reception, withdrawn, stopped, result returned.
    public static let terminalStates: Set<State> = [.notReceived, .withdrawn, .stopped, .resultReturned]

    public static func isTerminal(_ state: State) -> Bool { terminalStates.contains(state) }

    /// The states a decision puts a dossier in: 9 (processed, result ready) and 8 (stopped,
    /// refused after review). Entering one is the resolution time of the statistics.
    public static let decisionStates: Set<State> = [.processed, .stopped]

    /// Whether a decision has been made: 8, 9, and 10 (which is only reached through 9). The
    /// statistics' "resolved" count uses this, so a dossier does not stop counting as resolved
    /// when its result is handed over.
    public static func hasDecision(_ state: State) -> Bool {
        decisionStates.contains(state) || state == .resultReturned
    }

    /// Whether the deadline clock stands still in this state (5: waiting for the citizen).
    public static func clockPaused(in state: State) -> Bool { state == .supplementRequested }

    /// The state the open supplement request was made from: the `from_state` of the latest
    /// history entry, when that entry entered 5 (a dossier in 5 got there by its last
    /// transition). Nil when the latest entry did not enter 5: no request is open.
    public static func supplementRequestedFrom(history: [DossierV1.HistoryEntry]) -> State? {
        guard let last = history.max(by: { $0.sequence < $1.sequence }), last.toState == .supplementRequested
        else { return nil }
        return last.fromState
    }

    /// The national status name (docs/domain.md), e.g. "Đang xử lý" for 4.
    public static func nationalName(of state: State) -> String { OneStopNames.state(state) }

    /// "4 “Đang xử lý” (DOSSIER_STATE_PROCESSING)": the code officers know, the name citizens
    /// know, and the name developers grep for.
    public static func describe(_ state: State) -> String {
        "\(state.rawValue) “\(nationalName(of: state))” (\(state.protoValueName ?? "DOSSIER_STATE_\(state.rawValue)"))"
    }

    /// "ACTION_APPROVE", or "ACTION_<n>" for a value this version does not know.
    public static func describe(_ action: Action) -> String {
        action.protoValueName ?? "ACTION_\(action.rawValue)"
    }
}

extension DossierV1.Dossier {
    /// Every agency with a part in the dossier, which may read it: the one holding it, the
    /// receiving centre, the centre chosen for the result, the agencies it was handed from
    /// (transfers, earlier steps of an inter-agency dossier) and every step's agency.
    public var involvedAgencies: Set<String> {
        var agencies: Set<String> = [agencyCode, receivingAgencyCode]
        if let back = resultReturn, back.method == .atCentre { agencies.insert(back.agencyCode) }
        for handoff in handoffs { agencies.formUnion([handoff.fromAgencyCode, handoff.toAgencyCode]) }
        for step in groupSteps { agencies.insert(step.agencyCode) }
        agencies.remove("")
        return agencies
    }
}
