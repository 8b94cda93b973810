import Foundation

/// What the sandbox portal holds: the dossiers citizens submitted on it, what it was told about
/// each (the reports, in the order accepted), the requests it refused, and its remote-controlled
/// behaviour (down, refusing the next reports of a dossier, delivering twice).
actor PortalState {
    struct Dossier {
        var portalID: String
        /// What the citizen submitted, as delivered (JSON).
        var request: Data
        var localDossierID = ""
        var deliveries: [Int] = []
        var delivered = false
        var reports: [[String: Any]] = []
        var lastSeq: Int64 = 0
        var state = 0
        var duplicateReports = 0
        var refuseNext = 0
    }

    let province: String
    let window: Int64
    var down = false
    var deliverTwice = false
    var dossiers: [String: Dossier] = [:]
    var order: [String] = []
    var refusals: [[String: String]] = []
    private var nonces: [String: Date] = [:]
    private var counter = 0

    init(province: String, window: Int64) {
        self.province = province
        self.window = window
    }

    func seen(_ nonce: String) -> Bool {
        let now = Date()
        nonces = nonces.filter { now.timeIntervalSince($0.value) < Double(2 * window) }
        if nonces[nonce] != nil { return true }
        nonces[nonce] = now
        return false
    }

    func refuse(_ path: String, _ why: String) {
        refusals.append(["path": path, "why": why])
    }

    func setDown(_ value: Bool) { down = value }
    func setDeliverTwice(_ value: Bool) { deliverTwice = value }

    /// A citizen submits on the portal: a new portal id (G22.<province>.<yyMMdd>.<n>).
    func submit(_ json: Data) -> String? {
        guard let request = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else { return nil }
        counter += 1
        let formatter = DateFormatter()
        formatter.dateFormat = "yyMMdd"
        let id = "G22.\(province).\(formatter.string(from: Date())).\(String(format: "%05d", counter))"
        var body = request
        body["portal_dossier_id"] = id
        guard let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) else { return nil }
        dossiers[id] = Dossier(portalID: id, request: data)
        order.append(id)
        return id
    }

    func undelivered() -> [String] { order.filter { dossiers[$0]?.delivered == false } }

    func body(of id: String) -> Data? { dossiers[id]?.request }

    func recordDelivery(_ id: String, status: Int, localID: String?) {
        dossiers[id]?.deliveries.append(status)
        if let localID, !localID.isEmpty { dossiers[id]?.localDossierID = localID }
        // Accepted, or refused for good (the citizen is told): either way no more attempts.
        if (200..<300).contains(status) || status == 400 || status == 422 { dossiers[id]?.delivered = true }
    }

    func redeliver(_ id: String) -> Bool {
        guard dossiers[id] != nil else { return false }
        dossiers[id]?.delivered = false
        return true
    }

    func refuseNext(_ id: String, count: Int) -> Bool {
        guard dossiers[id] != nil else { return false }
        dossiers[id]?.refuseNext = count
        return true
    }

    enum ReportOutcome: Sendable { case accepted, duplicate, unknown, refused, invalid, outOfOrder(String) }

    func report(_ id: String, _ json: Data) -> ReportOutcome {
        guard let body = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else { return .invalid }
        guard var dossier = dossiers[id] else { return .unknown }
        defer { dossiers[id] = dossier }
        if dossier.refuseNext > 0 {
            dossier.refuseNext -= 1
            return .refused
        }
        let seq = (body["seq"] as? NSNumber)?.int64Value ?? 0
        let eventID = body["event_id"] as? String ?? ""
        if seq >= 1, seq <= dossier.lastSeq {
            if dossier.reports[Int(seq) - 1]["event_id"] as? String == eventID {
                dossier.duplicateReports += 1
                return .duplicate
            }
            return .outOfOrder("seq \(seq) already holds another event")
        }
        guard seq == dossier.lastSeq + 1 else { return .outOfOrder("expected seq \(dossier.lastSeq + 1), got \(seq)") }
        dossier.reports.append(body)
        dossier.lastSeq = seq
        dossier.state = (body["state"] as? NSNumber)?.intValue ?? dossier.state
        if dossier.localDossierID.isEmpty { dossier.localDossierID = body["dossier_id"] as? String ?? "" }
        return .accepted
    }

    func summary(_ id: String) -> [String: Any]? {
        guard let dossier = dossiers[id] else { return nil }
        return ["portal_dossier_id": id, "dossier_id": dossier.localDossierID, "state": dossier.state, "last_seq": dossier.lastSeq]
    }

    func list() -> Data { Self.json(order.compactMap(summary)) }

    func summaryJSON(_ id: String) -> Data? { summary(id).map(Self.json) }

    func detailJSON(_ id: String) -> Data? { detail(id).map(Self.json) }

    func refusalsJSON() -> Data { Self.json(refusals) }

    static func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    func detail(_ id: String) -> [String: Any]? {
        guard let dossier = dossiers[id], var object = summary(id) else { return nil }
        object["deliveries"] = dossier.deliveries
        object["delivered"] = dossier.delivered
        object["reports"] = dossier.reports
        object["states"] = dossier.reports.compactMap { $0["state"] }
        object["duplicate_reports"] = dossier.duplicateReports
        return object
    }
}
