// swift-tools-version:6.1
//
// Dịch vụ công trực tuyến: the online public-services platform of a city.
// Layout and walls: see docs/architecture.md ("The rules of the layout").
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// A service: its logic as a library (importable by tests) and a thin executable beside it.
/// `resources` are the library's data files (paths relative to its folder), reached through `Bundle.module`.
/// A service with a database has `backup` and `restore` subcommands (`BackupCommands`).
func service(
    folder: String, library: String, executable: String, dependencies: [Target.Dependency],
    executableDependencies: [Target.Dependency] = [], resources: [Resource]? = nil, backups: Bool = true
) -> [Target] {
    [
        .target(
            name: library,
            dependencies: dependencies,
            path: "Services/\(folder)/\(library)",
            resources: resources,
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: executable,
            dependencies: [
                .target(name: library), "ServiceKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ] + (backups ? ["BackupCommands"] : []) + executableDependencies,
            path: "Services/\(folder)/Main",
            swiftSettings: swiftSettings
        ),
    ]
}

let serviceDependencies: [Target.Dependency] = [
    "DVCProto", "RPCCore", "RPCNIO", "Storage", "ServiceKit",
    .product(name: "Logging", package: "swift-log"),
    .product(name: "GRDB", package: "GRDB.swift"),
]

let package = Package(
    name: "dich-vu-cong",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "catalog-svc", targets: ["catalog-svc"]),
        .executable(name: "dossier-svc", targets: ["dossier-svc"]),
        .executable(name: "payment-svc", targets: ["payment-svc"]),
        .executable(name: "notify-svc", targets: ["notify-svc"]),
        .executable(name: "gateway", targets: ["gateway"]),
        .executable(name: "rpc-interop-server", targets: ["rpc-interop-server"]),
        .executable(name: "rpc-bench", targets: ["rpc-bench"]),
        .executable(name: "catalog-bench", targets: ["catalog-bench"]),
        .executable(name: "dossier-bench", targets: ["dossier-bench"]),
        .executable(name: "dossier-scale-bench", targets: ["dossier-scale-bench"]),
        .executable(name: "http-ceiling", targets: ["http-ceiling"]),
        .executable(name: "dos-bench", targets: ["dos-bench"]),
        .executable(name: "dvcctl", targets: ["dvcctl"]),
        .executable(name: "payment-sandbox", targets: ["payment-sandbox"]),
        .executable(name: "national-portal-sync", targets: ["national-portal-sync"]),
        .executable(name: "national-portal-sandbox", targets: ["national-portal-sandbox"]),
        // The gateway's client for agency systems written in Swift (docs/clients.md).
        .library(name: "DVCClient", targets: ["DVCClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // 3.x or 4.x: jwt-kit 5 needs 4.1 or later.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // The gateway's sign-in with the national electronic identity: ID tokens (JWS) checked
        // against the provider's published keys (JWKS); docs/identity.md.
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        // The gateway's HTTP side and the payment sandbox.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // The portal's uploads: a streaming multipart/form-data parser.
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        // notify-svc's SMTP client: STARTTLS.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Observability: the metrics API, exported in Prometheus's text format on the admin port.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // protobuf-c's runtime, from the system (Debian libprotobuf-c-dev).
        .systemLibrary(
            name: "CProtobufC",
            path: "Shared/CProtobufC",
            pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"])]
        ),
        // libpq (Debian libpq-dev): the storage kit's PostgreSQL backend.
        .systemLibrary(
            name: "CPostgres",
            path: "Shared/CPostgres",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // C code generated by protoc-c from proto/ (proto/generate.sh); committed.
        .target(
            name: "CProtos",
            dependencies: ["CProtobufC"],
            path: "proto/CProtos"
        ),
        // syncfs(2) for dossier-svc's group sync of attachment files (not exported by Glibc).
        .target(
            name: "CFileSync",
            path: "Services/dossier-svc/CFileSync"
        ),
        // dossier-svc's signatures of what it issues: CMS (detached, DER) and the demo CA's
        // certificates through OpenSSL's libcrypto (Debian libssl-dev); docs/signatures.md.
        .target(
            name: "CSigning",
            path: "Services/dossier-svc/CSigning",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        // The QR code printed on every signed document, through libqrencode (Debian libqrencode-dev).
        .target(
            name: "CQRCode",
            path: "Services/dossier-svc/CQRCode",
            linkerSettings: [.linkedLibrary("qrencode")]
        ),
        // The only module that touches protobuf-c: Swift values for every message.
        .target(
            name: "DVCProto",
            dependencies: ["CProtos", "CProtobufC"],
            path: "Shared/DVCProto",
            swiftSettings: swiftSettings
        ),
        // The RPC's vocabulary: status codes, errors, metadata, deadlines, handlers,
        // interceptors. No sockets.
        .target(
            name: "RPCCore",
            dependencies: ["DVCProto", .product(name: "Logging", package: "swift-log")],
            path: "Shared/RPCCore",
            swiftSettings: swiftSettings
        ),
        // Wire protocol v1 over TCP with SwiftNIO: frames, server, client; optional mutual TLS.
        .target(
            name: "RPCNIO",
            dependencies: [
                "RPCCore", "DVCProto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/RPCNIO",
            swiftSettings: swiftSettings
        ),
        // The gateway's client for agency systems: typed calls of its services with the API key,
        // the person acted for, TLS, deadlines and retries (docs/clients.md). Only the RPC's
        // modules and swift-log, so another package that adds this repository builds little else.
        .target(
            name: "DVCClient",
            dependencies: ["DVCProto", "RPCCore", "RPCNIO", .product(name: "Logging", package: "swift-log")],
            path: "Clients/swift/DVCClient",
            swiftSettings: swiftSettings
        ),
        // One SQLite database per service: migrations, transactions, the outbox.
        .target(
            name: "Storage",
            dependencies: [
                "DVCProto", "CPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                // SHA-256 of backups and of the files they copy.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/Storage",
            swiftSettings: swiftSettings
        ),
        // The one-stop shop's rules, shared by dossier-svc (which enforces them) and the
        // gateway (whose officer console offers only the actions they allow): the state
        // machine, who may act, and the national names of states and actions.
        .target(
            name: "OneStop",
            dependencies: ["DVCProto", "RPCCore"],
            path: "Shared/OneStop",
            swiftSettings: swiftSettings
        ),
        // What every executable shares: command line, logging, lifecycle, health, and the admin
        // HTTP side (health, readiness, Prometheus metrics).
        .target(
            name: "ServiceKit",
            dependencies: [
                "RPCCore", "RPCNIO", "DVCProto", "Storage",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Shared/ServiceKit",
            swiftSettings: swiftSettings
        ),
        // The clients of particular services, for the services that call them: catalog-svc's
        // short-lived cache, and dossier-svc and payment-svc split into shards by agency.
        .target(
            name: "ServiceClients",
            dependencies: [
                "DVCProto", "RPCCore", "RPCNIO", "ServiceKit",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/ServiceClients",
            swiftSettings: swiftSettings
        ),
        // The platform's HTTP calls to the outside, safe when the calling task is cancelled.
        .target(
            name: "OutboundHTTP",
            path: "Shared/OutboundHTTP",
            swiftSettings: swiftSettings
        ),
        // `<service> backup` and `<service> restore` on the command line; the copying itself is
        // Storage's `DatabaseBackup`.
        .target(
            name: "BackupCommands",
            dependencies: [
                "ServiceKit", "Storage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Shared/BackupCommands",
            swiftSettings: swiftSettings
        ),
    ]
    + service(folder: "catalog-svc", library: "CatalogService", executable: "catalog-svc",
              dependencies: serviceDependencies + [.product(name: "Crypto", package: "swift-crypto"), "OneStop"],
              // The seed catalog (Seed/catalog.json) and its form templates (Seed/forms/*.pdf).
              resources: [.copy("Seed/catalog.json"), .copy("Seed/hanoi-2025.json"), .copy("Seed/forms")])
    + service(folder: "dossier-svc", library: "DossierService", executable: "dossier-svc",
              dependencies: serviceDependencies + [
                  .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                  .product(name: "Crypto", package: "swift-crypto"),
                  .product(name: "NIOPosix", package: "swift-nio"),
                  "CFileSync", "CSigning", "CQRCode", "OneStop", "ServiceClients",
              ])
    + service(folder: "payment-svc", library: "PaymentService", executable: "payment-svc",
              dependencies: serviceDependencies + [
                  .product(name: "Crypto", package: "swift-crypto"),
                  .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                  "OneStop", "ServiceClients", "OutboundHTTP",
              ])
    // The connector to the national public-service portal (docs/national-portal.md): its own
    // HTTP side for the portal's deliveries, its own database of reports.
    + service(folder: "national-portal-sync", library: "NationalPortalSync", executable: "national-portal-sync",
              dependencies: serviceDependencies + [
                  .product(name: "Crypto", package: "swift-crypto"),
                  .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                  .product(name: "Hummingbird", package: "hummingbird"),
                  .product(name: "NIOCore", package: "swift-nio"),
                  "OneStop", "OutboundHTTP",
              ],
              executableDependencies: [.product(name: "Logging", package: "swift-log")])
    + service(folder: "notify-svc", library: "NotifyService", executable: "notify-svc",
              dependencies: serviceDependencies + [
                  // Webhooks: HMAC-SHA256 signatures; the dossier's agencies.
                  .product(name: "Crypto", package: "swift-crypto"), "OneStop", "OutboundHTTP",
                  .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                  .product(name: "NIOCore", package: "swift-nio"),
                  .product(name: "NIOPosix", package: "swift-nio"),
                  .product(name: "NIOSSL", package: "swift-nio-ssl"),
              ])
    + [
        // The gateway's door: who calls and what they may do (keys, accounts, sessions, levels,
        // admission) and the gateway's methods, with an in-process client of itself. No HTTP:
        // the web library below reaches the platform only through what this one makes public.
        .target(
            name: "GatewayDoor",
            dependencies: [
                "DVCProto", "RPCCore", "Storage", "OneStop", "OutboundHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            path: "Services/gateway/GatewayDoor",
            swiftSettings: swiftSettings
        ),
    ]
    // The gateway's web: the portal, the officers' console, the JSON API, the provider's
    // callbacks, on Hummingbird; and the executable's wiring of both doors.
    + service(folder: "gateway", library: "GatewayWeb", executable: "gateway",
              dependencies: serviceDependencies + [
                  "GatewayDoor", "OneStop",
                  .product(name: "MultipartKit", package: "multipart-kit"),
                  // The verification page's SHA-256 of a file compared with a signed document.
                  .product(name: "Crypto", package: "swift-crypto"),
                  "ServiceClients",
                  .product(name: "Hummingbird", package: "hummingbird"),
                  .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
              ],
              // The operator's commands (API keys, officers) work on the door's stores.
              executableDependencies: ["GatewayDoor", "Storage"])
    + service(folder: "rpc-interop-server", library: "InteropService", executable: "rpc-interop-server",
              dependencies: ["DVCProto", "RPCCore", "ServiceKit"], backups: false)
    + [
        // What the benchmarks share: child services (started with TestKit's `ChildProcess`), the
        // closed-loop load, the JSON line.
        .target(
            name: "BenchKit",
            dependencies: [
                "RPCNIO", "TestKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/BenchKit",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "rpc-bench",
            dependencies: [
                "BenchKit", "DVCProto", "RPCCore", "RPCNIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/rpc-bench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "catalog-bench",
            dependencies: [
                "BenchKit", "DVCProto", "RPCCore", "RPCNIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/catalog-bench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "dossier-bench",
            dependencies: [
                "BenchKit", "DVCProto", "RPCCore", "RPCNIO",
                // --database postgres: a database made per run, on a private server by default.
                "Storage", "StorageTestKit", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/dossier-bench",
            swiftSettings: swiftSettings
        ),
        // The gateway under maximal bodies and a sign-in flood (docs/performance.md).
        .executableTarget(
            name: "dos-bench",
            dependencies: [
                "BenchKit", "RPCNIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/dos-bench",
            swiftSettings: swiftSettings
        ),
        // dossier-svc with a million dossiers: fills a data folder with dossier-svc's own loader
        // (so it imports DossierService), then measures reads over RPC.
        .executableTarget(
            name: "dossier-scale-bench",
            dependencies: [
                "BenchKit", "DVCProto", "RPCCore", "RPCNIO", "DossierService", "OneStop",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/dossier-scale-bench",
            swiftSettings: swiftSettings
        ),
        // The operator's command line: generic JSON calls, health, catalog administration
        // (reads catalog files with CatalogService's SeedCatalog loader).
        // The HTTP benchmark's ceiling: the same bytes as the gateway's answer, from memory.
        .executableTarget(
            name: "http-ceiling",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/http-ceiling",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "dvcctl",
            dependencies: [
                "DVCProto", "RPCCore", "RPCNIO", "CatalogService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tools/dvcctl",
            swiftSettings: swiftSettings
        ),
        // A VNPay-style payment gateway for tests and demos: a separate process speaking the
        // provider's protocol over HTTP on loopback (signed redirects, IPN, refunds, settlement).
        .executableTarget(
            name: "payment-sandbox",
            dependencies: [
                "OutboundHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/payment-sandbox",
            swiftSettings: swiftSettings
        ),
        // The national public-service portal for tests and demos: a separate process speaking
        // the contract of docs/national-portal.md (signed both ways), holding what it was told.
        .executableTarget(
            name: "national-portal-sandbox",
            dependencies: [
                "OutboundHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/national-portal-sandbox",
            swiftSettings: swiftSettings
        ),
        // Every encode and decode path of DVCProto, for valgrind (scripts/memcheck.sh).
        .executableTarget(
            name: "codec-memcheck",
            dependencies: ["DVCProto"],
            path: "Tools/codec-memcheck",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DVCProtoTests",
            dependencies: ["DVCProto"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        // What the tests that run the real executables share, and the benchmarks too: finding
        // them in the build folder, starting them (`ChildProcess`), running them to completion,
        // temporary folders.
        .target(
            name: "TestKit",
            path: "Tests/TestKit",
            swiftSettings: swiftSettings
        ),
        // The store tests' databases on both backends: a SQLite file, or a new database on a
        // PostgreSQL server (DVC_TEST_POSTGRES, or a private cluster started for the run).
        .target(
            name: "StorageTestKit",
            dependencies: ["Storage"],
            path: "Tests/StorageTestKit",
            swiftSettings: swiftSettings
        ),
        // The real executables started as processes and called over TCP, and
        // Tests/python/dvc_rpc_client.py against rpc-interop-server. Needs `swift build` first.
        .testTarget(
            name: "GatewayServiceTests",
            dependencies: [
                "GatewayDoor", "GatewayWeb", "RPCCore", "Storage", "StorageTestKit", "DVCProto", "OneStop",
                // catalog-svc's real service, in-process behind the door (InProcessGateway).
                "CatalogService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                // ID tokens signed by the tests' own keys, for the verifier's refusals.
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PaymentServiceTests",
            dependencies: ["PaymentService", "DVCProto", "StorageTestKit"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TestKit",
                // A fresh PostgreSQL database for the gateways sharing one (SharedGatewayDatabaseTests).
                "StorageTestKit",
                "RPCCore", "RPCNIO", "DVCProto",
                // The Swift client of agency systems, against the real gateway (ClientsTests).
                "DVCClient",
                // Which of a procedure's papers a submission must file (RequiredDocuments), so
                // tests submit complete dossiers.
                "DossierService",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                // The fault tests read the services' SQLite files after the faults.
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // DVCProto's JSON mapping and ProtoRegistry, and the built dvcctl run as a process
        // against rpc-interop-server, catalog-svc and an in-process CatalogService. Needs
        // `swift build` first.
        .testTarget(
            name: "ToolTests",
            dependencies: [
                "TestKit",
                "DVCProto", "RPCCore", "RPCNIO", "CatalogService",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "StorageTestKit", "DVCProto",
                // How services meet their database: the `database` setting, and storage
                // failures as RPC status codes.
                "ServiceKit", "RPCCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // catalog-svc: the seed catalog, the calendar, search and the catalog's API.
        .testTarget(
            name: "CatalogServiceTests",
            dependencies: ["CatalogService", "DVCProto", "OneStop", "Storage", "RPCCore",
                           .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // dossier-svc: attachments, the one-stop documents, the workflow.
        .testTarget(
            name: "DossierServiceTests",
            dependencies: [
                "DossierService", "DVCProto", "OneStop", "RPCCore", "Storage", "StorageTestKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // notify-svc: templates and placeholders, MIME, backoff, event dedup.
        .testTarget(
            name: "NotifyServiceTests",
            dependencies: [
                "NotifyService", "DVCProto", "RPCCore", "Storage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Wire protocol v1: the frame codec, and server and client over real TCP.
        .testTarget(
            name: "RPCTests",
            dependencies: [
                "RPCCore", "RPCNIO", "DVCProto", "InteropService",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
