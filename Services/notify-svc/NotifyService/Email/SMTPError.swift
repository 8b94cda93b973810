/// Why an email was not handed over, and whether trying again can help.
struct SMTPError: Error, Hashable, CustomStringConvertible {
    /// True when the server refused for good (5xx to MAIL, RCPT or DATA: a bad address, a
    /// message it will never take); false for what may pass later (4xx, no connection,
    /// timeouts).
    var permanent: Bool
    var description: String

    static func transient(_ text: String) -> SMTPError { SMTPError(permanent: false, description: text) }
}
