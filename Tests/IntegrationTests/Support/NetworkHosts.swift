import Foundation
import TestKit

/// Several hosts on this machine, as Linux network namespaces with their own addresses, joined
/// by a bridge in a switch namespace of their own (so nothing touches the machine's own network):
///
///     host "catalog"  eth0 10.N.0.2 ──veth── bridge (in "<prefix>-sw") ──veth── eth0 10.N.0.3 host "dossier" …
///
/// Made and removed by the test itself with iproute2. `cut(host)` takes the host's port on the
/// bridge down (its cable pulled: packets vanish, nothing is refused), `restore(host)` puts it
/// back.
final class NetworkHosts: Sendable {
    static let ip = URL(fileURLWithPath: "/usr/sbin/ip")

    let prefix: String
    let subnet: Int
    let names: [String]

    var switchNamespace: String { "\(prefix)-sw" }
    func namespace(_ host: String) -> String { "\(prefix)-\(host)" }
    func address(_ host: String) -> String { "10.\(subnet).0.\(names.firstIndex(of: host)! + 2)" }
    private func port(_ host: String) -> String { "p\(names.firstIndex(of: host)!)" }

    private init(prefix: String, subnet: Int, names: [String]) {
        self.prefix = prefix
        self.subnet = subnet
        self.names = names
    }

    /// Whether namespaces can be made here (root and iproute2): a probe namespace is made and removed.
    static let available: Bool = {
        guard FileManager.default.isExecutableFile(atPath: ip.path) else { return false }
        let probe = "dvc-probe-\(UInt16.random(in: 0...UInt16.max))"
        let made = Process()
        made.executableURL = ip
        made.arguments = ["netns", "add", probe]
        made.standardError = FileHandle.nullDevice
        guard (try? made.run()) != nil else { return false }
        made.waitUntilExit()
        guard made.terminationStatus == 0 else { return false }
        let removed = Process()
        removed.executableURL = ip
        removed.arguments = ["netns", "del", probe]
        try? removed.run()
        removed.waitUntilExit()
        return true
    }()

    /// Runs `body` with the hosts made, and removes them after, whether it returns or throws
    /// (`defer` cannot wait for the removal, and namespaces outlive the test process).
    static func with<T>(_ names: [String], _ body: (NetworkHosts) async throws -> T) async throws -> T {
        let hosts = try await make(names)
        do {
            let result = try await body(hosts)
            await hosts.remove()
            return result
        } catch {
            await hosts.remove()
            throw error
        }
    }

    /// Makes the switch and one host per name, each with its address, up and reachable.
    static func make(_ names: [String]) async throws -> NetworkHosts {
        let hosts = NetworkHosts(prefix: "dvc\(String(UInt16.random(in: 0...UInt16.max), radix: 16))",
                                 subnet: Int.random(in: 100...250), names: names)
        do {
            try await hosts.run(["netns", "add", hosts.switchNamespace])
            try await hosts.run(["-n", hosts.switchNamespace, "link", "add", "br0", "type", "bridge"])
            try await hosts.run(["-n", hosts.switchNamespace, "link", "set", "br0", "up"])
            for name in names {
                let namespace = hosts.namespace(name)
                try await hosts.run(["netns", "add", namespace])
                try await hosts.run(["-n", hosts.switchNamespace, "link", "add", hosts.port(name), "type", "veth",
                                     "peer", "name", "eth0", "netns", namespace])
                try await hosts.run(["-n", hosts.switchNamespace, "link", "set", hosts.port(name), "master", "br0", "up"])
                try await hosts.run(["-n", namespace, "addr", "add", "\(hosts.address(name))/24", "dev", "eth0"])
                try await hosts.run(["-n", namespace, "link", "set", "eth0", "up"])
                try await hosts.run(["-n", namespace, "link", "set", "lo", "up"])
            }
        } catch {
            await hosts.remove()
            throw error
        }
        return hosts
    }

    /// The host is lost for good and another machine takes its place and its address (a
    /// floating address moved to a standby): the namespace is deleted, with whatever ran in it
    /// cut off, and a fresh one is made with the same address.
    func replace(_ host: String) async throws {
        try await run(["netns", "del", namespace(host)])
        let namespace = namespace(host)
        try await run(["netns", "add", namespace])
        try await run(["-n", switchNamespace, "link", "add", port(host), "type", "veth", "peer", "name", "eth0", "netns", namespace])
        try await run(["-n", switchNamespace, "link", "set", port(host), "master", "br0", "up"])
        try await run(["-n", namespace, "addr", "add", "\(address(host))/24", "dev", "eth0"])
        try await run(["-n", namespace, "link", "set", "eth0", "up"])
        try await run(["-n", namespace, "link", "set", "lo", "up"])
        // What the standby's gratuitous ARP does when a floating address moves: the other hosts
        // forget the old machine's hardware address for it.
        for other in names where other != host {
            _ = try? await runToCompletion(Self.ip, ["-n", self.namespace(other), "neigh", "flush", "to", address(host)])
        }
    }

    /// The host's cable pulled: its port on the bridge goes down.
    func cut(_ host: String) async throws {
        try await run(["-n", switchNamespace, "link", "set", port(host), "down"])
    }

    func restore(_ host: String) async throws {
        try await run(["-n", switchNamespace, "link", "set", port(host), "up"])
    }

    /// Removes every namespace (their veths go with them); processes still inside are the
    /// caller's to stop first.
    func remove() async {
        for name in names { _ = try? await runToCompletion(Self.ip, ["netns", "del", namespace(name)]) }
        _ = try? await runToCompletion(Self.ip, ["netns", "del", switchNamespace])
    }

    /// `program arguments` run inside `host`'s namespace.
    func exec(on host: String, _ program: URL, _ arguments: [String], timeout: Duration = .seconds(30)) async throws -> Finished {
        try await runToCompletion(Self.ip, ["netns", "exec", namespace(host), program.path] + arguments, timeout: timeout)
    }

    private func run(_ arguments: [String]) async throws {
        let done = try await runToCompletion(Self.ip, arguments)
        guard done.exited, done.status == 0 else {
            throw TestFailure(description: "ip \(arguments.joined(separator: " ")) failed: \(done)")
        }
    }
}
