import Foundation
import DVCProto
import OneStop
import RPCCore

/// `dvc.gateway.v1.DossierService`: dossiers for agency systems, forwarded to dossier-svc
/// with the identity the caller's credentials prove (`GatewayCaller`) in `x-dvc-identity`.
///
/// What the gateway adds on top of dossier-svc's own checks (which see only the identity):
/// - the key's agency bounds every call: a submission elsewhere is PERMISSION_DENIED, a dossier
///   elsewhere is NOT_FOUND like one that does not exist;
/// - the levels that depend on the dossier: a citizen's resubmission and withdrawal and online
///   tracking need level 3 at the dossier's agency, receiving the result online needs level 4;
/// - for the data tracker, the method called and the key's id with every read (dossier-svc
///   records them: `GatewayForwarding`).
struct DossierGatewayAPI: RegistrableRPCService {
    typealias Service = GatewayV1.DossierService
    typealias Backend = DossierV1.DossierService

    let dossiers: any RPCClientProtocol
    let gate: LevelGate
    /// The accounts an assignee is checked against: an active officer of the dossier's agency.
    let officers: OfficerAccounts

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.submitDossier) { request, context in
            let caller = GatewayCaller.of(context)
            switch try caller.requireIdentity() {
            case .citizen:
                try caller.requireAgency(request.agencyCode, field: "agency_code")
            case .officer:
                // A receiving officer registers a counter or postal dossier for an agency their
                // centre receives for; dossier-svc checks the role and the catalog's receives_for.
                break
            default:
                throw RPCError(.permissionDenied, "a citizen submits a dossier (send \(CallerResolver.onBehalfOfKey): "
                               + "citizen:<id> with a key holding the 'citizens' scope), or a receiving officer registers one")
            }
            var options = try forward(context, caller)
            // The idempotency key makes a retry safe on another connection or replica.
            options.idempotent = true
            if let key = context.metadata[MetadataKey.idempotencyKey] { options.metadata[MetadataKey.idempotencyKey] = key }
            return try await dossiers.unary(Backend.submitDossier, request, options: options)
        }
        router.register(Service.getDossier) { request, context in
            try await visible(request.id, field: "id", context)
        }
        router.register(Service.getHistory) { request, context in
            _ = try await visible(request.dossierId, field: "dossier_id", context, recordedByNextCall: true)
            return try await dossiers.unary(Backend.getHistory, request, options: read(context))
        }
        router.register(Service.listDossiers) { request, context in
            let caller = GatewayCaller.of(context)
            var request = request
            if let limit = caller.agencyLimit {
                try caller.requireAgency(request.agencyCode.isEmpty ? limit : request.agencyCode, field: "agency_code")
                request.agencyCode = limit
            }
            var response = try await dossiers.unary(Backend.listDossiers, request, options: read(context))
            // A citizen's list spans agencies; through a key it shows the key's agency only.
            response.dossiers.removeAll { !caller.mayReach($0) }
            return response
        }
        router.register(Service.act) { request, context in
            // A step is in the dossier's history with its actor, not in the access log.
            let dossier = try await visible(request.dossierId, field: "dossier_id", context, recordedByNextCall: true)
            if request.action == .resubmit || request.action == .withdraw {
                try await gate.require(.online, agency: dossier.agencyCode,
                                       procedure: dossier.procedureCode, context: context)
            }
            var options = try forward(context, GatewayCaller.of(context))
            // With an idempotency key dossier-svc recognises a retry: safe to resend, like a submission.
            if let key = context.metadata[MetadataKey.idempotencyKey] {
                options.metadata[MetadataKey.idempotencyKey] = key
                options.idempotent = true
            }
            return try await dossiers.unary(Backend.act, request, options: options)
        }
        router.register(Service.assignDossier) { request, context in
            let caller = GatewayCaller.of(context)
            guard case .officer(_, let agency, let roles) = try caller.requireIdentity(),
                  roles.contains("admin") || roles.contains("approver")
            else {
                throw RPCError(.permissionDenied, "assigning a dossier needs an officer of its agency with the role admin or approver")
            }
            _ = try await visible(request.dossierId, field: "dossier_id", context, recordedByNextCall: true)
            let assignee = request.assignee.trimmingCharacters(in: .whitespaces)
            if !assignee.isEmpty {
                // dossier-svc does not keep the accounts: the gateway vouches for the assignee.
                guard let stored = try await officers.officer(id: assignee), stored.officer.agencyCode == agency else {
                    throw RPCError(.notFound, "Không có cán bộ \(assignee) ở \(agency).",
                                   violations: [FieldViolation(field: "assignee", description: "Không phải cán bộ của cơ quan.")])
                }
                guard stored.active else {
                    throw RPCError(.failedPrecondition, "Tài khoản cán bộ \(assignee) đã bị khóa.",
                                   violations: [FieldViolation(field: "assignee", description: "Tài khoản đã bị khóa.")])
                }
            }
            return try await dossiers.unary(Backend.assignDossier, request, options: forward(context, caller))
        }
        router.register(Service.trackDossier) { request, context in
            let caller = GatewayCaller.of(context)
            // Tracking needs no identity: the receipt code and the PIN are the credential. Failed
            // PINs are counted per code and per client address by dossier-svc.
            var options = context.downstreamOptions(CallOptions(idempotent: true))
            options.metadata[MetadataKey.clientAddress] = ClientAddressKey.of(context)
            let dossier = try await dossiers.unary(Backend.trackDossier, request, options: options)
            guard caller.agencyLimit.map({ $0 == dossier.agencyCode }) ?? true else {
                throw RPCError(.notFound, "no dossier with this receipt code and PIN")
            }
            try await gate.require(.online, agency: dossier.agencyCode,
                                   procedure: dossier.procedureCode, context: context)
            return dossier
        }
        router.register(Service.getFile) { request, context in
            let dossier = try await visible(request.dossierId, field: "dossier_id", context, recordedByNextCall: true)
            if case .citizen? = GatewayCaller.of(context).identity, let result = dossier.resultDocument,
               result.id == request.fileId {
                try await gate.require(.fullyOnline, agency: dossier.agencyCode,
                                       procedure: dossier.procedureCode, context: context)
            }
            return try await dossiers.unary(Backend.getFile, request, options: read(context))
        }
        router.register(Service.getTrackingBook) { request, context in
            try await dossiers.unary(Backend.getTrackingBook, request, options: read(context))
        }
        router.register(Service.listAccessLog) { request, context in
            let caller = GatewayCaller.of(context)
            guard case .citizen = try caller.requireIdentity() else {
                throw RPCError(.permissionDenied, "the access log is the citizen's own: send \(CallerResolver.onBehalfOfKey): "
                               + "citizen:<id> with a key holding the 'citizens' scope, or sign in as the citizen")
            }
            var response = try await dossiers.unary(Backend.listAccessLog, request, options: read(context))
            // Through a key, the reads at the key's agency only (as its dossier list).
            if let limit = caller.agencyLimit { response.entries.removeAll { $0.agencyCode != limit } }
            return response
        }
        router.register(Service.listReusableDocuments) { request, context in
            guard case .citizen = try GatewayCaller.of(context).requireIdentity() else {
                throw RPCError(.permissionDenied, "reusable documents are the citizen's own: act as the citizen")
            }
            return try await dossiers.unary(Backend.listReusableDocuments, request, options: read(context))
        }
        router.register(Service.getAgencyStatistics) { request, context in
            // dossier-svc counts; the gateway adds the indicators of Decision 766/QĐ-TTg.
            var figures = try await dossiers.unary(Backend.getAgencyStatistics, request,
                                                   options: context.downstreamOptions(CallOptions(idempotent: true)))
            figures.indicators = ServiceIndex766.indicators(figures)
            for index in figures.months.indices { figures.months[index].indicators = ServiceIndex766.indicators(figures.months[index]) }
            return figures
        }
    }

    private func visible(_ id: String, field: String, _ context: ServerContext,
                         recordedByNextCall: Bool = false) async throws -> DossierV1.Dossier {
        try await DossierLookup(dossiers: dossiers).visible(id, field: field, context, recordedByNextCall: recordedByNextCall)
    }

    private func forward(_ context: ServerContext, _ caller: GatewayCaller) throws -> CallOptions {
        try GatewayForwarding.options(context, caller)
    }

    private func read(_ context: ServerContext) throws -> CallOptions {
        try GatewayForwarding.options(context, GatewayCaller.of(context), idempotent: true)
    }
}
