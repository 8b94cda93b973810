import Storage

extension OfficerAccounts {
    /// An officer's account as it stands now, for the door to check a person an agency system
    /// claims to act for (`CallerResolver`).
    public struct StoredOfficer: Sendable, Equatable {
        public var officer: Officer
        /// False once the account is disabled (`disabled_at_ms` set): it then vouches for nobody.
        public var active: Bool
    }

    /// The officer with this sign-in name, active or not; nil when there is none.
    public func officer(id: String) async throws -> StoredOfficer? {
        try await database.read { db in
            guard let row = try SQLRow.fetchOne(db, sql: """
                SELECT id, agency_code, roles, full_name, disabled_at_ms FROM officer WHERE id = ?
                """, arguments: [id]) else { return nil }
            let officer = Officer(id: row["id"], agencyCode: row["agency_code"],
                                  roles: Set((row["roles"] as String).split(separator: ",").map(String.init)),
                                  fullName: row["full_name"])
            return StoredOfficer(officer: officer, active: (row["disabled_at_ms"] as Int64?) == nil)
        }
    }
}

extension OfficerAccounts {
    /// The active officers of `agency`, by sign-in name: whom a dossier can be given to. Any
    /// officer of the agency may read it (their colleagues' names and roles are no secret at
    /// the desk); the console asks it only for the signed-in officer's own agency.
    public func activeOfficers(agency: String) async throws -> [Officer] {
        try await database.read { db in
            try SQLRow.fetchAll(db, sql: """
                SELECT id, agency_code, roles, full_name FROM officer
                WHERE agency_code = ? AND disabled_at_ms IS NULL ORDER BY id
                """, arguments: [agency]).map { row in
                Officer(id: row["id"], agencyCode: row["agency_code"],
                        roles: Set((row["roles"] as String).split(separator: ",").map(String.init)), fullName: row["full_name"])
            }
        }
    }
}
