import Foundation
import Testing
import VigilAPI
import VigilModel

/// Reconnecting (docs/sync-protocol.md, "Reconnecting"), with real `vigil run` processes in network
/// namespaces made for each test: two nodes `x` (namespace a) and `y` (namespace b) joined by veth
/// links. The genesis makes the node with the lower node id the one that is only dialed (its peer's
/// configuration dials it; it dials no one), so that a session it dials is the one both keep.
@Suite("Reconnecting in seconds, whoever dials (processes in network namespaces)", .serialized,
       .enabled(if: NetworkNamespaces.unavailableReason == nil,
                "skipped: network namespaces cannot be created here (\(NetworkNamespaces.unavailableReason ?? "")); the suite needs root and iproute2"))
struct ReconnectProcessTests {
    /// Two nodes in namespaces a and b, joined by link "p" (subnet 1) and, with `backup`, link "s"
    /// (subnet 2), which is each node's alternate address.
    struct Pair {
        let namespaces: NetworkNamespaces
        let harness: FederationHarness
        /// The node that is only dialed (lower node id) and the one that dials it.
        let dialled: String, dialer: String

        init(backup: Bool) throws {
            let namespaces = try NetworkNamespaces(["a", "b"])
            try namespaces.link("a", "b", device: "p", subnet: 1)
            if backup { try namespaces.link("a", "b", device: "s", subnet: 2) }
            let harness = try FederationHarness([
                .init(name: "x", role: "authority", organisation: "Centre X", dials: [], host: NetworkNamespaces.address(subnet: 1, side: 1)),
                .init(name: "y", role: "government", organisation: "Province Y", dials: [], host: NetworkNamespaces.address(subnet: 1, side: 2)),
            ])
            let low = try NodeID(harness.key("x").publicKey) < NodeID(harness.key("y").publicKey) ? "x" : "y"
            let high = low == "x" ? "y" : "x"
            let ports = ["x": harness.port("x"), "y": harness.port("y")]
            try harness.rewriteGenesis { members in Self.configure(&members, dialer: high, dialled: low, backup: backup, ports: ports) }
            self.namespaces = namespaces
            self.harness = harness
            dialled = low
            dialer = high
        }

        /// The dialer dials the dialled node, which dials no one; with `backup`, each has its link-2 address as an alternate.
        static func configure(_ members: inout [[String: Any]], dialer: String, dialled: String, backup: Bool, ports: [String: Int]) {
            for i in members.indices {
                let name = members[i]["name"] as! String
                members[i]["dials"] = name == dialer ? [dialled] : [String]()
                if backup {
                    members[i]["alternateAddresses"] = ["\(NetworkNamespaces.address(subnet: 2, side: name == "x" ? 1 : 2)):\(ports[name]!)"]
                }
            }
        }

        func namespace(_ name: String) -> String { namespaces.namespace(name == "x" ? "a" : "b") }
        func side(_ name: String) -> Int { name == "x" ? 1 : 2 }
        /// The route to `name` over link `subnet`.
        func route(_ name: String, subnet: Int) -> String { "\(NetworkNamespaces.address(subnet: subnet, side: side(name))):\(harness.port(name))" }

        func start(_ name: String) throws {
            try harness.start(name, in: namespace(name), ip: namespaces.ip, extraArguments: ["--idle-timeout", "2"])
        }

        func status(_ name: String) throws -> NodeStatus { try harness.api(name).send(StatusRequest()).status }

        func stopAll() {
            for name in ["x", "y"] { harness.stop(name) }
        }
    }

    @Test("(a) a dialled-only node down while entries are posted holds them all soon after it starts: it dials its peer itself")
    func dialledOnlyRestart() throws {
        let pair = try Pair(backup: false)
        defer { pair.stopAll() }
        let (hub, member) = (pair.dialled, pair.dialer)
        try pair.start(hub)
        try pair.start(member)
        let first = try pair.harness.post(member, text: "before the outage")
        #expect(try pair.harness.waitFor(hub, [first]).isEmpty)
        pair.harness.stop(hub)
        // The member notices and schedules its redial: from now on only its backoff would bring the hub back.
        #expect(pair.harness.processes[member]!.waitForLog(["event=redial-scheduled", "peer=\(hub)"]))
        let missed = try (0..<500).map { try pair.harness.post(member, text: "missed \($0)") }
        try pair.start(hub)
        let missing = try pair.harness.waitFor(hub, missed, timeoutMs: 60_000)
        #expect(missing.isEmpty, "\(missing.count) of \(missed.count) missing")
        // The session that brought them is the one the hub dialed (its log says over which route), and it is the one kept.
        let logs = pair.harness.processes[hub]!.logs()
        let dialed = logs.firstIndex { $0.contains("event=session-established") && $0.contains("peer=\(member)") && $0.contains("route=\(pair.route(member, subnet: 1))") }
        #expect(dialed != nil, "the restarted hub did not dial its member: \(logs.suffix(20).joined(separator: "\n"))")
        let sessions = try pair.status(hub).peers.filter { $0.name == member }
        #expect(sessions.count == 1 && sessions.first?.outbound == true && sessions.first?.route == pair.route(member, subnet: 1), "\(sessions)")
        let memberView = try pair.status(member).peers.filter { $0.name == hub }
        #expect(memberView.count == 1 && memberView.first?.outbound == false, "\(memberView)")
    }

    @Test("(b) a link cut for longer than the session idle timeout, then restored: both nodes converge")
    func linkHeal() throws {
        let pair = try Pair(backup: false)
        defer { pair.stopAll() }
        let (x, y) = (pair.dialled, pair.dialer)
        try pair.start(x)
        try pair.start(y)
        let first = try pair.harness.post(y, text: "before the cut")
        #expect(try pair.harness.waitFor(x, [first]).isEmpty)
        let marks = [x: pair.harness.processes[x]!.logs().count, y: pair.harness.processes[y]!.logs().count]
        try pair.namespaces.setLink("a", "b", device: "p", up: false)
        let fromX = try pair.harness.post(x, text: "posted at \(x) during the cut")
        let fromY = try pair.harness.post(y, text: "posted at \(y) during the cut")
        // Both see the session die of the idle timeout, and then fail to dial while the link is down.
        for (node, peer) in [(x, y), (y, x)] {
            let process = pair.harness.processes[node]!
            #expect(process.waitForLog(anyOf: [["event=session-closed", "peer=\(peer)", "code=idle-timeout"]], from: marks[node]!) != nil)
            #expect(process.waitForLog(anyOf: [["event=redial-scheduled", "peer=\(peer)", "code=connect-failed"]], from: marks[node]!) != nil,
                    "\(node) did not try \(peer) while the link was down")
        }
        #expect(try pair.harness.waitFor(x, [fromY], timeoutMs: 1).count == 1, "the entry crossed a cut link")
        try pair.namespaces.setLink("a", "b", device: "p", up: true)
        #expect(try pair.harness.waitFor(x, [fromY], timeoutMs: 60_000).isEmpty)
        #expect(try pair.harness.waitFor(y, [fromX], timeoutMs: 60_000).isEmpty)
    }

    @Test("(c) the primary route down, the backup up: sessions move to the backup route and entries flow")
    func backupRoute() throws {
        let pair = try Pair(backup: true)
        defer { pair.stopAll() }
        let (x, y) = (pair.dialled, pair.dialer)
        try pair.start(x)
        try pair.start(y)
        let first = try pair.harness.post(y, text: "over the office network")
        #expect(try pair.harness.waitFor(x, [first]).isEmpty)
        // In session over the office network (whichever side dialed first).
        #expect(try pair.status(x).peers.contains { $0.name == y && $0.established })
        let marks = [x: pair.harness.processes[x]!.logs().count, y: pair.harness.processes[y]!.logs().count]
        try pair.namespaces.setLink("a", "b", device: "p", up: false)
        // Both sides try the office route (no route to it now), then the backup. Whichever dial makes the
        // session, its dialer logs the backup route.
        let over = [x: ["event=session-established", "peer=\(y)"], y: ["event=session-established", "peer=\(x)"]]
        let line = pair.harness.processes[x]!.waitForLog(anyOf: [over[x]!], from: marks[x]!, seconds: 30)
        #expect(line != nil, "no new session: \(pair.harness.processes[x]!.logs().suffix(15).joined(separator: "\n"))")
        let viaBackup = line?.contains("route=\(pair.route(y, subnet: 2))") == true
            || pair.harness.processes[y]!.waitForLog(anyOf: [over[y]! + ["route=\(pair.route(x, subnet: 2))"]], from: marks[y]!) != nil
        #expect(viaBackup, "the new session is not over the backup route: \(line ?? "")")
        let fromY = try pair.harness.post(y, text: "over the backup link")
        let fromX = try pair.harness.post(x, text: "answer over the backup link")
        #expect(try pair.harness.waitFor(x, [fromY], timeoutMs: 60_000).isEmpty)
        #expect(try pair.harness.waitFor(y, [fromX], timeoutMs: 60_000).isEmpty)
        // The session kept: the one the lower node id (x) dialed if both did; its dialer shows the backup route.
        let dialedByX = try pair.status(x).peers.filter { $0.name == y && $0.established && $0.outbound }
        let dialedByY = try pair.status(y).peers.filter { $0.name == x && $0.established && $0.outbound }
        #expect(dialedByX.count + dialedByY.count == 1, "\(dialedByX) \(dialedByY)")
        #expect(dialedByX.allSatisfy { $0.route == pair.route(y, subnet: 2) } && dialedByY.allSatisfy { $0.route == pair.route(x, subnet: 2) },
                "\(dialedByX) \(dialedByY)")
    }
}
