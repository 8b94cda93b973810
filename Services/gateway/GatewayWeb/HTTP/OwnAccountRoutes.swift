import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import NIOCore
import RPCCore

/// What a signed-in person does to their own account over the JSON API: change the password
/// (`PUT /api/v1/me/password`; every other session ends), end every other session
/// (`DELETE /api/v1/sessions`), and, for a citizen, read their account's events — sign-ins,
/// failed ones, password changes (`GET /api/v1/me/events`).
struct OwnAccountRoutes: GatewayRoutes {
    let citizens: CitizenAccounts
    let officers: OfficerAccounts
    let sessions: SessionStore

    struct PasswordChange: Decodable {
        var currentPassword: String
        var newPassword: String

        enum CodingKeys: String, CodingKey {
            case currentPassword = "current_password"
            case newPassword = "new_password"
        }
    }

    func add(to router: Router<GatewayRequestContext>) {
        router.put("/api/v1/me/password") { request, context -> Response in
            do {
                let identity = try await PeopleRoutes.signedIn(request, sessions: sessions, requireCSRF: true)
                let change = try await PeopleRoutes.decode(PasswordChange.self, request, context)
                let token = PeopleRoutes.sessionToken(request)
                switch identity {
                case .citizen(let id):
                    try await citizens.changePassword(of: try CitizenID(id), current: change.currentPassword, new: change.newPassword,
                                                      keeping: token, client: context.client)
                default:
                    try await officers.changeOwnPassword(of: identity, current: change.currentPassword, new: change.newPassword,
                                                         keeping: token, client: context.client)
                }
                return Response(status: .noContent)
            } catch {
                return ProblemDocument.response(error)
            }
        }
        router.delete("/api/v1/sessions") { request, context -> Response in
            do {
                let identity = try await PeopleRoutes.signedIn(request, sessions: sessions, requireCSRF: true)
                let token = PeopleRoutes.sessionToken(request)
                let ended: Int
                switch identity {
                case .citizen(let id):
                    ended = try await citizens.revokeSessions(of: try CitizenID(id), keeping: token, client: context.client)
                case .officer:
                    ended = try await officers.revokeOwnSessions(of: identity, keeping: token, client: context.client)
                default:
                    throw RPCError(.permissionDenied, "Chỉ người đăng nhập mới kết thúc phiên của mình.")
                }
                return OfficerAdminRoutes.json(.ok, ["ended": ended])
            } catch {
                return ProblemDocument.response(error)
            }
        }
        router.get("/api/v1/me/events") { request, _ -> Response in
            do {
                let identity = try await PeopleRoutes.signedIn(request, sessions: sessions, requireCSRF: false)
                guard case .citizen(let id) = identity else {
                    throw RPCError(.permissionDenied, "Nhật ký tài khoản cán bộ do quản trị viên cơ quan xem.")
                }
                let events = try await citizens.events(of: try CitizenID(id))
                return OfficerAdminRoutes.json(.ok, ["events": events.map(OfficerAdminRoutes.object)])
            } catch {
                return ProblemDocument.response(error)
            }
        }
    }
}
