/// The certificate a caller presented on a mutual-TLS connection, as the server verified it
/// (chain to the platform CA, valid now, not on the deny list). Nil on plain TCP and on a TLS
/// server that does not ask for client certificates (the gateway's public port).
///
/// The platform CA issues one certificate per service, named by the service (`CN=dossier-svc`),
/// and one per operator (deploy/tls/make-ca.sh), so `name` says which of them is calling.
public struct PeerCertificate: Hashable, Sendable, CustomStringConvertible {
    /// The subject's common name, e.g. `gateway`.
    public var name: String
    /// The serial number in upper-case hexadecimal without leading zeros, as `openssl x509
    /// -serial` prints it: what the deny list names.
    public var serial: String

    public init(name: String, serial: String) {
        self.name = name
        self.serial = serial
    }

    public var description: String { "\(name) (serial \(serial))" }
}
