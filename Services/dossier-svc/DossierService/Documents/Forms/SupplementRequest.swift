import Foundation
import OneStop

extension OneStopDocuments {
    /// Mẫu số 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: what the applicant must supply, and why.
    public struct SupplementRequest: OneStopDocument, Hashable {
        public static let form = OneStopForm.supplementRequest
        /// The set the document follows (its number, title and circular).
        public var forms: OneStopFormSet

        public var agency: Agency
        public var sequence: Int
        public var issuedAt: Date
        /// The receipt code ("" while the dossier has none: asked at reception).
        public var receiptCode: String
        public var applicant: Applicant
        public var procedure: Procedure
        /// When the dossier was handed in.
        public var submittedAt: Date
        /// What is missing or must be corrected, one item each.
        public var missing: [String]
        public var reason: String
        /// The officer who asks (signs as "người hướng dẫn"; "" to leave unnamed).
        public var officerName: String
        /// A telephone number for questions ("" to leave it out).
        public var contactPhone: String

        public init(
            agency: Agency, sequence: Int, issuedAt: Date, receiptCode: String, applicant: Applicant,
            procedure: Procedure, submittedAt: Date, missing: [String], reason: String,
            officerName: String = "", contactPhone: String = "", forms: OneStopFormSet = .circular2025
        ) {
            self.forms = forms
            self.agency = agency
            self.sequence = sequence
            self.issuedAt = issuedAt
            self.receiptCode = receiptCode
            self.applicant = applicant
            self.procedure = procedure
            self.submittedAt = submittedAt
            self.missing = missing
            self.reason = reason
            self.officerName = officerName
            self.contactPhone = contactPhone
        }

        public func html() -> String {
            let items: [HTML] = missing.map { "<li>\($0)</li>\n" }
            var contact = "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ với \(agency.unit) – \(agency.name)"
            if !officerName.isEmpty { contact += ", cán bộ \(officerName)" }
            if !contactPhone.isEmpty { contact += ", số điện thoại \(contactPhone)" }
            contact += " để được hướng dẫn."
            let body: HTML = """
                \(HTML.applicant(applicant, label: "Hồ sơ của"))\
                \(HTML.field("Nội dung yêu cầu giải quyết", procedure.text))\
                \(HTML.field("Thời gian nộp hồ sơ", VietnameseDateFormat.dateTime(submittedAt)))\
                <p><b>Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:</b></p>
                <ol class="items">
                \(items)</ol>
                <p><b>Lý do:</b></p>
                <p class="reason">\(reason)</p>
                <p class="indent">\(contact)</p>
                <p class="indent">Thời gian chờ bổ sung hồ sơ không tính vào thời hạn giải quyết; thời hạn được tính tiếp khi Ông/Bà nộp đủ hồ sơ theo yêu cầu.</p>
                \(HTML.signatures([("", "", ""), ("Người hướng dẫn", "(Ký và ghi rõ họ tên)", officerName)]))
                """
            let subtitle: HTML = receiptCode.isEmpty ? "" : HTML.receiptCodeSubtitle(receiptCode)
            return page(subtitle: subtitle, body: body)
        }
    }
}
