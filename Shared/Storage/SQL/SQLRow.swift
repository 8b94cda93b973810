/// One row of a result: its values by position and by column name (the first column of that
/// name, as in SQL). Reading a NULL or a value of the wrong class into a non-optional type
/// stops the process with the column's name: it means the schema and the code disagree.
public struct SQLRow: Sendable {
    /// Column names and their positions, shared by every row of one result.
    public final class Columns: Sendable {
        public let names: [String]
        let index: [String: Int]

        public init(_ names: [String]) {
            self.names = names
            var index: [String: Int] = [:]
            for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
            self.index = index
        }
    }

    public let columns: Columns
    public let values: [SQLValue]

    public init(columns: Columns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public var count: Int { values.count }

    /// The raw value of a column; `.null` for a column the row does not have.
    public func value(_ column: String) -> SQLValue {
        guard let i = columns.index[column] else { return .null }
        return values[i]
    }

    public func hasColumn(_ column: String) -> Bool { columns.index[column] != nil }

    public subscript<T: SQLValueConvertible>(_ column: String) -> T {
        guard let i = columns.index[column] else { fatalError("no column \(column) in \(columns.names)") }
        return Self.decode(values[i], column: column)
    }

    public subscript<T: SQLValueConvertible>(_ column: String) -> T? {
        guard let i = columns.index[column] else { fatalError("no column \(column) in \(columns.names)") }
        return Self.decodeOptional(values[i], column: column)
    }

    public subscript<T: SQLValueConvertible>(_ position: Int) -> T {
        Self.decode(values[position], column: "#\(position)")
    }

    public subscript<T: SQLValueConvertible>(_ position: Int) -> T? {
        Self.decodeOptional(values[position], column: "#\(position)")
    }

    static func decode<T: SQLValueConvertible>(_ value: SQLValue, column: String) -> T {
        guard let decoded = T.fromSQL(value) else {
            fatalError("column \(column) holds \(value), not a \(T.self)")
        }
        return decoded
    }

    static func decodeOptional<T: SQLValueConvertible>(_ value: SQLValue, column: String) -> T? {
        if case .null = value { return nil }
        return decode(value, column: column) as T
    }
}
