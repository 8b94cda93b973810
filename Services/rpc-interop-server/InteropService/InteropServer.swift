import Logging
import ServiceKit

/// `rpc-interop-server`: the interop test service and Health, with the platform's command line.
public enum InteropServer: PlatformService {
    public static let executableName = "rpc-interop-server"

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        ServiceParts(services: [TestService()])
    }
}
