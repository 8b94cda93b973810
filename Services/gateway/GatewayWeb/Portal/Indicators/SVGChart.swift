import Foundation

/// Charts drawn on the server as inline SVG: they read without JavaScript, print, and carry
/// their own text alternative (`role="img"`, a `<title>` and a `<desc>` referenced by
/// `aria-labelledby`); each is followed on its page by a table of the same numbers. Series are
/// told apart by dash pattern and marker shape as well as colour, so nothing depends on seeing
/// colour, and the colours keep a 4.5:1 contrast against white.
enum SVGChart {
    struct Series {
        var name: String
        /// Tenths of a percent (0...1000) per point; nil where there is nothing to show.
        var values: [UInt32?]
    }

    /// Colours with at least 4.5:1 contrast on white, and a dash pattern per series.
    static let styles: [(colour: String, dash: String, marker: String)] = [
        ("#a50e0e", "", "circle"), ("#1f4e9c", "6 3", "square"), ("#2b6a2f", "2 3", "diamond"), ("#5b3a8c", "8 3 2 3", "circle"),
    ]

    static func percentText(_ perMille: UInt32) -> String { "\(perMille / 10),\(perMille % 10)%" }

    /// A line chart of percentages over labelled points (the months of a year).
    static func lines(id: String, title: String, description: String, labels: [String], series: [Series]) -> String {
        let e = PortalPage.escape
        let width = 640.0, height = 300.0, left = 48.0, right = 16.0, top = 16.0, bottom = 64.0
        let plotW = width - left - right, plotH = height - top - bottom
        let step = labels.count > 1 ? plotW / Double(labels.count - 1) : 0
        func x(_ i: Int) -> Double { left + Double(i) * step }
        func y(_ perMille: UInt32) -> Double { top + plotH * (1 - Double(min(perMille, 1000)) / 1000) }
        var parts: [String] = []
        for tick in stride(from: 0, through: 100, by: 25) {
            let ty = y(UInt32(tick * 10))
            parts.append("<line x1=\"\(f(left))\" y1=\"\(f(ty))\" x2=\"\(f(width - right))\" y2=\"\(f(ty))\" stroke=\"#ccc\"/>")
            parts.append("<text x=\"\(f(left - 6))\" y=\"\(f(ty + 4))\" text-anchor=\"end\" font-size=\"12\" fill=\"#333\">\(tick)%</text>")
        }
        for (i, label) in labels.enumerated() {
            parts.append("<text x=\"\(f(x(i)))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">\(e(label))</text>")
        }
        for (index, one) in series.enumerated() {
            let style = styles[index % styles.count]
            // A gap where a month has no value: one path segment per run of values.
            var runs: [[(Int, UInt32)]] = [[]]
            for (i, value) in one.values.enumerated() {
                if let value { runs[runs.count - 1].append((i, value)) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
            }
            for run in runs where run.count > 1 {
                let d = run.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(f(x($0.element.0))) \(f(y($0.element.1)))" }.joined(separator: " ")
                parts.append("<path d=\"\(d)\" fill=\"none\" stroke=\"\(style.colour)\" stroke-width=\"2\"\(style.dash.isEmpty ? "" : " stroke-dasharray=\"\(style.dash)\"")/>")
            }
            for run in runs {
                for (i, value) in run { parts.append(marker(style.marker, x: x(i), y: y(value), colour: style.colour)) }
            }
            // The legend under the axis.
            let lx = left + Double(index) * 190, ly = height - 14
            parts.append("<line x1=\"\(f(lx))\" y1=\"\(f(ly - 4))\" x2=\"\(f(lx + 24))\" y2=\"\(f(ly - 4))\" stroke=\"\(style.colour)\" stroke-width=\"2\"\(style.dash.isEmpty ? "" : " stroke-dasharray=\"\(style.dash)\"")/>")
            parts.append(marker(style.marker, x: lx + 12, y: ly - 4, colour: style.colour))
            parts.append("<text x=\"\(f(lx + 30))\" y=\"\(f(ly))\" font-size=\"12\" fill=\"#1b1b1b\">\(e(one.name))</text>")
        }
        return frame(id: id, title: title, description: description, width: width, height: height, body: parts.joined(separator: "\n"))
    }

    /// Horizontal bars of a percentage, one per labelled row (agencies side by side).
    static func bars(id: String, title: String, description: String, rows: [(label: String, perMille: UInt32)]) -> String {
        let e = PortalPage.escape
        let rowH = 26.0, left = 260.0, right = 64.0, width = 720.0, top = 8.0
        let height = top * 2 + rowH * Double(max(rows.count, 1)) + 20
        let plotW = width - left - right
        var parts: [String] = []
        for tick in stride(from: 0, through: 100, by: 25) {
            let tx = left + plotW * Double(tick) / 100
            parts.append("<line x1=\"\(f(tx))\" y1=\"\(f(top))\" x2=\"\(f(tx))\" y2=\"\(f(height - 20))\" stroke=\"#ddd\"/>")
            parts.append("<text x=\"\(f(tx))\" y=\"\(f(height - 6))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">\(tick)%</text>")
        }
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * rowH
            let w = plotW * Double(min(row.perMille, 1000)) / 1000
            let label = row.label.count > 40 ? String(row.label.prefix(39)) + "…" : row.label
            parts.append("<text x=\"\(f(left - 8))\" y=\"\(f(y + 17))\" text-anchor=\"end\" font-size=\"12\" fill=\"#1b1b1b\">\(e(label))</text>")
            parts.append("<rect x=\"\(f(left))\" y=\"\(f(y + 4))\" width=\"\(f(w))\" height=\"\(f(rowH - 8))\" fill=\"#a50e0e\"/>")
            parts.append("<text x=\"\(f(left + w + 4))\" y=\"\(f(y + 17))\" font-size=\"12\" fill=\"#1b1b1b\">\(percentText(row.perMille))</text>")
        }
        return frame(id: id, title: title, description: description, width: width, height: height, body: parts.joined(separator: "\n"))
    }

    static func frame(id: String, title: String, description: String, width: Double, height: Double, body: String) -> String {
        let e = PortalPage.escape
        return """
            <figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="\(e(id))-title \(e(id))-desc" \
            viewBox="0 0 \(f(width)) \(f(height))" width="100%" preserveAspectRatio="xMinYMin meet" style="max-width:\(f(width))px">
            <title id="\(e(id))-title">\(e(title))</title>
            <desc id="\(e(id))-desc">\(e(description))</desc>
            \(body)
            </svg><figcaption>\(e(title))</figcaption></figure>
            """
    }

    static func marker(_ shape: String, x: Double, y: Double, colour: String) -> String {
        switch shape {
        case "square": "<rect x=\"\(f(x - 4))\" y=\"\(f(y - 4))\" width=\"8\" height=\"8\" fill=\"\(colour)\"/>"
        case "diamond": "<path d=\"M\(f(x)) \(f(y - 5)) L\(f(x + 5)) \(f(y)) L\(f(x)) \(f(y + 5)) L\(f(x - 5)) \(f(y)) Z\" fill=\"\(colour)\"/>"
        default: "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"4\" fill=\"\(colour)\"/>"
        }
    }

    /// A coordinate with at most one decimal, the same on every machine.
    static func f(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(format: "%.1f", tenths / 10)
    }
}
