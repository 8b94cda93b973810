import Logging
import RPCNIO
import ServiceLifecycle
import UnixSignals

/// Reads the certificate deny list (`--tls-revoked`) again on every SIGHUP, so that an
/// operator revokes a certificate without a restart (docs/tls.md, "Revoking a certificate").
/// A file that cannot be read or parsed keeps the list in force and says why in the log.
struct DenyListReloader: Service {
    let denyList: CertificateDenyList
    let logger: Logger

    func run() async throws {
        logger.info("certificate deny list loaded", metadata: ["file": "\(denyList.path)", "revoked": "\(denyList.count)"])
        let signals = await UnixSignalsSequence(trapping: .sighup)
        let denyList = denyList
        let logger = logger
        // Cancelled at graceful shutdown, which ends the wait for the next signal.
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                do {
                    let count = try denyList.reload()
                    logger.notice("certificate deny list reloaded", metadata: ["file": "\(denyList.path)", "revoked": "\(count)"])
                } catch {
                    logger.error("certificate deny list not reloaded; the previous list stays in force",
                                 metadata: ["file": "\(denyList.path)", "error": "\(error)"])
                }
            }
        }
    }
}
