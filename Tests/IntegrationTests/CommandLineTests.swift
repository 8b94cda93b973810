import Foundation
import TestKit
import RPCNIO
import Testing

/// The command line of docs/architecture.md ("Settings"), which operators and tests rely on: the
/// same flags for every executable, each also read from `DVC_<FLAG>` and from a `--config` file,
/// and errors that name the flag.
@Suite struct CommandLineTests {
    /// Every flag of docs/architecture.md (and the log flags every executable adds), with its
    /// variable.
    static let flags = ["--listen", "--data-dir", "--catalog", "--dossier", "--payment", "--notify", "--config",
                        "--log-level", "--log-format"]

    static func variable(_ flag: String) -> String {
        "DVC_" + flag.dropFirst(2).uppercased().replacingOccurrences(of: "-", with: "_")
    }

    @Test("--help lists every flag and its environment variable", arguments: Executables.all)
    func helpListsEveryFlag(_ name: String) async throws {
        let run = try await runToCompletion(try Executables.url(name), ["--help"])
        #expect(run.exited && run.status == 0, "\(name) --help: \(run)")
        for flag in Self.flags {
            #expect(run.stdout.contains(flag + " "), "\(name) --help does not list \(flag):\n\(run.stdout)")
            #expect(run.stdout.contains(Self.variable(flag)),
                    "\(name) --help does not mention \(Self.variable(flag)):\n\(run.stdout)")
        }
    }

    @Test("DVC_LISTEN and DVC_DATA_DIR stand in for the flags")
    func environmentVariables() async throws {
        let port = try freeLoopbackPort()
        let folder = try makeTemporaryFolder("env")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withService(
            "catalog-svc", arguments: [], dataDirectory: folder,
            environment: ["DVC_LISTEN": "127.0.0.1:\(port)", "DVC_DATA_DIR": folder.path, "DVC_LOG_FORMAT": "text"]
        ) { service in
            #expect(service.port == port, "listening on \(service.port), DVC_LISTEN said \(port)")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("catalog.sqlite").path))
            try await ServicesEndToEndTests.expectHealthy(service)
        }
    }

    @Test("a flag wins over its environment variable")
    func flagBeatsEnvironment() async throws {
        try await withService(
            "payment-svc", extraArguments: try Executables.minimalArguments("payment-svc"),
            environment: ["DVC_LISTEN": "this is not an address", "DVC_LOG_FORMAT": "bogus"]
        ) { service in
            try await ServicesEndToEndTests.expectHealthy(service)
        }
    }

    @Test("--config FILE (and DVC_CONFIG) give the settings, flag-style and DVC_-style keys alike",
          arguments: [true, false])
    func configFile(viaFlag: Bool) async throws {
        let port = try freeLoopbackPort()
        let folder = try makeTemporaryFolder("config")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data dir with spaces")
        let config = folder.appendingPathComponent("notify-svc.env")
        try """
            # notify-svc, as an operator writes it (also usable as a systemd EnvironmentFile)

            listen = 127.0.0.1:\(port)
            DVC_DATA_DIR="\(data.path)"
            log-format=text
            catalog=127.0.0.1:1,127.0.0.1:2
            """.write(to: config, atomically: true, encoding: .utf8)
        try await withService(
            "notify-svc",
            arguments: viaFlag ? ["--config", config.path] : [],
            dataDirectory: data,
            environment: viaFlag ? [:] : ["DVC_CONFIG": config.path]
        ) { service in
            #expect(service.port == port, "listening on \(service.port), the config file said \(port)")
            #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("notify.sqlite").path),
                    "no notify.sqlite in \(data.path)")
            #expect(!service.stderr.contains("{\""), "log-format=text from the file was ignored:\n\(service.stderr)")
            try await ServicesEndToEndTests.expectHealthy(service)
        }
    }

    @Test("a bad --listen exits non-zero, naming the flag",
          arguments: ["not-an-address", "127.0.0.1:99999", "127.0.0.1:", ":7000", "127.0.0.1:http"])
    func badListen(_ value: String) async throws {
        let folder = try makeTemporaryFolder("bad-listen")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await runToCompletion(try Executables.url("dossier-svc"),
                                            ["--listen", value, "--data-dir", folder.path, "--log-format", "text"])
        #expect(run.exited && run.status != 0, "--listen '\(value)' was accepted: \(run)")
        #expect(run.stderr.contains("--listen"), "the error does not name --listen: \(run)")
        #expect(run.stderr.contains(value), "the error does not quote the bad value: \(run)")
        #expect(!run.stdout.contains("listening on"), "\(run)")
    }

    @Test("a bad DVC_LISTEN exits non-zero, naming the variable")
    func badListenVariable() async throws {
        let run = try await runToCompletion(try Executables.url("gateway"), [],
                                            environment: childEnvironment(["DVC_LISTEN": "localhost"]))
        #expect(run.exited && run.status != 0, "DVC_LISTEN=localhost was accepted: \(run)")
        #expect(run.stderr.contains("DVC_LISTEN"), "the error does not name DVC_LISTEN: \(run)")
    }

    @Test("the gateway without --catalog exits non-zero, naming the flag it needs")
    func gatewayNeedsCatalog() async throws {
        let folder = try makeTemporaryFolder("gateway-no-catalog")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await runToCompletion(try Executables.url("gateway"),
                                            ["--listen", "127.0.0.1:0", "--data-dir", folder.path, "--log-format", "text"])
        #expect(run.exited && run.status != 0, "the gateway started without a catalog: \(run)")
        #expect(run.stderr.contains("--catalog") && run.stderr.contains("DVC_CATALOG"), "\(run)")
        #expect(!run.stdout.contains("listening on"), "\(run)")
    }

    @Test("payment-svc refuses a placeholder or short provider secret at start, naming the key",
          arguments: ["CHANGE-ME", "change-me-later-please-0001", "ngan-qua-123", "aaaaaaaaaaaaaaaaaaaaaaaa"])
    func paymentSecretRefused(secret: String) async throws {
        let folder = try makeTemporaryFolder("payment-secret")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("payment.env")
        try """
            vnpay_tmn_code=DVCTEST00
            vnpay_hash_secret=\(secret)
            vnpay_pay_url=http://127.0.0.1:9/paymentv2/vpcpay.html
            vnpay_api_url=http://127.0.0.1:9/merchant_webapi/api/transaction
            """.write(to: config, atomically: true, encoding: .utf8)
        // Its peers need not answer: the secret is checked while payment-svc is being made.
        let run = try await runToCompletion(try Executables.url("payment-svc"), [
            "--listen", "127.0.0.1:0", "--data-dir", folder.appendingPathComponent("data").path, "--log-format", "text",
            "--dossier", "127.0.0.1:9", "--catalog", "127.0.0.1:9", "--config", config.path])
        #expect(run.exited && run.status != 0, "payment-svc started with vnpay_hash_secret=\(secret): \(run)")
        #expect(run.stderr.contains("vnpay_hash_secret"), "\(run)")
        #expect(!run.stdout.contains("listening on"), "\(run)")
    }

    @Test("a port already taken exits non-zero instead of hanging")
    func portInUse() async throws {
        try await withService(Executables.interopServer) { first in
            let folder = try makeTemporaryFolder("port-taken")
            defer { try? FileManager.default.removeItem(at: folder) }
            let run = try await runToCompletion(
                try Executables.url("catalog-svc"),
                ["--listen", "127.0.0.1:\(first.port)", "--data-dir", folder.path, "--log-format", "text"],
                timeout: .seconds(15))
            #expect(run.exited && run.status != 0, "a second server on port \(first.port): \(run)")
            #expect(!run.stdout.contains("listening on"), "\(run)")
        }
    }
}
