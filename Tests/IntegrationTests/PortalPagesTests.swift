import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPCNIO
import TestKit
import Testing

/// The portal's public pages from the real gateway: search with Vietnamese folding, a
/// procedure's page with the level at each agency and what it lets a citizen do, and text a
/// visitor types shown as text, never run.
@Suite(.timeLimit(.minutes(2))) struct PortalPagesTests {
    static func page(_ url: String) async throws -> (Int, String, String) {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, http.value(forHTTPHeaderField: "Content-Type") ?? "", String(decoding: data, as: UTF8.self))
    }

    @Test("home, folded search, a procedure's page with its levels; typed text escaped; unknown procedure 404")
    func publicPages() async throws {
        try await withService("catalog-svc") { catalog in
            try await withService("gateway", extraArguments: ["--catalog", catalog.address.description, "--http", "127.0.0.1:0"]) { gateway in
                let root = try await PaymentFlowTests.httpAddress(gateway)
                let (homeStatus, homeType, home) = try await Self.page(root + "/")
                #expect(homeStatus == 200 && homeType.hasPrefix("text/html") && home.contains("<html lang=\"vi\">"))
                #expect(home.contains("name=\"viewport\"") && home.contains("action=\"/thu-tuc\""))

                let (status, _, results) = try await Self.page(root + "/thu-tuc?q=dang+ky+khai+sinh")
                #expect(status == 200)
                #expect(results.contains("<a href=\"/thu-tuc/1.001193\">Đăng ký khai sinh</a>"), "\(results)")
                // What the browser's form sends ("+" for spaces) is shown as the citizen typed it.
                #expect(results.contains("Kết quả cho “dang ky khai sinh”") && results.contains("value=\"dang ky khai sinh\""))

                let (procedureStatus, _, procedure) = try await Self.page(root + "/thu-tuc/1.001193")
                #expect(procedureStatus == 200)
                #expect(procedure.contains("<h1>Đăng ký khai sinh</h1>"))
                #expect(procedure.contains("mức độ 4 — toàn trình") && procedure.contains("thanh toán phí và nhận kết quả hoàn toàn trực tuyến"))
                #expect(procedure.contains("Trình tự thực hiện") && procedure.contains("Thành phần hồ sơ") && procedure.contains("Căn cứ pháp lý"))

                let typed = "<script>alert('x')</script>"
                let (_, _, echoed) = try await Self.page(root + "/thu-tuc?q=" + (typed.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
                #expect(!echoed.contains(typed) && echoed.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))

                let (missingStatus, _, missing) = try await Self.page(root + "/thu-tuc/KHONG-CO")
                #expect(missingStatus == 404 && missing.contains("Không tìm thấy thủ tục"))
            }
        }
    }
}
