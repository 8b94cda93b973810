import DVCProto
import RPCCore

/// The gateway's InboxService: a citizen's notifications and contact preferences (through a key
/// with the `citizens` scope, only messages about the key's agency's dossiers).
public struct InboxCalls: Sendable {
    let client: DVCClient

    public func list(_ request: NotifyV1.ListInboxRequest = .init(), options: DVCCallOptions = .init()) async throws -> NotifyV1.ListInboxResponse {
        try await client.call(GatewayV1.InboxService.listInbox, request, kind: .read, options: options)
    }

    public func markRead(_ request: NotifyV1.MarkReadRequest, options: DVCCallOptions = .init()) async throws -> NotifyV1.MarkReadResponse {
        try await client.call(GatewayV1.InboxService.markRead, request, kind: .write, options: options)
    }

    public func contactPreferences(_ request: NotifyV1.GetContactPreferencesRequest = .init(), options: DVCCallOptions = .init()) async throws -> NotifyV1.ContactPreferences {
        try await client.call(GatewayV1.InboxService.getContactPreferences, request, kind: .read, options: options)
    }

    public func setContactPreferences(_ request: NotifyV1.SetContactPreferencesRequest, options: DVCCallOptions = .init()) async throws -> NotifyV1.ContactPreferences {
        try await client.call(GatewayV1.InboxService.setContactPreferences, request, kind: .write, options: options)
    }
}
