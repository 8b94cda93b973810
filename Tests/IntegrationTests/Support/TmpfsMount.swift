import Foundation
import TestKit

/// A small tmpfs mounted on a fresh folder: a data folder whose disk fills up on purpose.
/// Mounting needs root (or CAP_SYS_ADMIN); `available` says whether this machine allows it,
/// for `.enabled(if:)`.
struct TmpfsMount {
    let folder: URL

    static let mountTool = URL(fileURLWithPath: "/bin/mount")
    static let umountTool = URL(fileURLWithPath: "/bin/umount")

    /// Whether a tmpfs can be mounted here: tried once, on a throwaway folder.
    static let available: Bool = {
        guard let probe = try? makeTemporaryFolder("tmpfs-probe") else { return false }
        defer { try? FileManager.default.removeItem(at: probe) }
        guard run(mountTool, ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe.path]) == 0 else { return false }
        return run(umountTool, [probe.path]) == 0
    }()

    /// Mounts a tmpfs of `kilobytes` on a new folder.
    static func mount(kilobytes: Int) throws -> TmpfsMount {
        let folder = try makeTemporaryFolder("tmpfs")
        let status = run(mountTool, ["-t", "tmpfs", "-o", "size=\(kilobytes)k,mode=0755", "tmpfs", folder.path])
        guard status == 0 else {
            throw TestFailure(description: "mount -t tmpfs on \(folder.path) failed with status \(status)")
        }
        return TmpfsMount(folder: folder)
    }

    /// Unmounts (lazily when busy, so a process that failed to die cannot keep it) and
    /// removes the folder.
    func unmount() {
        if Self.run(Self.umountTool, [folder.path]) != 0 {
            _ = Self.run(Self.umountTool, ["-l", folder.path])
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// Fills the file system with `name` until a write fails for want of space; the bytes
    /// written.
    func fill(_ name: String) throws -> Int {
        let path = folder.appendingPathComponent(name).path
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw TestFailure(description: "cannot create \(path)")
        }
        defer { try? handle.close() }
        let chunk = Data(repeating: 0x61, count: 4096)
        var written = 0
        while true {
            do {
                try handle.write(contentsOf: chunk)
                written += chunk.count
            } catch {
                return written
            }
            if written > 64 << 20 { throw TestFailure(description: "\(path): 64 MiB written and the disk is not full") }
        }
    }

    /// Runs a tool to its end; its exit status.
    private static func run(_ tool: URL, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
