import Foundation
import Logging
import RPCCore
import RPCNIO

/// A client of the gateway's binary RPC for an agency system (docs/clients.md).
///
/// ```swift
/// let client = try DVCClient(address: "gateway.example.vn:7443", apiKey: "ApiKey k3f9….PAz…",
///                            actingFor: .citizen("001099012345"), tlsCA: "ca.pem")
/// let answer = try await client.dossiers.submit(request)
/// let dossier = try await client.dossiers.get(answer.dossier!.id)
/// await client.close()
/// ```
///
/// Every call carries the API key (`authorization`) and the person acted for
/// (`x-dvc-on-behalf-of`), has a deadline (`timeout`, retries included), and is retried with
/// back-off after UNAVAILABLE when that is safe (`RetryPolicy`). A refused call throws
/// `RPCError`: its `code`, `message` and `field`. Calls share one connection, many at a time.
public final class DVCClient: Sendable {
    let transport: RPCClient
    let ownsTransport: Bool
    /// `ApiKey <id>.<secret>`, or nil for a caller without one (public methods only).
    public let apiKey: String?
    /// The person every call acts for, unless a call says otherwise; nil: the agency's system.
    public let person: Person?
    /// A call's deadline unless it gives its own; nil: none.
    public let timeout: Duration?
    public let retry: RetryPolicy

    /// - Parameters:
    ///   - address: the gateway's RPC port, `HOST:PORT`.
    ///   - apiKey: what `gateway api-key create` printed, `ApiKey <id>.<secret>` (the prefix may
    ///     be left out).
    ///   - actingFor: the person calls act for; nil for the agency's system itself.
    ///   - tlsCA: the platform CA's PEM file: TLS 1.2+, and the gateway's certificate must chain
    ///     to it and name `HOST`. nil: plain TCP.
    ///   - logger: where the connection's events go (reconnecting, TLS failures); by default
    ///     swift-log's handler at `warning`, so a program's output is not filled with them.
    public init(address: String, apiKey: String?, actingFor person: Person? = nil, tlsCA: String? = nil,
                timeout: Duration? = .seconds(10), retry: RetryPolicy = RetryPolicy(),
                logger: Logger = DVCClient.defaultLogger) throws {
        guard let peer = PeerAddress(address) else {
            throw RPCError(.invalidArgument, "address must be HOST:PORT, got '\(address)'")
        }
        var configuration = RPCClientConfiguration()
        if let tlsCA {
            do {
                configuration.tls = try RPCTLS.load(certificate: nil, privateKey: nil, authority: tlsCA,
                                                    requireClientCertificate: false)
            } catch {
                throw RPCError(.invalidArgument, "\(error)")
            }
        }
        // The transport's own pause before reconnecting stays below this client's back-off, so
        // a retry finds the gateway tried again rather than skipped.
        configuration.initialBackoff = retry.initialBackoff / 2
        configuration.maximumBackoff = retry.maximumBackoff / 2
        configuration.connectTimeout = .seconds(5)
        transport = RPCClient(peers: [peer], configuration: configuration, logger: logger)
        ownsTransport = true
        if let apiKey, !apiKey.hasPrefix("ApiKey "), !apiKey.hasPrefix("Bearer ") {
            self.apiKey = "ApiKey " + apiKey
        } else {
            self.apiKey = apiKey
        }
        self.person = person
        self.timeout = timeout
        self.retry = retry
    }

    /// `dvc.client` at `warning`.
    public static var defaultLogger: Logger {
        var logger = Logger(label: "dvc.client")
        logger.logLevel = .warning
        return logger
    }

    private init(sharing other: DVCClient, person: Person?) {
        transport = other.transport
        ownsTransport = false
        apiKey = other.apiKey
        self.person = person
        timeout = other.timeout
        retry = other.retry
    }

    /// A client acting for `person` (nil: the agency's system) over this one's connection.
    /// Closing it does nothing; close the first one.
    public func actingFor(_ person: Person?) -> DVCClient {
        DVCClient(sharing: self, person: person)
    }

    /// PublicService: agencies, procedures, forms.
    public var catalog: PublicCalls { PublicCalls(client: self) }
    /// DossierService: submit, read, track, act on dossiers.
    public var dossiers: DossierCalls { DossierCalls(client: self) }
    /// PaymentService: fees of level-4 dossiers.
    public var payments: PaymentCalls { PaymentCalls(client: self) }
    /// InboxService: a citizen's notifications and contact preferences.
    public var inbox: InboxCalls { InboxCalls(client: self) }

    /// Closes the connection (a client made by `actingFor` leaves it to its origin).
    public func close() async {
        if ownsTransport { await transport.close() }
    }

    /// Any gateway method, with this client's key, person, deadline and retries.
    public func call<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, kind: MethodKind,
        options: DVCCallOptions = DVCCallOptions(),
        onRetry: (@Sendable (_ attempt: Int, _ wait: Duration, _ error: RPCError) -> Void)? = nil
    ) async throws -> Response {
        var metadata = options.metadata
        if let apiKey { metadata[MetadataKey.authorization] = apiKey }
        if let person = options.person ?? person { metadata["x-dvc-on-behalf-of"] = person.description }
        var key = options.idempotencyKey
        if key == nil, kind == .writeNeedingKey { key = UUID().uuidString.lowercased() }
        if let key { metadata[MetadataKey.idempotencyKey] = key }
        let idempotent = kind == .read || key != nil
        let total = options.timeout ?? timeout
        let deadline = total.map { ContinuousClock.now + $0 }

        var attempt = 0
        while true {
            attempt += 1
            var callOptions = CallOptions(metadata: metadata, idempotent: idempotent)
            if let deadline {
                let remaining = deadline - .now
                guard remaining > .zero else { throw RPCError(.deadlineExceeded, "deadline exceeded") }
                callOptions.timeout = remaining
            }
            do {
                return try await transport.unary(method, request, options: callOptions)
            } catch let error as RPCError {
                if error.code == .unavailable, let deadline, ContinuousClock.now >= deadline {
                    // The connection could not be made or kept within the caller's time.
                    throw RPCError(.deadlineExceeded, "deadline exceeded (\(error.message))", metadata: error.metadata)
                }
                let safe = error.code == .unavailable && (idempotent || error.metadata["dvc-not-processed"] != nil)
                guard safe, attempt < retry.attempts else { throw error }
                let wait = retry.backoff(attempt - 1)
                if let deadline, ContinuousClock.now + wait >= deadline { throw error }
                onRetry?(attempt, wait, error)
                try await Task.sleep(for: wait)
            }
        }
    }
}
