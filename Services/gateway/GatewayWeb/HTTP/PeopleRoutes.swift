import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import NIOCore
import RPCCore

/// `/api/v1/citizens` and `/api/v1/sessions`: a citizen registers with their identity number
/// and a password, signs in for a bearer token (API clients) or a session cookie (browsers:
/// HttpOnly, Secure, SameSite=Strict, with a CSRF token to echo), and signs out.
struct PeopleRoutes: GatewayRoutes {
    /// With the `__Host-` prefix a browser keeps the cookie only if it is Secure, has Path=/ and
    /// no Domain, as set here: no sibling subdomain (nor a man in the middle on plain HTTP) can
    /// plant a session cookie of its choosing for the portal (session fixation).
    static let cookieName = "__Host-dvc_session"

    /// The browser session cookie: HttpOnly (no script reads it), Secure, Path=/ and no Domain
    /// (what `__Host-` requires), SameSite=Strict (no other site's request carries it). Every
    /// sign-in sets it here, every sign-out clears it.
    static func sessionCookie(_ token: String) -> String {
        "\(cookieName)=\(token); Path=/; HttpOnly; Secure; SameSite=Strict"
    }

    static let clearedSessionCookie = "\(cookieName)=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0"

    let accounts: CitizenAccounts
    let officers: OfficerAccounts
    let sessions: SessionStore
    let contacts: RegistrationContacts

    struct RegisterBody: Decodable {
        var id: String
        var password: String
        var fullName: String
        var email: String?
        var phone: String?

        enum CodingKeys: String, CodingKey {
            case id, password, email, phone
            case fullName = "full_name"
        }
    }

    struct SignInBody: Decodable {
        /// A citizen's identity number; or `officer_id` for an officer.
        var id: String?
        var officerId: String?
        var password: String
        /// "api" (default: a bearer token in the answer) or "browser" (a cookie).
        var kind: String?

        enum CodingKeys: String, CodingKey {
            case id, password, kind
            case officerId = "officer_id"
        }
    }

    struct OfficerBody: Decodable {
        var id: String
        var agencyCode: String?
        var roles: [String]
        var fullName: String
        var password: String

        enum CodingKeys: String, CodingKey {
            case id, roles, password
            case agencyCode = "agency_code"
            case fullName = "full_name"
        }
    }

    func add(to router: Router<GatewayRequestContext>) {
        let api = router.group("/api/v1")
        api.post("/citizens") { request, context -> Response in
            do {
                let body = try await Self.decode(RegisterBody.self, request, context)
                let registered = try await accounts.register(.init(id: body.id, password: body.password, fullName: body.fullName,
                                                                   email: body.email ?? "", phone: body.phone ?? ""),
                                                             client: context.client)
                // The same answer whether or not the number already had an account (no way to
                // find out who has one); only a new account's contacts go to notify-svc.
                if registered.created {
                    await contacts.remember(citizen: registered.id.digits, email: body.email ?? "", phone: body.phone ?? "")
                }
                return Self.json(.accepted, ["id": registered.id.digits, "message": CitizenAccounts.registeredMessage])
            } catch {
                return ProblemDocument.response(error)
            }
        }
        api.post("/sessions") { request, context -> Response in
            do {
                let body = try await Self.decode(SignInBody.self, request, context)
                let kind = SessionStore.Kind(rawValue: body.kind ?? "api") ?? .api
                // A browser session signed in from another site would sign the visitor's browser
                // into the attacker's account (login CSRF).
                guard kind == .api || PortalForm.sameOrigin(request) else {
                    throw RPCError(.permissionDenied, "Yêu cầu đăng nhập phải được gửi từ chính cổng dịch vụ công.")
                }
                let identity: CallerIdentity
                if let officerID = body.officerId {
                    identity = try await officers.signIn(id: officerID, password: body.password, client: context.client).identity
                } else if let id = body.id {
                    identity = .citizen(id: try await accounts.signIn(id: id, password: body.password, client: context.client).digits)
                } else {
                    throw RPCError.invalidArgument(field: "id", "Cần số định danh (công dân) hoặc officer_id (cán bộ).")
                }
                let (token, session) = try await sessions.create(for: identity, kind: kind)
                if kind == .api {
                    return Self.json(.created, ["token": token, "token_type": "Bearer", "expires_at_unix_ms": "\(session.expiresAtMs)"])
                }
                var response = Self.json(.created, ["csrf_token": session.csrfToken, "expires_at_unix_ms": "\(session.expiresAtMs)"])
                response.headers[.setCookie] = Self.sessionCookie(token)
                return response
            } catch {
                return ProblemDocument.response(error)
            }
        }
        api.post("/officers") { request, context -> Response in
            do {
                // An administrator's session (bearer; a browser's cookie needs its CSRF token).
                let creator = try await Self.signedIn(request, sessions: sessions, requireCSRF: true)
                let body = try await Self.decode(OfficerBody.self, request, context)
                let agency: String = if case .officer(_, let own, _) = creator { body.agencyCode ?? own } else { body.agencyCode ?? "" }
                let officer = try await officers.create(id: body.id, agencyCode: agency, roles: Set(body.roles),
                                                        fullName: body.fullName, password: body.password, createdBy: creator)
                return Self.json(.created, ["id": officer.id, "agency_code": officer.agencyCode])
            } catch {
                return ProblemDocument.response(error)
            }
        }
        api.delete("/sessions/current") { request, _ -> Response in
            guard let token = Self.sessionToken(request), try await sessions.revoke(token) else {
                return ProblemDocument.response(RPCError(.unauthenticated, "Không có phiên đăng nhập nào để kết thúc."))
            }
            var response = Response(status: .noContent)
            response.headers[.setCookie] = Self.clearedSessionCookie
            return response
        }
    }

    /// Who a request's session is: a bearer token, or the cookie with its CSRF token.
    static func signedIn(_ request: Request, sessions: SessionStore, requireCSRF: Bool) async throws -> CallerIdentity {
        if let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("bearer ") {
            let token = String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
            guard let session = try await sessions.lookup(token) else {
                throw RPCError(.unauthenticated, "Phiên đăng nhập không còn hiệu lực; vui lòng đăng nhập lại.")
            }
            return session.identity
        }
        guard let cookie = sessionToken(request), let session = try await sessions.lookup(cookie) else {
            throw RPCError(.unauthenticated, "Cần đăng nhập.")
        }
        if requireCSRF {
            let sent = request.headers[HTTPField.Name("X-CSRF-Token")!] ?? ""
            guard session.acceptsCSRF(sent) else {
                throw RPCError(.permissionDenied, "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF); hãy tải lại trang.")
            }
        }
        return session.identity
    }

    /// The bearer token, else the session cookie.
    static func sessionToken(_ request: Request) -> String? {
        if let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("bearer ") {
            return String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        }
        guard let cookies = request.headers[.cookie] else { return nil }
        for part in cookies.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0] == cookieName { return pair[1] }
        }
        return nil
    }

    /// The body of an account request, which must be JSON: a form another site makes a browser
    /// post can only be `text/plain`, urlencoded or multipart without asking first (CORS), so
    /// requiring `application/json` keeps such forms out.
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: GatewayRequestContext) async throws -> T {
        let mediaType = (request.headers[.contentType] ?? "").split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard mediaType == "application/json" else {
            throw RPCError.invalidArgument(field: "Content-Type", "Nội dung yêu cầu phải là JSON (Content-Type: application/json).")
        }
        let buffer = try await RequestBodies.collect(request, limit: 64 * 1024)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch DecodingError.keyNotFound(let key, _) {
            throw RPCError.invalidArgument(field: key.stringValue, "Thiếu trường bắt buộc.")
        } catch DecodingError.typeMismatch(_, let where_), DecodingError.valueNotFound(_, let where_) {
            throw RPCError.invalidArgument(field: where_.codingPath.map(\.stringValue).joined(separator: "."), "Sai kiểu dữ liệu.")
        } catch {
            throw RPCError(.invalidArgument, "Nội dung yêu cầu phải là JSON hợp lệ.")
        }
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: String]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
