import Foundation
import OneStop

extension OneStopDocuments {
    /// Mẫu số 05 of Circular 03/2025/TT-VPCP: Thông báo dừng giải quyết hồ sơ. Issued when the
    /// applicant asks to stop a dossier already received and no decision has been made (Decree
    /// 118/2025/NĐ-CP Điều 21; here: the citizen's withdrawal after reception). The 2018 set has
    /// no such form, so this document is always of the 2025 set.
    public struct StopNotice: OneStopDocument, Hashable {
        public static let form = OneStopForm.stopNotice
        /// Always the 2025 set: the only one with the form.
        public var forms: OneStopFormSet { .circular2025 }

        public var agency: Agency
        public var sequence: Int
        public var issuedAt: Date
        /// The receipt code of the dossier stopped.
        public var receiptCode: String
        public var applicant: Applicant
        public var procedure: Procedure
        public var receivedAt: Date
        /// When the applicant asked to stop (the withdrawal).
        public var requestedAt: Date
        /// The reason the applicant gave ("" when none was given).
        public var reason: String
        /// The officer or unit that notifies ("" to leave the signature unnamed).
        public var officerName: String

        public init(
            agency: Agency, sequence: Int, issuedAt: Date, receiptCode: String, applicant: Applicant,
            procedure: Procedure, receivedAt: Date, requestedAt: Date, reason: String, officerName: String = ""
        ) {
            self.agency = agency
            self.sequence = sequence
            self.issuedAt = issuedAt
            self.receiptCode = receiptCode
            self.applicant = applicant
            self.procedure = procedure
            self.receivedAt = receivedAt
            self.requestedAt = requestedAt
            self.reason = reason
            self.officerName = officerName
        }

        public func html() -> String {
            let reasonText = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            let body: HTML = """
                <p class="subtitle">Kính gửi: Ông/Bà <b>\(applicant.name)</b></p>
                <p class="indent">\(agency.unit) – \(agency.name) đã tiếp nhận hồ sơ của Ông/Bà:</p>
                \(HTML.field("Mã hồ sơ", receiptCode, strong: true))\
                \(HTML.field("Số định danh cá nhân", applicant.identityNumber, optional: true))\
                \(HTML.field("Nội dung yêu cầu giải quyết", procedure.text))\
                \(HTML.field("Thời gian nhận hồ sơ", VietnameseDateFormat.dateTime(receivedAt)))\
                \(HTML.field("Thời gian đề nghị dừng giải quyết", VietnameseDateFormat.dateTime(requestedAt)))\
                <p><b>Lý do:</b></p>
                <p class="reason">\(reasonText.isEmpty ? "Theo đề nghị của người nộp hồ sơ." : reasonText)</p>
                <p class="indent">Theo đề nghị của Ông/Bà, \(agency.name) thông báo dừng giải quyết hồ sơ nêu trên kể từ \(VietnameseDateFormat.dateTime(issuedAt)).</p>
                <p class="indent">Xin thông báo để Ông/Bà được biết./.</p>
                \(HTML.signatures([("", "", ""), ("Người thông báo", "(Ký và ghi rõ họ tên)", officerName)]))
                """
            return page(subtitle: HTML.receiptCodeSubtitle(receiptCode), body: body)
        }
    }
}
