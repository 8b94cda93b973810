import DVCProto
import Foundation
import OneStop
import Storage

/// A one-stop document of the set in force (`OneStopFormSet`: Circular 03/2025/TT-VPCP, or
/// 01/2018/TT-VPCP for the old three-tier demo), rendered as a printable HTML page (UTF-8, A4
/// print CSS) with the form's number and circular, the national heading, the agency, its
/// number and the form's facts; every value given is HTML-escaped, and times are shown in
/// UTC+7 as "HH giờ mm phút, ngày dd tháng MM năm yyyy".
///
/// The forms are `OneStopDocuments.Receipt`, `.SupplementRequest`, `.Refusal`, `.Apology`,
/// `.StopNotice` (2025 only), `.ProcessingControl` and `.TrackingBook`; each is numbered by its
/// set (the control slip is 05 in 2018, 06 in 2025).
public protocol OneStopDocument: Sendable {
    static var form: OneStopForm { get }
    /// The set the document follows: its form's number, title and circular.
    var forms: OneStopFormSet { get }
    /// The issuing agency: its name and place head the page, its code is in the number.
    var agency: OneStopDocuments.Agency { get }
    /// When the document is issued: the date line, and the year of its number.
    var issuedAt: Date { get }
    /// The document's sequence for (agency, form, year of `issuedAt` in UTC+7), from 1,
    /// allocated by the caller.
    var sequence: Int { get }
    /// The page.
    func html() -> String
}

extension OneStopDocument {
    /// The form's number in the document's set, e.g. "06" for the control slip of 2025.
    public var formNumber: String {
        guard let number = forms.number(of: Self.form) else {
            preconditionFailure("\(Self.form) is not a form of \(forms.citation)")
        }
        return number
    }

    /// "{form}/{year}/{agency code}-{sequence}", e.g. "01/2026/000.00.20.H26-17".
    public var number: DocumentNumber {
        DocumentNumber(form: formNumber, issuedAt: issuedAt, agencyCode: agency.code, sequence: sequence)
    }

    /// The page as UTF-8.
    public func htmlData() -> Data { Data(html().utf8) }

    /// The page around `body`, under the heading every one-stop document shares: the form's
    /// label, this document's agency and number, the national heading, the place and date of
    /// issue, the form's title and `subtitle`.
    func page(subtitle: HTML = "", landscape: Bool = false, body: HTML) -> String {
        HTML.document(form: Self.form, forms: forms, agency: agency, number: number, issuedAt: issuedAt,
                      subtitle: subtitle, landscape: landscape, body: body).description
    }

    /// The document as a dossier keeps it: form number and circular, number, issue time,
    /// `text/html; charset=utf-8` and the page.
    public func dossierDocument() -> DossierV1.DossierDocument {
        var document = DossierV1.DossierDocument()
        document.form = formNumber
        document.circular = forms.circular
        document.number = number.description
        document.issuedAtUnixMs = UnixMillis.from(issuedAt)
        document.mediaType = OneStopDocuments.mediaType
        document.content = htmlData()
        return document
    }
}

/// The one-stop documents (the forms are nested types, one per file under `Forms/`), the
/// parties they name, and the Vietnamese words for states, actions and channels.
public enum OneStopDocuments {
    /// The media type of every rendered document.
    public static let mediaType = "text/html; charset=utf-8"

    /// The agency issuing a document.
    public struct Agency: Sendable, Hashable {
        /// E.g. "Sở Tư pháp thành phố Hà Nội" (printed in capitals).
        public var name: String
        /// Its identifier code (QCVN 102:2016), e.g. "000.00.20.H26".
        public var code: String
        /// The governing body printed above the name ("" for none), e.g. "Ủy ban nhân dân thành phố Hà Nội".
        public var parentName: String
        /// The place name of the date line, e.g. "Hà Nội" ("" for none).
        public var place: String
        /// The unit that receives dossiers and returns results.
        public var unit: String

        public init(
            name: String, code: String, parentName: String = "", place: String = "",
            unit: String = "Bộ phận Tiếp nhận và Trả kết quả"
        ) {
            self.name = name
            self.code = code
            self.parentName = parentName
            self.place = place
            self.unit = unit
        }
    }

    /// The person (or organisation) whose dossier it is. Empty optional values are left out.
    public struct Applicant: Sendable, Hashable {
        public var name: String
        /// The 12-digit personal identity number.
        public var identityNumber: String
        public var address: String
        public var phone: String
        public var email: String

        public init(name: String, identityNumber: String = "", address: String = "", phone: String = "", email: String = "") {
            self.name = name
            self.identityNumber = identityNumber
            self.address = address
            self.phone = phone
            self.email = email
        }
    }

    /// The administrative procedure the dossier asks for.
    public struct Procedure: Sendable, Hashable {
        /// The national procedure code ("" to leave it out), e.g. "1.001193".
        public var code: String
        /// E.g. "Đăng ký khai sinh".
        public var name: String

        public init(code: String = "", name: String) {
            self.code = code
            self.name = name
        }

        /// "Đăng ký khai sinh (mã thủ tục 1.001193)".
        var text: String { code.isEmpty ? name : "\(name) (mã thủ tục \(code))" }
    }

    // MARK: Words

    /// Whether a result returned at `returnedAt` was early, on time or late for
    /// `appointmentAt`: "Trước hạn" (an earlier day, in UTC+7), "Đúng hạn" (the appointment's
    /// day, by its time), "Quá hạn" (after it).
    public static func timeliness(returnedAt: Date, appointmentAt: Date) -> String {
        if returnedAt > appointmentAt { return "Quá hạn" }
        let returned = VietnameseDateFormat.components(returnedAt)
        let appointment = VietnameseDateFormat.components(appointmentAt)
        let sameDay = (returned.year, returned.month, returned.day) == (appointment.year, appointment.month, appointment.day)
        return sameDay ? "Đúng hạn" : "Trước hạn"
    }

    /// Who an actor of the history ("citizen:<id>", "officer:<id>", "system:<service>") is,
    /// in words.
    public static func actorName(_ actor: String) -> String {
        guard let colon = actor.firstIndex(of: ":") else { return actor }
        let id = String(actor[actor.index(after: colon)...])
        switch actor[..<colon] {
        case "citizen": return "Công dân \(id)"
        case "officer": return "Cán bộ \(id)"
        case "system": return "Hệ thống (\(id))"
        default: return actor
        }
    }
}
