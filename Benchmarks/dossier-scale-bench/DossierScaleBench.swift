import ArgumentParser

/// dossier-svc with a large database: `generate` fills a data folder with a realistic history
/// of dossiers; `measure` starts the real dossier-svc on one or more such folders and measures
/// tracking, the agency queue and statistics over RPC, with the query plans
/// (docs/performance.md, "Scale: one million dossiers").
@main
struct DossierScaleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dossier-scale-bench",
        abstract: "dossier-svc at scale (not a test: it prints numbers).",
        subcommands: [Generate.self, Measure.self]
    )
}
