import DVCProto

/// The service level each gateway method needs (DESIGN.md §1): the table the level gate
/// checks every call against. A method missing here is refused, so a new method cannot be
/// exposed without deciding its level.
enum LevelRequirement {
    static let byMethod: [String: UInt32] = [
        GatewayV1.PublicService.listAgencies.path: 1,
        GatewayV1.PublicService.searchProcedures.path: 1,
        GatewayV1.PublicService.getProcedure.path: 1,
        GatewayV1.PublicService.downloadForm.path: 2,
    ]

    /// The names the portal shows next to the level numbers (Decree 42/2022/ND-CP).
    static func name(_ level: UInt32) -> String {
        switch level {
        case 0: "không cung cấp trực tuyến"
        case 1: "mức độ 1"
        case 2: "mức độ 2"
        case 3: "mức độ 3 (một phần)"
        default: "mức độ 4 (toàn trình)"
        }
    }
}

/// A request about one procedure at one agency: what the level gate resolves.
protocol LevelScoped {
    var agencyCode: String { get }
    var procedureCode: String { get }
}

extension GatewayV1.GetProcedureRequest: LevelScoped {}
extension GatewayV1.DownloadFormRequest: LevelScoped {}
