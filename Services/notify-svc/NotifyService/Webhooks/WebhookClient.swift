import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OutboundHTTP

/// One POST of one event to one webhook (docs/webhooks.md, "Request"): the stored JSON body,
/// `X-DVC-Event-Id` (the delivery's id, for the receiver's deduplication), `X-DVC-Event-Type`,
/// and `X-DVC-Signature` made at this attempt. A 2xx answer is delivered; anything else — a
/// 3xx (redirects are not followed: the registered address is the only one the feed goes
/// to), 4xx, 5xx, a timeout, a refused connection — is a failed attempt tried again later.
struct WebhookClient: Sendable {
    var timeout: Duration

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A session that follows no redirect.
    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        return URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
    }()

    final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
            completionHandler(nil)
        }
    }

    func send(_ job: WebhookQueue.Job, nowMs: Int64) async throws {
        guard let url = URL(string: job.url) else { throw Failure(description: "the webhook's URL does not parse") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.timeoutInterval = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("dvc-notify-svc/1", forHTTPHeaderField: "User-Agent")
        request.setValue(job.eventID, forHTTPHeaderField: "X-DVC-Event-Id")
        request.setValue(job.eventType, forHTTPHeaderField: "X-DVC-Event-Type")
        request.setValue(WebhookSignature.value(secret: job.secret, unixSeconds: nowMs / 1000, body: job.body),
                         forHTTPHeaderField: WebhookSignature.header)
        request.httpBody = job.body
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await OutboundHTTP.data(for: request, session: Self.session)
        } catch {
            throw Failure(description: "\(url.host ?? "") unreachable: \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let start = String(decoding: data.prefix(200), as: UTF8.self)
            throw Failure(description: "HTTP \(status)\(start.isEmpty ? "" : ": \(start)")")
        }
    }
}
