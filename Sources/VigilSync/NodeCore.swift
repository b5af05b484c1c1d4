import VigilModel

/// An opaque handle the shell gives each transport connection (the node maps its network connections to these).
public typealias LinkID = UInt64

/// Reads canonical entry bytes by id (the store; memory in the simulator).
public protocol EntryReader {
    /// The canonical bytes of `id`, or nil.
    func canonicalBytes(_ id: EntryID) -> [UInt8]?
}

/// Where an entry came from.
public enum EntryOrigin: Hashable, Sendable {
    /// Posted on this node; `token` identifies the request to acknowledge.
    case local(token: UInt64)
    /// Received from the peer on this connection.
    case peer(LinkID)
}

/// What the node shell must do. Carried out in order.
public enum NodeDirective: Sendable {
    /// Send a frame on a connection, in this lane of its `OutboundQueue` (`LanePolicy`).
    case send(LinkID, Frame, OutboundLane)
    /// Close a connection, with the typed reason (log it with its code).
    case close(LinkID, reason: CloseReason)
    /// Decode and verify these received entries (in parallel if it likes), then call
    /// `NodeCore.verified(_:from:now:)` with one result per input, in order.
    case verify(LinkID, [[UInt8]])
    /// Append these entries durably (fsync), then call `NodeCore.persisted(_:origin:now:)`.
    case persist([Entry], EntryOrigin)
    /// These entries are now held (durable): feed the log and the local followers.
    case admitted([Entry], EntryOrigin)
    /// An entry was refused, with the typed reason (log it; count it in the metrics by its code).
    case refusedEntry(EntryID?, from: EntryOrigin, Refusal)
    /// The roster changed (a member added, revoked or rotated): the shell updates what it derives
    /// from it (dial targets, names). Sessions of revoked keys are closed by `.close` directives.
    case rosterChanged
    /// Held entries that the roster no longer accepts (signed by a key after its revocation or
    /// rotation, learnt only now). They stay on disk but are no longer offered, pushed or shown.
    case withdrawn([EntryID], reason: String)
    /// A session is established with this peer.
    case sessionEstablished(LinkID, NodeID)
    /// A session ended, with the typed reason.
    case sessionClosed(LinkID, NodeID?, reason: CloseReason)
    /// A reconciliation round with the peer finished.
    case reconciled(LinkID, have: Int, need: Int, roundTrips: Int)
    /// A local post is durable: answer the poster.
    case postAcknowledged(token: UInt64, EntryID)
    /// A communication test that expects this node arrived: sign and post an automatic receipt
    /// (`ack` with `{"by": "node"}`, first ref the test, the test's audience) at once.
    case acknowledge(Entry)
}

/// The result of verifying one received entry (done by the shell, possibly on several cores).
public enum VerificationResult: Sendable {
    /// Canonical and correctly signed.
    case valid(Entry)
    /// Refused, with the reason; `id` is the SHA-256 of the bytes.
    case invalid(id: EntryID, Refusal)
}

/// What the node keeps per held entry, in memory: enough to decide who may read it and to build
/// reconciliation snapshots. Bodies stay in the store.
struct HeldEntry {
    let timestamp: HybridTimestamp
    /// The signing key (the identity unless the member rotated its key).
    let author: NodeID
    let audienceClass: UInt32
}

/// Signing keys' validity windows (`Roster.validity(of:)`) remembered for a run of records: a small
/// open-addressing table on the key's first word. When more than `capacity / 2` keys turn up, the
/// rest are looked up in the roster every time (correct, only slower).
struct KeyValidityMemo {
    static let capacity = 256
    private var slots = [(key: NodeID, validity: KeyValidity?)?](repeating: nil, count: KeyValidityMemo.capacity)
    private var used = 0

    /// `roster.validity(of: key)`, remembered.
    mutating func validity(of key: NodeID, in roster: Roster) -> KeyValidity? {
        var slot = Int(truncatingIfNeeded: key.bigEndianWords.0) & (Self.capacity - 1)
        while let held = slots[slot] {
            if held.key == key { return held.validity }
            slot = (slot + 1) & (Self.capacity - 1)
        }
        let validity = roster.validity(of: key)
        if used < Self.capacity / 2 {
            slots[slot] = (key, validity)
            used += 1
        }
        return validity
    }
}

/// A connected peer's state.
public struct PeerStatus: Sendable {
    /// The key the peer presented (its node id unless it rotated its key).
    public let node: NodeID
    /// The member's identity.
    public let identity: NodeID
    /// Whether this node dialed it.
    public let outbound: Bool
    /// When the session started (ms).
    public let since: UInt64
    /// When a frame last arrived (ms).
    public var lastSeen: UInt64
    /// Last measured round-trip time (ms).
    public var roundTrip: UInt64?
    /// Entries asked for and not yet received.
    public var behind: Int
    /// Whether HELLO was exchanged.
    public var established: Bool
    /// The Vigil release the peer runs, once it said (nil before its HELLO).
    public var release: PeerRelease? = nil
}

/// The node's logic as a pure core: the held-entry index, one `PeerSession` per connection, the audience
/// rule on every path, relaying, and local posts. Time comes in as `now` (monotonic ms); nothing here
/// does I/O except reading entry bytes through `EntryReader` to put them in frames.
///
/// Audience is enforced where it matters: an entry is offered in reconciliation, pushed or sent in
/// answer to WANT only to a peer it admits; an entry addressed elsewhere is refused on arrival, so a
/// node never holds, and so never relays, an entry it may not read.
public struct NodeCore {
    /// This node as a member: its identity, role and organisation (updated when a roster entry about
    /// it arrives, e.g. a node that restarted with a rotated key learns which identity it continues).
    public private(set) var me: MemberProfile
    /// The key this node signs with.
    public let key: NodeID
    /// The federation's members: the genesis plus every roster entry held.
    public private(set) var roster: Roster
    /// Session settings.
    public let settings: SessionSettings
    /// The local hybrid logical clock.
    public private(set) var clock: HybridClock
    /// Wall-clock milliseconds (since the epoch) at `now == 0`. `now` is monotonic time for timers;
    /// received HLC timestamps are wall-clock based, so they are compared with `wallClockAtZero + now`.
    public var wallClockAtZero: UInt64 = 0
    /// The release announced to peers that ask (`Hello.Feature.announcesRelease`); nil announces
    /// nothing, as releases before 0.3.0 did (tests use that to play an older peer).
    public var release: String? = VigilRelease.version
    private let reader: any EntryReader

    private var held: [EntryID: HeldEntry] = [:]
    private var sortedItems: [NegentropyItem] = []
    private var unsortedItems: [NegentropyItem] = []
    private var audiences: [Audience] = []
    private var audienceClasses: [Audience: UInt32] = [:]
    private var persisting: Set<EntryID> = []

    private var sessions: [LinkID: PeerSession] = [:]
    private var peers: [LinkID: PeerStatus] = [:]
    private var readableMemo: [LinkID: [UInt32: Bool]] = [:]
    private var peerProfiles: [LinkID: MemberProfile] = [:]
    /// Communication tests this node has acknowledged (automatic receipt), or is acknowledging.
    private var receipted: Set<EntryID> = []
    /// The canonical bytes of the entries being pushed by `persisted`: the push sends the bytes the
    /// core holds instead of reading back from the store what it wrote a moment before.
    private var pushing: [EntryID: [UInt8]] = [:]

    /// A core for `me`, reading entry bytes through `reader`.
    public init(me: MemberProfile, roster: Roster, reader: any EntryReader,
                settings: SessionSettings = SessionSettings(), clock: HybridClock = HybridClock()) {
        self.me = roster.member(ofKey: me.node)?.profile ?? me
        self.key = me.node
        self.roster = roster
        self.reader = reader
        self.settings = settings
        self.clock = clock
    }

    /// Number of held entries.
    public var heldCount: Int { held.count }
    /// Whether `id` is held.
    public func holds(_ id: EntryID) -> Bool { held[id] != nil }
    /// Connected peers.
    public var peerStatus: [LinkID: PeerStatus] { peers }
    /// The earliest time `tick` has work.
    public var nextDeadline: UInt64? { sessions.values.compactMap(\.nextDeadline).min() }

    /// Loads entries already in the store at start (no signature or body checks: they were verified on
    /// ingest). Roster entries are applied first; entries the roster no longer accepts (signed after
    /// their key's revocation or rotation) are not held. Returns the ids not held.
    @discardableResult
    public mutating func load(_ entries: [Entry]) -> [EntryID] {
        roster.insertAll(entries)   // already applied ones (the shell may have built the roster) are skipped at once
        if let mine = roster.member(ofKey: key) { me = mine.profile }
        var skipped: [EntryID] = []
        for entry in entries {
            if case .valid = roster.standing(of: entry.author, at: entry.timestamp) { hold(entry) } else { skipped.append(entry.id) }
            if entry.kind == .acknowledgement, identity(ofKey: entry.author) == me.node, let target = entry.refs.first,
               (try? AcknowledgementBody(body: entry.body)) == .receipt {
                receipted.insert(target)
            }
        }
        return skipped
    }

    /// Loads stored entries from their compact records (a start-up index), like `load(_:)` but without
    /// the entries themselves. The roster entries must already be in the roster the core was made
    /// with (the shell reads those few in full and applies them first). Records the roster no longer
    /// accepts (signed after their key's revocation or rotation) are not held; receipts signed by this
    /// node mark their tests as acknowledged. May be called several times (one batch at a time);
    /// `total`, when given, is how many entries all the batches hold, so that memory is reserved once.
    /// Returns the ids not held.
    @discardableResult
    public mutating func load(index: HeldIndex, total: Int = 0) -> [EntryID] {
        if let mine = roster.member(ofKey: key) { me = mine.profile }
        if total > held.count + index.records.count {
            held.reserveCapacity(total)
            unsortedItems.reserveCapacity(total)
        }
        let classes = index.audiences.map { audience -> UInt32 in
            if let known = audienceClasses[audience] { return known }
            let made = UInt32(audiences.count)
            audiences.append(audience)
            audienceClasses[audience] = made
            return made
        }
        var skipped: [EntryID] = []
        // The few signing keys' windows, each looked up in the roster once (a million records have a
        // few dozen authors).
        var validities = KeyValidityMemo()
        for record in index.records {
            guard let validity = validities.validity(of: record.author, in: roster), validity.contains(record.timestamp) else {
                if held[record.id] == nil { skipped.append(record.id) }
                continue
            }
            // One hash lookup per new record (start-up time): an already held one is put back as it was.
            let entry = HeldEntry(timestamp: record.timestamp, author: record.author, audienceClass: classes[Int(record.audience)])
            if let before = held.updateValue(entry, forKey: record.id) {
                held[record.id] = before
                continue
            }
            unsortedItems.append(NegentropyItem(timestamp: record.timestamp.milliseconds, id: record.id))
        }
        for receipt in index.receipts where identity(ofKey: receipt.author) == me.node {
            receipted.insert(receipt.test)
        }
        return skipped
    }

    /// Communication tests held that expect this node and that it has not acknowledged yet (it was
    /// stopped between receiving and acknowledging): the shell acknowledges them after `load`.
    public mutating func unacknowledgedTests(_ entries: [Entry]) -> [Entry] {
        var out: [Entry] = []
        for e in entries where e.kind == .commTest && held[e.id] != nil && !receipted.contains(e.id) && expectsMe(e) {
            receipted.insert(e.id)
            out.append(e)
        }
        return out
    }

    /// Whether a communication test expects an answer from this node.
    public func expectsMe(_ test: Entry) -> Bool {
        guard test.kind == .commTest, identity(ofKey: test.author) != me.node,
              let fields = try? FieldMap(canonicalBytes: test.body), let body = try? CommTestBody(fields: fields) else { return false }
        switch body.expected {
        case .everyone: return true
        case .role(let role): return role.rawValue == me.role
        case .nodes(let nodes): return nodes.contains(me.node)
        }
    }

    /// The identity of the member that signed with `key` (the key itself when unknown).
    public func identity(ofKey key: NodeID) -> NodeID {
        roster.hasRotations ? (roster.identity(ofKey: key) ?? key) : key
    }

    /// A timestamp for a new local entry.
    public mutating func nextTimestamp(wallMilliseconds: UInt64) -> HybridTimestamp {
        clock.tick(wallMilliseconds: wallMilliseconds)
    }

    // MARK: Connections

    /// A TLS session is up with `peer` (its certificate verified). Refuses peers that are not members.
    public mutating func connectionOpened(_ conn: LinkID, peer: NodeID, outbound: Bool, now: UInt64) -> [NodeDirective] {
        guard let profile = roster.profile(ofKey: peer) else {
            return [.close(conn, reason: CloseReason(roster.sessionRefusal(peer) ?? Refusal(.notMember, "node \(peer.fingerprint) is not a member of the federation")))]
        }
        guard profile.node != me.node else { return [.close(conn, reason: CloseReason(.connectedToItself, "connected to itself"))] }
        var out: [NodeDirective] = []
        for other in peers.keys.sorted() where peers[other]!.identity == profile.node {
            let existing = peers[other]!
            if Self.keepsExisting(existing, newOutbound: outbound, me: me.node, peer: profile.node, now: now, window: settings.helloTimeout) {
                return [.close(conn, reason: CloseReason(.duplicateSession, "a session with this peer exists already (the one dialed by the lower node id is kept)"))]
            }
            out.append(.close(other, reason: CloseReason(.duplicateSession, "replaced by a newer connection with the same peer")))
        }
        let (session, first) = PeerSession.start(isInitiator: outbound, clock: clock.last, now: now, settings: settings, release: release)
        sessions[conn] = session
        peerProfiles[conn] = profile
        peers[conn] = PeerStatus(node: peer, identity: profile.node, outbound: outbound, since: now, lastSeen: now, roundTrip: nil, behind: 0, established: false)
        return out + apply(conn, first, now: now)
    }

    /// Two connections with one peer (both sides dialed, or the peer reconnected before this node
    /// noticed that the old connection died): which one stays, decided alike on both sides. While
    /// the existing one is younger than `window` (both sides dialing at once), the one dialed by the
    /// lower node id (identity) stays; an older one gives way to the new connection (the peer would not
    /// dial again if its old connection were alive, so the old one is presumed dead).
    static func keepsExisting(_ existing: PeerStatus, newOutbound: Bool, me: NodeID, peer: NodeID, now: UInt64, window: UInt64) -> Bool {
        guard now - min(now, existing.since) < window else { return false }
        let lowerDials = { (outbound: Bool) in outbound == (me < peer) }
        return lowerDials(existing.outbound) && !lowerDials(newOutbound)
    }

    /// Frames arrived on a connection.
    public mutating func framesReceived(_ conn: LinkID, _ frames: [Frame], now: UInt64) -> [NodeDirective] {
        var out: [NodeDirective] = []
        for frame in frames {
            guard sessions[conn] != nil else { break }
            peers[conn]?.lastSeen = now
            let message: SyncMessage
            do {
                message = try SyncMessage(frame: frame)
            } catch {
                let reason = "malformed \(frame.type) message: \(error)"
                out.append(.send(conn, SyncMessage.goodbye(code: 2, reason: reason).frame(), LanePolicy.control))
                out += apply(conn, sessions[conn]!.connectionLost(reason: CloseReason(.malformed, reason)), now: now)
                break
            }
            // Mutated in place: a copy would make every change to its want sets copy them whole.
            let directives = sessions[conn]!.receive(message, now: now)
            for directive in apply(conn, directives, now: now) {
                // ENTRIES frames that arrived together are verified as one batch: frames are small (so
                // that lanes work on slow links), and one batch per read keeps a fast catch-up's
                // per-batch costs (hops, store appends) where large frames had them.
                if case .verify(let link, let list) = directive, case .verify(let previousLink, let previous)? = out.last, link == previousLink {
                    out[out.count - 1] = .verify(link, previous + list)
                } else {
                    out.append(directive)
                }
            }
        }
        return out
    }

    /// The transport closed the connection.
    public mutating func connectionClosed(_ conn: LinkID, reason: CloseReason) -> [NodeDirective] {
        let peer = peers.removeValue(forKey: conn)
        sessions.removeValue(forKey: conn)
        readableMemo.removeValue(forKey: conn)
        peerProfiles.removeValue(forKey: conn)
        guard let peer else { return [] }
        return [.sessionClosed(conn, peer.node, reason: reason)]
    }

    /// Time passed.
    public mutating func tick(now: UInt64) -> [NodeDirective] {
        var out: [NodeDirective] = []
        for conn in sessions.keys.sorted() {
            guard let directives = sessions[conn]?.tick(now: now) else { continue }
            out += apply(conn, directives, now: now)
        }
        return out
    }

    // MARK: Entries

    /// A local post (already signed by this node). Persisted, then acknowledged and pushed. `body` is the
    /// field map the shell encoded the body from, when it has it (checked as is, not decoded again).
    public mutating func post(_ entry: Entry, token: UInt64, body: FieldMap? = nil) -> [NodeDirective] {
        if held[entry.id] != nil { return [.postAcknowledged(token: token, entry.id)] }
        guard identity(ofKey: entry.author) == me.node else {
            return [.refusedEntry(entry.id, from: .local(token: token), Refusal(.notOwnEntry, "a node posts only entries it authored"))]
        }
        var out: [NodeDirective] = []
        if let refusal = admissionProblem(entry, body: body, rosterChanged: &out) {
            return [.refusedEntry(entry.id, from: .local(token: token), refusal)]
        }
        persisting.insert(entry.id)
        return out + [.persist([entry], .local(token: token))]
    }

    /// The verification asked for by `.verify` is done.
    public mutating func verified(_ results: [VerificationResult], from conn: LinkID, now: UInt64) -> [NodeDirective] {
        var out: [NodeDirective] = []
        var fresh: [Entry] = []
        var ids: [EntryID] = []
        let origin = EntryOrigin.peer(conn)
        // Roster entries first, so that entries by a member added in the same batch are accepted.
        let ordered = results.filter { if case .valid(let e) = $0 { e.kind == .roster } else { false } }
            + results.filter { if case .valid(let e) = $0 { e.kind != .roster } else { true } }
        for result in ordered {
            switch result {
            case .invalid(let id, let refusal):
                ids.append(id)
                out.append(.refusedEntry(id, from: origin, refusal))
            case .valid(let entry):
                ids.append(entry.id)
                if held[entry.id] != nil || persisting.contains(entry.id) { continue }
                if let refusal = admissionProblem(entry, rosterChanged: &out) {
                    out.append(.refusedEntry(entry.id, from: origin, refusal))
                    continue
                }
                persisting.insert(entry.id)
                fresh.append(entry)
            }
        }
        if let directives = sessions[conn]?.received(ids: ids) {
            out += apply(conn, directives, now: now)
            if let behind = sessions[conn]?.outstandingCount { peers[conn]?.behind = behind }
        }
        if !fresh.isEmpty { out.append(.persist(fresh, origin)) }
        return out
    }

    /// Entries asked for by `.persist` are durable. They are admitted and pushed to every connected peer
    /// they admit (not back to where they came from).
    public mutating func persisted(_ entries: [Entry], origin: EntryOrigin, now: UInt64) -> [NodeDirective] {
        var out: [NodeDirective] = []
        var admitted: [Entry] = []
        for entry in entries {
            persisting.remove(entry.id)
            guard held[entry.id] == nil else { continue }
            hold(entry)
            if case .peer = origin { clock.observe(entry.timestamp, wallMilliseconds: wallClockAtZero &+ now) }
            admitted.append(entry)
        }
        // A local post is answered once its entry is held, also when another copy of it (a retried post,
        // the same entry from a peer) was stored first: otherwise that poster would wait for ever.
        var answers: [NodeDirective] = []
        if case .local(let token) = origin {
            for entry in entries where held[entry.id] != nil { answers.append(.postAcknowledged(token: token, entry.id)) }
        }
        if admitted.isEmpty { return answers }
        out.append(.admitted(admitted, origin))
        for entry in admitted where entry.kind == .commTest && !receipted.contains(entry.id) && expectsMe(entry) {
            receipted.insert(entry.id)
            out.append(.acknowledge(entry))
        }
        out += answers
        for entry in admitted { pushing[entry.id] = entry.canonicalBytes }
        defer { pushing = [:] }
        for conn in sessions.keys.sorted() {
            if case .peer(let from) = origin, from == conn { continue }
            guard sessions[conn]?.phase == .established else { continue }
            let readable = admitted.filter { mayRead(conn, $0.id) }.map(\.id)
            guard !readable.isEmpty else { continue }
            let directives = sessions[conn]!.announce(readable)
            out += apply(conn, directives, now: now)
        }
        return out
    }

    /// Persisting failed (disk full…): the entries are not held; local posters get the error from the shell.
    public mutating func persistFailed(_ entries: [Entry]) {
        for entry in entries { persisting.remove(entry.id) }
    }

    // MARK: Federation rules

    /// Why this node does not accept `entry` (audience, roster, role, body, who may update what), or
    /// nil when it does. A roster entry is applied to the roster at once; the consequences of a change
    /// (sessions closed, entries withdrawn) are appended to `out`.
    private mutating func admissionProblem(_ entry: Entry, body: FieldMap? = nil, rosterChanged out: inout [NodeDirective]) -> Refusal? {
        let author = identity(ofKey: entry.author)
        guard entry.audience.admits(me, author: author) else {
            return Refusal(.audience, "the entry's audience (\(entry.audience.tlp)) does not include this node: the peer must not have sent it")
        }
        if entry.kind == .roster {
            do {
                let retired = roster.retiredKeys, starts = roster.keyStarts
                if try roster.insert(entry) {
                    // Held entries can become invalid only if a key was retired, forgotten, or starts later.
                    let after = roster.keyStarts
                    let narrowed = roster.retiredKeys != retired || starts.contains { key, from in
                        guard let now = after[key] else { return true }
                        return (now ?? .init(milliseconds: 0, counter: 0)) > (from ?? .init(milliseconds: 0, counter: 0))
                    }
                    out += rosterDidChange(scanHeld: narrowed)
                }
                return nil
            } catch {
                return Refusal(.roster, "roster entry refused: \(error.message)")
            }
        }
        let member: RosterMember
        do {
            member = try FederationRules.check(entry, roster: roster, body: body)
        } catch {
            return error
        }
        if entry.kind == .update, let target = entry.refs.first, let info = held[target] {
            let targetAuthor = identity(ofKey: info.author)
            guard FederationRules.mayUpdate(member.identity, entryBy: targetAuthor, roster: roster) else {
                return Refusal(.notAuthorised, "\(member.name) may not amend or retract \(target.fingerprint): only its author or the authority may")
            }
        }
        return nil
    }

    /// After a roster change: close sessions whose key is no longer a member's, forget memoised
    /// audience answers, and (when a key was retired) withdraw held entries the roster no longer accepts.
    private mutating func rosterDidChange(scanHeld: Bool) -> [NodeDirective] {
        var out: [NodeDirective] = [.rosterChanged]
        readableMemo = [:]
        if let mine = roster.member(ofKey: key) { me = mine.profile }
        for conn in peers.keys.sorted() {
            guard let peer = peers[conn] else { continue }
            if let profile = roster.profile(ofKey: peer.node) {
                peerProfiles[conn] = profile
            } else {
                out.append(.close(conn, reason: CloseReason(roster.sessionRefusal(peer.node) ?? Refusal(.notMember, "no longer a member"))))
            }
        }
        // Only a narrowed key interval (revocation, rotation, a conflicting earlier add) can invalidate
        // held entries; a plain addition cannot. Skipping the scan keeps a catch-up through many roster
        // additions linear.
        guard scanHeld else { return out }
        var withdrawn: [EntryID] = []
        for (id, info) in held {
            if case .valid = roster.standing(of: info.author, at: info.timestamp) { continue }
            withdrawn.append(id)
        }
        if !withdrawn.isEmpty {
            let gone = Set(withdrawn)
            for id in withdrawn { held.removeValue(forKey: id) }
            sortedItems.removeAll { gone.contains($0.id) }
            unsortedItems.removeAll { gone.contains($0.id) }
            out.append(.withdrawn(withdrawn.sorted(), reason: "signed after the author's key was revoked or rotated away"))
        }
        return out
    }

    // MARK: Internals

    private mutating func hold(_ entry: Entry) {
        guard held[entry.id] == nil else { return }
        let audienceClass: UInt32
        if let known = audienceClasses[entry.audience] {
            audienceClass = known
        } else {
            audienceClass = UInt32(audiences.count)
            audiences.append(entry.audience)
            audienceClasses[entry.audience] = audienceClass
        }
        held[entry.id] = HeldEntry(timestamp: entry.timestamp, author: entry.author, audienceClass: audienceClass)
        unsortedItems.append(NegentropyItem(timestamp: entry.timestamp.milliseconds, id: entry.id))
    }

    /// Whether the peer on `conn` may read held entry `id`.
    private mutating func mayRead(_ conn: LinkID, _ id: EntryID) -> Bool {
        guard let info = held[id], let peer = peers[conn], let profile = peerProfiles[conn] else { return false }
        if info.author == peer.node { return true }
        let author = identity(ofKey: info.author)
        if author == profile.node { return true }
        if let memo = readableMemo[conn]?[info.audienceClass] { return memo }
        let answer = audiences[Int(info.audienceClass)].admits(profile, author: author)
        readableMemo[conn, default: [:]][info.audienceClass] = answer
        return answer
    }

    /// Held items the peer may read, ascending.
    private mutating func snapshotItems(for conn: LinkID) -> [NegentropyItem] {
        if !unsortedItems.isEmpty {
            unsortedItems.sort()
            sortedItems = Self.merge(sortedItems, unsortedItems)
            unsortedItems = []
        }
        return sortedItems.filter { mayRead(conn, $0.id) }
    }

    static func merge(_ a: [NegentropyItem], _ b: [NegentropyItem]) -> [NegentropyItem] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        if a.last! < b.first! { return a + b }
        var out: [NegentropyItem] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] < b[j] { out.append(a[i]); i += 1 } else { out.append(b[j]); j += 1 }
        }
        out.append(contentsOf: a[i...])
        out.append(contentsOf: b[j...])
        return out
    }

    private mutating func apply(_ conn: LinkID, _ directives: [SessionDirective], now: UInt64) -> [NodeDirective] {
        if directives.isEmpty { return [] }   // most ticks: nothing due
        var out: [NodeDirective] = []
        var queue = directives[...]
        while let d = queue.popFirst() {
            switch d {
            case .send(let message):
                out.append(.send(conn, message.frame(), LanePolicy.lane(of: message)))
            case .sendEntries(let ids, let cause):
                out += entryFrames(conn, ids, cause: cause)
            case .deliver(let list):
                out.append(.verify(conn, list))
            case .needSnapshot:
                let items = snapshotItems(for: conn)
                guard let isInitiator = sessions[conn]?.isInitiator else { continue }
                let more: [SessionDirective]
                do {
                    let reconciler = try NegentropySetReconciler(items: items, isInitiator: isInitiator)
                    more = sessions[conn]!.reconciliationSnapshotReady(reconciler, now: now)
                } catch {
                    more = sessions[conn]!.connectionLost(reason: CloseReason(.reconciliationFailed, "could not build a reconciliation snapshot: \(error)"))
                }
                queue = queue + more
            case .established(let peerClock):
                clock.observe(peerClock, wallMilliseconds: wallClockAtZero &+ now)
                peers[conn]?.established = true
                if let node = peers[conn]?.node { out.append(.sessionEstablished(conn, node)) }
            case .reconciled(let have, let need, let trips):
                out.append(.reconciled(conn, have: have, need: need, roundTrips: trips))
            case .roundTrip(let ms):
                peers[conn]?.roundTrip = ms
            case .peerRelease(let release):
                peers[conn]?.release = release
            case .close(let reason):
                out.append(.close(conn, reason: reason))
            }
        }
        if let behind = sessions[conn]?.outstandingCount { peers[conn]?.behind = behind }   // read in place, no copy
        return out
    }

    /// ENTRIES frames for the ids the peer may read, each in its lane (`LanePolicy`): a catch-up's
    /// urgent kinds first, then its newest entries first; batched by lane, each frame cut at about
    /// `LanePolicy.entriesFrameBytes` so that a frame already on its way holds a more urgent one back little.
    private mutating func entryFrames(_ conn: LinkID, _ ids: [EntryID], cause: EntrySendCause) -> [NodeDirective] {
        var items: [(bytes: [UInt8], lane: OutboundLane, urgency: EntryUrgency, timestamp: HybridTimestamp)] = []
        items.reserveCapacity(ids.count)
        for id in ids where mayRead(conn, id) {
            guard let info = held[id], let bytes = pushing[id] ?? reader.canonicalBytes(id) else { continue }
            // Bytes this node stored after checking them; a head it cannot read is sent as routine.
            let kind = (try? Entry.kind(ofCanonicalBytes: bytes)) ?? .message
            items.append((bytes, LanePolicy.lane(kind: kind, cause: cause), kind.urgency, info.timestamp))
        }
        if cause == .catchUp {
            items.sort { LanePolicy.catchUpOrder($0.urgency, $0.timestamp, before: $1.urgency, $1.timestamp) }
        }
        var out: [NodeDirective] = []
        let budget = min(LanePolicy.entriesFrameBytes, Frame.maxLength - 64)
        for lane in OutboundLane.allCases {
            var batch: [[UInt8]] = []
            var size = 0
            for item in items where item.lane == lane {
                let cost = item.bytes.count + 4
                if !batch.isEmpty && (size + cost > budget || batch.count == SyncMessage.maxBatchEntries) {
                    out.append(.send(conn, SyncMessage.entries(batch).frame(), lane))
                    batch = []
                    size = 0
                }
                batch.append(item.bytes)
                size += cost
            }
            if !batch.isEmpty { out.append(.send(conn, SyncMessage.entries(batch).frame(), lane)) }
        }
        return out
    }
}
