import DVCProto
import OneStop
import Foundation

extension OneStopDocuments {
    /// Mẫu số 06 (2018) or 07 (2025): Sổ theo dõi hồ sơ, one agency's dossiers in a table (A4 landscape).
    public struct TrackingBook: OneStopDocument, Hashable {
        public static let form = OneStopForm.trackingBook
        /// The set the document follows (its number, title and circular).
        public var forms: OneStopFormSet

        /// One dossier's line.
        public struct Entry: Sendable, Hashable {
            public var receiptCode: String
            public var applicantName: String
            public var procedureName: String
            public var receivedAt: Date?
            public var appointmentAt: Date?
            /// When the result was returned (nil: not yet).
            public var returnedAt: Date?
            public var state: DossierV1.DossierState

            public init(
                receiptCode: String, applicantName: String, procedureName: String, receivedAt: Date?,
                appointmentAt: Date?, returnedAt: Date? = nil, state: DossierV1.DossierState
            ) {
                self.receiptCode = receiptCode
                self.applicantName = applicantName
                self.procedureName = procedureName
                self.receivedAt = receivedAt
                self.appointmentAt = appointmentAt
                self.returnedAt = returnedAt
                self.state = state
            }

            /// A dossier's line: its receipt code (else its id), times and state; the names are
            /// not in the dossier and are given.
            public init(_ dossier: DossierV1.Dossier, applicantName: String, procedureName: String, returnedAt: Date? = nil) {
                func instant(_ ms: Int64) -> Date? { ms == 0 ? nil : VietnameseDateFormat.instant(unixMilliseconds: ms) }
                self.init(receiptCode: dossier.receiptCode.isEmpty ? dossier.id : dossier.receiptCode,
                          applicantName: applicantName, procedureName: procedureName,
                          receivedAt: instant(dossier.receivedAtUnixMs), appointmentAt: instant(dossier.appointmentAtUnixMs),
                          returnedAt: returnedAt, state: dossier.state)
            }
        }

        public var agency: Agency
        public var sequence: Int
        public var issuedAt: Date
        /// What the book covers, e.g. "Năm 2026" or "Từ ngày 01/01/2026 đến ngày 31/01/2026" ("" for none).
        public var period: String
        public var entries: [Entry]

        public init(agency: Agency, sequence: Int, issuedAt: Date, period: String = "", entries: [Entry],
                    forms: OneStopFormSet = .circular2025) {
            self.forms = forms
            self.agency = agency
            self.sequence = sequence
            self.issuedAt = issuedAt
            self.period = period
            self.entries = entries
        }

        public func html() -> String {
            func time(_ date: Date?) -> HTML { date.map { "\(VietnameseDateFormat.dateTime($0))" } ?? "" }
            let rows: [[HTML]] = entries.enumerated().map { index, entry in
                var returned: HTML = time(entry.returnedAt)
                if let returnedAt = entry.returnedAt, let appointmentAt = entry.appointmentAt {
                    returned = "\(returned)<br><i>(\(OneStopDocuments.timeliness(returnedAt: returnedAt, appointmentAt: appointmentAt)))</i>"
                }
                return ["\(index + 1)", "\(entry.receiptCode)", "\(entry.applicantName)", "\(entry.procedureName)",
                        time(entry.receivedAt), time(entry.appointmentAt), returned,
                        "\(OneStopNames.state(entry.state))"]
            }
            var subtitle: HTML = "<p class=\"subtitle\">\(agency.unit) – \(agency.name)"
            subtitle = "\(subtitle)<br>\(period.isEmpty ? "" : period + " – ")Quyển số: \(number.description)</p>"
            let body: HTML = """
                \(HTML.grid(columns: [("TT", "9mm", true), ("Mã hồ sơ", "34mm", false), ("Người nộp hồ sơ", "32mm", false),
                                      ("Thủ tục hành chính", "", false), ("Nhận hồ sơ", "40mm", false),
                                      ("Hẹn trả kết quả", "40mm", false), ("Trả kết quả (trước hạn, đúng hạn, quá hạn)", "40mm", false),
                                      ("Tình trạng", "25mm", false)],
                            rows: rows, empty: "Không có hồ sơ"))\
                <p class="note">Tổng số: \(entries.count) hồ sơ.</p>
                """
            return page(subtitle: subtitle, landscape: true, body: body)
        }
    }
}
