import Foundation

/// What tests, benchmarks and tools do to a PostgreSQL server outside any service's database:
/// create and drop databases (which cannot run inside a transaction).
public enum PostgresAdministration {
    /// Runs `sql` on `server` (a connection string to a database the role may use, e.g.
    /// `postgres`) outside a transaction.
    public static func execute(_ sql: String, on server: String) throws {
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection(conninfo: server)
        } catch let lost as PostgresConnectionLost {
            throw StorageError.databaseUnavailable(lost.message)
        }
        try connection.execute(sql: sql)
    }

    /// Creates database `name` (letters, digits and '_') and returns the connection string
    /// that reaches it: `server`'s with its `dbname` replaced.
    @discardableResult
    public static func createDatabase(_ name: String, on server: String) throws -> String {
        precondition(name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }, "database name \(name)")
        try execute("CREATE DATABASE \(name)", on: server)
        return connectionString(server, database: name)
    }

    public static func dropDatabase(_ name: String, on server: String) throws {
        try execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: server)
    }

    /// `server` with its database replaced by `name` (both the URL and the keyword form).
    public static func connectionString(_ server: String, database name: String) -> String {
        if PostgresURL.isPostgres(server) {
            let (base, query) = server.firstIndex(of: "?").map { (String(server[..<$0]), String(server[$0...])) } ?? (server, "")
            let schemeEnd = base.range(of: "://")!.upperBound
            let hosts = base[schemeEnd...].firstIndex(of: "/").map { String(base[..<$0]) } ?? base
            return "\(hosts)/\(name)\(query)"
        }
        return "\(server) dbname=\(name)"
    }
}
