import DVCProto
import DossierService
import Foundation
import OneStop

/// A city's dossiers of the last two years (by default), as dossier-svc would hold them: spread over the seed
/// catalog's (agency, procedure) offers with most of them in a few big agencies (weights
/// falling as 1/rank^1.3: the largest agency gets about 38%), submitted evenly over the span,
/// and each taken through the workflow a real one goes: receipt (or refusal at reception),
/// processing by one of the agency's processors, sometimes a supplement round or a fee, a
/// decision on time (mostly) or late, the result returned. Steps later than "now" have not
/// happened yet, so the recent dossiers are still in progress, and those still held past their
/// appointment are marked overdue, as the deadline scanner would have. Deterministic for a
/// given count and "now" (except the PIN salts and attachment ids, which the loader draws from
/// the system's generator).
struct ScaleGenerator {
    static let hourMs: Int64 = 3_600_000
    static let dayMs: Int64 = 86_400_000

    struct Agency {
        var code: String
        var offers: [SeedOffer]
        var processors: Int
        var receivers: Int
        var approvers: Int
    }

    let count: Int
    let nowMs: Int64
    /// How far back the first dossier was submitted.
    let spanMs: Int64
    let agencies: [Agency]
    /// Cumulative weights of `agencies`, ending at 1.
    private let cumulative: [Double]
    private let hashes: [String]
    private var random: SplitMix

    init(offers: [SeedOffer], count: Int, nowMs: Int64, spanDays: Int, seed: UInt64 = 2026) {
        self.count = count
        self.nowMs = nowMs
        spanMs = Int64(spanDays) * Self.dayMs
        var byAgency: [String: [SeedOffer]] = [:]
        for offer in offers { byAgency[offer.agencyCode, default: []].append(offer) }
        // The agencies offering the most procedures online are the busiest.
        let ordered = byAgency.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
        let weights = ordered.indices.map { 1 / pow(Double($0 + 1), 1.3) }
        let total = weights.reduce(0, +)
        var running = 0.0
        cumulative = weights.map { running += $0 / total; return running }
        agencies = zip(ordered, weights).map { entry, weight in
            let staff = max(2, Int(weight / total * 120))
            return Agency(code: entry.key, offers: entry.value, processors: staff, receivers: max(1, staff / 3),
                          approvers: max(1, staff / 8))
        }
        random = SplitMix(seed: seed)
        // Attachment rows point into a content-addressed store: many dossiers share a file.
        var hashRandom = SplitMix(seed: seed ^ 0xA77AC4)
        hashes = (0..<512).map { _ in
            (0..<4).map { _ in String(format: "%016llx", UInt64.random(in: 0...UInt64.max, using: &hashRandom)) }.joined()
        }
    }

    private mutating func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &random) }
    private mutating func chance(_ p: Double) -> Bool { uniform(0...1) < p }
    private mutating func ms(_ low: Int64, _ high: Int64) -> Int64 { Int64.random(in: low...max(low, high), using: &random) }

    private mutating func uuid() -> String {
        var bytes = (UInt64.random(in: 0...UInt64.max, using: &random), UInt64.random(in: 0...UInt64.max, using: &random))
        bytes.0 = (bytes.0 & ~0xF000) | 0x4000
        bytes.1 = (bytes.1 & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let text = String(format: "%016llx%016llx", bytes.0, bytes.1)
        let c = Array(text)
        return [c[0..<8], c[8..<12], c[12..<16], c[16..<20], c[20..<32]].map { String($0) }.joined(separator: "-")
    }

    private static let familyNames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
    private static let middleNames = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Thu"]
    private static let givenNames = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hằng", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương", "Quân", "Trang", "Tuấn"]
    private static let streets = ["Phố Huế", "Hàng Bài", "Kim Mã", "Láng Hạ", "Giải Phóng", "Nguyễn Trãi", "Cầu Giấy", "Tây Sơn"]

    /// The dossier submitted `index`-th of `count` (in submission order).
    mutating func dossier(_ index: Int) -> DossierBulkLoader.Dossier {
        let pick = uniform(0...1)
        let agency = agencies[cumulative.firstIndex { pick <= $0 } ?? agencies.count - 1]
        let offer = agency.offers[min(agency.offers.count - 1, Int(pow(uniform(0...1), 2) * Double(agency.offers.count)))]
        let submitted = min(nowMs - 60_000, nowMs - spanMs + Int64(index) * spanMs / Int64(max(1, count)) + ms(0, 2 * Self.hourMs))
        let applicantNumber = Int.random(in: 0..<700_000, using: &random)
        let applicant = "001" + String(100_000_000 + applicantNumber)
        let citizen = DossierActor.citizen(id: applicant)
        func officer(_ prefix: String, _ staff: Int, _ role: DossierV1.OfficerRole) -> DossierActor {
            let number = Int.random(in: 1...staff, using: &random)
            return .officer(id: "\(prefix)-\(agency.code)-\(number)", agencyCode: agency.code, roles: [role])
        }
        let channelPick = uniform(0...1)
        let name = "\(Self.familyNames.randomElement(using: &random)!) \(Self.middleNames.randomElement(using: &random)!) \(Self.givenNames.randomElement(using: &random)!)"
        var dossier = DossierBulkLoader.Dossier(
            id: uuid(), agencyCode: agency.code, procedureCode: offer.procedureCode, applicantID: applicant,
            channel: channelPick < 0.7 ? .online : channelPick < 0.95 ? .inPerson : .postal, submittedAtMs: submitted,
            formData: ["ho_ten": name, "dia_chi": "Số \(Int.random(in: 1...300, using: &random)) \(Self.streets.randomElement(using: &random)!), Hà Nội",
                       "so_dien_thoai": "09\(Int.random(in: 10_000_000...99_999_999, using: &random))"],
            attachments: (0..<2).map { position in
                DossierBulkLoader.Attachment(name: position == 0 ? "don-de-nghi.pdf" : "giay-to-kem-theo.pdf", mediaType: "application/pdf",
                                             sizeBytes: Int64.random(in: 80_000...900_000, using: &random),
                                             sha256Hex: hashes[Int.random(in: 0..<hashes.count, using: &random)])
            })

        var steps: [DossierBulkLoader.Step] = []
        let received = submitted + ms(Self.hourMs / 2, 30 * Self.hourMs)
        if chance(0.01) {
            steps.append(.init(.withdraw, by: citizen, atMs: received, note: "Công dân xin rút hồ sơ để bổ sung sau"))
        } else if chance(0.03) {
            steps.append(.init(.refuseReception, by: officer("tn", agency.receivers, .receiver), atMs: received,
                               note: "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan"))
        } else {
            // Working hours as wall time: 8 a day, five days in seven.
            let duration = max(Self.dayMs, Int64(Double(offer.workingHours) / 8 * 1.4 * Double(Self.dayMs)))
            var pause: Int64 = 0
            steps.append(.init(.receive, by: officer("tn", agency.receivers, .receiver), atMs: received))
            var t = received + Int64(Double(duration) * uniform(0.02...0.1))
            steps.append(.init(.startProcessing, by: officer("cb", agency.processors, .processor), atMs: t))
            let processor = steps.last!.actor
            if chance(0.08) {
                t += Int64(Double(duration) * uniform(0.05...0.2))
                steps.append(.init(.requestSupplement, by: processor, atMs: t, note: "Thiếu bản sao chứng thực",
                                   missingDocuments: ["Bản sao chứng thực giấy tờ tùy thân"]))
                pause = ms(Self.dayMs, 6 * Self.dayMs)
                t += pause
                steps.append(.init(.resubmit, by: citizen, atMs: t))
                dossier.pausedMinutes = Int(pause / Self.dayMs) * 480 * 5 / 7
            }
            let appointment = received + duration + pause
            dossier.appointmentAtMs = appointment
            if chance(0.12) {
                t += Int64(Double(duration) * uniform(0.05...0.2))
                steps.append(.init(.requestPayment, by: processor, atMs: t))
                t += ms(Self.hourMs, Int64(Double(duration) * 0.1))
                steps.append(.init(.confirmPayment, by: .system(service: "payment-svc"), atMs: t))
            }
            let course = uniform(0...1)
            if course < 0.02 {
                steps.append(.init(.withdraw, by: citizen, atMs: t + ms(Self.hourMs, Self.dayMs), note: "Không còn nhu cầu"))
            } else {
                let decided: Int64
                if appointment > nowMs - 90 * Self.dayMs, course < 0.06 {
                    // Stragglers: still held long after their appointment.
                    decided = appointment + ms(30 * Self.dayMs, 200 * Self.dayMs)
                } else if course < 0.15 {
                    decided = appointment + ms(Self.hourMs, 10 * Self.dayMs)
                } else {
                    decided = max(t + Self.hourMs, received + Int64(Double(duration + pause) * uniform(0.7...0.98)))
                }
                let approver = officer("ld", agency.approvers, .approver)
                if chance(0.05) {
                    steps.append(.init(.refuse, by: approver, atMs: decided, note: "Hồ sơ không đủ điều kiện theo quy định"))
                } else {
                    steps.append(.init(.approve, by: approver, atMs: decided))
                    dossier.resultNote = "Đã cấp kết quả theo đề nghị"
                    steps.append(.init(.returnResult, by: officer("tn", agency.receivers, .receiver),
                                       atMs: decided + ms(Self.hourMs, 5 * Self.dayMs)))
                }
            }
        }
        // What has not happened by now has not happened.
        dossier.steps = steps.filter { $0.atMs <= nowMs }
        if let appointment = dossier.appointmentAtMs, appointment < nowMs, dossier.steps.contains(where: { $0.action == .receive }) {
            let held: Set<DossierV1.DossierState> = [.received, .processing, .awaitingPayment]
            dossier.overdue = held.contains(Self.state(after: dossier.steps))
        }
        if !dossier.steps.contains(where: { $0.action == .receive }) { dossier.appointmentAtMs = nil }
        if !dossier.steps.contains(where: { $0.action == .resubmit }) { dossier.pausedMinutes = 0 }
        return dossier
    }

    /// The state the last step led to (the loader checks every step against the workflow).
    static func state(after steps: [DossierBulkLoader.Step]) -> DossierV1.DossierState {
        switch steps.last?.action {
        case nil: .submitted
        case .receive: .received
        case .refuseReception: .notReceived
        case .startProcessing, .resubmit, .confirmPayment: .processing
        case .requestSupplement: .supplementRequested
        case .requestPayment: .awaitingPayment
        case .withdraw: .withdrawn
        case .refuse: .stopped
        case .approve: .processed
        case .returnResult: .resultReturned
        default: .unspecified
        }
    }
}
