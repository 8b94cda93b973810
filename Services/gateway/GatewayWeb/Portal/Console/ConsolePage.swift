import DVCProto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OneStop

/// The console's page frame: the portal's frame with the console's own header and navigation
/// in place of the citizens' (work queue, overdue list, statistics, the service index, and sign-out as a POST form carrying the session's CSRF
/// token, because a sign-out link could be triggered by any other site).
enum ConsolePage {
    static func response(_ officer: ConsoleOfficer, title: String, body: String,
                         status: HTTPResponse.Status = .ok) -> Response {
        let e = PortalPage.escape
        let roles = officer.roles.sorted { $0.rawValue < $1.rawValue }.map(OneStopNames.role).joined(separator: ", ")
        let style = """
            <style>
            nav.console{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
            nav.console form{margin:0}nav.console button{padding:.3rem .7rem;font-size:.9rem;background:#fff;color:#a50e0e}
            main{max-width:72rem}
            .error{color:#a50e0e}.flash{background:#d1e7dd;padding:.5rem}.alert{background:#f8d7da;padding:.5rem}
            .overdue{color:#a50e0e;font-weight:600}.due-soon{color:#8a5300;font-weight:600}section.action{border:1px solid #ccc;border-radius:4px;padding:.5rem .75rem;margin:.75rem 0}
            textarea,input[type=text],input[type=datetime-local],input[type=password],select{font-size:1rem;padding:.4rem;max-width:100%;box-sizing:border-box}
            textarea{width:100%}.table-wrap{overflow-x:auto}.table-wrap th,.table-wrap td{overflow-wrap:break-word}
            ul.tabs{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem;border-bottom:1px solid #ccc}
            ul.tabs a{display:inline-block;padding:.3rem .6rem;border:1px solid #ccc;border-bottom:0;border-radius:4px 4px 0 0;text-decoration:none;color:#1b1b1b}
            ul.tabs a[aria-current=page]{background:#a50e0e;color:#fff;border-color:#a50e0e}
            .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
            form.assign{display:flex;gap:.25rem;flex-wrap:wrap}form.assign select{width:auto}form.assign button{padding:.25rem .5rem;font-size:.9rem}
            </style>
            """
        // The console's own header: officers get the desk's navigation, not the citizens' portal's.
        let header = """
            <header><a class="brand" href="/can-bo">Bàn làm việc một cửa</a>
            <nav class="console" aria-label="Bàn làm việc cán bộ">
            <a href="/can-bo">Hàng đợi</a>
            <a href="/can-bo/qua-han">Quá hạn</a>
            \(officer.roles.contains(.receiver) ? "<a href=\"/can-bo/tiep-nhan\">Tiếp nhận hồ sơ giấy</a>" : "")
            <a href="/can-bo/thong-ke">Thống kê</a>
            <a href="/chi-so-phuc-vu">Chỉ số phục vụ</a>
            \(officer.roleNames.contains("admin") ? "<a href=\"/can-bo/quan-tri\">Quản lý cán bộ</a>" : "")
            <a href="/tai-khoan">Tài khoản</a>
            <span>\(e(officer.id)) — \(e(officer.agency))\(roles.isEmpty ? "" : " (\(e(roles)))")</span>
            <form method="post" action="/dang-xuat">\(officer.visitor.csrfInput)<button type="submit">Đăng xuất</button></form>
            </nav></header>
            """
        var page = PortalPage.response(title: title, body: style + body, status: status, header: header)
        // Citizens' personal data: not kept by the browser's or any shared cache.
        page.headers[.cacheControl] = "private, no-store"
        return page
    }

    /// "Không tìm thấy": an unknown dossier and another agency's look the same, so ids cannot
    /// be probed.
    static func notFound(_ officer: ConsoleOfficer) -> Response {
        response(officer, title: "Không tìm thấy",
                 body: "<h1>Không tìm thấy hồ sơ</h1><p>Không có hồ sơ này trong cơ quan của bạn.</p><p><a href=\"/can-bo\">Về hàng đợi</a></p>",
                 status: .notFound)
    }

    /// The services behind the gateway did not answer.
    static func unavailable(_ officer: ConsoleOfficer, title: String) -> Response {
        response(officer, title: title,
                 body: "<h1>\(PortalPage.escape(title))</h1><p class=\"alert\" role=\"alert\">Hệ thống đang bận hoặc tạm thời không truy cập được; vui lòng thử lại sau.</p>",
                 status: .serviceUnavailable)
    }

    /// `<a>` for a dossier's page.
    static func dossierLink(_ id: String, text: String) -> String {
        "<a href=\"/can-bo/ho-so/\(PortalPage.escape(pathSegment(id)))\">\(PortalPage.escape(text))</a>"
    }

    /// A value as one URL path segment (ids are UUID-like today; this keeps any future "/" or
    /// "?" in one from changing the route).
    static func pathSegment(_ value: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
