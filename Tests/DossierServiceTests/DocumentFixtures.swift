import DVCProto
import DossierService
import Foundation
import OneStop

/// One of each one-stop document, with the values the document tests look for; on the 2018 set
/// unless `forms` says otherwise (the stop notice is of the 2025 set only).
enum DocumentFixtures {
    /// 2026-02-03 08:05 in Hà Nội (01:05 UTC).
    static let receivedAt = Date(timeIntervalSince1970: 1_770_080_700)
    /// 2026-02-05 16:30 in Hà Nội.
    static let appointmentAt = receivedAt.addingTimeInterval(2 * 86_400 + 8 * 3600 + 25 * 60)
    /// 2026-02-09 10:00 in Hà Nội.
    static let newAppointmentAt = receivedAt.addingTimeInterval(6 * 86_400 + 1 * 3600 + 55 * 60)

    static let agency = OneStopDocuments.Agency(
        name: "Sở Tư pháp", code: "000.00.07.H26", parentName: "UBND Thành phố Hà Nội", place: "Hà Nội")

    static let applicant = OneStopDocuments.Applicant(
        name: "Nguyễn Thị Minh Hằng", identityNumber: "001190012345", address: "Số 12 phố Hàng Bạc, phường Hoàn Kiếm",
        phone: "0912345678", email: "hang.nguyen@example.vn")

    static let procedure = OneStopDocuments.Procedure(code: "2.000488", name: "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam")

    static func receipt(applicant: OneStopDocuments.Applicant = applicant, procedure: OneStopDocuments.Procedure = procedure,
                        receiptCode: String = "000.00.07.H26-260203-0042",
                        forms: OneStopFormSet = .circular2018) -> OneStopDocuments.Receipt {
        OneStopDocuments.Receipt(
            agency: agency, sequence: 17, issuedAt: receivedAt, receiptCode: receiptCode, applicant: applicant,
            procedure: procedure,
            documents: [
                .init(name: "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", kind: "Bản chính", count: 1),
                .init(name: "Bản chụp Căn cước công dân", kind: "Bản sao", count: 2),
                .init(name: "Giấy tờ chứng minh nơi cư trú", kind: "Bản điện tử", count: 1),
            ],
            processingTime: "10 ngày làm việc", receivedAt: receivedAt, appointmentAt: appointmentAt,
            channel: .online, resultDelivery: "Bộ phận Một cửa, số 221 Trần Phú, Hà Đông", receiverName: "Trần Văn Bình",
            forms: forms)
    }

    static func supplementRequest(applicant: OneStopDocuments.Applicant = applicant,
                                  procedure: OneStopDocuments.Procedure = procedure,
                                  missing: [String] = ["Bản sao Giấy khai sinh", "Ảnh chân dung 4x6 chụp trong 6 tháng"],
                                  reason: String = "Hồ sơ thiếu giấy tờ theo quy định tại Điều 45 Luật Lý lịch tư pháp.",
                                  forms: OneStopFormSet = .circular2018)
        -> OneStopDocuments.SupplementRequest {
        OneStopDocuments.SupplementRequest(
            agency: agency, sequence: 3, issuedAt: receivedAt.addingTimeInterval(3600), receiptCode: "000.00.07.H26-260203-0042",
            applicant: applicant, procedure: procedure, submittedAt: receivedAt, missing: missing, reason: reason,
            officerName: "Trần Văn Bình", contactPhone: "024 3825 1234", forms: forms)
    }

    static func refusal(applicant: OneStopDocuments.Applicant = applicant, procedure: OneStopDocuments.Procedure = procedure,
                        reason: String = "Yêu cầu không thuộc thẩm quyền giải quyết của Sở Tư pháp.",
                        forms: OneStopFormSet = .circular2018) -> OneStopDocuments.Refusal {
        OneStopDocuments.Refusal(
            agency: agency, sequence: 5, issuedAt: receivedAt.addingTimeInterval(1800), applicant: applicant,
            procedure: procedure, submittedAt: receivedAt, reason: reason, officerName: "Trần Văn Bình", forms: forms)
    }

    static func apology(applicant: OneStopDocuments.Applicant = applicant, procedure: OneStopDocuments.Procedure = procedure,
                        reason: String = "Cần xác minh thông tin tại cơ quan công an nơi cư trú trước đây.",
                        forms: OneStopFormSet = .circular2018) -> OneStopDocuments.Apology {
        OneStopDocuments.Apology(
            agency: agency, sequence: 2, issuedAt: appointmentAt.addingTimeInterval(-3600), receiptCode: "000.00.07.H26-260203-0042",
            applicant: applicant, procedure: procedure, receivedAt: receivedAt, appointmentAt: appointmentAt, reason: reason,
            newAppointmentAt: newAppointmentAt, signerName: "Lê Thị Thu", forms: forms)
    }

    static func history() -> [DossierV1.HistoryEntry] {
        func entry(_ sequence: UInt64, _ actor: String, minutes: Double, _ from: DossierV1.DossierState,
                   _ to: DossierV1.DossierState, _ action: DossierV1.Action, _ note: String) -> DossierV1.HistoryEntry {
            var entry = DossierV1.HistoryEntry()
            entry.sequence = sequence
            entry.actor = actor
            entry.atUnixMs = Int64((receivedAt.timeIntervalSince1970 + minutes * 60) * 1000)
            entry.fromState = from
            entry.toState = to
            entry.action = action
            entry.note = note
            return entry
        }
        return [
            entry(1, "citizen:001190012345", minutes: -30, .unspecified, .submitted, .unspecified, "Nộp trực tuyến"),
            entry(2, "officer:tiep-nhan-01", minutes: 0, .submitted, .received, .receive, ""),
            entry(3, "officer:xu-ly-07", minutes: 95, .received, .processing, .startProcessing, "Phân công xử lý"),
            entry(4, "officer:lanh-dao-02", minutes: 2 * 1440 + 300, .processing, .processed, .approve, "Đồng ý cấp phiếu"),
        ]
    }

    static func processingControl(applicant: OneStopDocuments.Applicant = applicant,
                                  procedure: OneStopDocuments.Procedure = procedure,
                                  steps: [OneStopDocuments.ProcessingControl.Step] = history().map { .init($0) },
                                  forms: OneStopFormSet = .circular2018)
        -> OneStopDocuments.ProcessingControl {
        OneStopDocuments.ProcessingControl(
            agency: agency, sequence: 9, issuedAt: appointmentAt, receiptCode: "000.00.07.H26-260203-0042",
            receiptNumber: "01/2026/000.00.07.H26-17", applicant: applicant, procedure: procedure,
            receivedAt: receivedAt, appointmentAt: appointmentAt, steps: steps, forms: forms)
    }

    static func trackingBook(entries: [OneStopDocuments.TrackingBook.Entry]? = nil,
                             forms: OneStopFormSet = .circular2018) -> OneStopDocuments.TrackingBook {
        let day: TimeInterval = 86_400
        let entries = entries ?? [
            .init(receiptCode: "000.00.07.H26-260203-0042", applicantName: "Nguyễn Thị Minh Hằng",
                  procedureName: "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", receivedAt: receivedAt,
                  appointmentAt: appointmentAt, returnedAt: appointmentAt.addingTimeInterval(-day), state: .resultReturned),
            .init(receiptCode: "000.00.07.H26-260203-0043", applicantName: "Phạm Quốc Việt",
                  procedureName: "Chứng thực bản sao từ bản chính", receivedAt: receivedAt.addingTimeInterval(600),
                  appointmentAt: appointmentAt, returnedAt: appointmentAt.addingTimeInterval(-1800), state: .resultReturned),
            .init(receiptCode: "000.00.07.H26-260203-0044", applicantName: "Đỗ Hoàng Long",
                  procedureName: "Đăng ký khai sinh", receivedAt: receivedAt.addingTimeInterval(1200),
                  appointmentAt: appointmentAt, returnedAt: appointmentAt.addingTimeInterval(day), state: .resultReturned),
            .init(receiptCode: "000.00.07.H26-260203-0045", applicantName: "Vũ Thị Lan",
                  procedureName: "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", receivedAt: receivedAt.addingTimeInterval(1800),
                  appointmentAt: newAppointmentAt, state: .processing),
        ]
        return OneStopDocuments.TrackingBook(agency: agency, sequence: 1, issuedAt: newAppointmentAt, period: "Tháng 02 năm 2026",
                                             entries: entries, forms: forms)
    }

    /// The 2025 set's 05: Nguyễn Thị Minh Hằng withdrew her received dossier on 4 February 2026.
    static func stopNotice(reason: String = "Tôi không còn nhu cầu cấp Phiếu lý lịch tư pháp.") -> OneStopDocuments.StopNotice {
        OneStopDocuments.StopNotice(
            agency: agency, sequence: 4, issuedAt: receivedAt.addingTimeInterval(86_400), receiptCode: "000.00.07.H26-260203-0042",
            applicant: applicant, procedure: procedure, receivedAt: receivedAt, requestedAt: receivedAt.addingTimeInterval(86_400),
            reason: reason, officerName: "Trần Văn Bình")
    }

    /// Every document of `forms`, in the order of its appendix.
    static func all(_ forms: OneStopFormSet) -> [any OneStopDocument] {
        let common: [any OneStopDocument] = [receipt(forms: forms), supplementRequest(forms: forms), refusal(forms: forms),
                                             apology(forms: forms)]
        let stop: [any OneStopDocument] = forms == .circular2025 ? [stopNotice()] : []
        return common + stop + [processingControl(forms: forms), trackingBook(forms: forms)]
    }

    /// A value a citizen could type into any field, trying to inject markup.
    static let hostile = "<script>alert('x')</script> & \"quoted\""
    /// The same, as it must appear in the page.
    static let hostileEscaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"
}
