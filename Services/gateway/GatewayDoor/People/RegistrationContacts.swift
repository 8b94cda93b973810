import DVCProto
import Logging
import RPCCore

/// The email and phone a citizen gives at registration, handed to notify-svc as their contact
/// preferences, so the notifications about their dossiers reach them without a second form.
///
/// Best effort: registration has succeeded by then and does not fail if notify-svc is away; the
/// operator gets a log line, and the citizen can still read everything in the portal's inbox
/// (and notify-svc falls back to the contacts in a dossier's form data).
public struct RegistrationContacts: Sendable {
    /// notify-svc, when the gateway was given one (`--notify`).
    let notify: (any RPCClientProtocol)?
    let logger: Logger

    public func remember(citizen id: String, email: String, phone: String) async {
        guard let notify, !(email.isEmpty && phone.isEmpty) else { return }
        var preferences = NotifyV1.SetContactPreferencesRequest()
        preferences.email = email
        preferences.phone = phone
        preferences.channels = email.isEmpty ? .sms : phone.isEmpty ? .email : .both
        var options = CallOptions(timeout: .seconds(5), idempotent: true)
        options.metadata[CallerIdentity.metadataKey] = CallerIdentity.citizen(id: id).description
        do {
            _ = try await notify.unary(NotifyV1.NotifyService.setContactPreferences, preferences, options: options)
        } catch {
            logger.warning("contact details of a new citizen not passed to notify-svc; notifications use the inbox and dossier form data",
                           metadata: ["error": "\(error)"])
        }
    }
}
