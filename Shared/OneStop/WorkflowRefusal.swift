import DVCProto
import RPCCore

/// Why the workflow refused an action, and the RPC status that refusal becomes.
///
/// Typed rather than a bare `RPCError` so that callers and tests can tell "not now" from "not
/// you" from "not like that" without parsing messages; the status mapping lives here, once.
public struct WorkflowRefusal: Error, Sendable, Hashable, CustomStringConvertible, RPCErrorConvertible {
    public enum Why: Sendable, Hashable {
        /// The action is not `ACTION_UNSPECIFIED` or a value this version knows.
        case unknownAction
        /// The action is not legal in the dossier's state (including every terminal state).
        case notAllowedInState
        /// The actor is allowed near the dossier but the transition needs someone else.
        case wrongRole(required: DossierWorkflow.Performer)
        /// An officer of another agency.
        case wrongAgency
        /// A citizen who did not submit the dossier.
        case notOwner
        /// REFUSE_RECEPTION or REFUSE without a reason.
        case missingReason
        /// REQUEST_SUPPLEMENT without a list of what is missing, or with a blank item.
        case missingDocumentList
        /// APPROVE of a level-4 procedure whose fee is not paid.
        case feeUnpaid
        /// RESUBMIT on a dossier whose record does not say where the supplement was requested
        /// from (or says something other than 1 or 4): the record is inconsistent.
        case unknownResumeState
        /// A receiving point's officer (a centre receiving for the agency) asked for a step
        /// that belongs to the competent agency.
        case deskOnly
        /// TRANSFER without a target agency, or to the agency already holding it.
        case missingTarget
        /// APPROVE of an inter-agency dossier whose current step is not the last.
        case stepsRemain
        /// COMPLETE_STEP of a dossier that has no next step.
        case noNextStep
    }

    public let action: DossierV1.Action
    /// The dossier's state when refused. Kept for logs and tests; the message leaves it out
    /// when the actor has no standing (not the owner, another agency), since they may not
    /// know anything about the dossier.
    public let state: DossierV1.DossierState
    public let why: Why

    public init(action: DossierV1.Action, state: DossierV1.DossierState, why: Why) {
        self.action = action
        self.state = state
        self.why = why
    }

    public var code: StatusCode {
        switch why {
        case .unknownAction, .missingReason, .missingDocumentList, .missingTarget: return .invalidArgument
        case .notAllowedInState, .feeUnpaid, .stepsRemain, .noNextStep: return .failedPrecondition
        case .wrongRole, .wrongAgency, .notOwner, .deskOnly: return .permissionDenied
        // A server-side inconsistency, not something the caller can fix by asking again.
        case .unknownResumeState: return .internalError
        }
    }

    /// The ActRequest field at fault, for INVALID_ARGUMENT.
    public var field: String? {
        switch why {
        case .unknownAction: return "action"
        case .missingReason: return "note"
        case .missingDocumentList: return "missing_documents"
        case .missingTarget: return "target_agency_code"
        default: return nil
        }
    }

    public var message: String {
        let act = DossierWorkflow.describe(action)
        let inState = "in state \(DossierWorkflow.describe(state))"
        switch why {
        case .unknownAction:
            return "\(act) is not an action of the dossier workflow"
        case .notAllowedInState:
            let allowed = DossierWorkflow.allowedActions(in: state).map(DossierWorkflow.describe)
            let hint = allowed.isEmpty
                ? "no action is allowed there"
                : "allowed there: \(allowed.joined(separator: ", "))"
            return "\(act) is not allowed \(inState); \(hint)"
        case .wrongRole(let required):
            return "\(act) \(inState) can only be done by \(required)"
        case .wrongAgency:
            return "\(act): the dossier belongs to another agency; an officer acts only on their own agency's dossiers"
        case .notOwner:
            return "\(act): only the citizen who submitted the dossier may do this"
        case .missingReason:
            return "\(act) needs a reason (note), which the citizen receives with the refusal"
        case .missingDocumentList:
            return "\(act) needs the list of missing documents (missing_documents), with no blank item"
        case .feeUnpaid:
            return "\(act) \(inState): the procedure is level 4 with a fee, and the fee is not paid yet"
        case .unknownResumeState:
            return "\(act) \(inState): the dossier does not record whether the supplement was requested at reception or during processing"
        case .deskOnly:
            return "\(act): the receiving point receives the dossier and returns the result; this step belongs to the competent agency's officers"
        case .missingTarget:
            return "\(act) needs the competent agency it goes to (target_agency_code), other than the agency holding it"
        case .stepsRemain:
            return "\(act) \(inState): an inter-agency dossier is approved at its last step; complete this step (ACTION_COMPLETE_STEP) to hand it to the next agency"
        case .noNextStep:
            return "\(act) \(inState): the dossier has no next step; approve it instead"
        }
    }

    public var rpcError: RPCError {
        if let field {
            return RPCError(code, message, violations: [FieldViolation(field: field, description: message)])
        }
        return RPCError(code, message)
    }

    public var description: String { "\(code): \(message)" }
}
