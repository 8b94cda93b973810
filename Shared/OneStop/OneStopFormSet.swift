import DVCProto
import Foundation

/// The set of one-stop forms documents follow, and the circular that sets it out:
///
/// - `circular2025`: Circular 03/2025/TT-VPCP (15/9/2025), Phụ lục I, implementing Decree
///   118/2025/NĐ-CP (in force 1/7/2025): 01 receipt, 02 supplement request, 03 refusal,
///   04 apology and request to extend the time, 05 notice that processing stopped, 06 control
///   slip, 07 tracking book.
/// - `circular2018`: Circular 01/2018/TT-VPCP (Decree 61/2018/NĐ-CP): 01 to 04 as above (04 the
///   apology with a new date), 05 control slip, 06 tracking book; no stop notice.
///
/// A document's number on the wire (`DossierDocument.form`) is its number in its own set, so
/// "05" or "06" means nothing without the circular (`DossierDocument.circular`): ask
/// `form(number:)`, or `DossierDocument.oneStopForm`, never compare numbers.
public enum OneStopFormSet: String, Sendable, Hashable, CaseIterable {
    case circular2025 = "2025"
    case circular2018 = "2018"

    /// The set a document names by its circular; "" (documents kept before both sets were
    /// known) is the 2018 set; nil for a circular that is neither.
    public init?(circular: String) {
        switch circular {
        case "", Self.circular2018.circular: self = .circular2018
        case Self.circular2025.circular: self = .circular2025
        default: return nil
        }
    }

    /// The circular's number: "03/2025/TT-VPCP" or "01/2018/TT-VPCP".
    public var circular: String {
        switch self {
        case .circular2025: "03/2025/TT-VPCP"
        case .circular2018: "01/2018/TT-VPCP"
        }
    }

    /// As a document cites it: "Thông tư số 03/2025/TT-VPCP".
    public var citation: String { "Thông tư số \(circular)" }

    /// The forms of the set, in the order of its appendix.
    public var forms: [OneStopForm] {
        switch self {
        case .circular2025: [.receipt, .supplementRequest, .refusal, .apology, .stopNotice, .processingControl, .trackingBook]
        case .circular2018: [.receipt, .supplementRequest, .refusal, .apology, .processingControl, .trackingBook]
        }
    }

    /// The form's number in this set ("01" …), nil for a form the set lacks (the stop notice
    /// in 2018).
    public func number(of form: OneStopForm) -> String? {
        forms.firstIndex(of: form).map { String(format: "%02d", $0 + 1) }
    }

    /// The form this set numbers `number`; nil for a number it does not have.
    public func form(number: String) -> OneStopForm? {
        guard number.count == 2, number.allSatisfy(\.isASCII), let index = Int(number), forms.indices.contains(index - 1)
        else { return nil }
        return forms[index - 1]
    }

    /// The form's name as the set's appendix gives it, e.g. "Giấy tiếp nhận hồ sơ và hẹn trả kết quả".
    public func name(of form: OneStopForm) -> String {
        switch form {
        case .receipt: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
        case .supplementRequest: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
        case .refusal: "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
        case .apology:
            self == .circular2025 ? "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"
                                  : "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
        case .stopNotice: "Thông báo dừng giải quyết hồ sơ"
        case .processingControl: "Phiếu kiểm soát quá trình giải quyết hồ sơ"
        case .trackingBook: "Sổ theo dõi hồ sơ"
        }
    }

    /// Whether citizens see this form: every one but the control slip, the agency's internal
    /// record of handovers (the book never belongs to a dossier).
    public static func isForCitizens(_ form: OneStopForm) -> Bool { form != .processingControl }
}

extension DossierV1.DossierDocument {
    /// The set the document follows (its `circular`); nil for a circular this release does not know.
    public var formSet: OneStopFormSet? { OneStopFormSet(circular: circular) }

    /// What the document is, read from its number in its own set.
    public var oneStopForm: OneStopForm? { formSet?.form(number: form) }

    /// Whether the citizen's views list it: not the control slip, whichever number its set
    /// gives it (05 in 2018, 06 in 2025), nor a document whose set is unknown.
    public var isForCitizens: Bool { oneStopForm.map(OneStopFormSet.isForCitizens) ?? false }

    /// Its name in its own set ("Mẫu số 05" for one this release cannot read).
    public var oneStopName: String { OneStopNames.document(form, circular: circular) }
}
