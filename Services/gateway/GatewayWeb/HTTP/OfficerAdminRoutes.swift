import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import NIOCore
import RPCCore

/// `/api/v1/officers/…` for an agency's administrator (a bearer token, or the browser session
/// with its CSRF token): list the agency's officers, change roles, disable or enable, reset a
/// password, end every session, read an officer's account events. The console's page
/// "Quản lý cán bộ" does the same through `OfficerAccounts`.
struct OfficerAdminRoutes: GatewayRoutes {
    let officers: OfficerAccounts
    let sessions: SessionStore

    struct Change: Decodable {
        var roles: [String]?
        var disabled: Bool?
    }

    struct Reset: Decodable {
        var password: String
    }

    func add(to router: Router<GatewayRequestContext>) {
        let api = router.group("/api/v1/officers")
        api.get { request, _ -> Response in
            do {
                let admin = try await PeopleRoutes.signedIn(request, sessions: sessions, requireCSRF: false)
                let query = FormData.parse(request.uri.query)
                let agency: String = if case .officer(_, let own, _) = admin { query["agency_code"] ?? own } else { query["agency_code"] ?? "" }
                let listed = try await officers.list(agency: agency, by: admin)
                return Self.json(.ok, ["officers": listed.map(Self.object)])
            } catch {
                return ProblemDocument.response(error)
            }
        }
        api.patch("/:id") { request, context -> Response in
            do {
                let admin = try await PeopleRoutes.signedIn(request, sessions: sessions, requireCSRF: true)
                let id = context.parameters.get("id") ?? ""
                let change = try await PeopleRoutes.decode(Change.self, request, context)
                guard change.roles != nil || change.disabled != nil else {
                    throw RPCError.invalidArgument(field: "roles", "Cần roles hoặc disabled.")
                }
                var listed: OfficerAccounts.Listed?
                if let roles = change.roles {
                    listed = try await officers.setRoles(id: id, roles: Set(roles), by: admin, client: context.client)
                }
                if let disabled = change.disabled {
                    listed = try await officers.setDisabled(id: id, disabled, by: admin, client: context.client)
                }
                return Self.json(.ok, Self.object(listed!))
            } catch {
                return ProblemDocument.response(error)
            }
        }
        api.post("/:id/password") { request, context -> Response in
            do {
                let admin = try await PeopleRoutes.signedIn(request, sessions: sessions, requireCSRF: true)
                let reset = try await PeopleRoutes.decode(Reset.self, request, context)
                let listed = try await officers.resetPassword(id: context.parameters.get("id") ?? "", to: reset.password,
                                                              by: admin, client: context.client)
                return Self.json(.ok, Self.object(listed))
            } catch {
                return ProblemDocument.response(error)
            }
        }
        api.delete("/:id/sessions") { request, context -> Response in
            do {
                let admin = try await PeopleRoutes.signedIn(request, sessions: sessions, requireCSRF: true)
                let listed = try await officers.revokeSessions(id: context.parameters.get("id") ?? "", by: admin, client: context.client)
                return Self.json(.ok, Self.object(listed))
            } catch {
                return ProblemDocument.response(error)
            }
        }
        api.get("/:id/events") { request, context -> Response in
            do {
                let admin = try await PeopleRoutes.signedIn(request, sessions: sessions, requireCSRF: false)
                let events = try await officers.events(id: context.parameters.get("id") ?? "", by: admin)
                return Self.json(.ok, ["events": events.map(Self.object)])
            } catch {
                return ProblemDocument.response(error)
            }
        }
    }

    static func object(_ listed: OfficerAccounts.Listed) -> [String: Any] {
        ["id": listed.officer.id, "agency_code": listed.officer.agencyCode, "roles": listed.officer.roles.sorted(),
         "full_name": listed.officer.fullName, "disabled": listed.disabled, "created_at_unix_ms": "\(listed.createdAtMs)"]
    }

    static func object(_ event: AccountAudit.Event) -> [String: Any] {
        ["at_unix_ms": "\(event.atMs)", "kind": event.kind, "actor": event.actor, "client": event.client, "detail": event.detail]
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
