import VigilCrypto
import VigilModel
import VigilSync

/// How a simulated federation behaves. Times in virtual milliseconds.
public struct SimulationConfig: Sendable {
    /// Number of nodes.
    public var nodeCount = 5
    /// Extra random links on top of the ring.
    public var extraLinks = 2
    /// Length of the faulty phase.
    public var chaosDuration: UInt64 = 40_000
    /// Length of the healed phase before invariants are checked. It must exceed the reconnect backoff
    /// cap (`dial.maximumDelay`, 60 s: a link that failed often waits that long before its next dial)
    /// plus an anti-entropy round; shorter, and a correct federation can be caught mid-reconnect (soak
    /// seed 200864, harsh).
    public var healDuration: UInt64 = 90_000
    /// Dial timings: the node's (500 ms doubling to 60 s), first dials spread over 50 ms.
    public var dial: DialSettings = {
        var d = DialSettings()
        d.startSpread = 50
        return d
    }()
    /// Frames in flight per connection and direction (sent, not yet delivered or lost): the simulated
    /// network's send budget. Beyond it frames wait in the node's `OutboundQueue`. The default, 1, makes
    /// every link a slow one, so runs exercise back-pressure (with 4 or more, frames almost never wait).
    public var sendBudget = 1
    /// Bytes that may wait in one connection's `OutboundQueue` before the peer counts as too slow.
    public var outboundLimit = OutboundQueue.defaultLimit
    /// Expected local posts per node per second during the faulty phase.
    public var postsPerNodePerSecond = 0.4
    /// Probability that a frame is lost.
    public var frameLoss = 0.005
    /// Probability that a frame is delivered twice.
    public var frameDuplication = 0.005
    /// Probability that a frame overtakes earlier ones.
    public var frameReorder = 0.005
    /// Network delay range.
    public var minDelay: UInt64 = 1
    /// Network delay range.
    public var maxDelay: UInt64 = 40
    /// Probability per node per second of a crash (losing what was not yet fsynced).
    public var crashPerNodePerSecond = 0.01
    /// How long a crashed node stays down, at most.
    public var maxDowntime: UInt64 = 8_000
    /// Probability per second that a partition starts (when none is active).
    public var partitionPerSecond = 0.02
    /// How long a partition lasts, at most.
    public var maxPartition: UInt64 = 10_000
    /// fsync latency range.
    public var minFsync: UInt64 = 1
    /// fsync latency range.
    public var maxFsync: UInt64 = 15
    /// Session timings (short, so the virtual time stays small).
    public var session: SessionSettings = {
        var s = SessionSettings()
        s.helloTimeout = 3_000
        s.idleTimeout = 15_000
        s.pingInterval = 3_000
        s.antiEntropyInterval = 4_000
        s.roundTimeout = 5_000
        return s
    }()

    /// Scripted steps (posts, revocations, partitions) on top of the random ones, for scenario tests.
    public var script: [ScriptedStep] = []
    /// Links to use instead of a ring plus random extra links, when set: (dialer, listener) pairs.
    public var topology: [(Int, Int)]?
    /// When set, checked after heal: at heal + `afterStart`, every node that started at heal (a
    /// scripted `.crash` keeps a node down until then) is in session with every peer it shares a dial
    /// edge with, whichever side dials, and holds every entry that another node held at heal and
    /// that it may read; at heal + `afterHeal`, every dial edge between two members is in session.
    public var reconnectBound: (afterStart: UInt64, afterHeal: UInt64)?

    /// Defaults.
    public init() {}
}

/// One scripted step of a simulation: at a virtual time, an action.
public struct ScriptedStep: Sendable {
    /// Virtual milliseconds since the start.
    public var at: UInt64
    /// What happens.
    public var action: ScriptedAction
    /// A step.
    public init(at: UInt64, _ action: ScriptedAction) {
        self.at = at
        self.action = action
    }
}

/// What a scripted step does.
public enum ScriptedAction: Sendable {
    /// Node `node` posts an entry; `refs` are indexes of earlier scripted steps whose posted entries
    /// it refers to (an update's target, a thread).
    case post(node: Int, kind: EntryKind, audience: Audience, fields: FieldMap, refs: [Int] = [])
    /// The authority (node 0) posts a roster entry revoking node `node`.
    case revoke(node: Int)
    /// A partition between `side` and the other nodes starts (it lasts until `.heal`).
    case partition(side: Set<Int>)
    /// The scripted partition ends.
    case heal
    /// Node `node` crashes and stays down until the heal.
    case crash(node: Int)
}

/// What a run found.
public struct SimulationReport: Sendable, CustomStringConvertible {
    /// The seed (print it on failure: it replays the run exactly).
    public let seed: UInt64
    /// Invariant violations, each described.
    public var violations: [String] = []
    /// Entries posted and acknowledged.
    public var acknowledged = 0
    /// Entries posted but lost in a crash before they were acknowledged (allowed).
    public var lostUnacknowledged = 0
    /// Frames sent / lost / duplicated.
    public var framesSent = 0, framesLost = 0, framesDuplicated = 0
    /// Crashes and partitions that happened.
    public var crashes = 0, partitions = 0
    /// Sessions established / closed.
    public var sessionsEstablished = 0, sessionsClosed = 0
    /// Dial attempts (by the shared `DialScheduler`), and those that failed (peer down or partitioned away).
    public var dials = 0, dialsFailed = 0
    /// Frames that waited in an `OutboundQueue` (the send budget was full), and connections closed
    /// because too many bytes waited.
    public var framesQueued = 0, slowPeersClosed = 0
    /// ENTRIES frames inspected by the audience tap, and entries in them.
    public var tappedEntries = 0
    /// (entry, node) pairs that had to hold after heal, and did.
    public var deliverable = 0
    /// Entry ids of scripted posts and revocations, by step index (nil when the step posted nothing
    /// or its node was down).
    public var scripted: [Int: EntryID] = [:]
    /// Sessions closed at opening because the peer's key was revoked.
    public var revokedSessionsRefused = 0
    /// Entries refused because their author's key was revoked when they were signed.
    public var revokedEntriesRefused = 0
    /// A hash of the whole event trace: equal for equal seeds.
    public var traceHash: UInt64 = 0xcbf2_9ce4_8422_2325

    public var description: String {
        "seed \(seed): \(violations.isEmpty ? "OK" : "\(violations.count) VIOLATIONS") — acknowledged \(acknowledged), lost-unacknowledged \(lostUnacknowledged), frames \(framesSent) (lost \(framesLost), duplicated \(framesDuplicated)), crashes \(crashes), partitions \(partitions), sessions \(sessionsEstablished)/\(sessionsClosed), dials \(dials) (failed \(dialsFailed)), frames queued \(framesQueued), tapped entries \(tappedEntries), trace \(String(traceHash, radix: 16))"
    }

    mutating func trace(_ values: UInt64...) {
        for v in values {
            traceHash ^= v
            traceHash = traceHash &* 0x100_0000_01b3
        }
    }
}

/// Entry bytes held durably by a simulated node.
final class SimDisk: EntryReader {
    var entries: [EntryID: Entry] = [:]
    func canonicalBytes(_ id: EntryID) -> [UInt8]? { entries[id]?.canonicalBytes }
}

/// A deterministic simulation of a federation: real `NodeCore`s (with their real `PeerSession`s and
/// Negentropy), a virtual clock, a network that loses, duplicates, reorders and delays frames,
/// partitions that come and go, and crashes that lose whatever was not yet fsynced.
///
/// One seed derives every random choice, so a run replays exactly; a failure prints its seed.
public final class Simulation {
    enum Event {
        case tick(node: Int)
        case post(node: Int)
        /// Node `node`'s dial scheduler may have dials due (ignored unless `generation` is still the node's).
        case dialDue(node: Int, generation: Int)
        /// `frame` reaches `node` on `conn`; `sender` is the sending connection whose send budget it
        /// held (nil for a duplicate).
        case deliver(node: Int, conn: LinkID, sender: LinkID?, frame: Frame)
        /// A lost frame stops holding `sender`'s send budget.
        case released(sender: LinkID)
        case persisted(node: Int, generation: Int, entries: [Entry], origin: EntryOrigin)
        case crash(node: Int)
        case restart(node: Int)
        case partition
        case heal
        case scripted(Int)
        /// Checks `SimulationConfig.reconnectBound`'s `afterStart` (true) or `afterHeal` (false) bound.
        case checkReconnected(startedOnly: Bool)
    }

    struct Link {
        let a: Int, b: Int
        let connA: LinkID, connB: LinkID
        var lastDeliveryToA: UInt64 = 0
        var lastDeliveryToB: UInt64 = 0
    }

    final class Node {
        let index: Int
        let key: SigningKey
        let profile: MemberProfile
        let disk = SimDisk()
        var revoked = false
        var core: NodeCore?
        var generation = 0
        var nextToken: UInt64 = 0
        var pendingPosts: [UInt64: EntryID] = [:]
        var dialer = DialScheduler()
        /// When a `.dialDue` event is pending for the current dialer (nil: none).
        var dialWake: UInt64?
        init(index: Int, key: SigningKey, profile: MemberProfile) {
            self.index = index
            self.key = key
            self.profile = profile
        }
        var isUp: Bool { core != nil }
    }

    /// The seed.
    public let seed: UInt64
    /// The configuration.
    public let config: SimulationConfig
    private var rng: SimRandom
    private var queue = EventQueue<Event>()
    private var now: UInt64 = 0
    private var nodes: [Node] = []
    private var roster: Roster
    private var dialEdges: [(Int, Int)] = []
    private var links: [Int: Link] = [:]              // link id → link
    private var connToLink: [LinkID: Int] = [:]
    private var nextConn: LinkID = 1
    private var nextLink = 1
    private var inFlight: [LinkID: Int] = [:]         // sending connection → frames in flight
    private var outbound: [LinkID: OutboundQueue] = [:]  // sending connection → frames waiting
    private var partition: Set<Int>?                  // the nodes on one side, while a partition lasts
    private var faulty = true
    private var report: SimulationReport
    private var acknowledged: [EntryID: Int] = [:]    // entry → author node
    private var posted: [EntryID: Entry] = [:]
    /// Entries whose signature was checked once (the simulator verifies each distinct entry only once).
    private var verifiedCache: Set<EntryID> = []
    /// Entries refused once, with the refusal.
    private var refusedCache: [EntryID: Refusal] = [:]
    /// Nodes kept down by a scripted crash until the heal.
    private var keptDown: Set<Int> = []
    /// Nodes started at the heal, and the entries (readable by each) held elsewhere then.
    private var startedAtHeal: [Int: Set<EntryID>] = [:]

    static let roles = ["authority", "government", "crisis-centre", "police", "company"]

    /// Sets up nodes, keys, the directory and the dial graph for `seed`.
    public init(seed: UInt64, config: SimulationConfig = SimulationConfig()) {
        self.seed = seed
        self.config = config
        var root = SimRandom(seed: seed)
        rng = root.derive()
        var keyRandom = root.derive()
        report = SimulationReport(seed: seed)
        var members: [MemberProfile] = []
        for i in 0..<config.nodeCount {
            let seedBytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &keyRandom) }
            let key = try! SigningKey(seed: SecureBytes(seedBytes))
            let profile = MemberProfile(node: NodeID(key.publicKey), role: Self.roles[i % Self.roles.count],
                                        organisation: "Org \(i % max(2, config.nodeCount - 2))")
            nodes.append(Node(index: i, key: key, profile: profile))
            members.append(profile)
        }
        roster = Roster(authority: members[0].node, founders: members.enumerated().map { i, m in
            RosterMember(identity: m.node, name: "node-\(i)", organisation: m.organisation, role: m.role)
        })
        var edges = Set<[Int]>()
        if let topology = config.topology {
            for (a, b) in topology { edges.insert([a, b]) }
        } else if config.nodeCount > 1 {
            for i in 0..<config.nodeCount { edges.insert([i, (i + 1) % config.nodeCount].sorted()) }
            for _ in 0..<config.extraLinks {
                let a = Int.random(in: 0..<config.nodeCount, using: &rng)
                let b = Int.random(in: 0..<config.nodeCount, using: &rng)
                if a != b { edges.insert([a, b].sorted()) }
            }
        }
        dialEdges = edges.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }.map { ($0[0], $0[1]) }
    }

    /// The entries node `i` holds durably (after `run`).
    public func held(by i: Int) -> [Entry] { nodes[i].disk.entries.values.sorted { $0.id < $1.id } }
    /// Whether node `i` holds `id`.
    public func holds(_ i: Int, _ id: EntryID) -> Bool { nodes[i].disk.entries[id] != nil }
    /// Node `i`'s roster (after `run`; nil when it is down).
    public func roster(_ i: Int) -> Roster? { nodes[i].core?.roster }
    /// Node `i`'s audience profile.
    public func profile(_ i: Int) -> MemberProfile { nodes[i].profile }
    /// The dial graph: (dialer, listener) pairs, as the nodes' configurations say (both sides dial).
    public var dialGraph: [(dialer: Int, listener: Int)] { dialEdges.map { (dialer: $0.0, listener: $0.1) } }

    /// Runs the faulty phase, heals everything, runs the healed phase, and checks the invariants.
    public func run() -> SimulationReport {
        for node in nodes { start(node) }
        for node in nodes {
            schedulePost(node.index)
            scheduleCrash(node.index)
            queue.push(.tick(node: node.index), at: UInt64(node.index))
        }
        for (index, step) in config.script.enumerated() { queue.push(.scripted(index), at: step.at) }
        queue.push(.partition, at: nextExponential(perSecond: config.partitionPerSecond))
        let healAt = config.chaosDuration
        let end = config.chaosDuration + config.healDuration
        var healed = false
        while let (time, event) = queue.pop() {
            if !healed && time >= healAt {
                healed = true
                now = healAt
                healEverything()
            }
            if time > end { break }
            now = time
            handle(event)
        }
        checkInvariants()
        return report
    }

    // MARK: Events

    private func handle(_ event: Event) {
        switch event {
        case .tick(let i):
            report.trace(1, now, UInt64(i))
            let node = nodes[i]
            if node.core != nil { carryOut(i, node.core!.tick(now: now)) }
            queue.push(.tick(node: i), at: now + 100)
        case .post(let i):
            if faulty { schedulePost(i) }
            guard nodes[i].isUp else { return }
            post(i)
        case .dialDue(let i, let generation):
            let node = nodes[i]
            guard node.isUp, node.generation == generation, node.dialWake == now else { return }
            node.dialWake = nil
            for case .dial(let target, _) in node.dialer.tick(now: now) { dial(i, target) }
            scheduleDials(i)
        case .deliver(let i, let conn, let sender, let frame):
            report.trace(4, now, UInt64(i), conn, UInt64(frame.payload.count))
            if let sender { release(sender) }
            guard nodes[i].isUp, connToLink[conn] != nil else { return }
            carryOut(i, nodes[i].core!.framesReceived(conn, [frame], now: now))
        case .persisted(let i, let generation, let entries, let origin):
            report.trace(5, now, UInt64(i), UInt64(entries.count))
            let node = nodes[i]
            guard node.isUp, node.generation == generation else { return }   // lost in a crash
            for e in entries { node.disk.entries[e.id] = e }
            carryOut(i, node.core!.persisted(entries, origin: origin, now: now))
        case .crash(let i):
            if faulty { scheduleCrash(i) }
            guard faulty, nodes[i].isUp else { return }
            report.trace(6, now, UInt64(i))
            crash(i)
            queue.push(.restart(node: i), at: now + 500 + UInt64.random(in: 0...config.maxDowntime, using: &rng))
        case .restart(let i):
            report.trace(7, now, UInt64(i))
            if !nodes[i].isUp && !keptDown.contains(i) { start(nodes[i]) }
        case .partition:
            guard faulty else { return }
            queue.push(.partition, at: now + 1_000 + nextExponential(perSecond: config.partitionPerSecond))
            guard partition == nil, config.nodeCount > 2 else { return }
            var side = Set<Int>()
            for i in 0..<config.nodeCount where Bool.random(using: &rng) { side.insert(i) }
            guard !side.isEmpty, side.count < config.nodeCount else { return }
            partition = side
            report.partitions += 1
            report.trace(8, now, UInt64(side.count))
            for (id, link) in links.sorted(by: { $0.key < $1.key }) where side.contains(link.a) != side.contains(link.b) {
                closeLink(id, reason: CloseReason(.transportError, "network partition"))
            }
            queue.push(.heal, at: now + 1_000 + UInt64.random(in: 0...config.maxPartition, using: &rng))
        case .heal:
            report.trace(9, now)
            partition = nil
        case .released(let sender):
            release(sender)
        case .scripted(let index):
            report.trace(10, now, UInt64(index))
            runScripted(index)
        case .checkReconnected(let startedOnly):
            checkReconnected(startedOnly: startedOnly)
        }
    }

    /// The `reconnectBound` check: sessions on every dial edge (of the nodes started at heal, or all),
    /// and the started nodes' entries.
    private func checkReconnected(startedOnly: Bool) {
        let bound = startedOnly ? config.reconnectBound!.afterStart : config.reconnectBound!.afterHeal
        for (a, b) in dialEdges where !startedOnly || startedAtHeal[a] != nil || startedAtHeal[b] != nil {
            guard nodes[a].isUp, nodes[b].isUp, !nodes[a].revoked, !nodes[b].revoked else { continue }
            let inSession = links.values.contains { link in
                guard (link.a == a && link.b == b) || (link.a == b && link.b == a) else { return false }
                return nodes[link.a].core!.peerStatus[link.connA]?.established == true
                    && nodes[link.b].core!.peerStatus[link.connB]?.established == true
            }
            if !inSession {
                report.violations.append("nodes \(a) and \(b) (\(b) dialed by \(a)) are not in session \(bound) ms after the heal\(startedOnly ? " (one of them started at the heal)" : "")")
            }
        }
        guard startedOnly else { return }
        for (i, owed) in startedAtHeal.sorted(by: { $0.key < $1.key }) {
            let missing = owed.filter { nodes[i].disk.entries[$0] == nil }
            if !missing.isEmpty {
                report.violations.append("node \(i), started at the heal, lacks \(missing.count) of the \(owed.count) entries its peers held then, \(bound) ms later")
            }
        }
    }

    private func runScripted(_ index: Int) {
        switch config.script[index].action {
        case let .post(i, kind, audience, fields, refs):
            guard nodes[i].isUp else { return }
            let ids = refs.compactMap { report.scripted[$0] }
            guard ids.count == refs.count else { return }
            post(i, kind: kind, audience: audience, body: try! fields.encoded(), refs: ids, scripted: index)
        case .revoke(let target):
            guard nodes[0].isUp else { return }
            let body = try! RosterChange.revoke(node: nodes[target].profile.node, reason: "scripted").encoded()
            nodes[target].revoked = true
            post(0, kind: .roster, audience: .federation, body: body, refs: [], scripted: index)
        case .partition(let side):
            partition = side
            report.partitions += 1
            for (id, link) in links.sorted(by: { $0.key < $1.key }) where side.contains(link.a) != side.contains(link.b) {
                closeLink(id, reason: CloseReason(.transportError, "scripted partition"))
            }
        case .heal:
            partition = nil
        case .crash(let target):
            guard nodes[target].isUp else { return }
            keptDown.insert(target)
            crash(target)
        }
    }

    private func healEverything() {
        faulty = false
        partition = nil
        // Dials waiting on a backoff keep waiting: a real node cannot tell that the network healed.
        keptDown = []
        for node in nodes where !node.isUp {
            // What the node should catch up on: entries held by its dial-graph neighbours that it may read.
            let neighbours = dialEdges.filter { $0.0 == node.index || $0.1 == node.index }.map { $0.0 == node.index ? $0.1 : $0.0 }
            var owed = Set<EntryID>()
            for n in neighbours where nodes[n].isUp {
                for (id, entry) in nodes[n].disk.entries where node.disk.entries[id] == nil && entry.kind != .roster
                    && entry.audience.admits(node.profile, author: entry.author) { owed.insert(id) }
            }
            startedAtHeal[node.index] = owed
            start(node)
        }
        if let bound = config.reconnectBound {
            queue.push(.checkReconnected(startedOnly: true), at: now + bound.afterStart)
            queue.push(.checkReconnected(startedOnly: false), at: now + bound.afterHeal)
        }
    }

    private func start(_ node: Node) {
        var core = NodeCore(me: node.profile, roster: roster, reader: node.disk, settings: config.session)
        core.wallClockAtZero = 1_700_000_000_000   // the simulated wall clock, as posts use it
        core.load(node.disk.entries.values.sorted { $0.id < $1.id })
        node.core = core
        node.generation += 1
        node.dialer = DialScheduler(settings: config.dial)
        node.dialWake = nil
        node.dialer.start(dialTargets(node.index), now: now, using: &rng)
        scheduleDials(node.index)
    }

    /// What node `i` dials: its dial edges to members its roster holds active, as the node's shell
    /// derives them: the peers it dials (`.configured`) and those that dial it (`.dialsUs`). A
    /// simulated route is the peer's name and, as the port, its index.
    private func dialTargets(_ i: Int) -> [DialTarget] {
        guard let roster = nodes[i].core?.roster else { return [] }
        return dialEdges.compactMap { a, b -> DialTarget? in
            guard a == i || b == i else { return nil }
            let peer = a == i ? b : a
            guard roster.member(ofKey: nodes[peer].profile.node)?.isActive == true else { return nil }
            return DialTarget(name: Self.name(peer), key: nodes[peer].profile.node, routes: [Self.route(peer)],
                              reason: a == i ? .configured : .dialsUs)
        }
    }

    /// The simulated route to node `i`.
    static func route(_ i: Int) -> DialRoute { DialRoute(host: name(i), port: i) }

    /// Node `i`'s name in the roster (and its dial target's).
    static func name(_ i: Int) -> String { "node-\(i)" }

    /// Makes sure a `.dialDue` event is pending for node `i`'s next due dial.
    private func scheduleDials(_ i: Int) {
        let node = nodes[i]
        guard node.isUp, let wake = node.dialer.nextWake else { return }
        if let pending = node.dialWake, pending <= max(wake, now) { return }
        node.dialWake = max(wake, now)
        queue.push(.dialDue(node: i, generation: node.generation), at: max(wake, now))
    }

    private func crash(_ i: Int) {
        report.crashes += 1
        let node = nodes[i]
        node.core = nil
        node.generation += 1
        for (token, id) in node.pendingPosts.sorted(by: { $0.key < $1.key }) where node.disk.entries[id] == nil {
            _ = token
            report.lostUnacknowledged += 1
            posted.removeValue(forKey: id)
        }
        node.pendingPosts = [:]
        for (id, link) in links.sorted(by: { $0.key < $1.key }) where link.a == i || link.b == i {
            closeLink(id, reason: CloseReason(.transportError, "node \(i) crashed"))
        }
    }

    /// Carries out a `DialDirective.dial` of node `from`: the connection opens, or fails at once when
    /// the peer is down or partitioned away (the scheduler then waits its backoff).
    private func dial(_ from: Int, _ target: DialTarget) {
        let to = target.routes[0].port
        report.trace(3, now, UInt64(from), UInt64(to))
        report.dials += 1
        let blocked = partition.map { $0.contains(from) != $0.contains(to) } ?? false
        guard nodes[to].isUp, !blocked else {
            report.dialsFailed += 1
            nodes[from].dialer.attemptFailed(target.name, now: now, using: &rng)
            return
        }
        nodes[from].dialer.connected(target.name, now: now)
        // Both sides dial: a second connection between two nodes is closed as a duplicate (the node
        // core keeps one session per pair), which the simulator short-cuts.
        if links.values.contains(where: { ($0.a == from && $0.b == to) || ($0.a == to && $0.b == from) }) {
            nodes[from].dialer.attemptFailed(target.name, now: now, using: &rng)
            return
        }
        let link = Link(a: from, b: to, connA: nextConn, connB: nextConn + 1)
        nextConn += 2
        let id = nextLink
        nextLink += 1
        links[id] = link
        connToLink[link.connA] = id
        connToLink[link.connB] = id
        carryOut(from, nodes[from].core!.connectionOpened(link.connA, peer: nodes[to].profile.node, outbound: true, now: now))
        if links[id] != nil, nodes[to].isUp {
            carryOut(to, nodes[to].core!.connectionOpened(link.connB, peer: nodes[from].profile.node, outbound: false, now: now))
        }
    }

    private func closeLink(_ id: Int, reason: CloseReason) {
        guard let link = links.removeValue(forKey: id) else { return }
        for conn in [link.connA, link.connB] {
            connToLink.removeValue(forKey: conn)
            inFlight.removeValue(forKey: conn)
            outbound.removeValue(forKey: conn)
        }
        report.sessionsClosed += 1
        let established = [link.connA: nodes[link.a].core?.peerStatus[link.connA]?.established == true,
                           link.connB: nodes[link.b].core?.peerStatus[link.connB]?.established == true]
        if let core = nodes[link.a].core {
            var c = core
            carryOut(link.a, c.connectionClosed(link.connA, reason: reason), core: &c)
        }
        if let core = nodes[link.b].core {
            var c = core
            carryOut(link.b, c.connectionClosed(link.connB, reason: reason), core: &c)
        }
        // Each end's scheduler hears of it, as the node's shell tells it: a session that ended, or (the
        // dialer) an attempt that never became one. Both then dial again after their delays.
        for (end, other, conn) in [(link.a, link.b, link.connA), (link.b, link.a, link.connB)] where nodes[end].isUp {
            let delay = established[conn]!
                ? nodes[end].dialer.sessionDown(Self.name(other), session: conn, now: now, using: &rng)
                : end == link.a ? nodes[end].dialer.attemptFailed(Self.name(other), now: now, using: &rng) : nil
            if delay != nil { scheduleDials(end) }
        }
    }

    private func post(_ i: Int) {
        let body = try! (["subject": .text("sim \(seed) node \(i)"), "text": .text("posted at \(now) ms")] as FieldMap).encoded()
        post(i, kind: .message, audience: randomAudience(author: i), body: body, refs: [], scripted: nil)
    }

    private func post(_ i: Int, kind: EntryKind, audience: Audience, body: [UInt8], refs: [EntryID], scripted: Int?) {
        let node = nodes[i]
        let ts = node.core!.nextTimestamp(wallMilliseconds: 1_700_000_000_000 + now)
        let entry = try! EntryDraft(author: node.profile.node, timestamp: ts, kind: kind, audience: audience, refs: refs, body: body).signed(by: node.key)
        if let scripted { report.scripted[scripted] = entry.id }
        node.nextToken += 1
        node.pendingPosts[node.nextToken] = entry.id
        posted[entry.id] = entry
        report.trace(2, now, UInt64(i))
        carryOut(i, node.core!.post(entry, token: node.nextToken))
    }

    private func randomAudience(author: Int) -> Audience {
        let roll = Int.random(in: 0..<100, using: &rng)
        if roll < 45 { return Audience(tlp: .green) }
        if roll < 65 {
            return Audience(tlp: .amber, roles: [Self.roles.randomElement(using: &rng)!])
        }
        if roll < 80 {
            return Audience(tlp: .amberStrict, organisations: [nodes.randomElement(using: &rng)!.profile.organisation])
        }
        let picked = nodes.filter { _ in Bool.random(using: &rng) }.map(\.profile.node)
        return Audience(tlp: .red, nodes: picked)
    }

    // MARK: Directives

    private func carryOut(_ i: Int, _ directives: [NodeDirective]) {
        guard var core = nodes[i].core else { return }
        carryOut(i, directives, core: &core)
    }

    /// Carries out directives for node `i`. `core` is the node's current core; it is written back.
    private func carryOut(_ i: Int, _ directives: [NodeDirective], core: inout NodeCore) {
        var pending = directives[...]
        let node = nodes[i]
        // The core may have been replaced; keep the stored one in sync.
        node.core = core
        while let d = pending.popFirst() {
            guard nodes[i].isUp else { return }
            switch d {
            case .send(let conn, let frame, let lane):
                send(from: i, conn: conn, frame: frame, lane: lane)
            case .close(let conn, let reason):
                if reason.code == .revoked { report.revokedSessionsRefused += 1 }
                if let id = connToLink[conn] { closeLink(id, reason: CloseReason(.peerClosed, "closed by node \(i)")) }
            case .verify(let conn, let list):
                let results = list.map(verify)
                var c = nodes[i].core!
                let more = c.verified(results, from: conn, now: now)
                nodes[i].core = c
                pending += more
            case .persist(let entries, let origin):
                let delay = UInt64.random(in: config.minFsync...config.maxFsync, using: &rng)
                queue.push(.persisted(node: i, generation: node.generation, entries: entries, origin: origin), at: now + delay)
            case .admitted:
                break
            case .refusedEntry(let id, _, let refusal):
                switch refusal.code {
                case .revoked:
                    report.revokedEntriesRefused += 1
                case .audience:
                    report.violations.append("node \(i) was sent entry \(id?.hex.prefix(12) ?? "?") outside its audience")
                default:
                    report.violations.append("node \(i) refused entry \(id?.hex.prefix(12) ?? "?"), which every node should accept: \(refusal)")
                }
            case .rosterChanged:
                node.dialer.rosterChanged(dialTargets(i), now: now, using: &rng)
                scheduleDials(i)
            case .withdrawn:
                break
            case .acknowledge(let test):
                let receipt = CommTestReceipt(acknowledging: test, roster: nodes[i].core!.roster)
                post(i, kind: receipt.kind, audience: receipt.audience, body: receipt.body, refs: receipt.refs, scripted: nil)
            case .sessionEstablished(let conn, _):
                report.sessionsEstablished += 1
                if let id = connToLink[conn], let link = links[id] {
                    let other = link.a == i ? link.b : link.a
                    node.dialer.sessionUp(Self.name(other), session: conn, route: link.a == i ? Self.route(other) : nil, now: now)
                }
            case .sessionClosed, .reconciled:
                break
            case .postAcknowledged(let token, let id):
                node.pendingPosts.removeValue(forKey: token)
                acknowledged[id] = i
                report.acknowledged += 1
            }
        }
    }

    private func verify(_ bytes: [UInt8]) -> VerificationResult {
        let id = EntryID(SHA256.hash(bytes))!
        if let refusal = refusedCache[id] { return .invalid(id: id, refusal) }
        if verifiedCache.contains(id), let entry = try? Entry(canonicalBytes: bytes) { return .valid(entry) }
        do {
            let entry = try EntryValidator.decodeAndValidate(bytes)
            verifiedCache.insert(id)
            return .valid(entry)
        } catch {
            refusedCache[id] = error
            return .invalid(id: id, error)
        }
    }

    /// Sends through the connection's `OutboundQueue`: at once while the send budget allows, else the
    /// frame waits until delivered frames free the budget (`release`); too much waiting closes the link.
    private func send(from i: Int, conn: LinkID, frame: Frame, lane: OutboundLane) {
        guard let linkID = connToLink[conn] else { return }
        var waiting = outbound.removeValue(forKey: conn) ?? OutboundQueue(limit: config.outboundLimit)
        let outcome = waiting.send(frame, lane: lane) { transmit($0, on: conn) }
        if !waiting.isEmpty { outbound[conn] = waiting }
        switch outcome {
        case .sent: break
        case .queued: report.framesQueued += 1
        case .overLimit(let bytes):
            report.framesQueued += 1
            report.slowPeersClosed += 1
            closeLink(linkID, reason: CloseReason(.slowPeer, "peer too slow: \(bytes) bytes waiting to be sent by node \(i)"))
        }
    }

    /// A frame that held `sender`'s send budget was delivered or lost: waiting frames may go.
    private func release(_ sender: LinkID) {
        guard connToLink[sender] != nil, let count = inFlight[sender], count > 0 else { return }
        inFlight[sender] = count - 1
        guard var waiting = outbound.removeValue(forKey: sender) else { return }
        waiting.drain { transmit($0, on: sender) }
        if !waiting.isEmpty { outbound[sender] = waiting }
    }

    /// Puts a frame on the simulated network if the connection's send budget allows (false: it is full).
    private func transmit(_ frame: Frame, on conn: LinkID) -> Bool {
        guard let linkID = connToLink[conn], var link = links[linkID] else { return true }
        guard inFlight[conn, default: 0] < config.sendBudget else { return false }
        inFlight[conn, default: 0] += 1
        let toA = link.connB == conn
        let target = toA ? link.a : link.b
        let targetConn = toA ? link.connA : link.connB
        report.framesSent += 1
        tap(frame, to: target)
        if faulty && rng.chance(config.frameLoss) {
            report.framesLost += 1
            queue.push(.released(sender: conn), at: now + config.maxDelay)
            return true
        }
        var at = now + UInt64.random(in: config.minDelay...config.maxDelay, using: &rng)
        let reorder = faulty && rng.chance(config.frameReorder)
        if !reorder {
            // In order, as TCP delivers.
            let last = toA ? link.lastDeliveryToA : link.lastDeliveryToB
            at = max(at, last)
            if toA { link.lastDeliveryToA = at } else { link.lastDeliveryToB = at }
            links[linkID] = link
        }
        queue.push(.deliver(node: target, conn: targetConn, sender: conn, frame: frame), at: at)
        if faulty && rng.chance(config.frameDuplication) {
            report.framesDuplicated += 1
            queue.push(.deliver(node: target, conn: targetConn, sender: nil, frame: frame), at: at + 1)
        }
        return true
    }

    /// Taps every frame: an ENTRIES frame must carry only entries its receiver may read.
    private func tap(_ frame: Frame, to target: Int) {
        guard frame.type == .entries, case .entries(let list)? = try? SyncMessage(frame: frame) else { return }
        let reader = nodes[target].profile
        for bytes in list {
            report.tappedEntries += 1
            guard let entry = try? Entry(canonicalBytes: bytes) else { continue }
            if !entry.audience.admits(reader, author: entry.author) {
                report.violations.append("an ENTRIES frame carried entry \(entry.id.hex.prefix(12)) (\(entry.audience.tlp)) to node \(target), outside its audience")
            }
        }
    }

    // MARK: Scheduling

    private func nextExponential(perSecond rate: Double) -> UInt64 {
        guard rate > 0 else { return .max / 2 }
        let u = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-12)
        return UInt64(-log(u) / rate * 1000)
    }

    private func schedulePost(_ i: Int) {
        queue.push(.post(node: i), at: now + 1 + nextExponential(perSecond: config.postsPerNodePerSecond))
    }

    private func scheduleCrash(_ i: Int) {
        queue.push(.crash(node: i), at: now + 1 + nextExponential(perSecond: config.crashPerNodePerSecond))
    }

    // MARK: Invariants

    private func checkInvariants() {
        // Everything any node holds, plus everything acknowledged.
        var everything: [EntryID: Entry] = [:]
        for node in nodes { for (id, e) in node.disk.entries { everything[id] = e } }
        for (id, author) in acknowledged.sorted(by: { $0.key < $1.key }) {
            if nodes[author].disk.entries[id] == nil {
                report.violations.append("acknowledged entry \(id.hex.prefix(12)) is missing from its author node \(author)")
            }
            if everything[id] == nil, let e = posted[id] { everything[id] = e }
        }
        // Entries relay only through nodes that may read them, so after heal an entry must be at every
        // reader connected (by links between readers) to a node that holds it.
        let finalRoster = nodes.compactMap(\.core).first?.roster
        for (id, entry) in everything.sorted(by: { $0.key < $1.key }) {
            if let finalRoster, entry.kind != .roster, case .valid = finalRoster.standing(of: entry.author, at: entry.timestamp) {} else if entry.kind != .roster {
                // Signed after its author's revocation: only the author itself may hold it.
                for n in nodes.indices where nodes[n].disk.entries[id] != nil && nodes[n].profile.node != entry.author {
                    report.violations.append("node \(n) holds entry \(id.hex.prefix(12)), signed by a revoked key after its revocation")
                }
                continue
            }
            let readers = Set(nodes.indices.filter { !nodes[$0].revoked && entry.audience.admits(nodes[$0].profile, author: entry.author) })
            var reached = Set(nodes.indices.filter { nodes[$0].disk.entries[id] != nil })
            for holder in reached where !entry.audience.admits(nodes[holder].profile, author: entry.author) {
                report.violations.append("node \(holder) holds entry \(id.hex.prefix(12)) outside its audience")
            }
            var frontier = Array(reached.intersection(readers)).sorted()
            while let n = frontier.popLast() {
                for (a, b) in dialEdges where a == n || b == n {
                    let other = a == n ? b : a
                    if readers.contains(other) && !reached.contains(other) {
                        reached.insert(other)
                        frontier.append(other)
                    }
                }
            }
            for n in reached.sorted() where nodes[n].disk.entries[id] == nil {
                let author = nodes.firstIndex { $0.profile.node == entry.author } ?? -1
                report.violations.append("node \(n) lacks entry \(id.hex.prefix(12)) (\(entry.audience.tlp)) by node \(author) after heal, though readers connect it to a holder")
            }
            report.deliverable += reached.count
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
