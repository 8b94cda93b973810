import DVCProto
import GRDB
import RPCCore
import Storage

/// A citizen's contact details and chosen channels. The inbox always receives; `channels`
/// chooses email, SMS, both or neither on top of it.
struct ContactPreferenceStore: Sendable {
    let database: ServiceDatabase

    func get(citizenID: String) async throws -> NotifyV1.ContactPreferences {
        try await database.sqliteRead { db in try Self.fetch(citizenID: citizenID, db) } ?? NotifyV1.ContactPreferences()
    }

    /// Checks and stores; INVALID_ARGUMENT names each bad field.
    func set(citizenID: String, _ request: NotifyV1.SetContactPreferencesRequest) async throws -> NotifyV1.ContactPreferences {
        var violations: [FieldViolation] = []
        var email = ""
        var phone = ""
        if !request.email.isEmpty {
            if let valid = ContactAddress.email(request.email) { email = valid } else {
                violations.append(FieldViolation(field: "email", description: "'\(request.email)' is not an email address such as ten@example.vn"))
            }
        }
        if !request.phone.isEmpty {
            if let valid = ContactAddress.phone(request.phone) { phone = valid } else {
                violations.append(FieldViolation(field: "phone", description: "'\(request.phone)' is not a Vietnamese phone number such as 0912345678 or +84912345678"))
            }
        }
        let channels = request.channels
        switch channels {
        case .email, .sms, .both, .inboxOnly: break
        default:
            violations.append(FieldViolation(field: "channels", description: "choose CONTACT_CHANNELS_EMAIL, _SMS, _BOTH or _INBOX_ONLY"))
        }
        if (channels == .email || channels == .both) && request.email.isEmpty {
            violations.append(FieldViolation(field: "email", description: "is required when the channels include email"))
        }
        if (channels == .sms || channels == .both) && request.phone.isEmpty {
            violations.append(FieldViolation(field: "phone", description: "is required when the channels include SMS"))
        }
        if !violations.isEmpty {
            throw RPCError(.invalidArgument, violations.map { "\($0.field): \($0.description)" }.joined(separator: "; "),
                           violations: violations)
        }
        let now = UnixMillis.now()
        let (checkedEmail, checkedPhone) = (email, phone)
        return try await database.sqliteWrite { db in
            try db.execute(
                sql: """
                    INSERT INTO contact_preference (citizen_id, email, phone, channels, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (citizen_id) DO UPDATE SET email = excluded.email, phone = excluded.phone,
                        channels = excluded.channels, updated_at = excluded.updated_at
                    """,
                arguments: [citizenID, checkedEmail, checkedPhone, Int64(channels.rawValue), now])
            return try Self.fetch(citizenID: citizenID, db)!
        }
    }

    static func fetch(citizenID: String, _ db: Database) throws -> NotifyV1.ContactPreferences? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM contact_preference WHERE citizen_id = ?", arguments: [citizenID])
        else { return nil }
        var preferences = NotifyV1.ContactPreferences()
        preferences.email = row["email"]
        preferences.phone = row["phone"]
        preferences.channels = NotifyV1.ContactChannels(rawValue: Int32(row["channels"] as Int64))
        preferences.updatedAtUnixMs = row["updated_at"]
        preferences.stored = true
        return preferences
    }
}
