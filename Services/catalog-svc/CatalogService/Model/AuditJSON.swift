import DVCProto

/// The JSON an audit entry keeps of a record before and after a change.
enum AuditJSON {
    static func of<M: ProtoMessage>(_ message: M?) -> String {
        guard let message else { return "" }
        return message.auditJSON
    }
}

extension ProtoMessage {
    var auditJSON: String { "\(self)" }
}
