import CSigning
import Foundation

/// One agency's signing key and certificate (PEM), with the chain of its CA.
struct SigningCredential: Sendable {
    /// The agency's certificate alone (the first of `chainPEM`).
    var certificatePEM: String
    var keyPEM: String
    /// The agency's certificate, then its CA's up to the root: what `-CAfile` takes.
    var chainPEM: String
    var certificate: CertificateInfo

    /// From a chain file (the agency's certificate first) and a key file's texts; the key must
    /// belong to the certificate.
    init(chainPEM: String, keyPEM: String) throws {
        guard let end = chainPEM.range(of: "-----END CERTIFICATE-----") else {
            throw CMS.Failure(description: "no certificate (PEM) in the chain")
        }
        certificatePEM = String(chainPEM[..<end.upperBound]) + "\n"
        self.keyPEM = keyPEM
        self.chainPEM = chainPEM
        certificate = try CertificateInfo(pem: certificatePEM)
        var error = [CChar](repeating: 0, count: 512)
        guard dvc_key_matches(certificatePEM, keyPEM, &error, 512) == 0 else {
            throw CMS.Failure(description: CMS.message(error))
        }
    }
}

/// What a certificate says, as the verification page shows it.
struct CertificateInfo: Sendable, Hashable {
    var subject: String
    var issuer: String
    var serialHex: String
    var notBefore: Date
    var notAfter: Date
    /// The SHA-256 of its DER: the key it is kept under.
    var sha256Hex: String

    init(pem: String) throws {
        var error = [CChar](repeating: 0, count: 512)
        var subject: UnsafeMutablePointer<CChar>?
        var issuer: UnsafeMutablePointer<CChar>?
        var serial: UnsafeMutablePointer<CChar>?
        var digest: UnsafeMutablePointer<CChar>?
        var notBefore: Int64 = 0
        var notAfter: Int64 = 0
        let status = dvc_certificate_info(pem, &subject, &issuer, &serial, &notBefore, &notAfter, &digest, &error, 512)
        defer { for pointer in [subject, issuer, serial, digest] { dvc_signing_free(pointer) } }
        guard status == 0, let subject, let issuer, let serial, let digest else {
            throw CMS.Failure(description: "certificate: " + CMS.message(error))
        }
        self.subject = String(cString: subject)
        self.issuer = String(cString: issuer)
        self.serialHex = String(cString: serial)
        self.notBefore = Date(timeIntervalSince1970: Double(notBefore))
        self.notAfter = Date(timeIntervalSince1970: Double(notAfter))
        self.sha256Hex = String(cString: digest)
    }
}
