import Foundation
import TestKit
import Testing

/// deploy/ against the real executables: Tests/python/check_deploy.py parses every systemd
/// unit, environment file, Kubernetes manifest and the Containerfile, runs each service's
/// `--help` (and `backup --help`), and cross-checks flags, variables, ports, probes, volumes
/// and names. Docker and Kubernetes do not run here; this is what can be proved without them.
/// Each deliberate mistake below must be caught, so the check is known to be able to fail.
@Suite(.timeLimit(.minutes(2))) struct DeployManifestTests {
    static let script = repoRoot.appendingPathComponent("Tests/python/check_deploy.py")
    static let deploy = repoRoot.appendingPathComponent("deploy")

    /// Runs the checker on `folder` (a copy of deploy/ or deploy/ itself).
    static func check(_ folder: URL) async throws -> Finished {
        let bin = try Executables.url("gateway").deletingLastPathComponent()
        let services = Executables.services.map(\.name).joined(separator: ",")
        return try await runToCompletion(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", script.path, "--deploy", folder.path, "--bin", bin.path, "--services", services],
            in: repoRoot, timeout: .seconds(90))
    }

    /// A copy of deploy/ with one file changed by `edit`.
    static func mutated(_ file: String, _ edit: (String) -> String) throws -> URL {
        let copy = try makeTemporaryFolder("deploy").appendingPathComponent("deploy")
        try FileManager.default.copyItem(at: deploy, to: copy)
        let url = copy.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        let changed = edit(text)
        #expect(changed != text, "the mutation of \(file) changed nothing")
        try changed.write(to: url, atomically: true, encoding: .utf8)
        return copy
    }

    @Test("deploy/ agrees with the executables' real flags, ports, probes, volumes and names")
    func deployIsConsistent() async throws {
        let probe = try await runToCompletion(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import yaml"])
        guard probe.exited, probe.status == 0 else {
            Issue.record("Python's PyYAML is missing (scripts/install-deps.sh installs it: pip install pyyaml).\n\(probe)")
            return
        }
        let run = try await Self.check(Self.deploy)
        #expect(run.exited && run.status == 0, "check_deploy.py found problems:\n\(run)")
        #expect(run.stdout.hasPrefix("ok: "), "\(run)")
    }

    /// Each mistake, and the words the checker must say about it.
    static let mistakes: [(file: String, from: String, to: String, expected: String)] = [
        // A flag that does not exist, in a Kubernetes container and in a systemd ExecStart.
        ("kubernetes/dossier-svc.yaml", "command: [\"/opt/dvc/bin/dossier-svc\"]",
         "command: [\"/opt/dvc/bin/dossier-svc\", \"--data-directory\", \"/x\"]", "--data-directory is not a flag of `dossier-svc`"),
        ("systemd/payment-svc.service", "--config /etc/dvc/payment-svc.env", "--configuration /etc/dvc/payment-svc.env",
         "--configuration is not a flag of `payment-svc`"),
        // A variable no flag reads.
        ("systemd/notify-svc.env", "DVC_ADMIN=", "DVC_ADMIN_LISTEN=", "DVC_ADMIN_LISTEN"),
        ("kubernetes/catalog-svc.yaml", "name: DVC_LOG_FORMAT", "name: DVC_LOGFORMAT", "DVC_LOGFORMAT"),
        // A gateway behind the TLS proxy that does not trust it: everyone would share its address.
        ("systemd/gateway.env", "trusted_proxies=10.0.0.10", "# trusted_proxies=", "trusted_proxies is not set"),
        ("kubernetes/gateway.yaml", "value: \"10.42.0.0/16\"", "value: \"\"", "trusted_proxies is not set"),
        // Ports that disagree.
        ("kubernetes/payment-svc.yaml", "containerPort: 7003", "containerPort: 7033", "DVC_LISTEN port 7003 is not the containerPort named rpc"),
        ("kubernetes/gateway.yaml", "value: \"0.0.0.0:9090\"", "value: \"0.0.0.0:9091\"", "is not the containerPort named admin"),
        ("kubernetes/dossier-svc.yaml", "value: \"catalog-svc:7001\"", "value: \"catalog-svc:7010\"", "is not catalog-svc's port 7001"),
        ("systemd/dossier-svc.env", "DVC_CATALOG=catalog.internal:7001", "DVC_CATALOG=catalog.internal:7101", "is not catalog-svc's port 7001"),
        // A probe on a wrong path.
        ("kubernetes/notify-svc.yaml", "path: /readyz", "path: /ready", "readinessProbe path /ready, want /readyz"),
        // The data volume mounted somewhere else than the data folder.
        ("kubernetes/dossier-svc.yaml", "mountPath: /var/lib/dvc/dossier-svc", "mountPath: /var/lib/dvc/dossier",
         "nothing is mounted at DVC_DATA_DIR /var/lib/dvc/dossier-svc"),
        // A sandbox setting dropped.
        ("systemd/gateway.service", "ProtectSystem=strict", "ProtectSystem=full", "ProtectSystem=strict is missing"),
        // A service without its manifest.
        ("kubernetes/kustomization.yaml", "- notify-svc.yaml\n", "", "kustomization.yaml does not list notify-svc.yaml"),
        // A flag the backup subcommand does not have.
        ("systemd/dvc-backup@.service", "backup --to", "backup --output", "--output is not a flag of `catalog-svc backup`"),
        // PostgreSQL: a connection string that could land on the standby, or on one node only,
        // and a service given another's database.
        ("systemd/postgres/payment-svc.database.env", "target_session_attrs=read-write", "target_session_attrs=any",
         "lacks target_session_attrs=read-write"),
        ("systemd/postgres/dossier-svc.database.env", "db1.internal:5432,db2.internal:5432/dvc_dossier", "db1.internal:5432/dvc_dossier",
         "names one host"),
        ("kubernetes-postgres/database.yaml", "key: gateway", "key: dossier-svc", "want the Secret dvc-database, key gateway"),
    ]

    @Test("a deliberate mistake in deploy/ is caught", arguments: 0..<mistakes.count)
    func mistakeIsCaught(_ index: Int) async throws {
        let mistake = Self.mistakes[index]
        let copy = try Self.mutated(mistake.file) { $0.replacingOccurrences(of: mistake.from, with: mistake.to) }
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        let run = try await Self.check(copy)
        #expect(run.exited && run.status == 1, "check_deploy.py passed \(mistake.file) with '\(mistake.to)':\n\(run)")
        #expect(run.stdout.contains(mistake.expected), "expected '\(mistake.expected)' in:\n\(run.stdout)")
    }

    @Test("a service without its manifest or unit is caught")
    func missingFilesAreCaught() async throws {
        let copy = try makeTemporaryFolder("deploy-missing").appendingPathComponent("deploy")
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        try FileManager.default.copyItem(at: Self.deploy, to: copy)
        try FileManager.default.removeItem(at: copy.appendingPathComponent("kubernetes/payment-svc.yaml"))
        try FileManager.default.removeItem(at: copy.appendingPathComponent("systemd/notify-svc.service"))
        let run = try await Self.check(copy)
        #expect(run.status == 1, "\(run)")
        #expect(run.stdout.contains("no StatefulSet or Deployment named payment-svc"), "\(run.stdout)")
        #expect(run.stdout.contains("notify-svc.service is missing"), "\(run.stdout)")
    }
}
