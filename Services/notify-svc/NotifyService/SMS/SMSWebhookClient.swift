import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OutboundHTTP

/// The SMS provider adapter: one HTTP POST per message to the provider's webhook, JSON in the
/// shape SMS gateways take — `{"to":"+84912345678","text":"...","reference":"<delivery id>"}` —
/// with the key in `X-API-Key` and the delivery id in `Idempotency-Key` (a provider that
/// honours it drops the repeat that the at-least-once window can cause).
///
/// The answer's `message_id` (or `id`) is the provider's id for the log. 2xx: sent; 429, 408
/// and 5xx: try again later; other 4xx: refused for good (bad number, bad key).
///
/// Foundation's URLSession rather than a NIOHTTP1 client: it ships with the toolchain, so it
/// adds nothing to the build, and one POST per SMS needs nothing more.
struct SMSWebhookClient: Sendable {
    struct Configuration: Sendable, Hashable {
        var url: URL
        var apiKey: String
        var timeout: Duration = .seconds(15)
    }

    struct Failure: Error, CustomStringConvertible {
        var permanent: Bool
        var description: String
    }

    let configuration: Configuration

    /// Returns the provider's message id ("" when it gave none).
    func send(to phone: String, text: String, reference: String) async throws -> String {
        var request = URLRequest(url: configuration.url)
        request.httpMethod = "POST"
        request.timeoutInterval = Double(configuration.timeout.milliseconds) / 1000
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue(configuration.apiKey, forHTTPHeaderField: "X-API-Key")
        request.setValue(reference, forHTTPHeaderField: "Idempotency-Key")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["to": phone, "text": text, "reference": reference],
                                                      options: [.sortedKeys])
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await OutboundHTTP.data(for: request)
        } catch {
            throw Failure(permanent: false, description: "SMS gateway \(configuration.url.host ?? "") unreachable: \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let body = String(decoding: data.prefix(300), as: UTF8.self)
        guard (200..<300).contains(status) else {
            let permanent = (400..<500).contains(status) && status != 408 && status != 429
            throw Failure(permanent: permanent, description: "SMS gateway answered HTTP \(status): \(body)")
        }
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        if let id = json?["message_id"] ?? json?["id"] { return "\(id)" }
        return ""
    }
}
