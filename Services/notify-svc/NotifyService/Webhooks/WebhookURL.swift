import Foundation
import RPCCore

/// Checks the address an agency system gives for its webhook: `https://`, or `http://` only
/// to a loopback host (a receiver on the same machine, the tests), no user name or password in
/// it, at most 2048 bytes. Refusals are INVALID_ARGUMENT naming the field `url`, in Vietnamese.
///
/// Why not plain http elsewhere: the payload is not secret, but the signature only proves who
/// sent it, not that nobody read or replayed it on the way; TLS keeps the feed between the
/// platform and the agency. Redirects are never followed when sending (`WebhookClient`).
enum WebhookURL {
    static let maximumLength = 2048

    static func check(_ text: String) throws -> URL {
        func refuse(_ why: String) -> RPCError { RPCError.invalidArgument(field: "url", why) }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw refuse("Cần địa chỉ nhận (url) của webhook, dạng https://…") }
        guard trimmed.utf8.count <= maximumLength else { throw refuse("Địa chỉ dài quá \(maximumLength) ký tự.") }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty, let url = components.url
        else { throw refuse("'\(trimmed.prefix(100))' không phải địa chỉ URL đầy đủ (https://máy-chủ/đường-dẫn).") }
        guard components.user == nil, components.password == nil else {
            throw refuse("Địa chỉ không được chứa tên đăng nhập hay mật khẩu; chữ ký X-DVC-Signature thay cho chúng.")
        }
        guard components.fragment == nil else { throw refuse("Địa chỉ không được có phần #….") }
        switch scheme {
        case "https": return url
        case "http" where isLoopback(host): return url
        case "http": throw refuse("Chỉ nhận https://; http:// chỉ dùng cho máy nhận trên chính máy chủ (127.0.0.1, ::1, localhost).")
        default: throw refuse("Giao thức '\(scheme)' không được nhận; dùng https://.")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }
}
