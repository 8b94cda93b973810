import Foundation

/// One email as RFC 5322 / MIME bytes: UTF-8 everywhere, ready for SMTP DATA (before
/// dot-stuffing).
///
/// - The subject and the sender's display name are RFC 2047 encoded-words (`=?UTF-8?B?…?=`)
///   when they are not plain ASCII, split so that no word passes 75 characters and no UTF-8
///   sequence is cut between two words.
/// - The body is `text/plain; charset=UTF-8` in base64: Vietnamese text is mostly non-ASCII,
///   where quoted-printable would triple the size and be no more readable on the wire; base64
///   lines are 76 characters and never start with '.', which keeps SMTP simple.
struct MailMessage: Sendable, Hashable {
    var fromAddress: String
    var fromName: String
    var to: String
    var subject: String
    var body: String
    /// Without angle brackets, e.g. `3f2a…@dichvucong.example.vn`; stable per delivery, so a
    /// message sent again after a crash carries the same id and receivers can tell.
    var messageID: String
    var date: Date

    /// The whole message with CRLF line ends.
    var bytes: [UInt8] {
        var headers = [
            "Date: \(Self.rfc5322Date(date))",
            "From: \(fromName.isEmpty ? fromAddress : Self.encodedWords(fromName, firstLineUsed: 6) + " <\(fromAddress)>")",
            "To: <\(to)>",
            // A value placed in the subject (a reason an officer typed) may hold a line break;
            // a header is one logical line.
            "Subject: \(Self.encodedWords(Self.oneLine(subject), firstLineUsed: 9))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
        ]
        headers.append("")
        var text = headers.joined(separator: "\r\n") + "\r\n"
        text += Self.base64Lines(Self.crlf(body))
        return Array(text.utf8)
    }

    /// `text` as one or more encoded-words joined by folding whitespace, or as it is when it
    /// is printable ASCII short enough for one line.
    static func encodedWords(_ text: String, firstLineUsed: Int = 0) -> String {
        let plain = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
        if plain && !text.contains("=?") && firstLineUsed + text.utf8.count <= 78 { return text }
        // 75 characters per word: "=?UTF-8?B?" + base64 + "?=" leaves 63, i.e. 45 bytes.
        let maxBytes = 45
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > maxBytes {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// Base64 in lines of 76 characters, each ended by CRLF.
    static func base64Lines(_ text: String) -> String {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines = ""
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines += encoded[index..<end] + "\r\n"
            index = end
        }
        return lines
    }

    /// Every line end as CRLF, and NFC (docs/domain.md: text enters the platform as NFC).
    static func crlf(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping
            .replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// "Sun, 29 Nov 2026 09:34:04 +0700": Vietnam's time, as a person there reads it.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// The DATA payload: lines starting with '.' get a second one (RFC 5321 §4.5.2), the
    /// message ends with CRLF, then the terminating `.` line.
    static func dotStuffed(_ message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count + 16)
        var atLineStart = true
        for byte in message {
            if atLineStart && byte == UInt8(ascii: ".") { output.append(byte) }
            output.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
        if !(output.count >= 2 && output[output.count - 2] == 13 && output[output.count - 1] == 10) {
            output += [13, 10]
        }
        output += Array(".\r\n".utf8)
        return output
    }
}
