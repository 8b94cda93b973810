import DVCProto
import RPCCore

/// The gateway's DossierService for an agency system.
public struct DossierCalls: Sendable {
    let client: DVCClient

    /// Submits a dossier (level 3 at the agency; a citizen, or a receiving officer registering a
    /// counter dossier). Retried safely: the idempotency key is `options.idempotencyKey`, or a
    /// fresh one per call.
    public func submit(_ request: DossierV1.SubmitDossierRequest, options: DVCCallOptions = .init()) async throws -> DossierV1.SubmitDossierResponse {
        try await client.call(GatewayV1.DossierService.submitDossier, request, kind: .writeNeedingKey, options: options)
    }

    public func get(_ id: String, options: DVCCallOptions = .init()) async throws -> DossierV1.Dossier {
        var request = DossierV1.GetDossierRequest()
        request.id = id
        return try await client.call(GatewayV1.DossierService.getDossier, request, kind: .read, options: options)
    }

    public func history(_ id: String, options: DVCCallOptions = .init()) async throws -> DossierV1.GetHistoryResponse {
        var request = DossierV1.GetHistoryRequest()
        request.dossierId = id
        return try await client.call(GatewayV1.DossierService.getHistory, request, kind: .read, options: options)
    }

    public func list(_ request: DossierV1.ListDossiersRequest, options: DVCCallOptions = .init()) async throws -> DossierV1.ListDossiersResponse {
        try await client.call(GatewayV1.DossierService.listDossiers, request, kind: .read, options: options)
    }

    /// A workflow step. Retried only with `options.idempotencyKey` (then done once).
    public func act(_ request: DossierV1.ActRequest, options: DVCCallOptions = .init()) async throws -> DossierV1.Dossier {
        try await client.call(GatewayV1.DossierService.act, request, kind: .write, options: options)
    }

    public func assign(_ request: DossierV1.AssignDossierRequest, options: DVCCallOptions = .init()) async throws -> DossierV1.Dossier {
        try await client.call(GatewayV1.DossierService.assignDossier, request, kind: .write, options: options)
    }

    /// The status by receipt code and PIN (no identity needed).
    public func track(receiptCode: String, pin: String, options: DVCCallOptions = .init()) async throws -> DossierV1.TrackedDossier {
        var request = DossierV1.TrackDossierRequest()
        request.receiptCode = receiptCode
        request.pin = pin
        return try await client.call(GatewayV1.DossierService.trackDossier, request, kind: .read, options: options)
    }

    /// An attachment or the result (a citizen receives the result online at level 4 only).
    public func file(dossier: String, file: String, options: DVCCallOptions = .init()) async throws -> DossierV1.File {
        var request = DossierV1.GetFileRequest()
        request.dossierId = dossier
        request.fileId = file
        return try await client.call(GatewayV1.DossierService.getFile, request, kind: .read, options: options)
    }

    public func trackingBook(_ request: DossierV1.TrackingBookRequest, options: DVCCallOptions = .init()) async throws -> DossierV1.DossierDocument {
        try await client.call(GatewayV1.DossierService.getTrackingBook, request, kind: .read, options: options)
    }

    public func agencyStatistics(_ request: DossierV1.AgencyStatisticsRequest, options: DVCCallOptions = .init()) async throws -> DossierV1.AgencyStatistics {
        try await client.call(GatewayV1.DossierService.getAgencyStatistics, request, kind: .read, options: options)
    }

    public func accessLog(_ request: DossierV1.ListAccessLogRequest, options: DVCCallOptions = .init()) async throws -> DossierV1.ListAccessLogResponse {
        try await client.call(GatewayV1.DossierService.listAccessLog, request, kind: .read, options: options)
    }

    public func reusableDocuments(_ request: DossierV1.ListReusableDocumentsRequest, options: DVCCallOptions = .init()) async throws -> DossierV1.ListReusableDocumentsResponse {
        try await client.call(GatewayV1.DossierService.listReusableDocuments, request, kind: .read, options: options)
    }
}
