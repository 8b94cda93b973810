import Foundation
import Testing

@testable import NotifyService

/// The email as bytes: RFC 2047 subject, base64 UTF-8 body, headers, dot-stuffing.
@Suite struct MailMessageTests {
    /// Decodes `=?UTF-8?B?...?=` words joined by folding whitespace.
    func decodeWords(_ header: String) -> String {
        let words = header.components(separatedBy: "\r\n ")
        var bytes = Data()
        for word in words {
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            #expect(word.utf8.count <= 75, "an encoded-word is at most 75 characters")
            let inner = word.dropFirst(10).dropLast(2)
            let decoded = Data(base64Encoded: String(inner))
            #expect(decoded != nil)
            // Each word holds whole characters: it decodes as UTF-8 by itself.
            #expect(String(data: decoded ?? Data(), encoding: .utf8) != nil)
            bytes.append(decoded ?? Data())
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func vietnameseSubjectIsEncodedWordsOfWholeCharacters() {
        let subject = "Hồ sơ 000.00.20.H26-261129-0001 đã được tiếp nhận — hẹn trả kết quả ngày 03 tháng 12 năm 2026"
        let encoded = MailMessage.encodedWords(subject, firstLineUsed: 9)
        #expect(encoded.contains("\r\n "), "a long subject is folded over several words")
        #expect(decodeWords(encoded) == subject)
        #expect(MailMessage.encodedWords("Plain ASCII subject") == "Plain ASCII subject")
    }

    @Test func messageHasMIMEHeadersAndABase64UTF8Body() throws {
        let body = "Kính gửi Nguyễn Văn An,\n\nHồ sơ đã được tiếp nhận.\n.dòng bắt đầu bằng dấu chấm"
        let message = MailMessage(fromAddress: "khong-tra-loi@dvc.example.vn", fromName: "Dịch vụ công",
                                  to: "an@example.vn", subject: "Hồ sơ đã được tiếp nhận", body: body,
                                  messageID: "abc@dvc.example.vn", date: Date(timeIntervalSince1970: 1_795_000_000))
        let text = String(decoding: message.bytes, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let headers = parts[0].components(separatedBy: "\r\n")
        #expect(headers.contains("To: <an@example.vn>"))
        #expect(headers.contains("Message-ID: <abc@dvc.example.vn>"))
        #expect(headers.contains("MIME-Version: 1.0"))
        #expect(headers.contains("Content-Type: text/plain; charset=UTF-8"))
        #expect(headers.contains("Content-Transfer-Encoding: base64"))
        #expect(headers.contains { $0.hasPrefix("Date: ") && $0.hasSuffix(" +0700") })
        #expect(headers.contains { $0.hasPrefix("From: =?UTF-8?B?") && $0.hasSuffix(" <khong-tra-loi@dvc.example.vn>") })
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "the wire form is 7-bit")
        let encodedBody = parts[1].replacingOccurrences(of: "\r\n", with: "")
        let decoded = String(decoding: Data(base64Encoded: encodedBody)!, as: UTF8.self)
        #expect(decoded == body.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(parts[1].components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
    }

    @Test func aLineBreakInTheSubjectCannotAddAHeader() {
        let message = MailMessage(fromAddress: "a@b.vn", fromName: "", to: "c@d.vn",
                                  subject: "Lý do: thiếu giấy tờ\r\nBcc: x@evil.example", body: "x",
                                  messageID: "m@b.vn", date: Date())
        let headers = String(decoding: message.bytes, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
        #expect(!headers.components(separatedBy: "\r\n").contains { $0.hasPrefix("Bcc:") })
        let subject = headers.components(separatedBy: "\r\nMessage-ID:")[0].components(separatedBy: "Subject: ")[1]
        #expect(decodeWords(subject) == "Lý do: thiếu giấy tờ Bcc: x@evil.example")
    }

    @Test func dotStuffingAndTheEndOfData() {
        let stuffed = MailMessage.dotStuffed(Array("a\r\n.b\r\n..c\r\n.".utf8))
        #expect(String(decoding: stuffed, as: UTF8.self) == "a\r\n..b\r\n...c\r\n..\r\n.\r\n")
        #expect(String(decoding: MailMessage.dotStuffed(Array("x\r\n".utf8)), as: UTF8.self) == "x\r\n.\r\n")
    }
}
