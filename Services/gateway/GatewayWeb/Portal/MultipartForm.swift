import Foundation
import HTTPTypes
import Hummingbird
import MultipartKit
import NIOCore
import RPCCore

/// A `multipart/form-data` body (an HTML form with files), read as it streams in.
///
/// Limits are checked on every chunk as it arrives, so an oversize file is refused after
/// reading at most its limit, not after the whole body; each file's bytes are gathered once,
/// straight into the `Data` that goes into the dossier request. Text fields are small (64 KiB
/// each, `maxFields` in all). A body that ends inside a part is refused, not half-used.
struct MultipartForm: Sendable {
    struct Limits: Sendable {
        var maxFileBytes: Int
        var maxTotalBytes: Int
        var maxFields: Int
        var maxFieldBytes = 64 * 1024

        /// dossier-svc's own limits (10 MiB per file, 50 MiB per dossier): refused here first,
        /// before anything is sent on.
        static let dossier = Limits(maxFileBytes: 10 << 20, maxTotalBytes: 50 << 20, maxFields: 200)
    }

    struct File: Sendable {
        /// The form input's name.
        var field: String
        /// The name on the citizen's disk, as the browser sent it.
        var filename: String
        var content: Data
    }

    /// Why a body was refused: INVALID_ARGUMENT naming the input.
    struct Refusal: Error, RPCErrorConvertible {
        var field: String
        var message: String
        /// Over a size limit (HTTP 413), rather than malformed (400).
        var tooLarge = false
        var rpcError: RPCError { .invalidArgument(field: field, message) }
    }

    private(set) var fields: [String: String] = [:]
    private(set) var files: [File] = []
    private var repeated: [String: [String]] = [:]

    /// Every value of a repeated input, in order.
    func values(_ name: String) -> [String] { repeated[name] ?? [] }

    static func isMultipart(_ request: Request) -> Bool { boundary(request) != nil }

    static func boundary(_ request: Request) -> String? {
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data") else { return nil }
        let value = parameters(type)["boundary"] ?? ""
        return value.isEmpty || value.count > 70 ? nil : value
    }

    static func read(_ request: Request, limits: Limits) async throws -> MultipartForm {
        guard let boundary = boundary(request) else {
            throw Refusal(field: "body", message: "Biểu mẫu phải được gửi dạng multipart/form-data.")
        }
        let reader = PartReader(limits: limits)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in reader.header(name, value) }
        parser.onBody = { chunk in reader.body(&chunk) }
        parser.onPartComplete = { reader.complete() }
        for try await chunk in request.body {
            do {
                try parser.execute(chunk)
            } catch let refusal as Refusal {
                throw refusal
            } catch {
                throw Refusal(field: "body", message: "Nội dung biểu mẫu không đúng định dạng multipart/form-data.")
            }
            if let refusal = reader.refusal { throw refusal }
        }
        guard !reader.inPart, reader.sawPart else {
            throw Refusal(field: "body", message: "Biểu mẫu gửi lên bị cắt ngang; hãy gửi lại.")
        }
        return reader.form
    }

    /// `form-data; name="x"; filename="a.pdf"` → ["name": "x", "filename": "a.pdf"]. Browsers
    /// escape a quote in a name as %22 and send other characters as raw UTF-8.
    static func parameters(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(header)
        while let semicolon = rest.firstIndex(of: ";") {
            rest = rest[rest.index(after: semicolon)...].drop { $0 == " " }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = rest[rest.index(after: equals)...]
            if value.first == "\"" {
                value = value.dropFirst()
                let end = value.firstIndex(of: "\"") ?? value.endIndex
                result[key] = String(value[..<end]).replacingOccurrences(of: "%22", with: "\"")
                rest = end == value.endIndex ? value[end...] : value[value.index(after: end)...]
            } else {
                let end = value.firstIndex(of: ";") ?? value.endIndex
                result[key] = value[..<end].trimmingCharacters(in: .whitespaces)
                rest = value[end...]
            }
        }
        return result
    }

    /// Gathers the parser's callbacks into a form, counting against the limits.
    private final class PartReader {
        let limits: Limits
        var form = MultipartForm()
        var refusal: Refusal?
        var inPart = false
        var sawPart = false
        private var name = ""
        private var filename: String?
        private var content = Data()
        private var total = 0
        private var fieldCount = 0

        init(limits: Limits) { self.limits = limits }

        func header(_ header: String, _ value: String) {
            inPart = true
            guard header.lowercased() == "content-disposition" else { return }
            let parameters = MultipartForm.parameters(value)
            name = parameters["name"] ?? ""
            filename = parameters["filename"]
        }

        func body(_ chunk: inout ByteBuffer) {
            inPart = true
            guard refusal == nil else { return }
            let count = chunk.readableBytes
            total += count
            if filename != nil {
                if content.count + count > limits.maxFileBytes {
                    return refuse("Tệp “\(filename ?? "")” lớn hơn \(limits.maxFileBytes >> 20) MB.", tooLarge: true)
                }
                if total > limits.maxTotalBytes {
                    return refuse("Các tệp đính kèm cộng lại lớn hơn \(limits.maxTotalBytes >> 20) MB.", tooLarge: true)
                }
            } else if content.count + count > limits.maxFieldBytes {
                return refuse("Nội dung quá dài (tối đa \(limits.maxFieldBytes / 1024) KB).", tooLarge: true)
            }
            content.append(contentsOf: chunk.readableBytesView)
        }

        func complete() {
            defer {
                inPart = false
                name = ""
                filename = nil
                content = Data()
            }
            sawPart = true
            guard refusal == nil, !name.isEmpty else { return }
            fieldCount += 1
            if fieldCount > limits.maxFields { return refuse("Biểu mẫu có quá nhiều mục (tối đa \(limits.maxFields)).", tooLarge: true) }
            if let filename {
                // An <input type=file> left empty arrives as a part with no name and no bytes.
                if filename.isEmpty && content.isEmpty { return }
                form.files.append(File(field: name, filename: filename, content: content))
            } else {
                let text = String(decoding: content, as: UTF8.self)
                if form.fields[name] == nil { form.fields[name] = text }
                form.repeated[name, default: []].append(text)
            }
        }

        private func refuse(_ message: String, tooLarge: Bool) {
            refusal = Refusal(field: name.isEmpty ? "body" : name, message: message, tooLarge: tooLarge)
        }
    }
}
