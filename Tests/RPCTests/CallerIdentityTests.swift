import Logging
import RPCCore
import Testing

/// The identity the gateway vouches for in `x-dvc-identity`: parsed strictly, printed back
/// the same, and anything malformed is no identity at all.
@Suite struct CallerIdentityTests {
    @Test("every form parses and prints back")
    func roundTrips() {
        let cases: [(String, CallerIdentity)] = [
            ("citizen:001099012345", .citizen(id: "001099012345")),
            ("officer:nv01@000.00.20.H26:processor,receiver",
             .officer(id: "nv01", agency: "000.00.20.H26", roles: ["receiver", "processor"])),
            ("agency-system:000.00.20.H26", .agencySystem(agency: "000.00.20.H26")),
            ("system:payment-svc", .system(service: "payment-svc")),
        ]
        for (text, identity) in cases {
            #expect(CallerIdentity(text) == identity, "\(text)")
            #expect(CallerIdentity(identity.description) == identity)
            #expect(CallerIdentity(metadata: [CallerIdentity.metadataKey: text]) == identity)
        }
    }

    @Test("malformed identities are refused", arguments: [
        "", "citizen", "citizen:", "citizen:12345", "citizen:00109901234x", "citizen:0010990123456",
        "officer:nv01", "officer:@000.00.20.H26:receiver", "officer:nv01@:receiver", "officer:nv01@000.00.20.H26:",
        "admin:root", "agency-system:",
    ])
    func refusals(_ text: String) {
        #expect(CallerIdentity(text) == nil)
    }

    @Test("a call without an identity is UNAUTHENTICATED")
    func required() throws {
        let context = ServerContext(method: "/a.B/C", metadata: [:], deadline: nil, requestID: "r",
                                    trace: .random(), remoteAddress: "test", logger: .init(label: "test"))
        #expect(throws: RPCError.self) { try CallerIdentity.required(context) }
        do {
            _ = try CallerIdentity.required(context)
        } catch let error as RPCError {
            #expect(error.code == .unauthenticated)
        }
    }
}
