import Foundation

/// Checks and normalises the addresses notifications go to. Both end up inside protocol
/// lines (SMTP commands, headers, JSON), so anything that could break out of them — CR, LF,
/// angle brackets, spaces — is refused.
enum ContactAddress {
    /// A plain `local@domain.tld`, or nil.
    static func email(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count <= 254,
              trimmed.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && !"<>()[],;:\\\"".unicodeScalars.contains($0) })
        else { return nil }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix(".")
        else { return nil }
        return trimmed
    }

    /// A Vietnamese phone number in E.164 (`+84` and 9 or 10 digits), from `0912 345 678`,
    /// `84912345678` or `+84912345678`; nil for anything else.
    static func phone(_ text: String) -> String? {
        var digits = text.filter { !" .-()".contains($0) }
        if digits.hasPrefix("+84") { digits.removeFirst(3) }
        else if digits.hasPrefix("84") && digits.count >= 11 { digits.removeFirst(2) }
        else if digits.hasPrefix("0") { digits.removeFirst(1) }
        else { return nil }
        guard (9...10).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return "+84" + digits
    }
}
