import GatewayDoor
import HTTPTypes
import Hummingbird
import Logging
import RPCCore

/// Gives every request an id and every answer the header `X-Request-Id` with it — pages,
/// the JSON API, errors, refusals — so a citizen or an integrator can quote it and an operator
/// finds the request's log lines in every service. A caller's own `X-Request-Id` is kept when
/// it is a plain token of at most 64 characters (letters, digits, `-`, `_`, `.`); anything else
/// is replaced, so a log line never carries what a stranger chose to inject.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    static let header = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = request.headers[Self.header].flatMap(Self.acceptable) ?? Self.make()
        var context = context
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        do {
            var response = try await RequestScope.$requestID.withValue(id) { try await next(request, context) }
            response.headers[Self.header] = id
            return response
        } catch let error as any HTTPResponseError {
            // Hummingbird turns a thrown HTTP error into an answer after every middleware:
            // made here instead, it gets the header too.
            var response = try error.response(from: request, context: context)
            response.headers[Self.header] = id
            return response
        }
    }

    /// A caller's id, if it is one a log line can carry as it is.
    static func acceptable(_ id: String) -> String? {
        guard !id.isEmpty, id.count <= 64,
              id.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) })
        else { return nil }
        return id
    }

    static func make() -> String {
        var generator = IDGenerator()
        return generator.hex(words: 2)
    }
}
