import CSigning
import Foundation

/// Detached CMS signatures (RFC 5652, DER) through OpenSSL's libcrypto: what
/// `openssl cms -verify -binary -inform DER -in doc.p7s -content doc -CAfile chain.pem -purpose any`
/// checks. No format of our own: anyone verifies with standard tools (docs/signatures.md).
enum CMS {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The NUL-terminated message the C functions wrote into `buffer`.
    static func message(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A signature of `content` by the holder of `credential`, with the signed attribute
    /// signingTime = `at` (to the second) and the certificate inside.
    static func sign(_ content: Data, with credential: SigningCredential, at: Date) throws -> Data {
        var error = [CChar](repeating: 0, count: 512)
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let status = content.withUnsafeBytes { bytes in
            dvc_cms_sign(credential.certificatePEM, credential.keyPEM, "",
                         bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, Int64(at.timeIntervalSince1970.rounded(.down)),
                         &output, &length, &error, 512)
        }
        guard status == 0, let output else { throw Failure(description: "CMS signature: " + CMS.message(error)) }
        defer { dvc_signing_free(output) }
        return Data(bytes: output, count: length)
    }

    /// Whether `signature` is a valid signature of `content` by a certificate chaining to
    /// `trustedPEM`, the certificates judged at `at` (the signing time).
    static func verify(_ signature: Data, content: Data, trustedPEM: String, at: Date) -> Bool {
        var error = [CChar](repeating: 0, count: 512)
        let status = signature.withUnsafeBytes { signatureBytes in
            content.withUnsafeBytes { contentBytes in
                dvc_cms_verify(signatureBytes.bindMemory(to: UInt8.self).baseAddress, signatureBytes.count,
                               contentBytes.bindMemory(to: UInt8.self).baseAddress, contentBytes.count,
                               trustedPEM, Int64(at.timeIntervalSince1970.rounded(.down)), &error, 512)
            }
        }
        return status == 0
    }
}
