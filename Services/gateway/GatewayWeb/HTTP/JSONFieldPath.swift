/// A field as the JSON API's callers spell it. The services name the fields they refuse as
/// the `.proto` does (`form_data.ho_ten`, `result_return.postal_address`,
/// `attachments[2].digitised`); a JSON request spells the same fields in protobuf's JSON
/// mapping, lowerCamelCase (`formData`, `resultReturn.postalAddress`), and the JSON parser's
/// own errors name map keys in brackets (`formData["ho_ten"]`). A problem document names the
/// field the way the request wrote it, whichever part of the platform refused it.
/// Headers (`x-dvc-on-behalf-of`) and plain names stay as they are.
enum JSONFieldPath {
    /// The `.proto` fields of gateway requests whose values are maps: the segment after one
    /// of them is a key the caller chose (a form field's name), never renamed. Checked against
    /// proto/ by `JSONFieldPathTests`.
    static let mapFields: Set<String> = ["form_data", "quantities", "form_contents", "metadata"]

    static func from(proto path: String) -> String {
        guard path.contains("_") || path.contains(".") else { return path }
        var output = ""
        var keyComesNext = false
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            if keyComesNext {
                output += "[\"\(segment)\"]"
                keyComesNext = false
                continue
            }
            let name = segment.prefix { $0 != "[" }
            let rest = segment.dropFirst(name.count)
            if !output.isEmpty { output += "." }
            output += lowerCamel(String(name)) + rest
            keyComesNext = rest.isEmpty && mapFields.contains(String(name))
        }
        return output
    }

    /// `postal_address` → `postalAddress`; a name that is not a snake_case field (a header with
    /// dashes, one already in camelCase) is left alone.
    static func lowerCamel(_ name: String) -> String {
        guard name.contains("_"), name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else { return name }
        var result = ""
        var upper = false
        for character in name {
            if character == "_" {
                upper = !result.isEmpty
                continue
            }
            result.append(upper ? Character(character.uppercased()) : character)
            upper = false
        }
        return result
    }
}
