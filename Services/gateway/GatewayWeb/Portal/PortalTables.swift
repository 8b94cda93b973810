/// Every table of a page inside its own horizontally scrolling box (`<div class="table-wrap">`),
/// so a wide table scrolls within itself and the page never gets wider than the screen (WCAG 2.1
/// success criterion 1.4.10, reflow at 320 CSS px). Done once in the page frame
/// (`PortalPage.page`) rather than by each page's builder, so a new page's tables are covered
/// too; a table its builder already put in such a box (`table-wrap` or `scroll`) is left as it
/// is. The portal's script makes a box that does overflow reachable by keyboard (PortalScript).
enum PortalTables {
    static func wrap(_ body: String) -> String {
        guard body.contains("<table") else { return body }
        var out = ""
        out.reserveCapacity(body.utf8.count + 256)
        // For each table open at this point: whether a box was added around it here.
        var added: [Bool] = []
        var rest = Substring(body)
        while let tag = rest.firstIndex(of: "<") {
            out += rest[..<tag]
            rest = rest[tag...]
            if rest.hasPrefix("</table>") {
                out += "</table>"
                rest = rest.dropFirst(8)
                if added.popLast() == true { out += "</div>" }
            } else {
                if rest.hasPrefix("<table ") || rest.hasPrefix("<table>") {
                    let boxed = endsWithBox(out)
                    if !boxed { out += "<div class=\"table-wrap\">" }
                    added.append(!boxed)
                }
                out += "<"
                rest = rest.dropFirst()
            }
        }
        out += rest
        return out
    }

    /// True when `markup` ends with the opening tag of a scrolling box (whitespace aside).
    private static func endsWithBox(_ markup: String) -> Bool {
        var end = markup.endIndex
        while end > markup.startIndex, markup[markup.index(before: end)].isWhitespace { end = markup.index(before: end) }
        let tail = markup[..<end]
        return tail.hasSuffix("class=\"table-wrap\">") || tail.hasSuffix("class=\"scroll\">")
    }
}
