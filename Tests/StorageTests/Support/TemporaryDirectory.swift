import Foundation

/// A fresh directory under the system's temporary folder, removed when the test is done.
/// Tests use real files: WAL, pragmas and durability only exist on disk.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        path = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("storage-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
