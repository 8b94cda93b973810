import DVCProto
import RPCCore
import ServiceClients

/// Whether an agency offers a procedure at the level a call needs, from catalog-svc through a
/// 1 s cache. A refusal is FAILED_PRECONDITION naming the agency, the procedure, the level
/// needed and the level enabled, with the same facts in metadata (`dvc-level-needed`,
/// `dvc-level-enabled`) for the HTTP front to build its problem document from.
struct LevelGate: Sendable {
    let levels: CatalogCache

    func require(_ needed: UInt32, agency: String, procedure: String, context: ServerContext) async throws {
        let level = try await levels.level(agency: agency, procedure: procedure,
                                           options: context.downstreamOptions(CallOptions(idempotent: true)))
        guard level.level < needed else { return }
        let offered = level.level == 0
            ? "does not offer it online"
            : "offers it at level \(level.level) (\(LevelRequirement.name(level.level)))"
        throw RPCError(
            .failedPrecondition,
            "\(level.agencyName) (\(agency)) \(offered); \"\(level.procedureName)\" (\(procedure)) needs level \(needed) for this",
            metadata: [
                "dvc-agency": agency, "dvc-agency-name": level.agencyName, "dvc-procedure": procedure,
                "dvc-level-needed": "\(needed)", "dvc-level-enabled": "\(level.level)",
            ])
    }
}
