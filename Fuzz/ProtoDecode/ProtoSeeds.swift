import DVCProto

/// The proto-decode seed corpus: for every message type, its default (empty) encoding and a
/// populated one, each behind the byte that selects the type.
enum ProtoSeeds {
    static func write(to folder: String) {
        precondition(SeedMessages.types.count <= 256, "one selector byte no longer reaches every message type")
        for (index, type) in SeedMessages.types.enumerated() {
            let name = Self.fileName(type.protoName)
            let selector = UInt8(index)
            SeedFile.write([selector], named: "\(name)-empty", in: folder)
            let populated = SeedMessages.populated(type)
            if !populated.isEmpty {
                SeedFile.write([selector] + populated, named: "\(name)-populated", in: folder)
            }
        }
        write(SeedMessages.requestHeader, to: folder)
        write(SeedMessages.errorHeader, to: folder)
        write(SeedMessages.goAway, to: folder)
    }

    private static func write<M: ProtoMessage>(_ message: M, to folder: String) {
        guard let index = SeedMessages.types.firstIndex(where: { ObjectIdentifier($0) == ObjectIdentifier(M.self) }) else {
            fatalError("\(M.protoName) is not in ProtoRegistry")
        }
        let name = Self.fileName(M.protoName)
        SeedFile.write([UInt8(index)] + message.protobufBytes, named: "\(name)-filled", in: folder)
    }

    /// `dvc.catalog.v1.Procedure` as `catalog-Procedure`.
    private static func fileName(_ protoName: String) -> String {
        let parts = protoName.split(separator: ".")
        return "\(parts[1])-\(parts[parts.count - 1])"
    }
}
