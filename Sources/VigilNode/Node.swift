import Dispatch
import Foundation
import Synchronization
import VigilAPI
import VigilCrypto
import VigilLog
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

/// A running Vigil node: the pure `NodeCore` driven by real I/O. This file is the façade — state,
/// start-up, lifecycle and the operations other threads call; each other job has its own file:
/// `NodeIdentity` (who this node is at start), `NodeNetwork` (the loop's delegate: sessions, dialing
/// through `DialScheduler`, frames out through `OutboundQueue`), `NodeDirectives` (the executor of the
/// core's directives), `NodeQueries` (the read model behind the local API and the desk),
/// `NodeStatusReport` (status and metrics), `NodeProgress` (catch-up lines), `LocalAPI` (the socket).
///
/// Threading (docs/threading.md): the core and all per-connection state live on the network loop's
/// thread (every `NetworkLoopDelegate` and `ByteStreamDelegate` method runs there; `loop.assertOnLoop()`
/// checks it where the core's state is touched from a method other threads could call). Signature
/// verification runs off that thread on every core (`EntryVerifier`); appends go to the store's
/// group-commit writer, which calls back once fsynced. Both hand their results back to the loop thread,
/// the only one that touches the core.
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
    /// Concurrent: while one batch's results go back to the loop thread and the next WANT goes out,
    /// another batch is already being verified, so both cores stay busy during a catch-up.
    let verifyQueue = DispatchQueue(label: "vigil.node.verify", attributes: .concurrent)
    let persistGroup = DispatchGroup()
    /// Keeps the start-up index (store/node-index) up to date.
    let indexWriter: NodeIndexWriter
    let started = Node.monotonicMilliseconds()

    // Loop-thread state.
    var core: NodeCore
    var linkOf: [ConnectionID: LinkID] = [:]
    var connectionOf: [LinkID: ConnectionID] = [:]
    var nextLink: LinkID = 1
    /// Which configured peers to dial, and when (backoff, routes).
    var dialer = DialScheduler()
    /// Connections this node dialed: the peer's name and the route dialed.
    var dialing: [ConnectionID: (name: String, route: DialRoute)] = [:]
    /// Frames waiting beyond the network's send budget, per connection (back-pressure).
    var outbound: [ConnectionID: OutboundQueue] = [:]
    var postWaiters: [UInt64: @Sendable (Result<EntryID, Error>) -> Void] = [:]
    /// Verification batches on their way per link, and what arrived from that link meanwhile (one
    /// batch, verified when one of those returns): a catch-up's small frames verified in large batches.
    var verifying: [LinkID: Int] = [:]
    var verifyWaiting: [LinkID: [[UInt8]]] = [:]
    /// Appends the core asked for while the loop handles its current events and commands; handed to
    /// the store as one append when they are handled (`flushPersists`, NodeDirectives.swift).
    var persistBuffer: [(entries: [Entry], origin: EntryOrigin)] = []
    var nextToken: UInt64 = 0
    var followers: [UInt64: @Sendable ([Entry]) -> Void] = [:]
    /// Who is told when a peer session opens or closes (the desk's event streams); NodePeerWatch.swift.
    var peerWatchers: [UInt64: @Sendable (PeerSessionChange) -> Void] = [:]
    /// Peers whose session ended and has not been replaced: when (`now()`) and why, for `status`.
    var endedSessions: [NodeID: (atMs: UInt64, reason: String)] = [:]
    /// Held entries that refer to each entry (its updates, acknowledgements, replies), for `show`.
    var referrerIndex: [EntryID: [EntryID]] = [:]
    /// CAP references between held alerts (NodeCAPIndex.swift), which also feed `referrerIndex`.
    var capReferences = CAPRelationIndex()
    /// Held entries by kind, for the metrics.
    var kindCounts: [EntryKind: Int] = [:]
    /// The store positions of the held entries by kind, for lists filtered by kind (loop thread).
    var kindPositions = KindPositions()
    var progress = Progress()
    /// Held entries that the roster no longer accepts (signed after a revocation or rotation): on disk,
    /// never listed, shown, offered or pushed. Written on the loop thread, read by queries anywhere.
    let withdrawn = Mutex<Set<EntryID>>([])
    /// Counters for the metrics textfile.
    public let counters = MetricsCounters()

    // Cross-thread.
    let jobs = Mutex<[UInt64: @Sendable (Node) -> Void]>([:])
    let jobCounter = Atomic<UInt64>(1_000)
    static let tickToken: UInt64 = 1

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
        log = NodeLog(node: member.name, sink: options.logSink ?? NodeLog.standardError)
        let tls = try TLSContext(certificate: certificate, key: key, trusting: ca)
        loop = try NetworkLoop(configuration: Self.networkConfiguration(tls: tls))
        core = NodeCore(me: member.profile, roster: roster, reader: StoreReader(store: store), settings: options.session)
        core.wallClockAtZero = Node.wallMilliseconds() - (Node.monotonicMilliseconds() - started)
        let recovered = store.recovery
        indexWriter = NodeIndexWriter(path: dir + "/store/" + NodeIndexFile.name, store: store, log: log, keep: startup.keptBytes,
                                      covered: startup.report.fromIndex, appending: startup.chunks[startup.keptChunks...])
        let skipped: [EntryID]
        (skipped, referrerIndex, kindCounts, kindPositions) = startup.load(into: &core)
        // CAP Updates and Cancels name the alerts they change by CAP identifiers, not by refs: the
        // relation index is rebuilt from the alerts held (few beside the rest; their bodies are read).
        for alert in startup.alerts where core.holds(alert.id) { indexCAPReferences(alert) }
        progress.lastHeld = core.heldCount
        let owed = core.unacknowledgedTests(startup.commTests)
        withdrawn.withLock { $0.formUnion(skipped) }
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

    /// The addresses this node listens on: `--listen` when given, else every address of its own in
    /// the genesis or the roster (the first one, then its alternates: a backup link).
    public var listenAddresses: [String] {
        if options.listenHost != nil || options.listenPort != nil { return ["\(options.listenHost ?? member.host):\(options.listenPort ?? member.port)"] }
        return member.addresses
    }

    /// Listens on its addresses and dials its peers (`dialTargets`). The first address must be
    /// bindable; an alternate one that is not (a backup interface that is down) is logged and skipped.
    public func start() throws {
        try loop.start(delegate: self)
        for (index, address) in listenAddresses.enumerated() {
            guard let (host, port) = Self.split(address) else { continue }
            do {
                let listener = try loop.listen(host: host, port: UInt16(clamping: port))
                log.event(.info, "listening", ["address": listener.address, "node_id": member.nodeId])
            } catch {
                if index == 0 { throw error }
                log.event(.warning, "listen-failed", ["address": address, "reason": "\(error)",
                                                      "hint": "peers cannot reach this node over that route until it restarts with the address up"])
            }
        }
        loop.schedule(after: .milliseconds(250), token: Self.tickToken)
        runOnLoop { node in
            var random = SystemRandomNumberGenerator()
            node.dialer.start(node.dialTargets(), now: node.now(), using: &random)
            node.dialDue()
        }
    }

    /// Stops gracefully: closes every connection, waits for appends in flight (so everything that was
    /// acknowledged stays acknowledged), closes the store.
    public func stop() {
        loop.shutdown()
        persistGroup.wait()
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

    /// Signs and posts a new entry built from a draft's parts, in one hop onto the loop: the timestamp
    /// from this node's clock, the signature, and the core's checks happen there together. `fields` is
    /// the map `body` was encoded from, when the caller has it (the core checks it without decoding).
    /// Returns once the entry is durable (fsynced); then it is pushed.
    public func post(kind: EntryKind, audience: Audience, refs: [EntryID] = [], body: [UInt8], fields: FieldMap? = nil) async throws -> EntryID {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<EntryID, Error>) in
            runOnLoop { node in
                node.postOnLoop(kind: kind, audience: audience, refs: refs, body: body, fields: fields) { continuation.resume(with: $0) }
            }
        }
    }

    /// The same on the loop thread: `completion` is called there once the entry is durable (or refused).
    func postOnLoop(kind: EntryKind, audience: Audience, refs: [EntryID], body: [UInt8], fields: FieldMap?,
                    completion: @escaping @Sendable (Result<EntryID, Error>) -> Void) {
        loop.assertOnLoop()
        let draft = EntryDraft(author: key, timestamp: core.nextTimestamp(wallMilliseconds: Node.wallMilliseconds()),
                               kind: kind, audience: audience, refs: refs, body: body)
        let entry: Entry
        do { entry = try draft.signed(by: identity) } catch { return completion(.failure(error)) }
        nextToken += 1
        postWaiters[nextToken] = completion
        handle(core.post(entry, token: nextToken, body: fields))
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

    /// Registers `body` for every batch of newly held entries (loop thread); returns its token.
    func addFollower(_ body: @escaping @Sendable ([Entry]) -> Void) -> UInt64 {
        loop.assertOnLoop()
        nextToken += 1
        followers[nextToken] = body
        return nextToken
    }

    /// Removes a follower (loop thread).
    func removeFollower(_ token: UInt64) {
        loop.assertOnLoop()
        followers.removeValue(forKey: token)
    }

    /// The roster as the core holds it now (loop thread).
    var currentRoster: Roster {
        loop.assertOnLoop()
        return core.roster
    }

    /// Stops a `follow`.
    public func unfollow(_ token: UInt64) {
        runOnLoop { $0.followers.removeValue(forKey: token) }
    }

    // MARK: NetworkLoopDelegate (loop thread)

    // MARK: Internals (loop thread)

    /// Entries withdrawn after a revocation or rotation (still on disk, never shown).
    func withdrawnIDs() -> Set<EntryID> { withdrawn.withLock { $0 } }

    /// Ids of held entries referring to `id` (updates, acknowledgements, replies), in arrival order.
    public func referrers(of id: EntryID) async -> [EntryID] {
        await onLoop { node in node.referrerIndex[id] ?? [] }
    }

    /// The roster as this node knows it now.
    public func roster() async -> Roster { await onLoop { $0.core.roster } }

    // MARK: Hopping onto the loop thread

    /// Runs `job` on the loop thread: at once through the loop's command queue (`NetworkLoop.execute`:
    /// no timer, no extra wake-up), or after `delay` as a delegate timer.
    func runOnLoop(after delay: Duration = .zero, _ job: @escaping @Sendable (Node) -> Void) {
        if delay <= .zero {
            loop.execute { job(self) }
            return
        }
        let token = jobCounter.add(1, ordering: .relaxed).newValue
        jobs.withLock { $0[token] = job }
        loop.schedule(after: delay, token: token)
    }

    func onLoop<T: Sendable>(_ body: @escaping @Sendable (Node) -> T) async -> T {
        await withCheckedContinuation { continuation in
            runOnLoop { continuation.resume(returning: body($0)) }
        }
    }

    func now() -> UInt64 { Node.monotonicMilliseconds() - started }

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
