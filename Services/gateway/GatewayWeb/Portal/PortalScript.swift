import Hummingbird
import NIOCore

/// The portal's only script, served from its own origin (the pages forbid inline scripts): it
/// makes what already works a little better — print buttons print, a withdrawal asks for
/// confirmation, and a form's button is disabled once pressed so a slow upload is not sent
/// twice (the idempotency key makes that harmless anyway), and a table too wide for the screen,
/// which scrolls inside its own box (PortalTables), becomes a named region TAB can reach so it
/// can be scrolled with the arrow keys (WCAG 2.1.1; only while it overflows, so a table that fits
/// adds no stop). Without it every page still works.
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
          var scrollable = function () {
            document.querySelectorAll(".table-wrap, .scroll").forEach(function (box) {
              if (box.scrollWidth > box.clientWidth + 1) {
                if (box.hasAttribute("tabindex")) { return; }
                var name = box.querySelector("caption");
                for (var before = box.previousElementSibling; !name && before; before = before.previousElementSibling) {
                  if (/^H[1-6]$/.test(before.tagName)) { name = before; }
                }
                box.tabIndex = 0;
                box.setAttribute("role", "region");
                box.setAttribute("aria-label", (name ? name.textContent.trim() : "Bảng") + " (cuộn ngang để xem hết)");
                box.setAttribute("data-scrollable", "");
              } else if (box.hasAttribute("data-scrollable")) {
                ["tabindex", "role", "aria-label", "data-scrollable"].forEach(function (attribute) { box.removeAttribute(attribute); });
              }
            });
          };
          scrollable();
          window.addEventListener("resize", scrollable);
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
