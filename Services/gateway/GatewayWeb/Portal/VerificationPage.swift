import Crypto
import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import NIOCore
import RPCCore

/// The public verification of a signed document (docs/signatures.md), without signing in: the
/// QR code printed on every one-stop document links to `/xac-minh/<code>`.
///
/// The page shows who issued what and when, the SHA-256 of what was signed, the certificate
/// and the status (valid, replaced, annulled, signed after its certificate was revoked); no
/// personal data. A file uploaded (or its SHA-256 pasted) is compared with what was signed. The
/// signature (.p7s, DER) and the certificate chain (.pem) download for `openssl cms -verify`.
/// The same record as JSON: `GET /api/v1/verify/<code>`. Every request is counted by the
/// HTTP side's per-address rate limit like the other public look-ups.
struct VerificationPage: GatewayRoutes {
    static let title = "Xác minh văn bản điện tử"
    /// A result file is at most 10 MiB (dossier-svc's limit for a file): so is what is compared.
    static let uploadLimits = MultipartForm.Limits(maxFileBytes: 10 << 20, maxTotalBytes: (10 << 20) + 65536, maxFields: 4)

    let gateway: GatewayClient

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/xac-minh") { request, _ -> Response in
            // The form on the portal: a code typed in goes to its page.
            let code = FormData.parse(request.uri.query)["ma"]?.trimmingCharacters(in: .whitespaces) ?? ""
            if !code.isEmpty, code.count <= 32 {
                return Response(status: .seeOther, headers: [.location: "/xac-minh/\(PercentEncoding.encode(code, keeping: "-"))"])
            }
            return PortalPage.response(title: Self.title, body: """
                <h1>\(Self.title)</h1>
                <form method="get" action="/xac-minh">
                \(PortalForm.field("ma", "Mã xác minh (in dưới mã QR trên văn bản)", error: nil, attributes: "required maxlength=\"32\""))
                <button type="submit">Xác minh</button>
                </form>
                """)
        }
        router.get("/xac-minh/:code") { _, context -> Response in
            let code = context.parameters.get("code") ?? ""
            return await page(code: code, client: context.client, comparison: nil)
        }
        router.post("/xac-minh/:code") { request, context -> Response in
            let code = context.parameters.get("code") ?? ""
            let comparison: Comparison
            do {
                comparison = try await Self.comparison(request)
            } catch let refusal as MultipartForm.Refusal {
                return await page(code: code, client: context.client, comparison: .refused(refusal.message),
                                  status: refusal.tooLarge ? .contentTooLarge : .badRequest)
            }
            return await page(code: code, client: context.client, comparison: comparison)
        }
        router.get("/xac-minh/:code/chu-ky.p7s") { request, context -> Response in
            let code = context.parameters.get("code") ?? ""
            guard let verification = try? await lookup(code, client: context.client) else { return Self.notFound(code) }
            let index = Int(FormData.parse(request.uri.query)["ban"] ?? "0") ?? 0
            guard verification.renditions.indices.contains(index) else { return Self.notFound(code) }
            let name = index == 0 ? "\(verification.code).p7s" : "\(verification.code)-\(index).p7s"
            return Self.download(verification.renditions[index].signature, type: "application/pkcs7-signature", name: name)
        }
        router.get("/xac-minh/:code/chung-thu.pem") { _, context -> Response in
            let code = context.parameters.get("code") ?? ""
            guard let verification = try? await lookup(code, client: context.client), let certificate = verification.certificate else {
                return Self.notFound(code)
            }
            return Self.download(Data(certificate.chainPem.utf8), type: "application/x-pem-file", name: "\(verification.code)-chain.pem")
        }
        router.get("/api/v1/verify/:code") { _, context -> Response in
            let code = context.parameters.get("code") ?? ""
            do {
                let verification = try await lookup(code, client: context.client)
                return JSONBridgeRoutes.json(ByteBuffer(bytes: verification.jsonUTF8()))
            } catch {
                return ProblemDocument.response(error, fieldNames: .protoJSON)
            }
        }
    }

    private func lookup(_ code: String, client: String?) async throws -> DossierV1.Verification {
        var request = DossierV1.GetVerificationRequest()
        request.code = code
        return try await gateway.call(GatewayV1.VerificationService.getVerification, request, as: .anonymous, clientAddress: client)
    }

    /// What a visitor asked to compare: a file's SHA-256, or one pasted.
    enum Comparison {
        case digest(String, fileName: String?)
        case refused(String)
    }

    static func comparison(_ request: Request) async throws -> Comparison {
        let form = try await MultipartForm.read(request, limits: uploadLimits)
        if let file = form.files.first(where: { $0.field == "tep" && !$0.content.isEmpty }) {
            return .digest(SHA256.hash(data: file.content).map { String(format: "%02x", $0) }.joined(), fileName: file.filename)
        }
        let pasted = (form.fields["sha256"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard pasted.count == 64, pasted.allSatisfy(\.isHexDigit) else {
            return .refused("Vui lòng chọn tệp cần đối chiếu, hoặc dán mã SHA-256 (64 ký tự thập lục phân).")
        }
        return .digest(pasted, fileName: nil)
    }

    private func page(code: String, client: String?, comparison: Comparison?, status: HTTPResponse.Status = .ok) async -> Response {
        let verification: DossierV1.Verification
        do {
            verification = try await lookup(code, client: client)
        } catch let error as RPCError where error.code == .resourceExhausted {
            var response = PortalPage.response(title: Self.title, body: """
                <h1>\(Self.title)</h1>
                <p class="error" role="alert">\(PortalPage.escape(AdmissionMiddleware.forPeople(error.message)))</p>
                """, status: .tooManyRequests)
            if let retry = ProblemDocument.retryAfter(error) { response.headers[.retryAfter] = retry }
            return response
        } catch {
            return Self.notFound(code)
        }
        return PortalPage.response(title: Self.title, body: Self.html(verification, comparison: comparison), status: status)
    }

    static func notFound(_ code: String) -> Response {
        PortalPage.response(title: "Không tìm thấy văn bản", body: """
            <h1>Không tìm thấy văn bản</h1>
            <p role="alert">Không có văn bản điện tử nào với mã xác minh <b>\(PortalPage.escape(code))</b>. \
            Vui lòng kiểm tra lại mã in dưới mã QR trên văn bản. Văn bản không có mã trên hệ thống không phải do cổng dịch vụ công cấp.</p>
            <p><a href="/xac-minh">Nhập mã xác minh khác</a></p>
            """, status: .notFound)
    }

    static func download(_ bytes: Data, type: String, name: String) -> Response {
        Response(status: .ok, headers: [
            .contentType: type,
            .contentDisposition: PortalDownload.disposition(filename: name),
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The status in words, as the page and its tests read it.
    static func statusText(_ verification: DossierV1.Verification) -> String {
        switch verification.status {
        case .replaced: "Đã được thay thế bởi văn bản mã \(verification.replacedBy)"
        case .annulled: "Đã bị thu hồi ngày \(PortalFormat.dateTime(verification.annulledAtUnixMs))"
        case .certificateRevoked: "Không hợp lệ – chữ ký mang thời điểm sau khi chứng thư số bị thu hồi"
        default: "Hợp lệ"
        }
    }

    static func html(_ v: DossierV1.Verification, comparison: Comparison?) -> String {
        let e = PortalPage.escape
        let code = e(v.code)
        var status = "<p class=\"status\" role=\"status\"><b>Trạng thái: \(e(statusText(v)))</b>"
        switch v.status {
        case .replaced:
            status += " – <a href=\"/xac-minh/\(e(v.replacedBy))\">xem văn bản thay thế</a>"
        case .annulled:
            status += "<br>Lý do thu hồi: \(e(v.annulReason))"
        default:
            break
        }
        status += "</p>"
        if let certificate = v.certificate, certificate.revokedAtUnixMs > 0 {
            status += v.signedBeforeRevocation
                ? "<p>Chứng thư số của cơ quan đã bị thu hồi lúc \(e(PortalFormat.dateTime(certificate.revokedAtUnixMs))); văn bản được ký trước thời điểm thu hồi (ký trước thời điểm thu hồi) nên chữ ký vẫn có giá trị.</p>"
                : "<p>Chứng thư số đã bị thu hồi lúc \(e(PortalFormat.dateTime(certificate.revokedAtUnixMs))), trước thời điểm ký ghi trong chữ ký.</p>"
        }
        var rows = """
            <tr><th scope="row">Cơ quan ký</th><td>\(e(v.issuerAgencyName)) (\(e(v.issuerAgencyCode)))</td></tr>
            <tr><th scope="row">Loại văn bản</th><td>\(e(v.documentType))</td></tr>
            """
        if !v.documentNumber.isEmpty { rows += "<tr><th scope=\"row\">Số văn bản</th><td>\(e(v.documentNumber))</td></tr>" }
        rows += """
            <tr><th scope="row">Mã hồ sơ</th><td>\(e(v.receiptCode))</td></tr>
            <tr><th scope="row">Thời điểm ký</th><td>\(e(PortalFormat.dateTime(v.signedAtUnixMs)))</td></tr>
            """
        for (index, rendition) in v.renditions.enumerated() {
            let link = index == 0 ? "/xac-minh/\(code)/chu-ky.p7s" : "/xac-minh/\(code)/chu-ky.p7s?ban=\(index)"
            rows += """
                <tr><th scope="row">SHA-256 của bản đã ký (\(e(rendition.mediaType)))</th>\
                <td><code class="sha256">\(e(rendition.sha256Hex))</code><br><a href="\(link)" download>Tải chữ ký số (.p7s)</a></td></tr>
                """
        }
        if let certificate = v.certificate {
            rows += """
                <tr><th scope="row">Chứng thư số</th><td>Chủ thể: \(e(certificate.subject))<br>Số hiệu: <code>\(e(certificate.serialHex))</code><br>\
                Hiệu lực: \(e(PortalFormat.dateTime(certificate.notBeforeUnixMs))) – \(e(PortalFormat.dateTime(certificate.notAfterUnixMs)))<br>\
                Tổ chức cấp: \(e(certificate.issuer))<br><a href="/xac-minh/\(code)/chung-thu.pem" download>Tải chuỗi chứng thư (.pem)</a></td></tr>
                """
        }
        var result = ""
        switch comparison {
        case .digest(let digest, let fileName)?:
            let matches = v.renditions.contains { $0.sha256Hex == digest }
            let what = fileName.map { "Tệp \(e($0))" } ?? "Mã SHA-256 đã nhập"
            result = matches
                ? "<p class=\"match\" role=\"alert\"><b>Tài liệu khớp với bản đã ký.</b> \(what) có SHA-256 \(e(digest)).</p>"
                : "<p class=\"error mismatch\" role=\"alert\"><b>Tài liệu KHÔNG khớp – đã bị thay đổi</b> so với bản đã ký. \(what) có SHA-256 \(e(digest)).</p>"
        case .refused(let message)?:
            result = "<p class=\"error\" role=\"alert\">\(e(message))</p>"
        case nil:
            break
        }
        return """
            <h1>\(title)</h1>
            <p>Mã xác minh: <b>\(code)</b></p>
            \(status)
            <table class="verification">
            \(rows)
            </table>
            <h2>Đối chiếu tài liệu</h2>
            <form method="post" action="/xac-minh/\(code)" enctype="multipart/form-data">
            <div class="field"><label for="tep">Tệp cần đối chiếu (bản điện tử đã nhận)</label><br><input id="tep" name="tep" type="file"></div>
            \(PortalForm.field("sha256", "Hoặc dán mã SHA-256 của tệp", error: nil, attributes: "maxlength=\"64\" autocomplete=\"off\""))
            <button type="submit">Đối chiếu</button>
            </form>
            \(result)
            <p>Tự kiểm tra bằng OpenSSL: <code>openssl cms -verify -binary -inform DER -in \(code).p7s -content &lt;tệp&gt; -CAfile \(code)-chain.pem -purpose any</code></p>
            """
    }
}
