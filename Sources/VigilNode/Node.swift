import Dispatch
import Foundation
import Synchronization
import VigilCrypto
import VigilModel
import VigilNet
import VigilStore
import VigilSync

/// Where a node's files are, and how it runs.
public struct NodeOptions: Sendable {
    /// The node directory: identity.key, node.crt, ca.crt, node.json, genesis.json, store/.
    public var directory: String
    /// The genesis file (default: `directory/genesis.json`).
    public var genesisPath: String?
    /// Listen on this host instead of the roster's address.
    public var listenHost: String?
    /// Listen on this port instead of the roster's (needed by a node not yet in the roster).
    public var listenPort: Int?
    /// Session timings.
    public var session = SessionSettings()
    /// Where log lines go (standard error by default).
    public var logSink: (@Sendable (String) -> Void)?
    /// Where catch-up progress lines go (every 2 s while entries are owed by peers), for people.
    public var progressSink: (@Sendable (String) -> Void)?

    /// Options for the node in `directory`.
    public init(directory: String) { self.directory = directory }
}

/// A node's state for `vigil status`.
public struct NodeStatus: Codable, Sendable {
    /// One connected peer.
    public struct Peer: Codable, Sendable {
        /// Its name in the genesis (or its fingerprint).
        public let name: String
        /// Its node id.
        public let nodeId: String
        /// Whether this node dialed it.
        public let outbound: Bool
        /// Whether HELLO was exchanged.
        public let established: Bool
        /// Seconds since it connected.
        public let connectedSeconds: Double
        /// Seconds since a frame last arrived.
        public let lastSeenSeconds: Double
        /// Last round-trip time in ms.
        public let roundTripMs: UInt64?
        /// Entries asked for and not yet received.
        public let entriesBehind: Int
    }
    /// This node's name.
    public let name: String
    /// Its node id.
    public let nodeId: String
    /// Its organisation and role.
    public let organisation: String, role: String
    /// Entries held.
    public let entries: Int
    /// Connected peers.
    public let peers: [Peer]
    /// Configured peers that are not connected now.
    public let disconnected: [String]
    /// Refused connections and entries so far, by event.
    public let refusals: [String: Int]
}

/// A running Vigil node: the pure `NodeCore` driven by real I/O.
///
/// Threading: the core and all per-connection state live on the network loop's thread (every
/// `NetworkLoopDelegate` method runs there). Signature verification runs off that thread on every
/// core (`EntryVerifier`); appends go to the store's group-commit writer from a persistence queue. Both
/// hand their results back to the loop thread, which is the only one that touches the core.
public final class Node: NetworkLoopDelegate, @unchecked Sendable {
    /// This node: its genesis entry, or for a member added later, its roster entry in the same form.
    public let member: Genesis.Member
    /// This node's signing key (its identity unless it rotated).
    public let key: NodeID
    /// The genesis.
    public let genesis: Genesis
    /// The log.
    public let log: NodeLog
    let identity: SigningKey
    let store: EntryStore
    let loop: NetworkLoop
    let verifier = EntryVerifier()
    let options: NodeOptions
    private let persistQueue = DispatchQueue(label: "vigil.node.persist", attributes: .concurrent)
    /// Concurrent: while one batch's results go back to the loop thread and the next WANT goes out,
    /// another batch is already being verified, so both cores stay busy during a catch-up.
    private let verifyQueue = DispatchQueue(label: "vigil.node.verify", attributes: .concurrent)
    private let persistGroup = DispatchGroup()
    /// Keeps the start-up index (store/node-index) up to date.
    private let indexWriter: NodeIndexWriter
    private let started = Node.monotonicMilliseconds()

    // Loop-thread state.
    private var core: NodeCore
    private var linkOf: [ConnectionID: LinkID] = [:]
    private var connectionOf: [LinkID: ConnectionID] = [:]
    private var nextLink: LinkID = 1
    private var dials: [String: DialState] = [:]
    private var overflow: [ConnectionID: [Frame]] = [:]
    private var overflowBytes: [ConnectionID: Int] = [:]
    private var postWaiters: [UInt64: @Sendable (Result<EntryID, Error>) -> Void] = [:]
    private var nextToken: UInt64 = 0
    private var followers: [UInt64: @Sendable ([Entry]) -> Void] = [:]
    /// Held entries that refer to each entry (its updates, acknowledgements, replies), for `show`.
    private var referrers: [EntryID: [EntryID]] = [:]
    /// Held entries by kind, for the metrics.
    private var kindCounts: [EntryKind: Int] = [:]
    private var progress = Progress()
    /// Counters for the metrics textfile.
    public let counters = MetricsCounters()

    // Cross-thread.
    private let jobs = Mutex<[UInt64: @Sendable (Node) -> Void]>([:])
    private let jobCounter = Atomic<UInt64>(1_000)
    private static let tickToken: UInt64 = 1

    struct DialState {
        var connection: ConnectionID?
        var backoff = ReconnectBackoff()
    }

    /// Most bytes queued for one slow peer beyond the network's own queue before the session is closed.
    static let overflowLimit = 32 << 20

    /// Opens the node in `options.directory`: identity, certificates (checked now, so a bad one stops the
    /// start with the reason), genesis, store (locked; recovered), and loads the held entries.
    public init(options: NodeOptions) throws {
        self.options = options
        let dir = options.directory
        let genesis = try Genesis(contentsOfFile: options.genesisPath ?? dir + "/genesis.json")
        let key = try KeyFile.read(from: dir + "/identity.key")
        let node = NodeID(key.publicKey)
        let certificate = try Certificate(contentsOfFile: dir + "/node.crt")
        let ca = try Certificate(contentsOfFile: dir + "/ca.crt")
        try certificate.verifyNodeCertificate(issuedBy: ca, for: key.publicKey, at: Date())
        let store = try EntryStore.open(directory: dir + "/store")
        let startup: NodeStartup
        do {
            startup = try NodeStartup.load(store: store, indexPath: dir + "/store/" + NodeIndexFile.name)
        } catch {
            store.close()
            throw error
        }
        // Who this node is: the genesis and the roster entries it holds decide (a rotated key, a member added later).
        var roster = genesis.roster
        roster.insertAll(startup.rosterEntries)
        let member: Genesis.Member
        if let known = roster.member(ofKey: node) {
            if let refusal = roster.sessionRefusal(node) {
                store.close()
                throw ConfigurationError("this node's key is no longer valid in \(genesis.federation): \(refusal). A revoked node cannot rejoin; after a rotation, install the new identity.key and node.crt")
            }
            member = try Self.describe(known, genesis: genesis, options: options)
        } else {
            member = try Self.newcomer(node, directory: dir, genesis: genesis, options: options, store: store)
        }
        self.genesis = genesis
        self.member = member
        self.key = node
        self.store = store
        identity = key
        log = NodeLog(node: member.name, sink: options.logSink ?? { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        let tls = try TLSContext(certificate: certificate, key: key, trusting: ca)
        loop = try NetworkLoop(configuration: NetworkConfiguration(tls: tls))
        core = NodeCore(me: member.profile, roster: roster, reader: StoreReader(store: store), settings: options.session)
        core.wallClockAtZero = Node.wallMilliseconds() - (Node.monotonicMilliseconds() - started)
        let recovered = store.recovery
        indexWriter = NodeIndexWriter(path: dir + "/store/" + NodeIndexFile.name, store: store, log: log, keep: startup.keptBytes,
                                      covered: startup.report.fromIndex, appending: startup.chunks[startup.keptChunks...])
        let skipped: [EntryID]
        (skipped, referrers, kindCounts) = startup.load(into: &core)
        progress.lastHeld = core.heldCount
        let owed = core.unacknowledgedTests(startup.commTests)
        if !skipped.isEmpty {
            log.event(.warning, "entries-withdrawn", ["count": "\(skipped.count)", "reason": "signed after the author's key was revoked or rotated away"])
        }
        if !owed.isEmpty {
            runOnLoop { node in for test in owed { node.acknowledge(test) } }
        }
        if roster.member(ofKey: node) == nil {
            log.event(.warning, "not-yet-in-roster", ["node_id": node.hex, "hint": "peers refuse this node until the authority's `vigil roster add` reaches them"])
        }
        log.event(.info, "store-opened", ["entries": "\(store.count)", "recovery": recovered.description])
        startup.log(to: log)
    }

    /// A roster member in the genesis form: its genesis entry when it has one (with its dials), else
    /// its roster entry's first address, dialing the authority.
    static func describe(_ m: RosterMember, genesis: Genesis, options: NodeOptions) throws -> Genesis.Member {
        if let founder = genesis.member(m.identity) { return founder }
        let address = m.addresses.first.flatMap(Self.split)
        guard let port = options.listenPort ?? address?.port else {
            throw ConfigurationError("\(m.name) has no address in the roster; start it with --listen HOST:PORT")
        }
        let authority = genesis.member(genesis.authority)!.name
        return Genesis.Member(name: m.name, organisation: m.organisation, role: m.role, nodeId: m.identity.hex,
                              host: options.listenHost ?? address?.host ?? "127.0.0.1", port: port, dials: [authority])
    }

    /// A node not yet in the roster (the authority's `roster add` has not reached it): name,
    /// organisation and role from node.json, address from the options.
    static func newcomer(_ node: NodeID, directory: String, genesis: Genesis, options: NodeOptions, store: EntryStore) throws -> Genesis.Member {
        struct Description: Decodable { let name: String; let organisation: String; let role: String }
        guard let data = FileManager.default.contents(atPath: directory + "/node.json"),
              let d = try? JSONDecoder().decode(Description.self, from: data) else {
            store.close()
            throw ConfigurationError("this node (\(node.fingerprint)) is not a member of \(genesis.federation): not in genesis.json nor in the roster entries held, and \(directory)/node.json does not say who it is. Check that genesis.json is this federation's and identity.key this node's; a new member needs the authority's `vigil roster add`")
        }
        // A founder that restarted with a rotated key (the rotation has not reached it yet): its genesis
        // entry, found by name, still gives its address and its peers.
        if let founder = genesis.member(named: d.name), founder.organisation == d.organisation, founder.role == d.role {
            return Genesis.Member(name: founder.name, organisation: founder.organisation, role: founder.role, nodeId: node.hex,
                                  host: options.listenHost ?? founder.host, port: options.listenPort ?? founder.port, dials: founder.dials)
        }
        guard let port = options.listenPort else {
            store.close()
            throw ConfigurationError("\(d.name) is not in the roster yet, so its address is unknown: start it with --listen HOST:PORT (the address the authority put in `vigil roster add`)")
        }
        let authority = genesis.member(genesis.authority)!.name
        return Genesis.Member(name: d.name, organisation: d.organisation, role: d.role, nodeId: node.hex,
                              host: options.listenHost ?? "127.0.0.1", port: port, dials: [authority])
    }

    static func split(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else { return nil }
        return (String(address[..<colon]), port)
    }

    /// Listens on the genesis address and dials the configured peers.
    public func start() throws {
        try loop.start(delegate: self)
        let listener = try loop.listen(host: options.listenHost ?? member.host, port: UInt16(member.port))
        log.event(.info, "listening", ["address": listener.address, "node_id": member.nodeId])
        loop.schedule(after: .milliseconds(250), token: Self.tickToken)
        runOnLoop { node in
            for name in node.member.dials { node.dial(name) }
        }
    }

    /// Stops gracefully: closes every connection, waits for appends in flight (so everything that was
    /// acknowledged stays acknowledged), closes the store.
    public func stop() {
        loop.shutdown()
        persistQueue.sync(flags: .barrier) {}
        verifyQueue.sync(flags: .barrier) {}
        indexWriter.finish()
        store.close()
        log.event(.info, "stopped", ["entries": "\(store.count)"])
    }

    // MARK: Public operations (any thread)

    /// Posts an entry this node authored; returns once it is durable (fsynced), then it is pushed.
    public func post(_ entry: Entry) async throws -> EntryID {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<EntryID, Error>) in
            runOnLoop { node in
                node.nextToken += 1
                let token = node.nextToken
                node.postWaiters[token] = { continuation.resume(with: $0) }
                node.handle(node.core.post(entry, token: token))
            }
        }
    }

    /// Signs and posts a new entry built from a draft's parts (timestamp from this node's clock).
    public func post(kind: EntryKind, audience: Audience, refs: [EntryID] = [], body: [UInt8]) async throws -> EntryID {
        let draft: EntryDraft = await onLoop { node in
            EntryDraft(author: node.key, timestamp: node.core.nextTimestamp(wallMilliseconds: Node.wallMilliseconds()),
                       kind: kind, audience: audience, refs: refs, body: body)
        }
        return try await post(try draft.signed(by: identity))
    }

    /// The node's status.
    public func status() async -> NodeStatus {
        await onLoop { node in node.makeStatus() }
    }

    /// Whether the node holds `id` (durably).
    public func holds(_ id: EntryID) -> Bool { store.contains(id) }

    /// Reads a held entry.
    public func entry(_ id: EntryID) throws -> Entry? { try store.read(id) }

    /// Ids of held entries, in the order they were stored, from `start`.
    public func storedIDs(from start: Int = 0, limit: Int = .max) -> [EntryID] { store.items(from: start, limit: limit).map(\.id) }

    /// Calls `body` with every batch of newly held entries, on the loop thread, until the returned
    /// token is passed to `unfollow`.
    public func follow(_ body: @escaping @Sendable ([Entry]) -> Void) async -> UInt64 {
        await onLoop { node in
            node.nextToken += 1
            node.followers[node.nextToken] = body
            return node.nextToken
        }
    }

    /// Waits until every id in `ids` is held, or `timeout` passes. Returns the ids still missing.
    public func waitFor(_ ids: Set<EntryID>, timeout: Duration) async -> Set<EntryID> {
        await withCheckedContinuation { (continuation: CheckedContinuation<Set<EntryID>, Never>) in
            runOnLoop { node in
                let missing = ids.filter { !node.core.holds($0) }
                if missing.isEmpty { return continuation.resume(returning: []) }
                node.nextToken += 1
                let token = node.nextToken
                let finished = Atomic<Bool>(false)
                let remaining = Mutex(missing)
                node.followers[token] = { entries in
                    let left = remaining.withLock { set -> Set<EntryID> in
                        for e in entries { set.remove(e.id) }
                        return set
                    }
                    if left.isEmpty, !finished.exchange(true, ordering: .acquiringAndReleasing) {
                        continuation.resume(returning: [])
                    }
                }
                node.runOnLoop(after: timeout) { node in
                    node.followers.removeValue(forKey: token)
                    if !finished.exchange(true, ordering: .acquiringAndReleasing) {
                        continuation.resume(returning: remaining.withLock { $0 })
                    }
                }
            }
        }
    }

    /// Stops a `follow`.
    public func unfollow(_ token: UInt64) {
        runOnLoop { $0.followers.removeValue(forKey: token) }
    }

    // MARK: NetworkLoopDelegate (loop thread)

    public func admit(peerKey: PublicKey, peerName: String?, inbound: Bool, remote: String) -> PeerAdmission {
        let node = NodeID(peerKey)
        if let refusal = core.roster.sessionRefusal(node) {
            let reason = "\(refusal) (certificate name \(peerName ?? "none")); not a member of \(genesis.federation) now"
            log.event(.warning, "connection-refused", ["remote": remote, "reason": reason])
            counters.connectionRefused(reason: reason)
            return .refuse(reason: reason)
        }
        return .allow
    }

    public func connectionEstablished(_ id: ConnectionID, peerKey: PublicKey, peerName: String?, inbound: Bool) {
        let link = nextLink
        nextLink += 1
        linkOf[id] = link
        connectionOf[link] = id
        handle(core.connectionOpened(link, peer: NodeID(peerKey), outbound: !inbound, now: now()))
    }

    public func framesReceived(_ id: ConnectionID, _ frames: [Frame]) {
        guard let link = linkOf[id] else { return }
        handle(core.framesReceived(link, frames, now: now()))
    }

    public func writable(_ id: ConnectionID) {
        guard var queued = overflow[id] else { return }
        var sent = 0   // removed once at the end: removeFirst per frame made draining quadratic
        while sent < queued.count {
            if loop.send(queued[sent], on: id) == .queueFull { break }
            overflowBytes[id, default: 0] -= queued[sent].payload.count
            sent += 1
        }
        queued.removeFirst(sent)
        overflow[id] = queued.isEmpty ? nil : queued
        if queued.isEmpty { overflowBytes[id] = nil }
    }

    public func connectionClosed(_ id: ConnectionID, reason: String) {
        overflow[id] = nil
        overflowBytes[id] = nil
        if let link = linkOf.removeValue(forKey: id) {
            connectionOf.removeValue(forKey: link)
            handle(core.connectionClosed(link, reason: reason))
        }
        if let name = dials.first(where: { $0.value.connection == id })?.key {
            dials[name]?.connection = nil
            var rng = SystemRandomNumberGenerator()
            let delay = dials[name]!.backoff.nextDelay(using: &rng)
            log.event(.info, "redial-scheduled", ["peer": name, "after_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)", "reason": reason])
            runOnLoop(after: delay) { $0.dial(name) }
        }
    }

    public func connectionRefused(remote: String, reason: String) {
        log.event(.warning, "connection-refused", ["remote": remote, "reason": reason])
        counters.connectionRefused(reason: reason)
    }

    public func timerFired(_ token: UInt64) {
        if token == Self.tickToken {
            handle(core.tick(now: now()))
            indexWriter.tick(now: now())
            reportProgress()
            loop.schedule(after: .milliseconds(250), token: Self.tickToken)
            return
        }
        if let job = jobs.withLock({ $0.removeValue(forKey: token) }) { job(self) }
    }

    // MARK: Internals (loop thread)

    private func dial(_ name: String) {
        guard dials[name]?.connection == nil, let rosterPeer = core.roster.member(named: name), rosterPeer.isActive,
              let peer = try? Self.describe(rosterPeer, genesis: genesis, options: NodeOptions(directory: "")) else { return }
        let key = try? rosterPeer.key.publicKey()
        let id = loop.dial(host: peer.host, port: UInt16(peer.port), expectedPeer: key)
        if dials[name] == nil { dials[name] = DialState() }
        dials[name]!.connection = id
    }

    private func handle(_ directives: [NodeDirective]) {
        for directive in directives { handle(directive) }
    }

    private func handle(_ directive: NodeDirective) {
        switch directive {
        case .send(let link, let frame):
            guard let id = connectionOf[link] else { return }
            send(frame, on: id)
        case .close(let link, let reason):
            guard let id = connectionOf[link] else { return }
            log.event(.info, "session-closing", ["peer": peerName(link), "reason": reason])
            loop.close(id, reason: reason)
        case .verify(let link, let list):
            verifyQueue.async { [verifier] in
                let results = verifier.verify(list)
                self.runOnLoop { node in node.handle(node.core.verified(results, from: link, now: node.now())) }
            }
        case .persist(let entries, let origin):
            persistQueue.async(group: persistGroup) { [store] in
                do {
                    _ = try store.append(entries)
                    self.runOnLoop { node in node.handle(node.core.persisted(entries, origin: origin, now: node.now())) }
                } catch {
                    self.runOnLoop { node in
                        node.core.persistFailed(entries)
                        node.log.event(.error, "store-append-failed", ["entries": "\(entries.count)", "reason": "\(error)"])
                        node.counters.appendFailed()
                        if case .local(let token) = origin { node.postWaiters.removeValue(forKey: token)?(.failure(error)) }
                    }
                }
            }
        case .admitted(let entries, let origin):
            for entry in entries { index(entry) }
            indexWriter.admitted(entries, now: now())
            if case .peer(let link) = origin {
                counters.received(entries.count)
                log.event(.debug, "entries-stored", ["count": "\(entries.count)", "from": peerName(link)])
            } else {
                counters.posted(entries.count)
                for e in entries { log.event(.info, "entry-posted", ["id": e.id.hex, "kind": e.kind.name, "audience": e.audience.tlp.name]) }
            }
            for token in followers.keys.sorted() { followers[token]?(entries) }
        case .refusedEntry(let id, let origin, let reason):
            var from = "local"
            if case .peer(let link) = origin { from = peerName(link) }
            log.event(.warning, "entry-refused", ["id": id?.hex ?? "?", "from": from, "reason": reason])
            counters.entryRefused(reason: reason)
            if case .local(let token) = origin {
                postWaiters.removeValue(forKey: token)?(.failure(ConfigurationError("entry refused: \(reason)")))
            }
        case .sessionEstablished(let link, _):
            if let id = connectionOf[link], let name = dials.first(where: { $0.value.connection == id })?.key { dials[name]?.backoff.reset() }
            log.event(.info, "session-established", ["peer": peerName(link)])
        case .sessionClosed(let link, let node, let reason):
            log.event(.info, "session-closed", ["peer": node.flatMap { core.roster.member(ofKey: $0)?.name } ?? "link \(link)", "reason": reason])
        case .rosterChanged:
            log.event(.info, "roster-changed", ["members": "\(core.roster.activeMembers.count)", "changes": "\(core.roster.changeCount)"])
        case .withdrawn(let ids, let reason):
            log.event(.warning, "entries-withdrawn", ["count": "\(ids.count)", "reason": reason])
        case .acknowledge(let test):
            acknowledge(test)
        case .reconciled(let link, let have, let need, let trips):
            counters.reconciled(peer: peerName(link), unixSeconds: Double(Node.wallMilliseconds()) / 1000)
            log.event(have + need > 0 ? .info : .debug, "reconciled", ["peer": peerName(link), "sent": "\(have)", "wanted": "\(need)", "round_trips": "\(trips)"])
        case .postAcknowledged(let token, let id):
            postWaiters.removeValue(forKey: token)?(.success(id))
        }
    }

    /// Catch-up progress: while peers owe this node entries, a line every 2 s with what arrived, what is
    /// still owed, and the rate; one line when it is done.
    private func reportProgress() {
        let t = now()
        guard t >= progress.lastReport + 2_000 else { return }
        let behind = core.peerStatus.values.reduce(0) { $0 + $1.behind }
        let held = core.heldCount
        defer { progress.lastReport = t; progress.lastHeld = held }
        if behind > 0 {
            if !progress.active { progress = Progress(active: true, startHeld: progress.lastHeld, started: progress.lastReport, lastReport: progress.lastReport, lastHeld: progress.lastHeld) }
            let rate = Double(held - progress.lastHeld) / (Double(t - progress.lastReport) / 1000)
            let line = "catching up: \(held - progress.startHeld) entries received, \(behind) still owed by peers, \(Int(rate)) entries/s"
            log.event(.info, "catch-up", ["received": "\(held - progress.startHeld)", "owed": "\(behind)", "rate": "\(Int(rate))"])
            options.progressSink?(line)
        } else if progress.active {
            let seconds = Double(t - progress.started) / 1000
            let line = String(format: "caught up: %d entries received in %.1f s; %d held", held - progress.startHeld, seconds, held)
            log.event(.info, "caught-up", ["received": "\(held - progress.startHeld)", "seconds": String(format: "%.1f", seconds)])
            options.progressSink?(line)
            progress.active = false
        }
    }

    struct Progress {
        var active = false
        var startHeld = 0
        var started: UInt64 = 0
        var lastReport: UInt64 = 0
        var lastHeld = 0
    }

    private func index(_ entry: Entry) {
        kindCounts[entry.kind, default: 0] += 1
        for target in entry.refs { referrers[target, default: []].append(entry.id) }
    }

    /// Posts this node's automatic receipt of a communication test (loop thread).
    private func acknowledge(_ test: Entry) {
        let draft = EntryDraft(author: key, timestamp: core.nextTimestamp(wallMilliseconds: Node.wallMilliseconds()),
                               kind: .acknowledgement, audience: acknowledgementAudience(test), refs: [test.id],
                               body: AcknowledgementBody.receipt.encoded())
        do {
            let entry = try draft.signed(by: identity)
            nextToken += 1
            let token = nextToken
            postWaiters[token] = { [log] result in
                if case .failure(let error) = result {
                    log.event(.error, "auto-ack-failed", ["test": test.id.hex, "reason": "\(error)"])
                }
            }
            log.event(.info, "commtest-received", ["test": test.id.hex, "ack": entry.id.hex])
            handle(core.post(entry, token: token))
        } catch {
            log.event(.error, "auto-ack-failed", ["test": test.id.hex, "reason": "\(error)"])
        }
    }

    /// The audience of an acknowledgement of `target`: the target's, plus its author (who must see the answer).
    func acknowledgementAudience(_ target: Entry) -> Audience {
        guard let author = core.roster.member(ofKey: target.author) else { return target.audience }
        return target.audience.adding(author.profile)
    }

    /// Ids of held entries referring to `id` (updates, acknowledgements, replies), in arrival order.
    public func referrers(of id: EntryID) async -> [EntryID] {
        await onLoop { node in node.referrers[id] ?? [] }
    }

    /// Metrics for the textfile.
    public func metrics() async -> MetricsSnapshot {
        await onLoop { node in
            var s = MetricsSnapshot(node: node.member.name)
            s.entries = node.core.heldCount
            s.entriesByKind = Dictionary(uniqueKeysWithValues: node.kindCounts.map { ($0.key.name, $0.value) })
            s.configuredPeers = node.member.dials
            let t = node.now()
            s.peers = node.core.peerStatus.values.map { p in
                MetricsSnapshot.Peer(name: node.core.roster.member(ofKey: p.node)?.name ?? p.node.fingerprint, entriesBehind: p.behind,
                                     roundTripMs: p.roundTrip, lastSeenSeconds: Double(t - p.lastSeen) / 1000)
            }
            s.uptimeSeconds = Double(t) / 1000
            node.counters.fill(&s)
            return s
        }
    }

    /// The roster as this node knows it now.
    public func roster() async -> Roster { await onLoop { $0.core.roster } }

    private func send(_ frame: Frame, on id: ConnectionID) {
        if overflow[id] != nil {
            overflow[id]!.append(frame)
            overflowBytes[id, default: 0] += frame.payload.count
        } else {
            switch loop.send(frame, on: id) {
            case .queued, .closed: return
            case .frameTooLarge:
                log.event(.error, "frame-too-large", ["bytes": "\(frame.payload.count)"])
                return
            case .queueFull:
                overflow[id] = [frame]
                overflowBytes[id] = frame.payload.count
            }
        }
        if overflowBytes[id, default: 0] > Self.overflowLimit {
            loop.close(id, reason: "peer too slow: more than \(Self.overflowLimit >> 20) MiB waiting to be sent")
        }
    }

    private func peerName(_ link: LinkID) -> String {
        guard let node = core.peerStatus[link]?.node else { return "link \(link)" }
        return core.roster.member(ofKey: node)?.name ?? node.fingerprint
    }

    private func makeStatus() -> NodeStatus {
        let t = now()
        let peers = core.peerStatus.values.sorted { $0.since < $1.since }.map { p in
            NodeStatus.Peer(name: core.roster.member(ofKey: p.node)?.name ?? p.node.fingerprint, nodeId: p.node.hex, outbound: p.outbound,
                            established: p.established, connectedSeconds: Double(t - p.since) / 1000,
                            lastSeenSeconds: Double(t - p.lastSeen) / 1000, roundTripMs: p.roundTrip, entriesBehind: p.behind)
        }
        let connected = Set(peers.map(\.name))
        let refusals = log.counts.filter { $0.key.hasSuffix("-refused") }
        return NodeStatus(name: member.name, nodeId: member.nodeId, organisation: member.organisation, role: member.role,
                          entries: core.heldCount, peers: peers,
                          disconnected: member.dials.filter { !connected.contains($0) }.sorted(), refusals: refusals)
    }

    // MARK: Hopping onto the loop thread

    func runOnLoop(after delay: Duration = .zero, _ job: @escaping @Sendable (Node) -> Void) {
        let token = jobCounter.add(1, ordering: .relaxed).newValue
        jobs.withLock { $0[token] = job }
        loop.schedule(after: delay, token: token)
    }

    func onLoop<T: Sendable>(_ body: @escaping @Sendable (Node) -> T) async -> T {
        await withCheckedContinuation { continuation in
            runOnLoop { continuation.resume(returning: body($0)) }
        }
    }

    private func now() -> UInt64 { Node.monotonicMilliseconds() - started }

    static func monotonicMilliseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1000 + UInt64(t.tv_nsec) / 1_000_000
    }

    static func wallMilliseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return UInt64(t.tv_sec) * 1000 + UInt64(t.tv_nsec) / 1_000_000
    }
}

/// The store as the core's `EntryReader`.
struct StoreReader: EntryReader {
    let store: EntryStore
    func canonicalBytes(_ id: EntryID) -> [UInt8]? { try? store.readCanonicalBytes(id) }
}
