/// The request id of the HTTP request being served, for the calls its handler makes through
/// `GatewayClient`: the portal's pages and the JSON API then carry the id the answer's
/// `X-Request-Id` shows into every service's log lines, without each page passing it on.
public enum RequestScope {
    @TaskLocal public static var requestID: String?
}
