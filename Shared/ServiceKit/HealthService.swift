import DVCProto
import RPCCore
import Synchronization

/// `/dvc.health.v1.Health/Check`, in the shape of grpc.health.v1: the empty name asks about
/// the server as a whole; a known service name gets SERVING or NOT_SERVING; any other name
/// gets SERVICE_UNKNOWN.
public final class HealthService: RegistrableRPCService {
    public typealias Status = HealthV1.HealthCheckResponse.ServingStatus

    private let statuses: Mutex<[String: Status]>

    /// - Parameter services: names of the services this server serves, e.g.
    ///   `dvc.catalog.v1.CatalogService`; they start SERVING, as does the server itself.
    public init(services: some Sequence<String>) {
        var statuses: [String: Status] = ["": .serving, HealthV1.Health.serviceName: .serving]
        for name in services { statuses[name] = .serving }
        self.statuses = Mutex(statuses)
    }

    /// Sets one service's status; the empty name is the server as a whole.
    public func setStatus(_ status: Status, for service: String = "") {
        statuses.withLock { $0[service] = status }
    }

    /// Every service NOT_SERVING: what a draining server answers, so balancers move away.
    public func markAllNotServing() {
        statuses.withLock { statuses in
            for key in statuses.keys { statuses[key] = .notServing }
        }
    }

    public func check(_ request: HealthV1.HealthCheckRequest) -> HealthV1.HealthCheckResponse {
        var response = HealthV1.HealthCheckResponse()
        response.status = statuses.withLock { $0[request.service] } ?? .serviceUnknown
        return response
    }

    public func registerMethods(with router: inout RPCRouter) {
        router.register(HealthV1.Health.check) { [self] request, _ in check(request) }
    }
}
