import CQRCode
import Foundation

/// A QR code (libqrencode, level M) as an inline SVG: one path of dark modules on a white
/// square with the 4-module quiet zone the standard asks for; crisp at any print size.
enum QRCodeSVG {
    /// The SVG of `text`, `size` wide (a CSS length), or nil when it cannot be encoded.
    static func svg(_ text: String, size: String = "30mm", label: String) -> String? {
        var modules: UnsafeMutablePointer<UInt8>?
        let width = Int(dvc_qr_modules(text, &modules))
        guard width > 0, let modules else { return nil }
        defer { dvc_qr_free(modules) }
        let quiet = 4
        let side = width + 2 * quiet
        var path = ""
        for row in 0..<width {
            for column in 0..<width where modules[row * width + column] == 1 {
                path += "M\(column + quiet) \(row + quiet)h1v1h-1z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img" aria-label="\(HTML.escape(label))" \
            width="\(size)" height="\(size)" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }
}
