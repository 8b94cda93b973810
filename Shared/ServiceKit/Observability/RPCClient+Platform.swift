import Logging
import NIOCore
import NIOPosix
import RPCCore
import RPCNIO

extension RPCClient {
    /// A client to the replicas of one kind of peer (`catalog`, `dossier`, `payment`,
    /// `notify`), with the platform's client interceptors: its calls count in
    /// `dvc_rpc_client_*{peer=kind}`. Services build their peers' clients with this.
    public convenience init(peerKind: String, peers: [PeerAddress], logger: Logger) {
        var configuration = RPCClientConfiguration()
        configuration.interceptors = [RPCClientMetricsInterceptor(peer: peerKind)]
        self.init(peers: peers, configuration: configuration, logger: logger)
    }
}
