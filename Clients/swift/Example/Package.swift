// swift-tools-version:6.1
//
// An agency system's program using the gateway's Swift client: it adds the platform's
// repository as a dependency (here by path; from elsewhere by its git URL) and the library
// product DVCClient (docs/clients.md, "Swift").
import PackageDescription

let package = Package(
    name: "dvc-client-example",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "dich-vu-cong", path: "../../.."),
    ],
    targets: [
        .executableTarget(
            name: "submit-and-poll",
            dependencies: [.product(name: "DVCClient", package: "dich-vu-cong")],
            path: "Sources/submit-and-poll"
        ),
    ]
)
