import DVCProto
import OneStop
import Foundation

extension OneStopDocuments {
    /// Mẫu số 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả, issued when a dossier is received.
    public struct Receipt: OneStopDocument, Hashable {
        public static let form = OneStopForm.receipt
        /// The set the document follows (its number, title and circular).
        public var forms: OneStopFormSet

        /// One paper of the dossier, as the receipt lists it.
        public struct ReceivedDocument: Sendable, Hashable {
            public var name: String
            /// "Bản chính", "Bản sao", "Bản điện tử", …
            public var kind: String
            public var count: Int

            public init(name: String, kind: String = "Bản điện tử", count: Int = 1) {
                self.name = name
                self.kind = kind
                self.count = count
            }

            /// An uploaded attachment: its name, an electronic copy, one.
            public init(_ attachment: DossierV1.Attachment) {
                self.init(name: attachment.name)
            }
        }

        public var agency: Agency
        public var sequence: Int
        public var issuedAt: Date
        /// The receipt code, `{agency code}-{yyMMdd}-{nnnn}`.
        public var receiptCode: String
        public var applicant: Applicant
        public var procedure: Procedure
        public var documents: [ReceivedDocument]
        /// How many sets of the dossier were handed in.
        public var sets: Int
        /// The processing time the procedure prescribes, in words ("" to leave it out), e.g. "03 ngày làm việc".
        public var processingTime: String
        public var receivedAt: Date
        public var appointmentAt: Date
        public var channel: DossierV1.Channel
        /// Where the result is to be collected or sent ("" to leave it out).
        public var resultDelivery: String
        /// The officer who received it ("" to leave the signature unnamed).
        public var receiverName: String

        public init(
            agency: Agency, sequence: Int, issuedAt: Date, receiptCode: String, applicant: Applicant,
            procedure: Procedure, documents: [ReceivedDocument], sets: Int = 1, processingTime: String = "",
            receivedAt: Date, appointmentAt: Date, channel: DossierV1.Channel, resultDelivery: String = "",
            receiverName: String = "", forms: OneStopFormSet = .circular2025
        ) {
            self.forms = forms
            self.agency = agency
            self.sequence = sequence
            self.issuedAt = issuedAt
            self.receiptCode = receiptCode
            self.applicant = applicant
            self.procedure = procedure
            self.documents = documents
            self.sets = sets
            self.processingTime = processingTime
            self.receivedAt = receivedAt
            self.appointmentAt = appointmentAt
            self.channel = channel
            self.resultDelivery = resultDelivery
            self.receiverName = receiverName
        }

        public func html() -> String {
            let rows: [[HTML]] = documents.enumerated().map { index, document in
                ["\(index + 1)", "\(document.name)", "\(document.kind)", "\(document.count)"]
            }
            let total = documents.reduce(0) { $0 + $1.count }
            // Points 3 (the prescribed time) and 6 (where the result goes) are optional; the
            // numbering stays continuous without them.
            var point = 2
            var prescribed: HTML = ""
            if !processingTime.isEmpty {
                point += 1
                prescribed = "<p><b>\(point). Thời gian giải quyết hồ sơ theo quy định là:</b> <span class=\"value\">\(processingTime)</span></p>\n"
            }
            var delivery: HTML = ""
            if !resultDelivery.isEmpty {
                delivery = "<p><b>\(point + 3). Đăng ký nhận kết quả tại:</b> <span class=\"value\">\(resultDelivery)</span></p>\n"
            }
            let body: HTML = """
                <p>\(agency.unit) – \(agency.name) đã tiếp nhận hồ sơ của:</p>
                \(HTML.applicant(applicant))\
                \(HTML.field("Nội dung yêu cầu giải quyết", procedure.text))\
                \(HTML.field("Hình thức nộp hồ sơ", OneStopNames.channel(channel)))\
                <p><b>1. Thành phần hồ sơ nộp gồm:</b></p>
                \(HTML.grid(columns: [("TT", "10mm", true), ("Tên giấy tờ", "", false),
                                      ("Hình thức (bản chính, bản sao, bản điện tử)", "46mm", true), ("Số lượng", "19mm", true)],
                            rows: rows, empty: "Không có giấy tờ kèm theo"))\
                <p><b>2. Số lượng hồ sơ:</b> \(sets) (bộ), gồm \(total) giấy tờ.</p>
                \(prescribed)\
                <p><b>\(point + 1). Thời gian nhận hồ sơ:</b> \(VietnameseDateFormat.dateTime(receivedAt))</p>
                <p><b>\(point + 2). Thời gian trả kết quả giải quyết hồ sơ:</b> <b>\(VietnameseDateFormat.dateTime(appointmentAt))</b></p>
                \(delivery)\
                <p class="note">Tra cứu tình trạng hồ sơ bằng mã hồ sơ \(receiptCode) và mã tra cứu được cấp khi nộp.</p>
                \(HTML.signatures([
                    ("Người nộp hồ sơ", channel == .online ? "(Nộp trực tuyến)" : "(Ký và ghi rõ họ tên)",
                     channel == .online ? "" : applicant.name),
                    ("Người tiếp nhận hồ sơ", "(Ký và ghi rõ họ tên)", receiverName),
                ]))
                """
            return page(subtitle: HTML.receiptCodeSubtitle(receiptCode), body: body)
        }
    }
}
