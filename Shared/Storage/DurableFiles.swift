#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The POSIX steps that make a file's bytes and its name survive a crash: exclusive create,
/// full write, fsync of the file, rename, fsync of the directory. dossier-svc's attachments and
/// the backups (`DatabaseBackup`) are written with them.
public enum DurableFiles {
    public struct Failure: Error, CustomStringConvertible {
        public var operation: String
        public var path: String
        public var errno: Int32
        public var description: String { "\(operation) '\(path)': \(String(cString: strerror(errno)))" }
    }

    /// Writes `bytes` to a new file at `path`, which must not exist (O_EXCL), and fsyncs it
    /// unless `sync` is false (a file-system flush will cover it). On failure the partial file
    /// is removed.
    public static func writeExclusively(_ bytes: Data, to path: String, sync: Bool = true) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(operation: "create", path: path, errno: errno) }
        var failure: Failure?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = Failure(operation: "write", path: path, errno: errno)
                    return
                }
                offset += written
            }
        }
        if failure == nil, sync, fsync(fd) != 0 { failure = Failure(operation: "fsync", path: path, errno: errno) }
        if close(fd) != 0, failure == nil { failure = Failure(operation: "close", path: path, errno: errno) }
        if let failure {
            unlink(path)
            throw failure
        }
    }

    /// Makes a file's written bytes durable (one written by other means than `writeExclusively`).
    public static func syncFile(_ path: String) throws(Failure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(operation: "open to sync", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure(operation: "fsync", path: path, errno: errno) }
    }

    /// Makes the directory's entries (created, renamed, removed files) durable.
    public static func syncDirectory(_ path: String) throws(Failure) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(operation: "open directory", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure(operation: "fsync directory", path: path, errno: errno) }
    }

    /// Creates a directory if it is missing; a new one is made durable in its parent unless
    /// `sync` is false (a file-system flush will cover it).
    public static func ensureDirectory(_ path: String, sync: Bool = true) throws(Failure) {
        if mkdir(path, 0o755) == 0 {
            if sync { try syncDirectory((path as NSString).deletingLastPathComponent) }
            return
        }
        let error = errno
        guard error == EEXIST else { throw Failure(operation: "mkdir", path: path, errno: error) }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw Failure(operation: "mkdir (a file is in the way)", path: path, errno: ENOTDIR)
        }
    }

    /// Atomically replaces `destination` with `source` (same file system).
    public static func move(_ source: String, to destination: String) throws(Failure) {
        guard rename(source, destination) == 0 else {
            throw Failure(operation: "rename to '\(destination)'", path: source, errno: errno)
        }
    }

    /// The size and last modification of a regular file, or nil when there is none.
    public static func status(_ path: String) -> (size: Int64, modified: Date)? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        return (Int64(info.st_size), Date(timeIntervalSince1970: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9))
    }

    /// Sets a file's modification time to now.
    @discardableResult
    public static func touch(_ path: String) -> Bool {
        utimes(path, nil) == 0
    }

    /// The names in a directory ([] when it cannot be read).
    public static func entries(_ path: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    }

    /// 32 random hexadecimal characters.
    public static func randomName() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let value = generator.next() as UInt64
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
