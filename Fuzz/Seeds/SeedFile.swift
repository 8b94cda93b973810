#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one corpus file, named like libFuzzer's own corpus files are not (a readable name),
/// so that a seed says what it holds.
enum SeedFile {
    static func write(_ bytes: [UInt8], named name: String, in folder: String) {
        let path = folder + "/" + name
        guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
        defer { fclose(file) }
        guard bytes.isEmpty || fwrite(bytes, 1, bytes.count, file) == bytes.count else {
            fatalError("cannot write \(path)")
        }
    }
}
