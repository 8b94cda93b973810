import ArgumentParser
import DVCProto
import Logging
import RPCCore
import ServiceKit
import Storage
import Testing

/// How services meet their database: the `database` setting chooses the backend, and a
/// database out of reach reaches RPC callers as UNAVAILABLE with what to do.
@Suite struct StorageFailureAnswersTests {
    static func call(throwing error: any Error) async -> RPCError? {
        let context = ServerContext(method: "/dvc.dossier.v1.DossierService/SubmitDossier", metadata: [:], deadline: nil,
                                    requestID: "r1", trace: .random(), remoteAddress: "test", logger: Logger(label: "test"))
        do {
            _ = try await StorageFailureInterceptor(serviceName: "dossier-svc").intercept(request: EventsV1.Event(), context: context) { _, _ in
                throw error
            }
            return nil
        } catch {
            return error as? RPCError
        }
    }

    @Test func aDatabaseOutOfReachIsUnavailableAndSavedNothing() async {
        let answer = await Self.call(throwing: StorageError.databaseUnavailable("no host accepted the connection"))
        #expect(answer?.code == .unavailable)
        #expect(answer?.message.contains("nothing was saved") == true)
    }

    @Test func aCommitCutShortIsUnavailableAndAsksForTheSameIdempotencyKey() async {
        let answer = await Self.call(throwing: StorageError.commitOutcomeUnknown("server closed the connection"))
        #expect(answer?.code == .unavailable)
        #expect(answer?.message.contains("same idempotency key") == true)
    }

    @Test func otherStorageErrorsPassThrough() async {
        let answer = await Self.call(throwing: StorageError.invalidEvent("event has no type"))
        #expect(answer == nil)
    }

    static func settings(_ environment: [String: String]) throws -> ServiceSettings {
        try ServiceSettings(serviceName: "payment-svc", options: try ServiceOptions.parse([]), environment: environment)
    }

    @Test func theDatabaseSettingChoosesTheBackend() throws {
        #expect(try Self.settings([:]).database == nil)
        #expect(try Self.settings(["DVC_DATABASE": "sqlite"]).database == nil)
        #expect(try Self.settings(["DVC_DATABASE": "postgres://db1,db2/dvc_payment"]).database == "postgres://db1,db2/dvc_payment")
    }

    @Test func aDatabaseSettingThatIsNeitherIsRefusedNamingIt() throws {
        let settings = try Self.settings(["DVC_DATABASE": "mysql://db1/x", "DVC_DATA_DIR": "/nonexistent"])
        #expect(throws: ServiceSettings.InvalidSetting.self) {
            try settings.openDatabase(name: "payment", migrations: Migrations(), postgres: true, logger: Logger(label: "test"))
        }
        do {
            _ = try settings.openDatabase(name: "payment", migrations: Migrations(), postgres: true, logger: Logger(label: "test"))
        } catch {
            #expect("\(error)".contains("DVC_DATABASE") && "\(error)".contains("mysql://db1/x"))
        }
    }

    @Test func aServiceKeptInSQLiteRefusesAPostgreSQLSetting() throws {
        let settings = try Self.settings(["DVC_DATABASE": "postgres://db1/dvc_catalog"])
        #expect(throws: ServiceSettings.InvalidSetting.self) {
            try settings.openDatabase(name: "catalog", migrations: Migrations(), postgres: false, logger: Logger(label: "test"))
        }
    }
}
