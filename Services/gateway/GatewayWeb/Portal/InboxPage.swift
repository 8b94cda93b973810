import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import NIOCore
import RPCCore

/// The citizen's notification inbox (`/hop-thu`): what notify-svc told them about their
/// dossiers, newest first, unread ones marked, each linking to its dossier; "mark as read" is a
/// form with the session's CSRF token.
struct InboxPage: GatewayRoutes {
    let gateway: GatewayClient

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/hop-thu") { request, context -> Response in
            guard let visitor = context.visitor, visitor.citizenID != nil else {
                return PortalForm.signIn(returningTo: "/hop-thu")
            }
            var list = NotifyV1.ListInboxRequest()
            list.pageSize = 50
            list.pageToken = FormData.parse(request.uri.query)["trang"] ?? ""
            let inbox: NotifyV1.ListInboxResponse
            do {
                inbox = try await gateway.call(GatewayV1.InboxService.listInbox, list, as: visitor.caller)
            } catch let error as RPCError {
                return PortalPage.response(title: "Hộp thư", body: "<h1>Hộp thư</h1><p class=\"error\" role=\"alert\">\(PortalPage.escape(PortalMessages.refusal(error)))</p>",
                                           status: .serviceUnavailable)
            }
            return PortalPage.response(title: "Hộp thư", body: Self.html(inbox, visitor: visitor))
        }
        router.post("/hop-thu/da-doc") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let visitor = context.visitor, visitor.citizenID != nil else { return PortalForm.forged() }
            let form = try await PortalForm.fields(request)
            guard visitor.accepts(form) else { return PortalForm.forged() }
            var mark = NotifyV1.MarkReadRequest()
            mark.messageId = form["message_id"] ?? ""
            _ = try? await gateway.call(GatewayV1.InboxService.markRead, mark, as: visitor.caller)
            return PortalForm.redirect("/hop-thu")
        }
    }

    static func html(_ inbox: NotifyV1.ListInboxResponse, visitor: PortalVisitor) -> String {
        let e = PortalPage.escape
        let items = inbox.messages.map { message in
            let link = message.dossierId.isEmpty ? "" : " <a href=\"/ho-so/\(e(message.dossierId))\">Xem hồ sơ</a>"
            let mark = message.read ? "" : """
                <form method="post" action="/hop-thu/da-doc" class="inline">\(visitor.csrfInput)<input type="hidden" name="message_id" value="\(e(message.id))"><button type="submit" class="secondary">Đánh dấu đã đọc</button></form>
                """
            return """
                <article class="message\(message.read ? "" : " unread")"><h2>\(message.read ? "" : "<span class=\"badge\">Mới</span> ")\(e(message.subject))</h2>
                <p class="meta">\(e(PortalFormat.dateTime(message.createdAtUnixMs)))\(link)</p>
                <p>\(e(message.body).replacingOccurrences(of: "\n", with: "<br>"))</p>\(mark)</article>
                """
        }.joined(separator: "\n")
        let more = inbox.nextPageToken.isEmpty ? "" : "<p><a href=\"/hop-thu?trang=\(e(PortalRoutes.formEncode(inbox.nextPageToken)))\">Thư cũ hơn</a></p>"
        return """
            <h1>Hộp thư</h1>
            <p>\(inbox.unreadCount) thư chưa đọc.</p>
            \(items.isEmpty ? "<p>Chưa có thư nào.</p>" : items)
            \(more)
            """
    }
}
