@testable import GatewayDoor
import HTTPTypes
import RPCCore
import Storage
import Testing

/// An agency system acting for a citizen names them the way registration would accept them.
@Suite struct OnBehalfOfTests {
    @Test("citizen:<id> with a province code that does not exist, or born in the future, is refused naming the header")
    func citizenIdentityChecked() async throws {
        let gateway = try await InProcessGateway.make()
        let (_, token) = try gateway.door.keys.create(agencyCode: "000.00.07.H26", scopes: [.citizens], label: "kiem-thu")
        func read(as citizen: String) async throws -> InProcessGateway.Answer {
            try await gateway.send(.post, "/api/v1/dvc.gateway.v1.PublicService/GetProcedure", headers: [
                .contentType: "application/json", .authorization: token.authorization,
                HTTPField.Name("X-DVC-On-Behalf-Of")!: citizen,
            ], body: #"{"agency_code":"000.00.07.H26","procedure_code":"HN-TP-001"}"#)
        }
        #expect(try await read(as: "citizen:001099012345").status == 200)
        for bad in ["citizen:999099012345", "citizen:003099012345", "citizen:001399012345"] {
            let refused = try await read(as: bad)
            #expect(refused.status == 400 && refused.body.contains("x-dvc-on-behalf-of"), "\(bad): \(refused.status) \(refused.body)")
        }
    }
}

/// An agency system acting for an officer names one of its agency's real, active officers, with
/// roles they hold.
@Suite struct OnBehalfOfOfficerTests {
    @Test("officer:<id>:<roles> must be an active officer of the key's agency holding every role claimed")
    func officerChecked() async throws {
        let gateway = try await InProcessGateway.make()
        let agency = "000.00.07.H26"
        let (_, token) = try gateway.door.keys.create(agencyCode: agency, scopes: [.officers], label: "kiem-thu")
        let officers = gateway.door.officers
        _ = try await officers.create(id: "tn01", agencyCode: agency, roles: ["receiver", "processor"], fullName: "Trần Nam",
                                      password: "mat-khau-du-dai-1", createdBy: .system(service: "test"))
        _ = try await officers.create(id: "khac01", agencyCode: "000.00.20.H26", roles: ["receiver"], fullName: "Cơ quan khác",
                                      password: "mat-khau-du-dai-2", createdBy: .system(service: "test"))
        _ = try await officers.create(id: "nghi01", agencyCode: agency, roles: ["receiver"], fullName: "Đã nghỉ",
                                      password: "mat-khau-du-dai-3", createdBy: .system(service: "test"))
        try await officers.database.write { db in
            try db.execute(sql: "UPDATE officer SET disabled_at_ms = 1 WHERE id = 'nghi01'")
        }
        func read(as officer: String) async throws -> InProcessGateway.Answer {
            try await gateway.send(.post, "/api/v1/dvc.gateway.v1.PublicService/GetProcedure", headers: [
                .contentType: "application/json", .authorization: token.authorization,
                HTTPField.Name("X-DVC-On-Behalf-Of")!: officer,
            ], body: #"{"agency_code":"000.00.07.H26","procedure_code":"HN-TP-001"}"#)
        }
        #expect(try await read(as: "officer:tn01:receiver").status == 200)
        #expect(try await read(as: "officer:tn01:receiver,processor").status == 200)
        // Nobody by that name; another agency's officer; a disabled one; a role not held.
        for bad in ["officer:khong.ton.tai:receiver", "officer:khac01:receiver", "officer:nghi01:receiver",
                    "officer:tn01:approver", "officer:tn01:receiver,approver"] {
            let refused = try await read(as: bad)
            #expect(refused.status == 403 && refused.body.contains("x-dvc-on-behalf-of"), "\(bad): \(refused.status) \(refused.body)")
        }
    }
}
