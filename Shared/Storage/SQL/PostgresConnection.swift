import CPostgres
import Foundation

/// ``SQLConnection`` over one libpq connection. Used from one thread at a time (the pool hands
/// it out); every call blocks that thread, like SQLite's, which is why the pool runs them on
/// threads of its own and never on Swift's cooperative ones.
///
/// Statements keep SQLite's `?` placeholders and are rewritten to `$1, $2, …` once per
/// distinct text. Parameters go as text (blobs as binary) with no declared type, so the server
/// types each from its place in the statement; results come back as text and are read
/// according to each column's type.
final class PostgresConnection: SQLConnection {
    private let connection: OpaquePointer
    private var translated: [String: String] = [:]
    private(set) var changesCount = 0
    private(set) var isInsideTransaction = false
    private var savepointDepth = 0
    var backend: SQLBackend { .postgres }

    /// Connects to the first host of `conninfo` that accepts it (and, with
    /// `target_session_attrs=read-write`, takes writes).
    init(conninfo: String) throws {
        guard let connection = PQconnectdb(conninfo) else { throw PostgresConnectionLost(message: "out of memory", duringCommit: false) }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(connection)
            throw PostgresConnectionLost(message: message, duringCommit: false)
        }
        self.connection = connection
    }

    deinit { PQfinish(connection) }

    var isBroken: Bool { PQstatus(connection) != CONNECTION_OK }

    /// The server this connection reached, "host:port", for logs.
    var server: String {
        let host = PQhost(connection).map { String(cString: $0) } ?? "?"
        let port = PQport(connection).map { String(cString: $0) } ?? "?"
        return "\(host):\(port)"
    }

    // MARK: Transactions, for the pool

    func begin(_ sql: String) throws {
        try run(sql, arguments: [], commit: false)
        isInsideTransaction = true
    }

    func commit() throws {
        defer { isInsideTransaction = false }
        // Broken before COMMIT was sent: the server rolled the transaction back.
        if isBroken { throw PostgresConnectionLost(message: "connection broken before COMMIT", duringCommit: false) }
        try run("COMMIT", arguments: [], commit: true)
    }

    func rollback() {
        isInsideTransaction = false
        savepointDepth = 0
        if !isBroken { _ = try? run("ROLLBACK", arguments: [], commit: false) }
    }

    // MARK: SQLConnection

    func execute(sql: String, arguments: SQLArguments) throws {
        let result = try run(sql, arguments: arguments, commit: false)
        PQclear(result)
    }

    func fetchRows(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        let result = try run(sql, arguments: arguments, commit: false)
        defer { PQclear(result) }
        let rowCount = Int(PQntuples(result)), fieldCount = Int(PQnfields(result))
        var names: [String] = [], types: [Oid] = []
        for field in 0..<fieldCount {
            names.append(String(cString: PQfname(result, Int32(field))))
            types.append(PQftype(result, Int32(field)))
        }
        let columns = SQLRow.Columns(names)
        var rows: [SQLRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [SQLValue] = []
            values.reserveCapacity(fieldCount)
            for field in 0..<fieldCount {
                values.append(Self.value(result, row: Int32(row), field: Int32(field), type: types[field]))
            }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }

    func inSavepoint(_ body: () throws -> Void) throws {
        savepointDepth += 1
        let name = "sp\(savepointDepth)"
        defer { savepointDepth -= 1 }
        try execute(sql: "SAVEPOINT \(name)")
        do {
            try body()
            try execute(sql: "RELEASE SAVEPOINT \(name)")
        } catch {
            if !isBroken { try? execute(sql: "ROLLBACK TO SAVEPOINT \(name)"); try? execute(sql: "RELEASE SAVEPOINT \(name)") }
            throw error
        }
    }

    // MARK: The wire

    /// Sends one statement and waits for its result; the caller clears it.
    @discardableResult
    private func run(_ sql: String, arguments: SQLArguments, commit: Bool) throws -> OpaquePointer? {
        let result: OpaquePointer?
        if arguments.isEmpty {
            result = PQexec(connection, sql)
        } else {
            result = try withParameters(arguments) { count, values, lengths, formats in
                PQexecParams(connection, placeholders(sql), count, nil, values, lengths, formats, 0)
            }
        }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            changesCount = Int(String(cString: PQcmdTuples(result))) ?? 0
            return result
        default:
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
            PQclear(result)
            if isBroken || result == nil || state.hasPrefix("08") || state == "57P01" || state == "25006" {
                // 08: connection exceptions; 57P01: the server shut down; 25006: this server
                // became read-only (a demoted primary). Each means: find the primary again.
                let detail = message.isEmpty ? String(cString: PQerrorMessage(connection)) : message
                throw PostgresConnectionLost(message: detail.trimmingCharacters(in: .whitespacesAndNewlines), duringCommit: commit)
            }
            throw SQLError(sqlState: state, message: message, sql: sql)
        }
    }

    /// `sql` with `?` placeholders numbered as PostgreSQL wants them (`$1`, `$2`, …), skipping
    /// question marks inside quotes and comments.
    private func placeholders(_ sql: String) -> String {
        if let done = translated[sql] { return done }
        var out = "", number = 0
        var inSingle = false, inDouble = false, inComment = false
        var previous: Character = " "
        for character in sql {
            if inComment {
                if character == "\n" { inComment = false }
            } else if inSingle {
                if character == "'" { inSingle = false }
            } else if inDouble {
                if character == "\"" { inDouble = false }
            } else if character == "'" {
                inSingle = true
            } else if character == "\"" {
                inDouble = true
            } else if character == "-" && previous == "-" {
                inComment = true
            } else if character == "?" {
                number += 1
                out += "$\(number)"
                previous = character
                continue
            }
            out.append(character)
            previous = character
        }
        if translated.count > 500 { translated.removeAll() }
        translated[sql] = out
        return out
    }

    private func withParameters<R>(
        _ arguments: SQLArguments,
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<Int32>, UnsafePointer<Int32>) throws -> R
    ) throws -> R {
        // Each value copied into a buffer of its own (text NUL-terminated), freed after the
        // call; NULLs are null pointers.
        var pointers: [UnsafePointer<CChar>?] = [], lengths: [Int32] = [], formats: [Int32] = []
        var owned: [UnsafeMutableRawPointer] = []
        defer { owned.forEach { $0.deallocate() } }
        func copy(_ bytes: UnsafeRawBufferPointer, terminated: Bool) -> UnsafePointer<CChar> {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes.count + 1, alignment: 1)
            if let base = bytes.baseAddress { buffer.copyMemory(from: base, byteCount: bytes.count) }
            buffer.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
            owned.append(buffer)
            return UnsafePointer(buffer.assumingMemoryBound(to: CChar.self))
        }
        func text(_ string: String) -> UnsafePointer<CChar> {
            var string = string
            return string.withUTF8 { copy(UnsafeRawBufferPointer($0), terminated: true) }
        }
        for value in arguments.values {
            switch value {
            case .null: pointers.append(nil); lengths.append(0); formats.append(0)
            case .integer(let v): pointers.append(text(String(v))); lengths.append(0); formats.append(0)
            case .real(let v): pointers.append(text("\(v)")); lengths.append(0); formats.append(0)
            case .text(let v): pointers.append(text(v)); lengths.append(0); formats.append(0)
            case .blob(let v):
                pointers.append(v.withUnsafeBytes { copy($0, terminated: false) })
                lengths.append(Int32(v.count)); formats.append(1)
            }
        }
        return try pointers.withUnsafeBufferPointer { p in
            try body(Int32(p.count), p.baseAddress!, lengths, formats)
        }
    }

    /// One field of a text-format result, read according to its column type's OID.
    private static func value(_ result: OpaquePointer?, row: Int32, field: Int32, type: Oid) -> SQLValue {
        if PQgetisnull(result, row, field) == 1 { return .null }
        let length = Int(PQgetlength(result, row, field))
        guard let raw = PQgetvalue(result, row, field) else { return .null }
        let text = String(decoding: UnsafeRawBufferPointer(start: raw, count: length), as: UTF8.self)
        switch type {
        case 16: return .integer(text == "t" ? 1 : 0)  // boolean
        case 20, 21, 23, 26: return .integer(Int64(text) ?? 0)  // int8, int2, int4, oid
        case 700, 701: return .real(Double(text) ?? 0)  // float4, float8
        case 1700:  // numeric: SUM of integers is one; keep it an integer when it is whole
            if let integer = Int64(text) { return .integer(integer) }
            return .real(Double(text) ?? 0)
        case 17: return .blob(hexBytea(raw, length: length))  // bytea, "\x…" in text format
        default: return .text(text)
        }
    }

    private static func hexBytea(_ raw: UnsafePointer<CChar>, length: Int) -> Data {
        guard length >= 2 else { return Data() }
        var data = Data(capacity: (length - 2) / 2)
        func nibble(_ c: CChar) -> UInt8 {
            let c = UInt8(bitPattern: c)
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            default: return c &- UInt8(ascii: "A") &+ 10
            }
        }
        var i = 2
        while i + 1 < length {
            data.append(nibble(raw[i]) << 4 | nibble(raw[i + 1]))
            i += 2
        }
        return data
    }
}
