import DVCProto
import Hummingbird

extension DossierPages {
    /// The step between the portal and the payment provider: a page with a link to the
    /// provider's payment page, which the citizen follows. Not a redirect answering the form:
    /// the pages' policy (`form-action 'self'`) lets forms post only to the portal, and browsers
    /// (Chromium) also hold a form's redirects to that rule, so a 303 to the provider's origin
    /// would be blocked; following a link is an ordinary navigation.
    static func leavingForProvider(_ payment: PaymentV1.Payment, dossierPath: String) -> Response {
        let e = PortalPage.escape
        return PortalPage.response(title: "Thanh toán trực tuyến", body: """
            <h1>Thanh toán phí, lệ phí</h1>
            <p>Số tiền: <strong>\(e(PortalFormat.money(payment.amountVnd)))</strong>. Bạn sẽ thanh toán tại cổng thanh toán
            và được đưa trở lại cổng dịch vụ công khi xong.</p>
            <p><a class="button" id="payment-link" href="\(e(payment.redirectUrl))" rel="noreferrer">Tiếp tục tới cổng thanh toán</a></p>
            <p><a href="\(e(dossierPath))">Quay lại hồ sơ</a></p>
            """)
    }
}
