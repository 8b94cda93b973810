import DVCProto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An export written page by page as it is read, so a year of an agency never sits in the
/// gateway's memory. The first page is read before the answer starts: a refusal (credentials,
/// a wrong agency, a bad period) is then an ordinary problem document with its status. A
/// failure after that (a service gone mid-way) aborts the connection, so a client never takes a
/// truncated file for a whole one: a CSV or JSON answer that arrives complete is complete.
struct ExportStream<Record: ProtoJSONMessage>: Sendable {
    /// One page: the records and the next page's token ("" after the last).
    typealias Page = (records: [Record], next: String)

    let format: ExportFormat
    let header: [String]
    let row: @Sendable (Record) -> [String]
    let page: @Sendable (_ token: String) async throws -> Page

    func response(filename: String) async throws -> Response {
        let first = try await page("")
        let format = format, header = header, row = row, page = page
        let body = ResponseBody { writer in
            var current = first
            var count = 0
            try await writer.write(ByteBuffer(string: format == .csv ? CSVLine.make(header) : "["))
            while true {
                var buffer = ByteBuffer()
                for record in current.records {
                    switch format {
                    case .csv:
                        buffer.writeString(CSVLine.make(row(record)))
                    case .json:
                        buffer.writeString(count == 0 ? "\n" : ",\n")
                        buffer.writeBytes(record.jsonUTF8())
                    }
                    count += 1
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
                guard !current.next.isEmpty else { break }
                current = try await page(current.next)
            }
            if format == .json { try await writer.write(ByteBuffer(string: count == 0 ? "]\n" : "\n]\n")) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [
            .contentType: format.contentType,
            .contentDisposition: "attachment; filename=\"\(filename).\(format.rawValue)\"",
            .cacheControl: "no-store",
        ], body: body)
    }
}
