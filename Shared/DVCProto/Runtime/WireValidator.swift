import CProtobufC
import CProtos

/// Walks protobuf wire bytes with a message's protobuf-c descriptor and checks every string
/// field, at any depth, for valid UTF-8 and the absence of NUL bytes.
///
/// Structural errors it meets (a truncated varint, a length past the end) are reported as
/// `.malformed`; protobuf-c would refuse the same bytes. Unknown fields are skipped.
enum WireValidator {
    private enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    static func validate(
        _ bytes: UnsafeRawBufferPointer,
        descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        messageName: String
    ) throws(ProtoDecodingError) {
        var reader = Reader(bytes: bytes)
        var path = FieldPath()
        try walk(&reader, end: bytes.count, descriptor: descriptor, path: &path, messageName: messageName)
    }

    /// The fields from the top message down to the one being read. Names are only turned
    /// into a string when a field is refused, so a valid message costs no string building.
    private struct FieldPath {
        var fields: [UnsafePointer<ProtobufCFieldDescriptor>] = []

        func text(appending last: UnsafePointer<ProtobufCFieldDescriptor>? = nil) -> String {
            var all = fields
            if let last { all.append(last) }
            return all.map { field in
                field.pointee.name.map { String(cString: $0) } ?? "\(field.pointee.id)"
            }.joined(separator: ".")
        }
    }

    private static func walk(
        _ reader: inout Reader,
        end: Int,
        descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        path: inout FieldPath,
        messageName: String
    ) throws(ProtoDecodingError) {
        func malformed() -> ProtoDecodingError {
            ProtoDecodingError(reason: .malformed, message: messageName, field: path.text())
        }
        while reader.offset < end {
            guard let key = reader.varint(limit: end) else { throw malformed() }
            let number = key >> 3
            guard number > 0, number <= 0x1FFF_FFFF, let wire = WireType(rawValue: key & 7) else {
                throw malformed()
            }
            switch wire {
            case .varint:
                guard reader.varint(limit: end) != nil else { throw malformed() }
            case .fixed64:
                guard reader.skip(8, limit: end) else { throw malformed() }
            case .fixed32:
                guard reader.skip(4, limit: end) else { throw malformed() }
            case .startGroup, .endGroup:
                // Groups are proto2-only and none of our protos use them.
                throw malformed()
            case .lengthDelimited:
                guard let length = reader.varint(limit: end), length <= UInt64(end - reader.offset) else {
                    throw malformed()
                }
                let start = reader.offset
                let stop = start + Int(length)
                if let field = protobuf_c_message_descriptor_get_field(descriptor, UInt32(number)) {
                    switch field.pointee.type {
                    case PROTOBUF_C_TYPE_STRING:
                        if let reason = checkString(reader.bytes, start..<stop) {
                            throw ProtoDecodingError(reason: reason, message: messageName,
                                                     field: path.text(appending: field))
                        }
                    case PROTOBUF_C_TYPE_MESSAGE:
                        if let sub = field.pointee.descriptor {
                            let subDescriptor = sub.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
                            path.fields.append(field)
                            try walk(&reader, end: stop, descriptor: subDescriptor, path: &path,
                                     messageName: messageName)
                            path.fields.removeLast()
                        }
                    default:
                        break
                    }
                }
                reader.offset = stop
            }
        }
        if reader.offset != end { throw malformed() }
    }

    /// Why the bytes are not an acceptable string, or nil when they are.
    private static func checkString(
        _ bytes: UnsafeRawBufferPointer,
        _ range: Range<Int>
    ) -> ProtoDecodingError.Reason? {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
        var ascii = true
        for byte in slice {
            if byte == 0 { return .nulInString }
            if byte >= 0x80 { ascii = false }
        }
        if ascii { return nil }
        return String(validating: slice.bindMemory(to: UInt8.self), as: UTF8.self) == nil ? .invalidUTF8 : nil
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        mutating func varint(limit: Int) -> UInt64? {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while offset < limit, shift < 64 {
                let byte = bytes[offset]
                offset += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            return nil
        }

        mutating func skip(_ count: Int, limit: Int) -> Bool {
            guard limit - offset >= count else { return false }
            offset += count
            return true
        }
    }
}
