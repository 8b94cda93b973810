import DVCProto
import Logging
import RPCCore
import Storage
import Testing

@testable import NotifyService

/// The inbox: newest first, paged, only the caller's own messages.
@Suite struct InboxStoreTests {
    @Test func pagesThroughOnlyTheCitizensMessages() async throws {
        let database = try ServiceDatabase.inMemory(migrations: NotifyServiceApp.migrations)
        try TemplateStore(database: database).seedDefaults()
        let intake = EventIntake(database: database, logger: Logger(label: "test"), queued: {})
        for n in 0..<5 {
            _ = try await intake.accept(EventIntakeTests.dossierEvent("dossier.received", dossierID: "d-\(n)"))
        }
        let inbox = InboxStore(database: database)
        var request = NotifyV1.ListInboxRequest()
        request.pageSize = 2
        var seen: [String] = []
        repeat {
            let page = try await inbox.list(citizenID: EventIntakeTests.citizen, request)
            #expect(page.messages.count <= 2 && page.unreadCount == 5)
            seen += page.messages.map(\.id)
            request.pageToken = page.nextPageToken
        } while !request.pageToken.isEmpty
        #expect(seen.count == 5 && Set(seen).count == 5)

        let stranger = try await inbox.list(citizenID: "001099000999", NotifyV1.ListInboxRequest())
        #expect(stranger.messages.isEmpty)
        await #expect(throws: RPCError.self) { try await inbox.markRead(citizenID: "001099000999", messageID: seen[0]) }
        try await inbox.markRead(citizenID: EventIntakeTests.citizen, messageID: seen[0])
        var unread = NotifyV1.ListInboxRequest()
        unread.unreadOnly = true
        #expect(try await inbox.list(citizenID: EventIntakeTests.citizen, unread).messages.count == 4)

        request.pageToken = "not-a-token"
        await #expect(throws: RPCError.self) { try await inbox.list(citizenID: EventIntakeTests.citizen, request) }
    }
}
