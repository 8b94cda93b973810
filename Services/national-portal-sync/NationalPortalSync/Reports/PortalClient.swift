import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OutboundHTTP

/// The national portal's API as the platform calls it (docs/national-portal.md): every request
/// signed with `PortalSignature`. URLSession, as notify-svc's SMS adapter: it ships with the
/// toolchain.
struct PortalClient: Sendable {
    let settings: NationalPortalSettings

    /// What the portal answered: its HTTP status (0 when it could not be reached) and body.
    struct Answer: Sendable {
        var status: Int
        var body: Data
        var text: String { String(decoding: body.prefix(500), as: UTF8.self) }
        /// The portal refused the request for good: retrying it unchanged cannot succeed.
        var refused: Bool { (400..<500).contains(status) && status != 408 && status != 429 }
        var accepted: Bool { (200..<300).contains(status) }
    }

    func call(_ method: String, _ path: String, body: Data = Data(), timeout: Duration = .seconds(10)) async -> Answer {
        guard let url = URL(string: settings.portalURL.absoluteString.trimmingSuffix("/") + path) else {
            return Answer(status: 0, body: Data("bad path \(path)".utf8))
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = Double(timeout.components.seconds)
        if !body.isEmpty {
            request.httpBody = body
            request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in PortalSignature.sign(method: method, path: path, body: body,
                                                  client: settings.clientID, secret: settings.signingSecret) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        do {
            let (data, response) = try await OutboundHTTP.data(for: request)
            return Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
        } catch {
            return Answer(status: 0, body: Data("unreachable: \(error.localizedDescription)".utf8))
        }
    }

    static func path(dossier portalID: String) -> String {
        "/dvcqg/v1/dossiers/" + (portalID.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._"))) ?? portalID)
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
