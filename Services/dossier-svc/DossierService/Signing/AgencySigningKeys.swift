import CSigning
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization

/// Where each agency's signing key and certificate chain come from (docs/signatures.md).
///
/// - Production: setting `signing_dir`, a folder with one folder per agency code holding
///   `chain.pem` (the agency's certificate first, then its CA's up to the root) and `key.pem`
///   (its private key), from whichever CA the agency uses. Read again whenever `chain.pem`
///   changes, so a new certificate (rotation) is used without a restart.
/// - Demo and tests (no `signing_dir`): a platform CA, "CA dịch vụ công – demo", made in the
///   data directory (`signing-demo/`) on first start, which issues each agency an ECDSA P-256
///   certificate (O=<agency name>, CN=<agency code>) the first time it signs.
final class AgencySigningKeys: Sendable {
    enum Source: Sendable, Equatable {
        case directory(String)
        case demo(String)
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// The disk had no room for a new key or certificate (the demo CA issuing one): the caller's
    /// write is refused as RESOURCE_EXHAUSTED like any other write on a full disk.
    struct NoSpace: Error, CustomStringConvertible {
        var description: String
    }

    let source: Source
    /// The loaded credentials, with the modification time of the chain file they came from.
    private let loaded = Mutex<[String: (modified: Date, credential: SigningCredential)]>([:])

    /// The demo CA's name.
    static let demoCAName = "CA dịch vụ công – demo"
    static let demoCAOrganization = "Nền tảng dịch vụ công trực tuyến (demo)"

    init(signingDirectory: String?, dataDirectory: String, logger: Logger) throws {
        if let signingDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: signingDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw Missing(description: "signing_dir: '\(signingDirectory)' is not a directory")
            }
            source = .directory(signingDirectory)
        } else {
            let folder = (dataDirectory as NSString).appendingPathComponent("signing-demo")
            source = .demo(folder)
            try Self.makeDemoCA(in: folder)
            logger.warning("documents are signed by the demo CA (\(Self.demoCAName), \(folder)): set signing_dir to each agency's real certificate and key for production (docs/signatures.md)")
        }
    }

    var isDemo: Bool { if case .demo = source { true } else { false } }

    /// The agency's credential: its files, or (demo) a certificate the demo CA issues on first use.
    func credential(agencyCode: String, agencyName: String) throws -> SigningCredential {
        guard Self.isSafe(agencyCode) else { throw Missing(description: "agency code '\(agencyCode)' cannot name a key folder") }
        let folder: String
        switch source {
        case .directory(let root): folder = (root as NSString).appendingPathComponent(agencyCode)
        case .demo(let root):
            folder = (root as NSString).appendingPathComponent("agencies/\(agencyCode)")
            if !FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("chain.pem")) {
                try issueDemo(agencyCode: agencyCode, agencyName: agencyName, root: root)
            }
        }
        let chainPath = (folder as NSString).appendingPathComponent("chain.pem")
        let keyPath = (folder as NSString).appendingPathComponent("key.pem")
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: chainPath),
              let modified = attributes[.modificationDate] as? Date else {
            throw Missing(description: "no signing certificate for agency \(agencyCode): put chain.pem and key.pem in \(folder)")
        }
        if let cached = loaded.withLock({ $0[agencyCode] }), cached.modified == modified { return cached.credential }
        let credential: SigningCredential
        do {
            credential = try SigningCredential(chainPEM: String(contentsOfFile: chainPath, encoding: .utf8),
                                               keyPEM: String(contentsOfFile: keyPath, encoding: .utf8))
        } catch {
            throw Missing(description: "the signing key of agency \(agencyCode) (\(folder)): \(error)")
        }
        loaded.withLock { $0[agencyCode] = (modified, credential) }
        return credential
    }

    /// Demo only: a new certificate (and key) for the agency, replacing the one it signs with;
    /// the old one stays in the database with the documents it signed.
    func rotateDemo(agencyCode: String, agencyName: String) throws {
        guard case .demo(let root) = source else {
            throw Missing(description: "with signing_dir the agency's CA issues its certificates: replace chain.pem and key.pem in \(agencyCode)/")
        }
        guard Self.isSafe(agencyCode) else { throw Missing(description: "agency code '\(agencyCode)' cannot name a key folder") }
        try issueDemo(agencyCode: agencyCode, agencyName: agencyName, root: root)
        loaded.withLock { $0[agencyCode] = nil }
    }

    private func issueDemo(agencyCode: String, agencyName: String, root: String) throws {
        let caPEM = try String(contentsOfFile: (root as NSString).appendingPathComponent("ca.pem"), encoding: .utf8)
        let caKey = try String(contentsOfFile: (root as NSString).appendingPathComponent("ca-key.pem"), encoding: .utf8)
        var error = [CChar](repeating: 0, count: 512)
        var certificate: UnsafeMutablePointer<CChar>?
        var key: UnsafeMutablePointer<CChar>?
        // 825 days: the longest a publicly trusted leaf certificate lived; rotation is routine.
        guard dvc_issue_certificate(caPEM, caKey, agencyName.isEmpty ? agencyCode : agencyName, agencyCode, 825,
                                    &certificate, &key, &error, 512) == 0, let certificate, let key else {
            throw Missing(description: "the demo CA could not issue a certificate for \(agencyCode): \(CMS.message(error))")
        }
        defer { dvc_signing_free(certificate); dvc_signing_free(key) }
        let folder = (root as NSString).appendingPathComponent("agencies/\(agencyCode)")
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch let error as CocoaError where error.code == .fileWriteOutOfSpace {
            throw NoSpace(description: "no space left to make \(folder)")
        }
        try Self.write(String(cString: key), to: (folder as NSString).appendingPathComponent("key.pem"), secret: true)
        try Self.write(String(cString: certificate) + caPEM, to: (folder as NSString).appendingPathComponent("chain.pem"), secret: false)
    }

    private static func makeDemoCA(in folder: String) throws {
        let certificatePath = (folder as NSString).appendingPathComponent("ca.pem")
        if FileManager.default.fileExists(atPath: certificatePath) { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var error = [CChar](repeating: 0, count: 512)
        var certificate: UnsafeMutablePointer<CChar>?
        var key: UnsafeMutablePointer<CChar>?
        guard dvc_make_ca(demoCAOrganization, demoCAName, 3650, &certificate, &key, &error, 512) == 0,
              let certificate, let key else {
            throw Missing(description: "the demo CA: \(CMS.message(error))")
        }
        defer { dvc_signing_free(certificate); dvc_signing_free(key) }
        try write(String(cString: key), to: (folder as NSString).appendingPathComponent("ca-key.pem"), secret: true)
        try write(String(cString: certificate), to: certificatePath, secret: false)
    }

    /// Written whole to a temporary name, then renamed: a reader never sees half a file. Keys
    /// are readable by the owner only.
    private static func write(_ text: String, to path: String, secret: Bool) throws {
        let temporary = path + ".tmp"
        // Made empty first with its mode, so a key is never readable by others, even briefly.
        guard FileManager.default.createFile(atPath: temporary, contents: nil,
                                             attributes: [.posixPermissions: secret ? 0o600 : 0o644]) else {
            throw errno == ENOSPC || errno == EDQUOT ? NoSpace(description: "no space left to write \(temporary)")
                                                     : Missing(description: "cannot write \(temporary)")
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        } catch let error as CocoaError where error.code == .fileWriteOutOfSpace {
            throw NoSpace(description: "no space left to write \(temporary)")
        } catch {
            throw Missing(description: "cannot write \(temporary): \(error)")
        }
        guard rename(temporary, path) == 0 else { throw Missing(description: "cannot rename \(temporary) to \(path)") }
    }

    /// An agency code as a folder name: letters, digits, '.', '-', '_', not starting with '.'.
    static func isSafe(_ code: String) -> Bool {
        !code.isEmpty && code.count <= 64 && !code.hasPrefix(".")
            && code.unicodeScalars.allSatisfy { ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "._-".unicodeScalars.contains($0) }
    }
}
