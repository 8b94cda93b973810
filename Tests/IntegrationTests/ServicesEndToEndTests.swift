import DVCProto
import Foundation
import TestKit
import RPCCore
import RPCNIO
import Testing

/// Every executable of the platform started as a process, as docs/architecture.md ("Settings") runs
/// them: each on its own port with its own data folder, answering Health over TCP, and draining to
/// exit status 0 on SIGTERM.
@Suite struct ServicesEndToEndTests {
    /// Health as grpc.health.v1: the server as a whole, Health itself, and an unknown name.
    static func expectHealthy(_ service: ServiceProcess, alsoServing: [String] = []) async throws {
        try await withClient(service) { client in
            for name in ["", HealthV1.Health.serviceName] + alsoServing {
                let status = try await health(client, name)
                #expect(status == .serving, "\(service.name): Check(\"\(name)\") = \(status), want SERVING")
            }
            let unknown = try await health(client, "dvc.nope.v1.NoSuchService")
            #expect(unknown == .serviceUnknown, "\(service.name): unknown name gave \(unknown), want SERVICE_UNKNOWN")
        }
    }

    @Test("the whole platform starts, answers Health, keeps its SQLite files apart and stops on SIGTERM")
    func wholePlatform() async throws {
        var started: [ServiceProcess] = []
        do {
            // The leaves first, then the services that call them, given their peers' addresses.
            let leaves = ["catalog-svc", "notify-svc"]
            try await withThrowingTaskGroup(of: ServiceProcess.self) { group in
                for name in leaves + [Executables.interopServer] {
                    group.addTask { try await ServiceProcess.start(name) }
                }
                for try await service in group { started.append(service) }
            }
            func peer(_ name: String) -> String { started.first { $0.name == name }!.address.description }
            started.append(try await ServiceProcess.start(
                "dossier-svc", extraArguments: ["--catalog", peer("catalog-svc"), "--notify", peer("notify-svc")]))
            started.append(try await ServiceProcess.start(
                "payment-svc",
                extraArguments: ["--catalog", peer("catalog-svc"), "--dossier", peer("dossier-svc"),
                                 "--notify", peer("notify-svc"), "--config", try Executables.providerConfig().path]))
            started.append(try await ServiceProcess.start(
                "gateway",
                extraArguments: ["--catalog", peer("catalog-svc"), "--dossier", peer("dossier-svc"),
                                 "--payment", peer("payment-svc"), "--notify", peer("notify-svc")]))

            #expect(Set(started.map(\.port)).count == started.count, "two processes on one port: \(started.map(\.port))")
            for service in started {
                try await Self.expectHealthy(
                    service, alsoServing: service.name == Executables.interopServer ? [TestingV1.TestService.serviceName] : [])
            }

            // Database per service: each one's file in its own --data-dir, and nobody else's.
            let databases = Executables.services.map(\.database)
            for service in started {
                let folder = try #require(service.dataDirectory)
                let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
                let own = Executables.services.first { $0.name == service.name }?.database
                if let own {
                    #expect(files.contains(own), "\(service.name): no \(own) in \(folder.path): \(files.sorted())")
                }
                let foreign = files.filter { databases.contains($0) && $0 != own }
                #expect(foreign.isEmpty, "\(service.name) has other services' databases: \(foreign.sorted())")
            }
        } catch {
            for service in started {
                service.forceKill()
                Issue.record("\(service.name) stderr:\n\(service.stderr)")
            }
            throw error
        }
        // SIGTERM to all at once; each drains and exits 0.
        for service in started { service.send(SIGTERM) }
        for service in started { await service.expectExit() }
    }

    @Test("a service restarted on the same data folder opens its existing database",
          arguments: Executables.services.map(\.name))
    func restartKeepsDatabase(_ name: String) async throws {
        let folder = try makeTemporaryFolder("restart")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try #require(Executables.services.first { $0.name == name }?.database)
        let path = folder.appendingPathComponent(database).path
        // The gateway, dossier-svc and payment-svc refuse to start without their peers (and
        // payment-svc without its provider's settings); none needs to answer here.
        let arguments = ServiceProcess.standardArguments(dataDirectory: folder) + (try Executables.minimalArguments(name))
        try await withService(name, arguments: arguments, dataDirectory: folder) { _ in }
        let inode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64
        try await withService(name, arguments: arguments, dataDirectory: folder) { service in
            try await Self.expectHealthy(service)
        }
        let after = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64
        #expect(inode != nil && inode == after, "\(database) was replaced on restart (inode \(String(describing: inode)) -> \(String(describing: after)))")
    }
}
