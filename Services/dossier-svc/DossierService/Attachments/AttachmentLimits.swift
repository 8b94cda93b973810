/// How large attachments may be (docs/domain.md, "Attachments"): each at most 10 MiB, a dossier's
/// attachments together at most 50 MiB; an empty attachment is always refused.
public struct AttachmentLimits: Sendable, Hashable {
    /// The largest single attachment, in bytes.
    public var maxAttachmentBytes: Int64
    /// The largest total of one dossier's attachments, in bytes.
    public var maxDossierBytes: Int64

    public init(maxAttachmentBytes: Int64, maxDossierBytes: Int64) {
        self.maxAttachmentBytes = maxAttachmentBytes
        self.maxDossierBytes = maxDossierBytes
    }

    /// 10 MiB per attachment, 50 MiB per dossier.
    public static let standard = AttachmentLimits(maxAttachmentBytes: 10 << 20, maxDossierBytes: 50 << 20)
}

extension Int64 {
    /// "10 MiB" for whole mebibytes, else "<n> bytes".
    var byteSizeText: String {
        self % (1 << 20) == 0 ? "\(self >> 20) MiB" : "\(self) bytes"
    }
}
