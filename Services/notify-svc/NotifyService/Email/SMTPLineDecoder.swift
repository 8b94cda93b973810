import NIOCore

/// Splits an SMTP server's output into lines (CRLF or LF), without the line end. A line
/// longer than `maximumLength` is an error: RFC 5321 caps reply lines at 512 octets, and a
/// peer that sends endless bytes must not grow the buffer forever.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    struct LineTooLong: Error, CustomStringConvertible {
        var description: String { "the SMTP server sent a line longer than 4096 bytes" }
    }

    var maximumLength = 4096

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > maximumLength { throw LineTooLong() }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}
