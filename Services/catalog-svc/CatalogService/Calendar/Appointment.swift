import DVCProto
import Foundation

/// When a dossier's clock started and when its result is due (ngày hẹn trả kết quả).
/// Instants are Unix milliseconds, UTC; the `…Local` strings are the same instants in
/// Hà Nội time (UTC+7), as printed on the receipt slip.
public struct Appointment: Sendable, Hashable, CustomStringConvertible {
    /// The receipt time if it was inside office hours, else the next opening.
    public var countedFromUnixMs: Int64
    /// The due time; always inside office hours or exactly at the end of a span.
    public var appointmentAtUnixMs: Int64

    public init(countedFromUnixMs: Int64, appointmentAtUnixMs: Int64) {
        self.countedFromUnixMs = countedFromUnixMs
        self.appointmentAtUnixMs = appointmentAtUnixMs
    }

    public var countedFrom: Date { Date(timeIntervalSince1970: Double(countedFromUnixMs) / 1000) }
    public var appointmentAt: Date { Date(timeIntervalSince1970: Double(appointmentAtUnixMs) / 1000) }

    /// "yyyy-MM-dd HH:mm" in UTC+7.
    public var countedFromLocal: String { WorkingCalendar.localString(unixMs: countedFromUnixMs) }
    /// "yyyy-MM-dd HH:mm" in UTC+7.
    public var appointmentLocal: String { WorkingCalendar.localString(unixMs: appointmentAtUnixMs) }

    /// The wire form (`dvc.catalog.v1.ComputeAppointmentResponse`).
    public var proto: CatalogV1.ComputeAppointmentResponse {
        var message = CatalogV1.ComputeAppointmentResponse()
        message.appointmentAtUnixMs = appointmentAtUnixMs
        message.countedFromUnixMs = countedFromUnixMs
        message.appointmentLocal = appointmentLocal
        return message
    }

    public var description: String { "counted from \(countedFromLocal), due \(appointmentLocal) (UTC+7)" }
}
