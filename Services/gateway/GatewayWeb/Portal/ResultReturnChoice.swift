import DVCProto
import Foundation

/// Where the citizen chooses, on the online form, to collect the result (Decree 118/2025/NĐ-CP:
/// the result is returned where the applicant chose): at the agency, at a Public Administration
/// Service Centre that receives for it, by post, or online where the procedure is fully online.
/// The posted fields are `nhan_ket_qua` ("co_quan", "trung_tam:<code>", "buu_chinh",
/// "truc_tuyen") and `dia_chi_nhan` (the postal address).
struct ResultReturnChoice: Sendable, Equatable {
    /// The centres that receive for the agency, by code and name, in the order shown.
    var centres: [(code: String, name: String)] = []
    var fullyOnline = false
    /// What was posted, kept when the form comes back with errors.
    var chosen = "co_quan"
    var postalAddress = ""

    static func == (lhs: ResultReturnChoice, rhs: ResultReturnChoice) -> Bool {
        lhs.centres.map(\.code) == rhs.centres.map(\.code) && lhs.fullyOnline == rhs.fullyOnline
            && lhs.chosen == rhs.chosen && lhs.postalAddress == rhs.postalAddress
    }

    /// Keeps the posted choice (the form shows it again after a refusal) and returns it as
    /// SubmitDossier carries it.
    mutating func take(_ fields: [String: String]) -> DossierV1.ResultReturn? {
        let back = Self.parse(fields)
        chosen = back.chosen
        postalAddress = back.address
        return back.request
    }

    /// The choice as SubmitDossier carries it; nil for the default (at the agency).
    static func parse(_ fields: [String: String]) -> (chosen: String, address: String, request: DossierV1.ResultReturn?) {
        let chosen = fields["nhan_ket_qua"] ?? "co_quan"
        let address = fields["dia_chi_nhan"] ?? ""
        var back = DossierV1.ResultReturn()
        switch chosen {
        case "buu_chinh":
            back.method = .postal
            back.postalAddress = address
        case "truc_tuyen":
            back.method = .online
        case let centre where centre.hasPrefix("trung_tam:"):
            back.method = .atCentre
            back.agencyCode = String(centre.dropFirst("trung_tam:".count))
        default:
            return ("co_quan", address, nil)
        }
        return (chosen, address, back)
    }

    func html(error: String?) -> String {
        let e = PortalPage.escape
        func option(_ value: String, _ label: String) -> String {
            let id = "nhan_ket_qua_\(value.replacingOccurrences(of: ":", with: "_").replacingOccurrences(of: ".", with: "_"))"
            return "<div><input type=\"radio\" id=\"\(e(id))\" name=\"nhan_ket_qua\" value=\"\(e(value))\"\(value == chosen ? " checked" : "")> <label for=\"\(e(id))\">\(e(label))</label></div>"
        }
        var options = [option("co_quan", "Tại cơ quan giải quyết hồ sơ")]
        options += centres.map { option("trung_tam:\($0.code)", "Tại \($0.name)") }
        options.append(option("buu_chinh", "Qua dịch vụ bưu chính công ích, tới địa chỉ:"))
        options.append("""
            <div class="field"><label for="dia_chi_nhan">Địa chỉ nhận kết quả qua bưu chính</label><br>
            <input id="dia_chi_nhan" name="dia_chi_nhan" type="text" maxlength="500" value="\(e(postalAddress))" autocomplete="street-address"></div>
            """)
        if fullyOnline { options.append(option("truc_tuyen", "Trực tuyến (nhận kết quả điện tử trên trang hồ sơ)")) }
        let message = error.map { "<p class=\"error\" id=\"nhan_ket_qua-error\" role=\"alert\">\(e($0))</p>" } ?? ""
        return "<fieldset><legend>Nơi nhận kết quả</legend>\n\(options.joined(separator: "\n"))\n\(message)</fieldset>"
    }
}
