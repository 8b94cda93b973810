import Crypto
import DVCProto
import Foundation
import GRDB
import RPCCore
import RPCNIO
import TestKit
import Testing

extension FaultTests {
    static let diskAgency = "000.01.20.H26"

    /// A submission to `diskAgency` carrying `attachment`.
    static func diskSubmission(_ attachment: Data) -> DossierV1.SubmitDossierRequest {
        var request = ShardingTests.submission(diskAgency)
        request.attachments[0].content = attachment
        return request
    }

    @Test("dossier-svc's disk full: callers get RESOURCE_EXHAUSTED saying so, nothing acknowledged is lost or corrupted, writes resume once space is freed, without a restart",
          .enabled(if: TmpfsMount.available, "a tmpfs cannot be mounted here (it needs root or CAP_SYS_ADMIN)"))
    func diskFull() async throws {
        let disk = try TmpfsMount.mount(kilobytes: 3072)
        defer { disk.unmount() }
        try await FaultPlatform.with(["catalog-svc", "dossier-svc", "gateway"], dataFolders: ["dossier-svc": disk.folder]) { platform, gateway in
            try await fillAndRecover(platform, gateway, disk)
        }
    }

    private func fillAndRecover(_ platform: FaultPlatform, _ gateway: RPCClient, _ disk: TmpfsMount) async throws {
        let key = try await makeAPIKey(gatewayData: platform.nodes["gateway"]!.data, agency: Self.diskAgency, scopes: "citizens,officers")
        let citizen = "citizen:001099012399"
        func submit(_ attachment: Data, key idempotency: String) async throws -> DossierV1.Dossier {
            let response = try await gateway.unary(GatewayV1.DossierService.submitDossier, Self.diskSubmission(attachment),
                                                   options: LevelFourLoad.options(key, as: citizen, idempotencyKey: idempotency))
            return try #require(response.dossier)
        }
        var acknowledged: [(dossier: DossierV1.Dossier, attachment: Data)] = []
        for n in 0..<3 {
            let attachment = DossierCrashTests.pdf(9_000 + n, size: 20_000)
            acknowledged.append((try await submit(attachment, key: "day-\(n)"), attachment))
        }

        let filled = try disk.fill("filler")

        // A new attachment: its file cannot be written.
        let fresh = DossierCrashTests.pdf(9_100, size: 20_000)
        let fileRefusal = await rpcError { try await submit(fresh, key: "full-file") }
        #expect(fileRefusal?.code == .resourceExhausted, "a new attachment on a full disk: \(String(describing: fileRefusal))")
        #expect(fileRefusal?.message.contains("disk of the data folder is full") == true, "\(String(describing: fileRefusal))")

        // Attachments already stored need no new file: the database fills up instead.
        var databaseRefusal: RPCError?
        var accepted = 0
        for n in 0..<300 {
            do {
                let dossier = try await submit(acknowledged[0].attachment, key: "full-db-\(n)")
                acknowledged.append((dossier, acknowledged[0].attachment))
                accepted += 1
            } catch let error as RPCError {
                databaseRefusal = error
                break
            }
        }
        let refusal = try #require(databaseRefusal, "300 submissions on a full disk and none refused")
        #expect(refusal.code == .resourceExhausted, "a database write on a full disk: \(refusal)")
        #expect(refusal.message.contains("disk of the data folder is full"), "\(refusal)")
        // Submissions at the same moment share a transaction (dossier-svc's group commit):
        // every one of them is told the disk is full, none an internal error.
        let stored = acknowledged[0].attachment
        let together = await withTaskGroup(of: StatusCode.self) { group in
            for n in 0..<8 {
                group.addTask {
                    do {
                        _ = try await gateway.unary(GatewayV1.DossierService.submitDossier, Self.diskSubmission(stored),
                                                    options: LevelFourLoad.options(key, as: citizen, idempotencyKey: "full-together-\(n)"))
                        return .ok
                    } catch let error as RPCError {
                        return error.code
                    } catch {
                        return .unknown
                    }
                }
            }
            return await group.reduce(into: [StatusCode]()) { $0.append($1) }
        }
        #expect(together.allSatisfy { $0 == .resourceExhausted }, "concurrent submissions on a full disk: \(together)")
        // A workflow step: refused the same way, the dossier unchanged.
        var act = DossierV1.ActRequest()
        act.dossierId = acknowledged[0].dossier.id
        act.action = .receive
        act.expectedVersion = acknowledged[0].dossier.version
        let stepRefusal = await rpcError {
            try await gateway.unary(GatewayV1.DossierService.act, act, options: LevelFourLoad.options(key, as: "officer:tn01:receiver"))
        }
        #expect(stepRefusal?.code == .resourceExhausted, "a step on a full disk: \(String(describing: stepRefusal))")

        // dossier-svc is still up and said why, with the request id.
        let dossier = try #require(platform.process("dossier-svc"))
        #expect(dossier.isRunning, "dossier-svc died on a full disk:\n\(dossier.stderr)")
        let logged = dossier.stderr.split(separator: "\n").filter { $0.contains("disk full") }
        #expect(!logged.isEmpty && logged.allSatisfy { $0.contains("request_id") }, "dossier-svc's log:\n\(dossier.stderr.suffix(3000))")

        // Nothing acknowledged is lost or corrupted, even before space returns.
        try await checkDiskData(platform, acknowledged, gateway: gateway, key: key, citizen: citizen)

        // Space returns: writes are accepted again by the same process.
        try FileManager.default.removeItem(at: disk.folder.appendingPathComponent("filler"))
        let again = try await submit(fresh, key: "after-space")
        acknowledged.append((again, fresh))
        let received = try await gateway.unary(GatewayV1.DossierService.act, act, options: LevelFourLoad.options(key, as: "officer:tn01:receiver"))
        #expect(received.state == .received)
        #expect(dossier.isRunning && platform.process("dossier-svc") === dossier, "dossier-svc was restarted")
        try await checkDiskData(platform, acknowledged, gateway: gateway, key: key, citizen: citizen)
        print("faults disk: tmpfs 3 MiB, filler \(filled) bytes; a new attachment refused \(fileRefusal?.code.description ?? "-"); \(accepted) submissions still fitted, then refused \(refusal.code), 8 concurrent ones \(Set(together.map(\.description)).sorted().joined(separator: "/")); a step refused \(stepRefusal?.code.description ?? "-"); \(acknowledged.count) acknowledged dossiers readable and intact; writes accepted again after freeing space, same process")
    }

    /// `PRAGMA integrity_check` ok; every acknowledged dossier readable through the gateway
    /// with its attachment's file whole.
    private func checkDiskData(_ platform: FaultPlatform, _ acknowledged: [(dossier: DossierV1.Dossier, attachment: Data)],
                               gateway: RPCClient, key: String, citizen: String) async throws {
        let database = try Self.open(platform.databasePath("dossier-svc"))
        let integrity = try await database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == ["ok"], "\(integrity)")
        let held = try await database.read { db in Set(try String.fetchAll(db, sql: "SELECT id FROM dossier")) }
        for (dossier, attachment) in acknowledged {
            #expect(held.contains(dossier.id), "acknowledged dossier \(dossier.id) missing")
            let digest = SHA256.hash(data: attachment).map { String(format: "%02x", $0) }.joined()
            let path = platform.nodes["dossier-svc"]!.data.appendingPathComponent("attachments/\(digest.prefix(2))/\(digest)").path
            #expect(FileManager.default.contents(atPath: path) == attachment, "\(dossier.id): attachment \(digest) not whole")
            var get = DossierV1.GetDossierRequest()
            get.id = dossier.id
            let read = try await gateway.unary(GatewayV1.DossierService.getDossier, get, options: LevelFourLoad.options(key, as: citizen))
            #expect(read.attachments.map(\.sha256Hex) == [digest])
        }
    }

    @Test("notify-svc's disk full: it refuses events with RESOURCE_EXHAUSTED, dossier-svc's outbox keeps them, and once space is freed each is delivered and notified exactly once",
          .enabled(if: TmpfsMount.available, "a tmpfs cannot be mounted here (it needs root or CAP_SYS_ADMIN)"))
    func notifyDiskFull() async throws {
        let disk = try TmpfsMount.mount(kilobytes: 2048)
        defer { disk.unmount() }
        try await FaultPlatform.with(["catalog-svc", "notify-svc", "dossier-svc", "gateway"],
                                     dataFolders: ["notify-svc": disk.folder]) { platform, gateway in
            try await starveNotify(platform, gateway, disk)
        }
    }

    private func starveNotify(_ platform: FaultPlatform, _ gateway: RPCClient, _ disk: TmpfsMount) async throws {
        let key = try await makeAPIKey(gatewayData: platform.nodes["gateway"]!.data, agency: Self.diskAgency, scopes: "citizens,officers")
        let citizen = "citizen:001099012377"
        var ids: [String] = []
        func submit(_ n: Int) async throws {
            let response = try await gateway.unary(GatewayV1.DossierService.submitDossier,
                                                   Self.diskSubmission(DossierCrashTests.pdf(9_200 + n, size: 2_000)),
                                                   options: LevelFourLoad.options(key, as: citizen, idempotencyKey: "thong-bao-\(n)"))
            ids.append(try #require(response.dossier).id)
        }
        try await submit(0)
        let delivered = try await waitFor(seconds: 20) { try await platform.metric("dvc_outbox_backlog", of: "dossier-svc") == 0 }
        try #require(delivered, "the first event never reached notify-svc")

        let filled = try disk.fill("filler")
        // Submissions do not depend on notify-svc: they are acknowledged, their events wait.
        for n in 1...5 { try await submit(n) }
        let refused = try await waitFor(seconds: 20) {
            let errors = try await Self.open(platform.databasePath("dossier-svc")).read { db in
                try String.fetchAll(db, sql: "SELECT COALESCE(last_error, '') FROM outbox WHERE delivered_at IS NULL AND attempts > 0")
            }
            return !errors.isEmpty && errors.allSatisfy { $0.contains("RESOURCE_EXHAUSTED") && $0.contains("disk of the data folder is full") }
        }
        let lastErrors = try await Self.open(platform.databasePath("dossier-svc")).read { db in
            try String.fetchAll(db, sql: "SELECT COALESCE(last_error, '') FROM outbox WHERE delivered_at IS NULL")
        }
        #expect(refused, "notify-svc's refusals as dossier-svc's outbox recorded them: \(lastErrors.prefix(3))")
        let backlog = try await platform.metric("dvc_outbox_backlog", of: "dossier-svc")
        #expect(backlog == 5, "dossier-svc's outbox holds \(backlog) events for the 5 refused")
        let notify = try #require(platform.process("notify-svc"))
        #expect(notify.isRunning, "notify-svc died on a full disk:\n\(notify.stderr)")

        // Space returns: the outbox drains by itself, each event notified once.
        try FileManager.default.removeItem(at: disk.folder.appendingPathComponent("filler"))
        let drained = try await waitFor(seconds: 60) { try await platform.metric("dvc_outbox_backlog", of: "dossier-svc") == 0 }
        #expect(drained, "dossier-svc's outbox never drained after space returned")
        #expect(platform.process("notify-svc") === notify && notify.isRunning, "notify-svc was restarted")
        let (integrity, perDossier) = try Self.open(platform.databasePath("notify-svc")).read { db in
            (try String.fetchAll(db, sql: "PRAGMA integrity_check"),
             try Row.fetchAll(db, sql: "SELECT dossier_id, COUNT(*) AS n FROM notification WHERE kind = 'dossier.submitted' GROUP BY dossier_id"))
        }
        #expect(integrity == ["ok"])
        let counts = Dictionary(uniqueKeysWithValues: perDossier.map { ($0["dossier_id"] as String, $0["n"] as Int) })
        #expect(ids.allSatisfy { counts[$0] == 1 }, "notifications per dossier: \(counts)")
        print("faults disk: notify-svc on a 2 MiB tmpfs, filler \(filled) bytes; 5 events refused RESOURCE_EXHAUSTED and kept in dossier-svc's outbox (backlog \(Int(backlog))); after freeing space backlog 0, \(counts.count) dossiers notified once each, same notify-svc process")
    }
}
