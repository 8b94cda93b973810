import Foundation
import OneStop

extension OneStopDocuments {
    /// Mẫu số 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ, with the reason.
    public struct Refusal: OneStopDocument, Hashable {
        public static let form = OneStopForm.refusal
        /// The set the document follows (its number, title and circular).
        public var forms: OneStopFormSet

        public var agency: Agency
        public var sequence: Int
        public var issuedAt: Date
        /// The receipt code ("" when refused at reception, before one was issued).
        public var receiptCode: String
        public var applicant: Applicant
        public var procedure: Procedure
        public var submittedAt: Date
        public var reason: String
        /// The officer who refuses ("" to leave unnamed).
        public var officerName: String

        public init(
            agency: Agency, sequence: Int, issuedAt: Date, receiptCode: String = "", applicant: Applicant,
            procedure: Procedure, submittedAt: Date, reason: String, officerName: String = "",
            forms: OneStopFormSet = .circular2025
        ) {
            self.forms = forms
            self.agency = agency
            self.sequence = sequence
            self.issuedAt = issuedAt
            self.receiptCode = receiptCode
            self.applicant = applicant
            self.procedure = procedure
            self.submittedAt = submittedAt
            self.reason = reason
            self.officerName = officerName
        }

        public func html() -> String {
            let body: HTML = """
                <p>\(agency.unit) – \(agency.name) tiếp nhận hồ sơ của:</p>
                \(HTML.applicant(applicant))\
                \(HTML.field("Nội dung yêu cầu giải quyết", procedure.text))\
                \(HTML.field("Thời gian nộp hồ sơ", VietnameseDateFormat.dateTime(submittedAt)))\
                <p class="indent">Qua xem xét, \(agency.unit) – \(agency.name) thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:</p>
                <p class="reason">\(reason)</p>
                <p class="indent">Xin thông báo để Ông/Bà được biết và thực hiện./.</p>
                \(HTML.signatures([("", "", ""), ("Người tiếp nhận hồ sơ", "(Ký và ghi rõ họ tên)", officerName)]))
                """
            let subtitle: HTML = receiptCode.isEmpty ? "" : HTML.receiptCodeSubtitle(receiptCode)
            return page(subtitle: subtitle, body: body)
        }
    }
}
