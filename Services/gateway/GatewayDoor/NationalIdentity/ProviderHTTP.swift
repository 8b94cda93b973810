import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OutboundHTTP

/// The gateway's two kinds of call to the identity provider, server to server: reading a JSON
/// document (discovery, keys) and posting a form (the token endpoint). Foundation's URLSession,
/// as the platform's other outgoing HTTP calls; no cookies, no cache, a short timeout.
enum ProviderHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForRequest = 10
        return URLSession(configuration: configuration)
    }()

    /// A document's body; anything but 200 is a failure.
    static func get(_ url: String) async throws -> Data {
        guard let target = URL(string: url) else { throw Failure(description: "not a URL: \(url)") }
        var request = URLRequest(url: target)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let (data, response) = try await OutboundHTTP.data(for: request, session: session)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw Failure(description: "GET \(url) answered \(status)") }
        return data
    }

    /// A form posted with optional HTTP Basic credentials: the status and the body.
    static func post(_ url: String, form: [(String, String)], basic: (user: String, password: String)?) async throws -> (Int, Data) {
        guard let target = URL(string: url) else { throw Failure(description: "not a URL: \(url)") }
        var request = URLRequest(url: target)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let basic {
            // RFC 6749 §2.3.1: each part form-encoded before joining.
            let pair = "\(formEncode(basic.user)):\(formEncode(basic.password))"
            request.setValue("Basic \(Data(pair.utf8).base64EncodedString())", forHTTPHeaderField: "Authorization")
        }
        request.httpBody = Data(form.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&").utf8)
        let (data, response) = try await OutboundHTTP.data(for: request, session: session)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// application/x-www-form-urlencoded: unreserved characters kept, the rest percent-encoded.
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
