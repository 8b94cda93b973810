import Logging
import ServiceLifecycle

/// Closes payments the citizen did not finish in time (state expired, with its event), every
/// `interval`, until the service shuts down.
struct PaymentExpiry: Service {
    let ledger: PaymentLedger
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let expired = try await ledger.expireDue()
                    if expired > 0 { logger.info("payments expired", metadata: ["count": "\(expired)"]) }
                } catch {
                    logger.error("expiring payments failed; will retry", metadata: ["error": "\(error)"])
                }
                // Cancelled at shutdown: stop quietly, the next start goes on.
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
    }
}
