import DVCProto
import GatewayDoor
import Hummingbird
import OneStop
import RPCCore

/// Bulk exports for an agency's own officers and systems: its dossiers of a period (by
/// submission, reception or decision date) and its payments made in a period, as CSV or JSON
/// (docs/gateway.md, "Exports"). Each page is read through the gateway's own methods as the
/// caller (ListDossiers, ListPayments), so the same checks apply and every citizen's dossier
/// read is in their access log, as a queue page's are.
///
///     GET /api/v1/export/dossiers?from=2026-11-01&to=2026-11-30&by=received&format=csv
///     GET /api/v1/export/payments?from=2026-11-01&to=2026-11-30&format=json
struct ExportRoutes: GatewayRoutes {
    let gateway: GatewayClient
    let resolver: CallerResolver

    static let dossierColumns = [
        "id", "receipt_code", "agency_code", "receiving_agency_code", "procedure_code", "applicant_id", "state",
        "state_name", "channel", "submitted_at", "received_at", "appointment_at", "decided_at", "overdue", "assignee", "version",
    ]
    static let paymentColumns = [
        "id", "dossier_id", "agency_code", "procedure_code", "applicant_id", "amount_vnd", "state", "provider",
        "provider_transaction_id", "order_id", "created_at", "paid_at", "receipt_number", "refunded_vnd", "category", "recorded_by",
    ]

    func add(to http: Router<GatewayRequestContext>) {
        http.get("/api/v1/export/dossiers") { request, context in
            do { return try await dossiers(request, context) } catch { return ProblemDocument.response(error) }
        }
        http.get("/api/v1/export/payments") { request, context in
            do { return try await payments(request, context) } catch { return ProblemDocument.response(error) }
        }
    }

    /// The caller and the agency exported: an officer's or a system's own (the `agency_code`
    /// parameter may only repeat it).
    private func scope(_ request: Request, _ context: GatewayRequestContext) async throws -> (GatewayCaller, String) {
        let caller = try await resolver.caller(of: request, context, sessionNeedsCSRF: false)
        let asked = FormData.parse(request.uri.query)["agency_code"] ?? ""
        let own: String
        switch caller.identity {
        case .officer(_, let agency, _)?, .agencySystem(let agency)?: own = agency
        case nil:
            throw RPCError(.unauthenticated, "an export needs credentials: Authorization: ApiKey <id>.<secret>, or an officer's session")
        default:
            throw RPCError(.permissionDenied, "exports are for an agency's officers and systems")
        }
        guard asked.isEmpty || asked == own else {
            throw RPCError(.permissionDenied, "an export covers the caller's own agency, \(own)",
                           violations: [FieldViolation(field: "agency_code", description: "must be \(own) or absent")])
        }
        return (caller, own)
    }

    private func dossiers(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let query = FormData.parse(request.uri.query)
        let (caller, agency) = try await scope(request, context)
        let period = try ExportPeriod(from: query["from"], to: query["to"])
        let format = try ExportFormat(query["format"])
        var list = DossierV1.ListDossiersRequest()
        list.agencyCode = agency
        list.order = .submittedOldest
        list.pageSize = 100
        switch query["by"] ?? "submitted" {
        case "submitted", "":
            (list.submittedFromUnixMs, list.submittedToUnixMs) = (period.startMs, period.endMs)
        case "received":
            (list.receivedFromUnixMs, list.receivedToUnixMs) = (period.startMs, period.endMs)
        case "decided":
            (list.decidedFromUnixMs, list.decidedToUnixMs) = (period.startMs, period.endMs)
        default:
            throw RPCError.invalidArgument(field: "by", "submitted, received or decided")
        }
        let gateway = gateway, id = context.requestID, base = list
        let stream = ExportStream<DossierV1.Dossier>(format: format, header: Self.dossierColumns, row: Self.row) { token in
            var page = base
            page.pageToken = token
            let found = try await gateway.call(GatewayV1.DossierService.listDossiers, page, as: caller, requestID: id)
            return (found.dossiers, found.nextPageToken)
        }
        return try await stream.response(filename: "ho-so-\(agency)-\(period.from)-\(period.to)")
    }

    private func payments(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let query = FormData.parse(request.uri.query)
        let (caller, agency) = try await scope(request, context)
        let period = try ExportPeriod(from: query["from"], to: query["to"])
        let format = try ExportFormat(query["format"])
        var list = PaymentV1.ListPaymentsRequest()
        list.agencyCode = agency
        list.createdFromUnixMs = period.startMs
        list.createdToUnixMs = period.endMs
        list.pageSize = 500
        let gateway = gateway, id = context.requestID, base = list
        let stream = ExportStream<PaymentV1.Payment>(format: format, header: Self.paymentColumns, row: Self.row) { token in
            var page = base
            page.pageToken = token
            let found = try await gateway.call(GatewayV1.PaymentService.listPayments, page, as: caller, requestID: id)
            return (found.payments, found.nextPageToken)
        }
        return try await stream.response(filename: "thanh-toan-\(agency)-\(period.from)-\(period.to)")
    }

    @Sendable static func row(_ d: DossierV1.Dossier) -> [String] {
        let t = CSVLine.text
        return [t(d.id), t(d.receiptCode), t(d.agencyCode), t(d.receivingAgencyCode), t(d.procedureCode), t(d.applicantId),
                d.state.protoValueName ?? "\(d.state.rawValue)", OneStopNames.state(d.state),
                d.channel.protoValueName ?? "\(d.channel.rawValue)",
                ExportPeriod.timestamp(d.submittedAtUnixMs), ExportPeriod.timestamp(d.receivedAtUnixMs),
                ExportPeriod.timestamp(d.appointmentAtUnixMs), ExportPeriod.timestamp(d.decidedAtUnixMs),
                d.overdue ? "true" : "false", t(d.assignee), "\(d.version)"]
    }

    @Sendable static func row(_ p: PaymentV1.Payment) -> [String] {
        let t = CSVLine.text
        return [t(p.id), t(p.dossierId), t(p.agencyCode), t(p.procedureCode), t(p.applicantId), "\(p.amountVnd)",
                p.state.protoValueName ?? "\(p.state.rawValue)", t(p.provider), t(p.providerTransactionId), t(p.orderId),
                ExportPeriod.timestamp(p.createdAtUnixMs), ExportPeriod.timestamp(p.paidAtUnixMs), t(p.receiptNumber),
                "\(p.refundedVnd)", t(p.category), t(p.recordedBy)]
    }
}
