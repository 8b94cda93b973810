import GatewayDoor
import HTTPTypes
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
