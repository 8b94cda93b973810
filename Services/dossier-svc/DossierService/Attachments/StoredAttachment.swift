import DVCProto

/// An attachment whose bytes are durably on disk under its SHA-256 (see `AttachmentStore`).
public struct StoredAttachment: Sendable, Hashable {
    /// Names this attachment of this dossier (random, lowercase UUID); the file itself is
    /// named by `sha256Hex` and shared by every attachment with the same bytes.
    public var id: String
    /// The name the citizen gave it (shown, never used as a path).
    public var name: String
    /// Recognised from the bytes: application/pdf, image/jpeg or image/png.
    public var mediaType: String
    public var size: Int64
    /// Lowercase hexadecimal SHA-256 of the bytes: the key for `AttachmentStore.read(sha256:)`.
    public var sha256Hex: String

    public init(id: String, name: String, mediaType: String, size: Int64, sha256Hex: String) {
        self.id = id
        self.name = name
        self.mediaType = mediaType
        self.size = size
        self.sha256Hex = sha256Hex
    }

    public init(_ proto: DossierV1.Attachment) {
        self.init(id: proto.id, name: proto.name, mediaType: proto.mediaType, size: proto.sizeBytes,
                  sha256Hex: proto.sha256Hex)
    }

    /// As the dossier API carries it.
    public var proto: DossierV1.Attachment {
        var attachment = DossierV1.Attachment()
        attachment.id = id
        attachment.name = name
        attachment.mediaType = mediaType
        attachment.sizeBytes = size
        attachment.sha256Hex = sha256Hex
        return attachment
    }
}
