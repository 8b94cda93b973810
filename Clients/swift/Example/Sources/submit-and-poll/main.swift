// Submits a dossier for a citizen, polls its state until it reaches the one asked for, and
// fetches its result when it has one (docs/clients.md, the Swift quickstart).
//
//   submit-and-poll --gateway HOST:PORT --api-key "ApiKey <id>.<secret>" [--tls-ca ca.pem]
//       --citizen 001099012345 --agency AGENCY --procedure PROCEDURE --file to-khai.pdf
//       [--until PROCESSED] [--max-wait 60] [--result-out ket-qua.pdf]
import DVCClient
import Foundation

func fail(_ text: String) -> Never {
    FileHandle.standardError.write(Data((text + "\n").utf8))
    exit(1)
}

// --name value pairs; --file may repeat.
var options: [String: String] = [:]
var files: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let name = arguments.popFirst() {
    guard name.hasPrefix("--"), let value = arguments.popFirst() else { fail("usage: see the comment at the top of main.swift") }
    if name == "--file" { files.append(value) } else { options[String(name.dropFirst(2))] = value }
}
guard let gateway = options["gateway"], let citizen = options["citizen"], let agency = options["agency"],
      let procedure = options["procedure"] else {
    fail("--gateway, --citizen, --agency and --procedure are required")
}
let until = (options["until"] ?? "SUBMITTED").uppercased()
let maxWait = Double(options["max-wait"] ?? "60") ?? 60

func stateName(_ state: DossierV1.DossierState) -> String {
    // e.g. .resultReturned -> RESULT_RETURNED
    String(describing: state).reduce(into: "") { name, character in
        if character.isUppercase { name += "_" }
        name += character.uppercased()
    }
}

do {
    let client = try DVCClient(address: gateway, apiKey: options["api-key"] ?? ProcessInfo.processInfo.environment["DVC_API_KEY"],
                               actingFor: .citizen(citizen), tlsCA: options["tls-ca"],
                               timeout: .milliseconds(Int((Double(options["timeout"] ?? "10") ?? 10) * 1000)))

    var request = DossierV1.SubmitDossierRequest()
    request.agencyCode = agency
    request.procedureCode = procedure
    request.channel = .online
    for path in files {
        var upload = DossierV1.AttachmentUpload()
        upload.name = URL(fileURLWithPath: path).lastPathComponent
        upload.content = try Data(contentsOf: URL(fileURLWithPath: path))
        request.attachments.append(upload)
    }
    let key = options["idempotency-key"] ?? UUID().uuidString.lowercased()
    let answer = try await client.dossiers.submit(request, options: DVCCallOptions(idempotencyKey: key))
    var dossier = answer.dossier ?? DossierV1.Dossier()
    print("submitted \(dossier.id) state \(stateName(dossier.state)) pin \(answer.trackingPin) idempotency-key \(key)")

    let giveUp = Date().addingTimeInterval(maxWait)
    var last: DossierV1.DossierState?
    while true {
        dossier = try await client.dossiers.get(dossier.id)
        if dossier.state != last {
            print("state \(stateName(dossier.state)) version \(dossier.version)" + (dossier.receiptCode.isEmpty ? "" : " receipt \(dossier.receiptCode)"))
            last = dossier.state
        }
        if stateName(dossier.state) == until || Date() >= giveUp { break }
        try await Task.sleep(for: .seconds(Double(options["poll-interval"] ?? "2") ?? 2))
    }
    guard stateName(dossier.state) == until else { fail("error still \(stateName(dossier.state)) after \(maxWait) s, not \(until)") }

    if let result = dossier.resultDocument, !result.id.isEmpty {
        let file = try await client.dossiers.file(dossier: dossier.id, file: result.id)
        print("result \(file.name) \(file.content.count) bytes \(file.mediaType)")
        if let out = options["result-out"] { try file.content.write(to: URL(fileURLWithPath: out)) }
    }
    await client.close()
} catch let error as RPCError {
    fail("error \(error)")
}
