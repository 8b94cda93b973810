import Foundation
@testable import GatewayWeb
import HTTPTypes
import Testing

/// Where a sign-in sends the browser next (`tiep`): only a path of this site. The known ways of
/// smuggling another site past a "starts with one slash" check — a tab or newline the browser
/// drops, a backslash it reads as a slash, a scheme, a space, an invisible format character —
/// are refused, on the citizens' and the officers' sign-in alike (one function).
@Suite struct SignInRedirectTests {
    static let bypasses = [
        "//evil.example", "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\\evil.example",
        "/\\\\evil.example", "\\/evil.example", " /evil.example", "/ /evil.example", "/\u{0B}/evil.example",
        "/\u{200B}/evil.example", "/\u{3000}/evil.example", "https://evil.example", "javascript:alert(1)",
        "evil.example", "", "/\u{0}/evil.example",
    ]

    @Test("only a local path is kept; every known bypass falls back")
    func localPaths() {
        for bypass in Self.bypasses {
            #expect(PortalForm.localPath(bypass, otherwise: "/ve-nha") == "/ve-nha", "accepted \(bypass.debugDescription)")
        }
        for good in ["/ho-so-cua-toi", "/ho-so/abc?da_nop=1", "/thu-tuc?q=khai%20sinh", "/ho-so/%2F%2Fkhong-phai-may-khac"] {
            #expect(PortalForm.localPath(good, otherwise: "/ve-nha") == good)
        }
    }

    @Test("a citizen signing in with a crafted 'tiep' lands on the portal, never elsewhere")
    func signInRedirects() async throws {
        let gateway = try await InProcessGateway.make()
        let registered = try await gateway.send(.post, "/api/v1/citizens", headers: [.contentType: "application/json"],
                                                body: #"{"id":"001099012345","password":"Hoa sen 2026!","full_name":"Nguyễn Văn An"}"#)
        #expect(registered.status == 202, "\(registered.body)")
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.*")
        for next in ["/\t/evil.example", "/\\evil.example", "//evil.example", "/ho-so/abc"] {
            let form = [("id", "001099012345"), ("password", "Hoa sen 2026!"), ("tiep", next)]
                .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
            let signedIn = try await gateway.send(.post, "/dang-nhap", headers: [
                .contentType: "application/x-www-form-urlencoded", .origin: "http://gateway.test"], body: form)
            #expect(signedIn.status == 303)
            let location = signedIn.headers[.location] ?? ""
            #expect(location == (next == "/ho-so/abc" ? "/ho-so/abc" : "/ho-so-cua-toi"), "\(next.debugDescription) → \(location)")
        }
    }
}
