import Foundation
import GatewayDoor
import HTTPTypes
import RPCCore
import Testing

/// What a browser is told to enforce: the session cookie's `__Host-` prefix and attributes, and
/// the content security policy of the portal's and the console's pages.
@Suite struct BrowserHeadersTests {
    /// A Set-Cookie a browser keeps under the `__Host-` prefix: Secure, Path=/, no Domain.
    static func expectHostCookie(_ setCookie: String?, _ where_: String) {
        let cookie = setCookie ?? ""
        let attributes = cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        #expect(cookie.hasPrefix("__Host-dvc_session="), "\(where_): \(cookie)")
        #expect(attributes.contains("secure") && attributes.contains("path=/") && attributes.contains("httponly")
                    && attributes.contains("samesite=strict"), "\(where_): \(cookie)")
        #expect(!attributes.contains { $0.hasPrefix("domain=") }, "\(where_): \(cookie)")
    }

    static func expectPolicy(_ answer: InProcessGateway.Answer, _ where_: String) {
        let policy = answer.headers[.contentSecurityPolicy] ?? ""
        let directives = Set(policy.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(directives.contains("form-action 'self'") && directives.contains("frame-ancestors 'none'"),
                "\(where_) (\(answer.status)): \(policy)")
    }

    @Test("the session cookie is __Host-dvc_session (Secure, Path=/, no Domain) for citizens and officers")
    func hostPrefixedCookie() async throws {
        let gateway = try await InProcessGateway.make()
        let json: HTTPFields = [.contentType: "application/json", .origin: "http://gateway.test"]
        _ = try await gateway.send(.post, "/api/v1/citizens", headers: json,
                                   body: #"{"id":"001099012345","password":"Hoa sen 2026!","full_name":"Nguyễn Văn An"}"#)
        let citizen = try await gateway.send(.post, "/api/v1/sessions", headers: json,
                                             body: #"{"id":"001099012345","password":"Hoa sen 2026!","kind":"browser"}"#)
        #expect(citizen.status == 201, "\(citizen.body)")
        Self.expectHostCookie(citizen.headers[.setCookie], "citizen sign-in")

        _ = try await gateway.door.officers.create(id: "tn01", agencyCode: "000.00.07.H26", roles: ["receiver"], fullName: "Trần Nam",
                                                   password: "mat-khau-du-dai-1", createdBy: .system(service: "test"))
        let officer = try await gateway.send(.post, "/can-bo/dang-nhap", headers: [
            .contentType: "application/x-www-form-urlencoded", .origin: "http://gateway.test",
        ], body: "id=tn01&password=mat-khau-du-dai-1")
        #expect(officer.status == 303, "\(officer.body)")
        Self.expectHostCookie(officer.headers[.setCookie], "officer sign-in")
        // Signing out clears the same cookie.
        let cookie = String((officer.headers[.setCookie] ?? "").split(separator: ";")[0])
        let page = try await gateway.get("/can-bo", headers: [.cookie: cookie])
        let csrf = page.body.firstRange(of: #"name="csrf_token" value=""#).map { range in
            String(page.body[range.upperBound...].prefix { $0 != "\"" })
        } ?? ""
        let signOut = try await gateway.send(.post, "/dang-xuat", headers: [
            .contentType: "application/x-www-form-urlencoded", .origin: "http://gateway.test", .cookie: cookie,
        ], body: "csrf_token=\(csrf)")
        #expect(signOut.headers[.setCookie]?.hasPrefix("__Host-dvc_session=;") == true, "\(signOut.status) \(signOut.headers)")
    }

    @Test("every portal and console page says form-action 'self' and frame-ancestors 'none'")
    func pagePolicy() async throws {
        let gateway = try await InProcessGateway.make(dossierMethods: true)
        for path in ["/", "/dang-nhap", "/dang-ky", "/thu-tuc?q=khai+sinh", "/co-quan", "/can-bo/dang-nhap", "/tra-cuu-ho-so"] {
            Self.expectPolicy(try await gateway.get(path), path)
        }
        _ = try await gateway.door.officers.create(id: "tn01", agencyCode: "000.00.07.H26", roles: ["receiver"], fullName: "Trần Nam",
                                                   password: "mat-khau-du-dai-1", createdBy: .system(service: "test"))
        let signedIn = try await gateway.send(.post, "/can-bo/dang-nhap", headers: [
            .contentType: "application/x-www-form-urlencoded", .origin: "http://gateway.test",
        ], body: "id=tn01&password=mat-khau-du-dai-1")
        let cookie = String((signedIn.headers[.setCookie] ?? "").split(separator: ";")[0])
        for path in ["/can-bo", "/can-bo/qua-han", "/can-bo/thong-ke"] {
            let page = try await gateway.get(path, headers: [.cookie: cookie])
            #expect(page.body.contains("Đăng xuất"), "\(path) is not a console page: \(page.status)")
            Self.expectPolicy(page, path)
        }
    }
}
