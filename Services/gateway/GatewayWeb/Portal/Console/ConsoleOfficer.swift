import DVCProto
import GatewayDoor
import OneStop
import RPCCore

/// The officer looking at a console page: a live browser session whose identity is an
/// officer's. The agency is the session's, never one a URL or a form names, so an officer can
/// only ever look at (and act on) their own agency's work.
struct ConsoleOfficer: Sendable {
    let visitor: PortalVisitor
    let id: String
    let agency: String
    /// The role names the identity carries ("receiver", "processor", "approver", "admin").
    let roleNames: Set<String>

    /// The workflow roles among them; unknown names (and "admin") grant no workflow step.
    var roles: Set<DossierV1.OfficerRole> { Set(roleNames.compactMap(DossierActor.officerRole(named:))) }

    /// The officer as the gateway's methods see them, for `GatewayClient`.
    var caller: GatewayCaller { visitor.caller }

    /// The officer of the request's session, or nil (no session, or a citizen's).
    static func of(_ context: GatewayRequestContext) -> ConsoleOfficer? {
        guard let visitor = context.visitor, let officer = visitor.officer else { return nil }
        return ConsoleOfficer(visitor: visitor, id: officer.id, agency: officer.agency, roleNames: officer.roles)
    }

    /// The officer actions this officer may take on a dossier in `state`: the workflow's rules
    /// for the state whose performer is an officer role this officer holds. The citizen's own
    /// steps (resubmit, withdraw) and the system's (payment confirmed) are never offered.
    func actions(in state: DossierV1.DossierState) -> [DossierV1.Action] {
        DossierWorkflow.allowedActions(in: state).filter { action in
            guard let rule = DossierWorkflow.rule(from: state, action: action), case .officer(let role) = rule.performer else { return false }
            return roles.contains(role)
        }
    }

    /// The actions this officer may take on this dossier: `actions(in:)`, less the processing
    /// steps when the officer's agency is only its receiving or returning centre, and less
    /// the step-or-approve choice that does not fit the dossier (an inter-agency dossier's
    /// earlier step completes, its last step and a single dossier are approved).
    func actions(on dossier: DossierV1.Dossier) -> [DossierV1.Action] {
        let hasNextStep = dossier.groupSteps.count > Int(dossier.currentStep)
        return actions(in: dossier.state).filter { action in
            if action == .completeStep && !hasNextStep || action == .approve && hasNextStep { return false }
            guard agency != dossier.agencyCode else { return true }
            return DossierWorkflow.rule(from: dossier.state, action: action)?.atDesk == true
        }
    }
}
