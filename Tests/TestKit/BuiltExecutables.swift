import Foundation

/// The package's root folder, found from this file's path (Tests/TestKit/).
public let repoRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // TestKit
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

/// The package's executables as `swift build` leaves them in the build folder, for the tests
/// that run the real programs. A missing one is a failure saying to build first, never a skip.
public enum BuiltExecutables {
    /// Folders that may hold them, best first: only `DVC_BIN_DIR` when it is set; otherwise the
    /// folder of the running test binary and its parents (SwiftPM puts the test bundle next to
    /// the executables of the same configuration), then `.build/debug`.
    public static let candidateFolders: [URL] = {
        if let explicit = ProcessInfo.processInfo.environment["DVC_BIN_DIR"], !explicit.isEmpty {
            return [URL(fileURLWithPath: explicit)]
        }
        var folders: [URL] = []
        var binaries: [URL] = []
        #if os(Linux)
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            binaries.append(URL(fileURLWithPath: target))
        }
        #endif
        if let main = Bundle.main.executableURL { binaries.append(main) }
        binaries.append(URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL)
        for binary in binaries {
            var folder = binary.resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<4 {
                folders.append(folder)
                folder = folder.deletingLastPathComponent()
            }
        }
        folders.append(repoRoot.appendingPathComponent(".build/debug"))
        return folders
    }()

    /// The path of one executable; an error saying to run `swift build` when it is missing.
    public static func url(_ name: String) throws -> URL {
        for folder in candidateFolders {
            let url = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        let looked = candidateFolders.map(\.path).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        throw TestFailure(description: """
            executable '\(name)' not found: run `swift build` first (these tests run the real \
            executables; scripts/test.sh builds everything before `swift test`). \
            Looked in: \(looked.joined(separator: ", "))
            """)
    }
}
