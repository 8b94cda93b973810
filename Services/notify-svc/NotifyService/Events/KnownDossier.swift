import DVCProto

/// What notify-svc remembers of a dossier from its events (table `dossier_contact`): the
/// receipt code and the contacts the citizen wrote in the form, for the payment events that
/// come later without them.
struct KnownDossier: Sendable, Hashable {
    var dossierID: String
    var citizenID: String
    var receiptCode: String
    var name: String
    var email: String
    var phone: String
    var agencyCode: String
    var procedureCode: String

    static let defaultName = "Ông/Bà"
    /// Form-data keys that hold the applicant's contacts, in the order they are tried.
    static let emailKeys = ["email", "thu_dien_tu", "email_nguoi_nop"]
    static let phoneKeys = ["so_dien_thoai", "dien_thoai", "sdt"]
    /// The person who asks comes before `ho_ten`: in a birth registration `ho_ten` is the
    /// child's name, and the letter goes to the parent (`nguoi_yeu_cau_ho_ten`).
    static let nameKeys = ["nguoi_yeu_cau_ho_ten", "chu_dau_tu_ho_ten", "nguoi_dai_dien", "ho_ten_nguoi_nop",
                           "ho_va_ten", "ho_ten"]

    init(dossierID: String, citizenID: String, receiptCode: String, name: String, email: String, phone: String,
         agencyCode: String, procedureCode: String) {
        self.dossierID = dossierID
        self.citizenID = citizenID
        self.receiptCode = receiptCode
        self.name = name
        self.email = email
        self.phone = phone
        self.agencyCode = agencyCode
        self.procedureCode = procedureCode
    }

    init(_ dossier: DossierV1.Dossier) {
        func first(_ keys: [String]) -> String {
            keys.lazy.compactMap { dossier.formData[$0] }.first { !$0.isEmpty } ?? ""
        }
        self.init(dossierID: dossier.id, citizenID: dossier.applicantId, receiptCode: dossier.receiptCode,
                  name: first(Self.nameKeys), email: ContactAddress.email(first(Self.emailKeys)) ?? "",
                  phone: ContactAddress.phone(first(Self.phoneKeys)) ?? "",
                  agencyCode: dossier.agencyCode, procedureCode: dossier.procedureCode)
    }

    /// What `{{ma_ho_so}}` shows: the receipt code once issued, the dossier id before.
    var displayCode: String { receiptCode.isEmpty ? dossierID : receiptCode }
    var displayName: String { name.isEmpty ? Self.defaultName : name }
}
