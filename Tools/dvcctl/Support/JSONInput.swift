import DVCProto
import Foundation

/// Where a command's JSON comes from: the argument itself, `-` for standard input, or
/// `@FILE`.
enum JSONInput {
    /// The JSON text's bytes and a name for it in messages.
    static func read(_ argument: String) throws(Failure) -> (bytes: [UInt8], source: String) {
        if argument == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return (Array(data), "standard input")
        }
        if argument.hasPrefix("@") {
            let path = String(argument.dropFirst())
            return (try readFile(path), path)
        }
        return (Array(argument.utf8), "the argument")
    }

    static func readFile(_ path: String) throws(Failure) -> [UInt8] {
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw Failure("dvcctl: cannot read \(path): \(reason(error))")
        }
    }

    /// A file error without Foundation's boilerplate.
    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        if nsError.domain == NSCocoaErrorDomain {
            switch nsError.code {
            case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return "no such file"
            case NSFileReadNoPermissionError: return "permission denied"
            default: break
            }
        }
        return nsError.localizedDescription
    }
}
