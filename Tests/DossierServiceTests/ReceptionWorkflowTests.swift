import DVCProto
import OneStop
import RPCCore
import Testing

/// Reception anywhere, processing by the competent agency (Decree 118/2025/NĐ-CP), as the
/// workflow decides it: a centre's officers take the desk steps for the agencies it receives
/// for and nothing else; a transfer names where it goes; an inter-agency dossier completes its
/// steps before it is approved.
@Suite struct ReceptionWorkflowTests {
    typealias State = DossierV1.DossierState
    typealias Action = DossierV1.Action

    static let competent = "000.02.22.H26"
    static let centre = "000.00.99.H26"
    static let returnCentre = "000.00.98.H26"
    static let owner = "001099012345"

    static func officer(_ agency: String, _ roles: Set<DossierV1.OfficerRole> = [.receiver, .processor, .approver]) -> DossierActor {
        .officer(id: "cb-\(agency)", agencyCode: agency, roles: roles)
    }

    static func subject(_ state: State, nextStep: Bool = false) -> DossierWorkflow.Subject {
        DossierWorkflow.Subject(state: state, ownerID: owner, agencyCode: competent, supplementRequestedFrom: .submitted,
                                deskAgencies: [centre, returnCentre], hasNextStep: nextStep)
    }

    static func command(_ action: Action, by actor: DossierActor, target: String = "000.02.23.H26") -> DossierWorkflow.Command {
        DossierWorkflow.Command(action, by: actor, reason: "Không đúng thẩm quyền", missingDocuments: ["Giấy chứng sinh"],
                                feeSettled: true, targetAgency: target)
    }

    static func why(_ result: Result<DossierWorkflow.Transition, WorkflowRefusal>) -> WorkflowRefusal.Why? {
        if case .failure(let refusal) = result { return refusal.why }
        return nil
    }

    /// The desk steps, written out here apart from `Rule.atDesk`.
    static let deskSteps: Set<[Int32]> = [[1, 1], [1, 2], [1, 4], [1, 13], [9, 10]]

    @Test func aCentreTakesTheDeskStepsAndNothingElse() throws {
        for rule in DossierWorkflow.rules where rule.performer != .owner && rule.performer != .system {
            for desk in [Self.centre, Self.returnCentre] {
                let result = DossierWorkflow.decide(Self.command(rule.action, by: Self.officer(desk)),
                                                    for: Self.subject(rule.from, nextStep: rule.action == .completeStep))
                if Self.deskSteps.contains([rule.from.rawValue, rule.action.rawValue]) {
                    #expect(throws: Never.self, "\(rule)") { try result.get() }
                } else {
                    #expect(Self.why(result) == .deskOnly, "\(rule)")
                    if case .failure(let refusal) = result { #expect(refusal.code == .permissionDenied) }
                }
            }
            // The competent agency takes every step, the desk ones included.
            #expect(throws: Never.self, "\(rule)") {
                try DossierWorkflow.decide(Self.command(rule.action, by: Self.officer(Self.competent)),
                                           for: Self.subject(rule.from, nextStep: rule.action == .completeStep)).get()
            }
        }
    }

    @Test func aCentreNotNamedOnTheDossierHasNoStanding() {
        let elsewhere = Self.officer("000.00.97.H26")
        for state: State in [.submitted, .processed] {
            let action: Action = state == .submitted ? .receive : .returnResult
            #expect(Self.why(DossierWorkflow.decide(Self.command(action, by: elsewhere), for: Self.subject(state))) == .wrongAgency)
        }
    }

    @Test func theSubjectNamesTheReceivingAndReturningCentres() {
        var dossier = DossierV1.Dossier()
        dossier.agencyCode = Self.competent
        dossier.receivingAgencyCode = Self.centre
        var back = DossierV1.ResultReturn()
        back.method = .atCentre
        back.agencyCode = Self.returnCentre
        dossier.resultReturn = back
        #expect(DossierWorkflow.Subject(dossier).deskAgencies == [Self.centre, Self.returnCentre])
        // A postal return names no centre; an online dossier has no receiving centre.
        back.method = .postal
        dossier.resultReturn = back
        dossier.receivingAgencyCode = ""
        #expect(DossierWorkflow.Subject(dossier).deskAgencies.isEmpty)
        #expect(dossier.involvedAgencies == [Self.competent])
    }

    @Test func aTransferNamesAnotherAgencyAndWhy() throws {
        let receiver = Self.officer(Self.competent, [.receiver])
        #expect(Self.why(DossierWorkflow.decide(Self.command(.transfer, by: receiver, target: ""), for: Self.subject(.submitted)))
                == .missingTarget)
        #expect(Self.why(DossierWorkflow.decide(Self.command(.transfer, by: receiver, target: Self.competent),
                                                for: Self.subject(.submitted))) == .missingTarget)
        let noReason = DossierWorkflow.Command(.transfer, by: receiver, targetAgency: "000.02.23.H26")
        #expect(Self.why(DossierWorkflow.decide(noReason, for: Self.subject(.submitted))) == .missingReason)
        let refusal = WorkflowRefusal(action: .transfer, state: .submitted, why: .missingTarget)
        #expect(refusal.rpcError.code == .invalidArgument && refusal.field == "target_agency_code")
        // It stays in its state: the clock and the receipt code go with it.
        let moved = try DossierWorkflow.transition(Self.command(.transfer, by: receiver), for: Self.subject(.received))
        #expect(moved.to == .received && moved.clock == .unchanged && !moved.isDecision)
        // Processing, only the processor transfers.
        #expect(Self.why(DossierWorkflow.decide(Self.command(.transfer, by: receiver), for: Self.subject(.processing)))
                == .wrongRole(required: .officer(.processor)))
    }

    @Test func anInterAgencyDossierCompletesItsStepsBeforeItIsApproved() throws {
        let approver = Self.officer(Self.competent, [.approver])
        #expect(Self.why(DossierWorkflow.decide(Self.command(.approve, by: approver), for: Self.subject(.processing, nextStep: true)))
                == .stepsRemain)
        #expect(Self.why(DossierWorkflow.decide(Self.command(.completeStep, by: approver), for: Self.subject(.processing)))
                == .noNextStep)
        let next = try DossierWorkflow.transition(Self.command(.completeStep, by: approver), for: Self.subject(.processing, nextStep: true))
        #expect(next.to == .received && !next.isDecision)
        #expect(try DossierWorkflow.transition(Self.command(.approve, by: approver), for: Self.subject(.processing)).to == .processed)
        for why in [WorkflowRefusal.Why.stepsRemain, .noNextStep] {
            #expect(WorkflowRefusal(action: .approve, state: .processing, why: why).code == .failedPrecondition)
        }
    }
}
