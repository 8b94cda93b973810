import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// Reception anywhere in a real browser (Tests/python/browser_centre.py), against the whole
/// platform as real processes: a centre's receiver registers a commune's paper dossier at the
/// console's counter page and receives it, the commune's officer processes and approves it from
/// the commune's queue, the centre returns the result. Screenshots in
/// `.build/test-artifacts/centre/` (or `$DVC_TEST_ARTIFACTS/centre/`).
@Suite(.timeLimit(.minutes(4))) struct BrowserCentreTests {
    static var shots: URL {
        let base = ProcessInfo.processInfo.environment["DVC_TEST_ARTIFACTS"].map { URL(fileURLWithPath: $0) }
            ?? repoRoot.appendingPathComponent(".build/test-artifacts")
        return base.appendingPathComponent("centre")
    }

    @Test("a commune's paper dossier registered and received at a centre, processed by the commune, returned at the centre, in headless Chromium")
    func receivedAtACentreInABrowser() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            Issue.record("\(tool) is missing: scripts/install-deps.sh installs chromium and chromium-driver")
            return
        }
        let python = try #require(PythonClientTests.python3(), "python3 is needed (scripts/install-deps.sh)")
        try await PaymentFlowTests().withPlatform { platform in
            try await ReceptionAnywhereTests().addReceptionCatalog(platform.catalog)
            let centrePassword = try await BrowserPortalTests.makeOfficer(platform, agency: ReceptionAnywhereTests.centre,
                                                                          id: "tn.trungtam", roles: "receiver")
            let communePassword = try await BrowserPortalTests.makeOfficer(platform, agency: ReceptionAnywhereTests.commune,
                                                                           id: "cb.nghiado", roles: "receiver,processor,approver")
            let attachment = try makeTemporaryFolder("centre").appendingPathComponent("giay-chung-sinh.pdf")
            try PaymentFlowTests.pdf.write(to: attachment)
            try? FileManager.default.removeItem(at: Self.shots)
            let run = try await runToCompletion(python, [
                repoRoot.appendingPathComponent("Tests/python/browser_centre.py").path,
                "--portal", platform.gatewayHTTP, "--commune", ReceptionAnywhereTests.commune,
                "--citizen-id", ReceptionAnywhereTests.citizen,
                "--centre-officer", "tn.trungtam", "--centre-password", centrePassword,
                "--commune-officer", "cb.nghiado", "--commune-password", communePassword,
                "--attachment", attachment.path, "--shots", Self.shots.path,
            ], timeout: .seconds(180))
            let report = try #require(try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                                      "the browser flow printed no report: \(run)")
            try #require(run.exited && run.status == 0, "the browser flow failed: \(report["failure"] ?? run)")
            #expect((report["pin"] as? String)?.count == 8)

            // What the browser did is what the system of record holds.
            let path = try #require(report["dossier_path"] as? String)
            var get = DossierV1.GetDossierRequest()
            get.id = String(path.split(separator: "/").last ?? "")
            var options = CallOptions(timeout: .seconds(10))
            options.metadata[CallerIdentity.metadataKey] = "citizen:\(ReceptionAnywhereTests.citizen)"
            let dossier = try await platform.dossiers.unary(DossierV1.DossierService.getDossier, get, options: options)
            #expect(dossier.state == .resultReturned && dossier.channel == .inPerson)
            #expect(dossier.agencyCode == ReceptionAnywhereTests.commune && dossier.receivingAgencyCode == ReceptionAnywhereTests.centre)
            #expect(dossier.registeredBy == "officer:tn.trungtam")
            #expect(dossier.attachments.first?.digitisedBy == "officer:tn.trungtam")
            let screenshots = report["screenshots"] as? [String] ?? []
            #expect(screenshots.count >= 6, "\(screenshots)")
        }
    }
}
