import DVCProto

/// The JSON an audit entry keeps of a record before and after a change: the proto3 JSON
/// mapping, compact, defaults omitted; "" when there was no record.
enum AuditJSON {
    static func of<M: ProtoJSONMessage>(_ message: M?) -> String {
        message?.jsonString() ?? ""
    }
}
