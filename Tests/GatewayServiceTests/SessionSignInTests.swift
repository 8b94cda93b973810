import GatewayDoor
import HTTPTypes
import Testing

/// Signing in over the JSON API: JSON only, and a browser session only from the portal itself,
/// so another site's form cannot sign a visitor's browser into an account of its choosing.
@Suite struct SessionSignInTests {
    @Test("a text/plain or form body is refused naming Content-Type; a cross-site browser sign-in is refused; the portal's own is served")
    func signInFromThePortalOnly() async throws {
        let gateway = try await InProcessGateway.make()
        let json: HTTPFields = [.contentType: "application/json"]
        let account = #"{"id":"001099012345","password":"Hoa sen 2026!","full_name":"Nguyễn Văn An"}"#
        let plain = try await gateway.send(.post, "/api/v1/citizens", headers: [.contentType: "text/plain"], body: account)
        #expect(plain.status == 400 && plain.body.contains("Content-Type"), "\(plain.body)")
        #expect(try await gateway.send(.post, "/api/v1/citizens", headers: json, body: account).status == 202)

        let signIn = #"{"id":"001099012345","password":"Hoa sen 2026!","kind":"browser"}"#
        let asForm = try await gateway.send(.post, "/api/v1/sessions", headers: [.contentType: "text/plain", .origin: "http://ke-gian.example"],
                                            body: signIn)
        #expect(asForm.status == 400 && asForm.headers[.setCookie] == nil, "\(asForm.body)")
        let crossSite = try await gateway.send(.post, "/api/v1/sessions", headers: [.contentType: "application/json", .origin: "http://ke-gian.example"],
                                               body: signIn)
        #expect(crossSite.status == 403 && crossSite.headers[.setCookie] == nil, "\(crossSite.body)")
        let own = try await gateway.send(.post, "/api/v1/sessions", headers: [.contentType: "application/json", .origin: "http://gateway.test"],
                                         body: signIn)
        #expect(own.status == 201 && own.headers[.setCookie]?.hasPrefix("__Host-dvc_session=") == true, "\(own.body)")
        // An API client (no Origin) gets its bearer token as before.
        let api = try await gateway.send(.post, "/api/v1/sessions", headers: json,
                                         body: #"{"id":"001099012345","password":"Hoa sen 2026!"}"#)
        #expect(api.status == 201 && api.body.contains("\"token\""))
    }
}
