import Foundation
import DVCProto
import RPCCore
import Storage
import Testing

@testable import NotifyService

/// Templates as data: seeded defaults, versioned saves, refusals that name the field.
@Suite struct TemplateStoreTests {
    func store() throws -> TemplateStore {
        let store = TemplateStore(database: try ServiceDatabase.inMemory(migrations: NotifyServiceApp.migrations))
        try store.seedDefaults()
        return store
    }

    @Test func everyDefaultTemplateIsValid() throws {
        for entry in DefaultTemplates.all {
            var request = NotifyV1.PutTemplateRequest()
            request.key = entry.key
            request.subject = entry.subject
            request.body = entry.body
            request.sms = entry.sms
            #expect(throws: Never.self, "\(entry.key)") { try TemplateStore.validate(request) }
        }
    }

    @Test func aSaveIsANewVersionAndTheLatestIsUsed() async throws {
        let store = try store()
        let seeded = try await store.get(key: "dossier.received", version: 0)
        #expect(seeded.version == 1 && seeded.updatedBy == "seed")
        var request = NotifyV1.PutTemplateRequest()
        request.key = "dossier.received"
        request.subject = "Đã tiếp nhận hồ sơ {{ma_ho_so}}"
        request.body = "Hẹn trả: {{ngay_hen_tra}}"
        request.sms = "Hen tra {{ngay_hen_tra}}"
        let saved = try await store.put(request, by: "officer:cb01@000.00.20.H26:notify-admin")
        #expect(saved.version == 2 && saved.updatedBy == "officer:cb01@000.00.20.H26:notify-admin")
        #expect(try await store.get(key: "dossier.received", version: 0).subject == request.subject)
        #expect(try await store.get(key: "dossier.received", version: 1).subject == seeded.subject)
        let listed = try await store.list()
        #expect(listed.count == DefaultTemplates.all.count)
        #expect(listed.first { $0.key == "dossier.received" }?.version == 2)
        // Seeding again does not bring the default back over the officer's version.
        try store.seedDefaults()
        #expect(try await store.get(key: "dossier.received", version: 0).version == 2)
    }

    @Test func savedTextIsNFC() async throws {
        let store = try store()
        var request = NotifyV1.PutTemplateRequest()
        request.key = "dossier.refused"
        request.subject = "Ho\u{0302}\u{0300} so\u{031B} {{ma_ho_so}}"  // "Hồ sơ" with combining marks
        request.body = "Lý do: {{ly_do}}"
        request.sms = "Ly do: {{ly_do}}"
        let saved = try await store.put(request, by: "admin")
        #expect(Array(saved.subject.utf8) == Array("Hồ sơ {{ma_ho_so}}".precomposedStringWithCanonicalMapping.utf8))
    }

    @Test func refusalsNameEachBadField() async throws {
        let store = try store()
        var request = NotifyV1.PutTemplateRequest()
        request.key = "dossier.received"
        request.subject = "Hồ sơ {{ma_hs}}"
        request.body = "Hẹn trả {{ngay_hen_tra}"
        request.sms = "ok"
        do {
            _ = try await store.put(request, by: "admin")
            Issue.record("saved an invalid template")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument)
            #expect(error.violations.map(\.field) == ["subject", "body"])
            #expect(error.violations[0].description.contains("unknown placeholder {{ma_hs}}"))
            #expect(error.violations[1].description.contains("unbalanced braces"))
        }
        request.key = "dossier.nope"
        request.subject = "x"
        request.body = "y"
        do {
            _ = try await store.put(request, by: "admin")
            Issue.record("saved a template for an unknown key")
        } catch let error as RPCError {
            #expect(error.violations.map(\.field) == ["key"])
        }
        #expect(try await store.get(key: "dossier.received", version: 0).version == 1)
    }
}
