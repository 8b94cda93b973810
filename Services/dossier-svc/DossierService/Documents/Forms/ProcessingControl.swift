import DVCProto
import OneStop
import Foundation

extension OneStopDocuments {
    /// Mẫu số 05 (2018) or 06 (2025): Phiếu kiểm soát quá trình giải quyết hồ sơ: every handover
    /// of the dossier, who did what, when, with what result.
    public struct ProcessingControl: OneStopDocument, Hashable {
        public static let form = OneStopForm.processingControl
        /// The set the document follows (its number, title and circular).
        public var forms: OneStopFormSet

        /// One handover or decision.
        public struct Step: Sendable, Hashable {
            /// Who acted, e.g. "Cán bộ Nguyễn Văn A".
            public var actor: String
            public var at: Date
            /// What was done, e.g. "Tiếp nhận hồ sơ".
            public var action: String
            /// Its result, e.g. "Mới đăng ký → Được tiếp nhận".
            public var result: String
            public var note: String

            public init(actor: String, at: Date, action: String, result: String, note: String = "") {
                self.actor = actor
                self.at = at
                self.action = action
                self.result = result
                self.note = note
            }

            /// A history entry in words: the action's name, "from → to" with the states'
            /// national names, and `actorName` (else the actor in words, see
            /// `OneStopDocuments.actorName`).
            public init(_ entry: DossierV1.HistoryEntry, actorName: String? = nil) {
                let result = entry.fromState == .unspecified
                    ? OneStopNames.state(entry.toState)
                    : "\(OneStopNames.state(entry.fromState)) → \(OneStopNames.state(entry.toState))"
                self.init(actor: actorName ?? OneStopDocuments.actorName(entry.actor),
                          at: VietnameseDateFormat.instant(unixMilliseconds: entry.atUnixMs),
                          action: OneStopNames.action(entry.action), result: result, note: entry.note)
            }
        }

        public var agency: Agency
        public var sequence: Int
        public var issuedAt: Date
        public var receiptCode: String
        /// The number of the dossier's receipt slip (Mẫu số 01), "" to leave it out.
        public var receiptNumber: String
        public var applicant: Applicant
        public var procedure: Procedure
        public var receivedAt: Date
        public var appointmentAt: Date
        public var steps: [Step]

        public init(
            agency: Agency, sequence: Int, issuedAt: Date, receiptCode: String, receiptNumber: String = "",
            applicant: Applicant, procedure: Procedure, receivedAt: Date, appointmentAt: Date, steps: [Step],
            forms: OneStopFormSet = .circular2025
        ) {
            self.forms = forms
            self.agency = agency
            self.sequence = sequence
            self.issuedAt = issuedAt
            self.receiptCode = receiptCode
            self.receiptNumber = receiptNumber
            self.applicant = applicant
            self.procedure = procedure
            self.receivedAt = receivedAt
            self.appointmentAt = appointmentAt
            self.steps = steps
        }

        public func html() -> String {
            let rows: [[HTML]] = steps.enumerated().map { index, step in
                ["\(index + 1)", "\(step.action)", "\(step.actor)", "\(VietnameseDateFormat.dateTime(step.at))",
                 "\(step.result)", "<span class=\"pre\">\(step.note)</span>"]
            }
            let subtitle = HTML.receiptCodeSubtitle(receiptCode, note: receiptNumber.isEmpty ? "" :
                "<br><i>(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: \(receiptNumber))</i>")
            let body: HTML = """
                \(HTML.field("Người nộp hồ sơ", applicant.name, strong: true))\
                \(HTML.field("Số định danh cá nhân", applicant.identityNumber, optional: true))\
                \(HTML.field("Nội dung yêu cầu giải quyết", procedure.text))\
                \(HTML.field("Cơ quan (bộ phận) giải quyết hồ sơ", agency.name))\
                \(HTML.field("Thời gian nhận hồ sơ", VietnameseDateFormat.dateTime(receivedAt)))\
                \(HTML.field("Thời gian hẹn trả kết quả", VietnameseDateFormat.dateTime(appointmentAt)))\
                <p><b>Quá trình giải quyết hồ sơ:</b></p>
                \(HTML.grid(columns: [("TT", "9mm", true), ("Nội dung giao, nhận, xử lý", "30mm", false),
                                      ("Người thực hiện", "29mm", false), ("Thời gian", "33mm", false),
                                      ("Kết quả", "31mm", false), ("Ghi chú", "", false)],
                            rows: rows, empty: "Chưa có bước xử lý"))
                """
            return page(subtitle: subtitle, body: body)
        }
    }
}
