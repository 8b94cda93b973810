import DVCProto
import RPCCore

/// The working-time part of `dvc.catalog.v1.CatalogService`: appointment dates and the
/// holiday calendar, from the catalog's snapshot (agency office hours, procedure time limits,
/// stored overrides) and the rules of `WorkingCalendar`.
extension CatalogAPI {
    func calendar(for agency: CatalogV1.Agency?, snapshot: CatalogSnapshot) throws -> WorkingCalendar {
        let officeHours: OfficeHours
        do {
            officeHours = try OfficeHours(proto: agency?.officeHours ?? [])
        } catch {
            throw RPCError(.failedPrecondition, "the office hours of \(agency?.code ?? "the agency") are invalid: \(error)")
        }
        let overrides = snapshot.overrides.values.compactMap(CalendarOverride.init)
        return WorkingCalendar(officeHours: officeHours, overrides: overrides)
    }

    func computeAppointment(_ request: CatalogV1.ComputeAppointmentRequest) throws -> CatalogV1.ComputeAppointmentResponse {
        let snapshot = catalog.snapshot
        let agency = try snapshot.agency(request.agencyCode)
        let procedure = try snapshot.procedure(request.procedureCode)
        let limit: TimeLimit = procedure.processingWorkingDays > 0
            ? .workingDays(Int(procedure.processingWorkingDays))
            : .workingHours(Int(procedure.processingWorkingHours))
        do {
            return try calendar(for: agency, snapshot: snapshot)
                .appointment(receivedAtUnixMs: request.receivedAtUnixMs, limit: limit,
                             pausedWorkingMinutes: Int(request.pausedWorkingMinutes))
                .proto
        } catch let error as WorkingCalendar.Error {
            switch error {
            case .receivedAtOutOfRange:
                throw RPCError.invalidArgument(field: "received_at_unix_ms", error.description)
            case .limitTooLarge, .negativePause:
                throw RPCError.invalidArgument(field: "paused_working_minutes", error.description)
            default:
                throw RPCError(.failedPrecondition, error.description)
            }
        }
    }

    func countWorkingMinutes(_ request: CatalogV1.CountWorkingMinutesRequest) throws -> CatalogV1.CountWorkingMinutesResponse {
        let snapshot = catalog.snapshot
        let agency = try snapshot.agency(request.agencyCode)
        let tenYears: Int64 = 10 * 366 * 24 * 3_600_000
        guard request.toUnixMs >= request.fromUnixMs, request.toUnixMs - request.fromUnixMs <= tenYears else {
            throw RPCError.invalidArgument(field: "to_unix_ms", "must be after from_unix_ms, within ten years")
        }
        var response = CatalogV1.CountWorkingMinutesResponse()
        response.minutes = UInt32(clamping: try calendar(for: agency, snapshot: snapshot)
            .workingMinutes(fromUnixMs: request.fromUnixMs, toUnixMs: request.toUnixMs))
        return response
    }

    func listHolidays(_ request: CatalogV1.ListHolidaysRequest) throws -> CatalogV1.ListHolidaysResponse {
        guard (1900...2199).contains(request.year) else {
            throw RPCError.invalidArgument(field: "year", "must be 1900 to 2199")
        }
        let calendar = try calendar(for: nil, snapshot: catalog.snapshot)
        var response = CatalogV1.ListHolidaysResponse()
        response.holidays = calendar.holidays(year: Int(request.year)).map(\.proto)
        response.workingOverrides = calendar.workingOverrides(year: Int(request.year)).map(\.proto)
        return response
    }
}
