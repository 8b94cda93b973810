import Foundation
import OneStop

extension OneStopDocuments {
    /// Mẫu số 04: the apology for a dossier that will be late (2018: Phiếu xin lỗi và hẹn lại
    /// ngày trả kết quả; 2025: Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết):
    /// the reason and the new appointment.
    public struct Apology: OneStopDocument, Hashable {
        public static let form = OneStopForm.apology
        /// The set the document follows (its number, title and circular).
        public var forms: OneStopFormSet

        public var agency: Agency
        public var sequence: Int
        public var issuedAt: Date
        public var receiptCode: String
        public var applicant: Applicant
        public var procedure: Procedure
        public var receivedAt: Date
        /// The appointment that will be missed.
        public var appointmentAt: Date
        /// Why it is late.
        public var reason: String
        /// When the result will be returned instead.
        public var newAppointmentAt: Date
        /// The head of the agency who signs ("" to leave unnamed).
        public var signerName: String

        public init(
            agency: Agency, sequence: Int, issuedAt: Date, receiptCode: String, applicant: Applicant,
            procedure: Procedure, receivedAt: Date, appointmentAt: Date, reason: String, newAppointmentAt: Date,
            signerName: String = "", forms: OneStopFormSet = .circular2025
        ) {
            self.forms = forms
            self.agency = agency
            self.sequence = sequence
            self.issuedAt = issuedAt
            self.receiptCode = receiptCode
            self.applicant = applicant
            self.procedure = procedure
            self.receivedAt = receivedAt
            self.appointmentAt = appointmentAt
            self.reason = reason
            self.newAppointmentAt = newAppointmentAt
            self.signerName = signerName
        }

        public func html() -> String {
            let received = VietnameseDateFormat.date(receivedAt)
            let newDate = VietnameseDateFormat.dateTime(newAppointmentAt)
            // The 2025 form asks the applicant to accept the extended time; the 2018 one only
            // named the new date.
            let promise: HTML = forms == .circular2025
                ? "<p class=\"indent\">Sự chậm trễ này đã gây phiền hà cho Ông/Bà. \(agency.name) xin lỗi Ông/Bà và đề nghị gia hạn thời gian giải quyết hồ sơ đến <b>\(newDate)</b>.</p>"
                : "<p class=\"indent\">Sự chậm trễ này đã gây phiền hà cho Ông/Bà. \(agency.name) xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào <b>\(newDate)</b>.</p>"
            let body: HTML = """
                <p class="subtitle">Kính gửi: Ông/Bà <b>\(applicant.name)</b></p>
                <p class="indent">\(received.prefix(1).uppercased() + received.dropFirst()), \(agency.name) tiếp nhận giải quyết hồ sơ của Ông/Bà:</p>
                \(HTML.field("Mã hồ sơ", receiptCode, strong: true))\
                \(HTML.field("Số định danh cá nhân", applicant.identityNumber, optional: true))\
                \(HTML.field("Nội dung yêu cầu giải quyết", procedure.text))\
                \(HTML.field("Thời gian nhận hồ sơ", VietnameseDateFormat.dateTime(receivedAt)))\
                \(HTML.field("Thời hạn trả kết quả theo quy định", VietnameseDateFormat.dateTime(appointmentAt)))\
                <p class="indent">Tuy nhiên đến nay, \(agency.name) chưa trả kết quả giải quyết hồ sơ của Ông/Bà.</p>
                <p><b>Lý do:</b></p>
                <p class="reason">\(reason)</p>
                \(promise)
                <p class="indent">Xin trân trọng cảm ơn./.</p>
                \(HTML.signatures([("", "", ""), ("Thủ trưởng cơ quan", "(Ký, ghi rõ họ tên và đóng dấu)", signerName)]))
                """
            return page(body: body)
        }
    }
}
