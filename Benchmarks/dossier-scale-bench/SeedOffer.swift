import Foundation

/// What the generator needs of the seed catalog: which agency offers which procedure online
/// (level 3 or 4), and how long each procedure takes. Read from the catalog's JSON file, as
/// catalog-svc loads it, so the dossiers name agencies and procedures the platform knows.
struct SeedOffer {
    var agencyCode: String
    var procedureCode: String
    /// The processing time in working hours (8 a day).
    var workingHours: Int

    private struct Catalog: Decodable {
        struct Procedure: Decodable {
            var code: String
            var processingWorkingHours: Int?
            var processingTimeBasis: String?
        }
        struct Level: Decodable {
            var agencyCode: String
            var procedureCode: String
            var level: Int
        }
        var procedures: [Procedure]
        var levels: [Level]
    }

    /// Every (agency, procedure) offered at level 3 or above.
    static func load(_ path: String) throws -> [SeedOffer] {
        let catalog = try JSONDecoder().decode(Catalog.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        var hours: [String: Int] = [:]
        for procedure in catalog.procedures {
            hours[procedure.code] = procedure.processingWorkingHours ?? days(in: procedure.processingTimeBasis ?? "").map { $0 * 8 } ?? 40
        }
        return catalog.levels.filter { $0.level >= 3 }.map {
            SeedOffer(agencyCode: $0.agencyCode, procedureCode: $0.procedureCode, workingHours: hours[$0.procedureCode] ?? 40)
        }
    }

    /// The first "NN ngày" of a legal basis text ("05 ngày làm việc kể từ ..."): the time limit
    /// the law sets, when the catalog has no figure in hours.
    private static func days(in text: String) -> Int? {
        guard let range = text.range(of: #"[0-9]+ ngày"#, options: .regularExpression) else { return nil }
        return Int(text[range].prefix { $0.isNumber })
    }
}
