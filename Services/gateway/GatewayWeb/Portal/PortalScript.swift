import Hummingbird
import NIOCore

/// The portal's only script, served from its own origin (the pages forbid inline scripts): it
/// makes what already works a little better — print buttons print, a withdrawal asks for
/// confirmation, and a form's button is disabled once pressed so a slow upload is not sent
/// twice (the idempotency key makes that harmless anyway). Without it every page still works.
struct PortalScript: GatewayRoutes {
    static let path = "/assets/portal.js"

    static let source = """
        "use strict";
        document.addEventListener("DOMContentLoaded", function () {
          document.querySelectorAll("button.print").forEach(function (button) {
            button.hidden = false;
            button.addEventListener("click", function () { window.print(); });
          });
          document.querySelectorAll("form[data-confirm]").forEach(function (form) {
            form.addEventListener("submit", function (event) {
              if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
            });
          });
          document.querySelectorAll("form").forEach(function (form) {
            form.addEventListener("submit", function (event) {
              if (event.defaultPrevented) { return; }
              form.querySelectorAll("button[type=submit]").forEach(function (button) {
                setTimeout(function () { button.disabled = true; }, 0);
              });
            });
          });
        });
        """

    func add(to router: Router<GatewayRequestContext>) {
        router.get(RouterPath(Self.path)) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: Self.source)))
        }
    }
}
