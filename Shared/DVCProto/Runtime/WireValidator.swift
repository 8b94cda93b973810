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
        try walk(&reader, end: bytes.count, descriptor: descriptor, path: "", messageName: messageName)
    }

    private static func walk(
        _ reader: inout Reader,
        end: Int,
        descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        path: String,
        messageName: String
    ) throws(ProtoDecodingError) {
        let malformed = ProtoDecodingError(reason: .malformed, message: messageName, field: path)
        while reader.offset < end {
            guard let key = reader.varint(limit: end) else { throw malformed }
            let number = key >> 3
            guard number > 0, number <= 0x1FFF_FFFF, let wire = WireType(rawValue: key & 7) else {
                throw malformed
            }
            switch wire {
            case .varint:
                guard reader.varint(limit: end) != nil else { throw malformed }
            case .fixed64:
                guard reader.skip(8, limit: end) else { throw malformed }
            case .fixed32:
                guard reader.skip(4, limit: end) else { throw malformed }
            case .startGroup, .endGroup:
                // Groups are proto2-only and none of our protos use them.
                throw malformed
            case .lengthDelimited:
                guard let length = reader.varint(limit: end), length <= UInt64(end - reader.offset) else {
                    throw malformed
                }
                let start = reader.offset
                let stop = start + Int(length)
                if let field = protobuf_c_message_descriptor_get_field(descriptor, UInt32(number)) {
                    let name = field.pointee.name.map { String(cString: $0) } ?? "\(number)"
                    let fieldPath = path.isEmpty ? name : "\(path).\(name)"
                    switch field.pointee.type {
                    case PROTOBUF_C_TYPE_STRING:
                        try checkString(reader.bytes, start..<stop, fieldPath, messageName)
                    case PROTOBUF_C_TYPE_MESSAGE:
                        if let sub = field.pointee.descriptor {
                            let subDescriptor = sub.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
                            try walk(&reader, end: stop, descriptor: subDescriptor, path: fieldPath,
                                     messageName: messageName)
                        }
                    default:
                        break
                    }
                }
                reader.offset = stop
            }
        }
        if reader.offset != end { throw malformed }
    }

    private static func checkString(
        _ bytes: UnsafeRawBufferPointer,
        _ range: Range<Int>,
        _ field: String,
        _ messageName: String
    ) throws(ProtoDecodingError) {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
        var ascii = true
        for byte in slice {
            if byte == 0 {
                throw ProtoDecodingError(reason: .nulInString, message: messageName, field: field)
            }
            if byte >= 0x80 { ascii = false }
        }
        if ascii { return }
        if String(validating: slice.bindMemory(to: UInt8.self), as: UTF8.self) == nil {
            throw ProtoDecodingError(reason: .invalidUTF8, message: messageName, field: field)
        }
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
