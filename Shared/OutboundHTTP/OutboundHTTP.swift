import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Every HTTP call the platform makes to the outside (the payment providers, the SMS gateway,
/// agency systems' webhooks, the identity provider, the national portal) goes through here.
///
/// FoundationNetworking on Linux crashes the process when an async data task is cancelled
/// ("Trying to access a behaviour for a task that in not in the registry"), and a service's
/// tasks are cancelled when it shuts down — so a call in flight at SIGTERM killed the process
/// instead of letting it drain. The request runs in a task of its own, which the caller's
/// cancellation does not reach; the request's timeout bounds the wait instead.
public enum OutboundHTTP {
    public static func data(for request: URLRequest, session: URLSession = .shared) async throws -> (Data, URLResponse) {
        try await Task { try await session.data(for: request) }.value
    }
}
