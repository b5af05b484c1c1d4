import VigilModel

/// One side of a set reconciliation round, over the entries both peers may read.
/// Negentropy V1 implements it; tests may use simpler ones.
public protocol SetReconciler: Sendable {
    /// Initiator: the first message.
    mutating func initiate() throws -> [UInt8]
    /// Initiator: handles the responder's answer. `next` is nil when reconciliation is complete.
    /// `have`: ids this side holds and the peer lacks; `need`: ids the peer holds and this side lacks.
    mutating func handleResponse(_ message: [UInt8]) throws -> (next: [UInt8]?, have: [EntryID], need: [EntryID])
    /// Responder: answers one initiator message.
    mutating func respond(_ message: [UInt8]) throws -> [UInt8]
}

/// What the shell must do for a session. Each case is carried out in order.
public enum SessionDirective: Hashable, Sendable {
    /// Send this message to the peer.
    case send(SyncMessage)
    /// Read these entries from the store and send them to the peer in ENTRIES batches — only those the
    /// peer may read (the shell checks the audience again before anything leaves the node). The cause
    /// decides their lane and order (`LanePolicy`).
    case sendEntries([EntryID], EntrySendCause)
    /// The peer sent these canonical entries: validate, store, and admit them.
    case deliver([[UInt8]])
    /// Build a reconciliation snapshot of the entries this node holds that the peer may read, and call
    /// `reconciliationSnapshotReady(_:now:)`.
    case needSnapshot
    /// The peer's HELLO arrived: the session is established (for a client, this is the proof that the
    /// server accepted its certificate). Carries the peer's clock for the HLC merge.
    case established(peerClock: HybridTimestamp)
    /// A reconciliation round finished: how many ids were missing on each side, and in how many round trips.
    case reconciled(have: Int, need: Int, roundTrips: Int)
    /// A round-trip time measurement, in milliseconds.
    case roundTrip(milliseconds: UInt64)
    /// Close the connection with this reason (a GOODBYE was already queued when the peer should hear it).
    case close(reason: CloseReason)
    /// What the peer said about its Vigil release: after its HELLO when it does not announce one, or
    /// when its RELEASE frame arrives.
    case peerRelease(PeerRelease)
}

/// The Vigil release a peer runs, as far as it says.
public enum PeerRelease: Hashable, Sendable {
    /// Its HELLO did not offer to announce a release: a release before 0.3.0.
    case unannounced
    /// It announced this release.
    case announced(String)
}

/// Timing settings of a session (milliseconds).
public struct SessionSettings: Hashable, Sendable {
    /// How long the peer has to send HELLO after the TLS handshake.
    public var helloTimeout: UInt64 = 10_000
    /// Close when nothing arrives for this long (pings keep a healthy session busy).
    public var idleTimeout: UInt64 = 90_000
    /// Send a ping this often.
    public var pingInterval: UInt64 = 20_000
    /// Re-run reconciliation this often (initiator side), so nothing depends on a push arriving.
    public var antiEntropyInterval: UInt64 = 30_000
    /// Close the session when an open reconciliation round gets no answer for this long (the dialer
    /// reconnects and starts over).
    public var roundTimeout: UInt64 = 30_000
    /// Most ids asked for and not yet received at once.
    public var maxOutstandingWants: Int = 16_384
    /// Ids per WANT message.
    public var wantBatch: Int = 4_096

    /// Defaults.
    public init() {}
}

/// The per-peer sync protocol as a pure state machine: HELLO → reconciliation → WANT/ENTRIES → live push,
/// with anti-entropy rounds, pings and timeouts. Every input takes the current time (monotonic
/// milliseconds) and returns directives; nothing here does I/O, reads a clock or draws randomness.
public struct PeerSession: Sendable {
    /// Lifecycle.
    public enum Phase: Hashable, Sendable {
        /// TLS is up; waiting for the peer's HELLO.
        case awaitingHello
        /// HELLO exchanged; syncing and live.
        case established
        /// Closed; every further input is ignored.
        case closed
    }

    /// Whether this side dialed (and so initiates reconciliation rounds).
    public let isInitiator: Bool
    /// Settings.
    public let settings: SessionSettings
    /// Current phase.
    public private(set) var phase: Phase = .awaitingHello

    private var helloDeadline: UInt64
    private var lastReceived: UInt64
    private var nextPing: UInt64
    private var nextAntiEntropy: UInt64 = 0
    private var pingNonce: UInt64 = 0
    private var pingSentAt: [UInt64: UInt64] = [:]

    private var initiator: (any SetReconciler)?
    private var roundDeadline: UInt64 = 0
    private var roundTrips = 0
    private var roundHave = 0
    private var roundNeed = 0
    private var awaitingSnapshot = false
    private var responder: (any SetReconciler)?
    private var bufferedQueries: [[UInt8]] = []

    /// This node's release, announced to peers that ask for it; nil announces nothing (as before 0.3.0).
    private var release: String?
    /// Whether the peer's HELLO asked for our release, and so may send its own once.
    private var peerAnnouncesRelease = false

    private var toRequest: [EntryID] = []
    private var toRequestHead = 0   // toRequest[..<toRequestHead] were sent already (no O(n) removeFirst)
    private var requested: Set<EntryID> = []
    private var outstanding: Set<EntryID> = []
    /// Whether the peer answered any outstanding request since the current round began.
    private var answeredSinceRound = false

    /// A session whose TLS handshake completed at `now`. Returns the session and its first directives
    /// (our HELLO). With a `release`, the HELLO sets `Hello.Feature.announcesRelease` and the release
    /// is sent to a peer whose HELLO sets it too.
    public static func start(isInitiator: Bool, clock: HybridTimestamp, now: UInt64,
                             settings: SessionSettings = SessionSettings(), release: String? = nil) -> (PeerSession, [SessionDirective]) {
        var session = PeerSession(isInitiator: isInitiator, settings: settings, now: now)
        session.release = release.flatMap { ReleaseName.validated(Array($0.utf8)) }
        let features = session.release == nil ? 0 : Hello.Feature.announcesRelease
        return (session, [.send(.hello(Hello(features: features, clock: clock)))])
    }

    private init(isInitiator: Bool, settings: SessionSettings, now: UInt64) {
        self.isInitiator = isInitiator
        self.settings = settings
        helloDeadline = now + settings.helloTimeout
        lastReceived = now
        nextPing = now + settings.pingInterval
    }

    /// Ids asked for and not yet received.
    public var outstandingCount: Int { outstanding.count + toRequest.count - toRequestHead }

    /// The earliest time `tick` has something to do.
    public var nextDeadline: UInt64? {
        switch phase {
        case .closed: return nil
        case .awaitingHello: return helloDeadline
        case .established:
            var d = min(nextPing, lastReceived + settings.idleTimeout)
            if isInitiator && initiator == nil && !awaitingSnapshot { d = min(d, nextAntiEntropy) }
            if initiator != nil { d = min(d, roundDeadline) }
            return d
        }
    }

    /// A message arrived from the peer.
    public mutating func receive(_ message: SyncMessage, now: UInt64) -> [SessionDirective] {
        guard phase != .closed else { return [] }
        lastReceived = now
        if phase == .awaitingHello {
            guard case .hello(let hello) = message else {
                return close(.protocolViolation, "protocol: the first message must be HELLO, got \(message.name)", tell: true)
            }
            guard hello.protocolVersion == Hello.currentVersion else {
                return close(.protocolViolation, "protocol: peer speaks sync protocol version \(hello.protocolVersion), this node speaks \(Hello.currentVersion); upgrade the older node", tell: true)
            }
            phase = .established
            var out: [SessionDirective] = [.established(peerClock: hello.clock)]
            peerAnnouncesRelease = hello.features & Hello.Feature.announcesRelease != 0
            if !peerAnnouncesRelease {
                out.append(.peerRelease(.unannounced))
            } else if let release {
                out.append(.send(.release(release)))
            }
            if isInitiator {
                awaitingSnapshot = true
                out.append(.needSnapshot)
            }
            return out
        }
        switch message {
        case .hello:
            return close(.protocolViolation, "protocol: a second HELLO", tell: true)
        case .reconcileBegin(let bytes):
            guard !isInitiator else { return close(.protocolViolation, "protocol: only the dialing side begins reconciliation rounds", tell: true) }
            responder = nil
            bufferedQueries = [bytes]
            if awaitingSnapshot { return [] }
            awaitingSnapshot = true
            return [.needSnapshot]
        case .reconcile(let bytes):
            return handleReconcile(bytes, now: now)
        case .want(let ids):
            return ids.isEmpty ? [] : [.sendEntries(ids, .catchUp)]
        case .entries(let list):
            return handleEntries(list)
        case .ping(let nonce):
            return [.send(.pong(nonce))]
        case .pong(let nonce):
            guard let sent = pingSentAt.removeValue(forKey: nonce) else { return [] }
            return [.roundTrip(milliseconds: now >= sent ? now - sent : 0)]
        case .goodbye(_, let reason):
            phase = .closed
            return [.close(reason: CloseReason(.peerClosed, "peer closed the session: \(reason)"))]
        case .release(let name):
            // Only once, and only from a peer that offered it and was asked (our HELLO set the bit).
            guard peerAnnouncesRelease, release != nil else {
                return close(.protocolViolation, "protocol: a RELEASE frame without both HELLOs setting the release feature", tell: true)
            }
            peerAnnouncesRelease = false
            return [.peerRelease(.announced(name))]
        }
    }

    /// The snapshot asked for by `.needSnapshot` is ready.
    public mutating func reconciliationSnapshotReady(_ reconciler: any SetReconciler, now: UInt64) -> [SessionDirective] {
        guard phase == .established, awaitingSnapshot else { return [] }
        awaitingSnapshot = false
        if isInitiator {
            var r = reconciler
            do {
                let first = try r.initiate()
                initiator = r
                roundDeadline = now + settings.roundTimeout
                // A new round finds every id still missing. While the peer is still answering earlier
                // requests (a long catch-up on a slow link), they stand: asking again would send the
                // same entries twice and swell its backlog. When nothing was answered since the last
                // round began, earlier requests are forgotten, so ids whose answers were lost are
                // asked for again (late answers are still accepted).
                if !answeredSinceRound {
                    toRequest = []
                    toRequestHead = 0
                    requested = []
                    outstanding = []
                }
                answeredSinceRound = false
                roundTrips = 1
                roundHave = 0
                roundNeed = 0
                return [.send(.reconcileBegin(first))]
            } catch {
                return close(.reconciliationFailed, "reconciliation could not start: \(error)", tell: true)
            }
        }
        responder = reconciler
        var out: [SessionDirective] = []
        let queries = bufferedQueries
        bufferedQueries = []
        for q in queries { out += handleReconcile(q, now: now) }
        return out
    }

    /// New local entries (already filtered to those the peer may read): push them now.
    public mutating func announce(_ ids: [EntryID]) -> [SessionDirective] {
        guard phase == .established, !ids.isEmpty else { return [] }
        return [.sendEntries(ids, .push)]
    }

    /// Time passed: timeouts, pings, anti-entropy.
    public mutating func tick(now: UInt64) -> [SessionDirective] {
        switch phase {
        case .closed:
            return []
        case .awaitingHello:
            return now >= helloDeadline ? close(.handshakeTimeout, "no HELLO within \(settings.helloTimeout) ms of the TLS handshake", tell: true) : []
        case .established:
            if now >= lastReceived + settings.idleTimeout {
                return close(.idleTimeout, "idle: nothing received for \(settings.idleTimeout) ms", tell: true)
            }
            var out: [SessionDirective] = []
            if now >= nextPing {
                pingNonce += 1
                pingSentAt[pingNonce] = now
                if pingSentAt.count > 8 { pingSentAt.removeValue(forKey: pingSentAt.keys.min()!) }
                out.append(.send(.ping(pingNonce)))
                nextPing = now + settings.pingInterval
            }
            if initiator != nil && now >= roundDeadline {
                return close(.roundTimeout, "reconciliation round got no answer for \(settings.roundTimeout) ms", tell: true)
            }
            if isInitiator && initiator == nil && !awaitingSnapshot && now >= nextAntiEntropy {
                awaitingSnapshot = true
                out.append(.needSnapshot)
            }
            return out
        }
    }

    /// The shell could not carry out the session (write failed, connection lost).
    public mutating func connectionLost(reason: CloseReason) -> [SessionDirective] {
        guard phase != .closed else { return [] }
        phase = .closed
        return [.close(reason: reason)]
    }

    // MARK: Internals

    private mutating func handleReconcile(_ bytes: [UInt8], now: UInt64) -> [SessionDirective] {
        if isInitiator {
            guard var r = initiator else { return close(.protocolViolation, "protocol: a reconciliation answer with no round open", tell: true) }
            do {
                let (next, have, need) = try r.handleResponse(bytes)
                roundHave += have.count
                roundNeed += need.count
                var out: [SessionDirective] = []
                if !have.isEmpty { out.append(.sendEntries(have, .catchUp)) }
                // Negentropy lists a range's ids oldest first: ask for the newest first.
                out += request(need.reversed())
                if let next {
                    initiator = r
                    roundDeadline = now + settings.roundTimeout
                    roundTrips += 1
                    out.append(.send(.reconcile(next)))
                } else {
                    initiator = nil
                    nextAntiEntropy = now + settings.antiEntropyInterval
                    out.append(.reconciled(have: roundHave, need: roundNeed, roundTrips: roundTrips))
                }
                return out
            } catch {
                return close(.malformed, "malformed reconciliation message: \(error)", tell: true)
            }
        }
        guard var r = responder else {
            if awaitingSnapshot {
                // Still waiting for the snapshot of this round: keep the query in order.
                bufferedQueries.append(bytes)
                guard bufferedQueries.count <= 4 else { return close(.protocolViolation, "protocol: reconciliation messages flood in before the first is answered", tell: true) }
                return []
            }
            return close(.protocolViolation, "protocol: a reconciliation message outside a round (expected RECONCILE_BEGIN first)", tell: true)
        }
        do {
            let answer = try r.respond(bytes)
            responder = r
            return [.send(.reconcile(answer))]
        } catch {
            return close(.malformed, "malformed reconciliation message: \(error)", tell: true)
        }
    }

    private mutating func request(_ ids: some Sequence<EntryID>) -> [SessionDirective] {
        for id in ids where !requested.contains(id) {
            requested.insert(id)
            toRequest.append(id)
        }
        return flushWants()
    }

    private mutating func flushWants() -> [SessionDirective] {
        var out: [SessionDirective] = []
        while toRequestHead < toRequest.count && outstanding.count < settings.maxOutstandingWants {
            let room = min(settings.wantBatch, settings.maxOutstandingWants - outstanding.count, toRequest.count - toRequestHead)
            let batch = Array(toRequest[toRequestHead..<toRequestHead + room])
            toRequestHead += room
            outstanding.formUnion(batch)
            out.append(.send(.want(batch)))
        }
        if toRequestHead == toRequest.count {
            toRequest.removeAll(keepingCapacity: true)
            toRequestHead = 0
        }
        return out
    }

    private mutating func handleEntries(_ list: [[UInt8]]) -> [SessionDirective] {
        guard !list.isEmpty else { return [] }
        // Ids are SHA-256 of the bytes; the shell computes them when decoding. Here we only need to
        // release the request window, which the shell reports through `received(ids:)`.
        return [.deliver(list)]
    }

    /// The shell decoded delivered entries with these ids: release their request slots.
    public mutating func received(ids: [EntryID]) -> [SessionDirective] {
        for id in ids {
            if outstanding.remove(id) != nil { answeredSinceRound = true }
            requested.remove(id)
        }
        return flushWants()
    }

    private mutating func close(_ code: CloseReason.Code, _ message: String, tell: Bool) -> [SessionDirective] {
        phase = .closed
        var out: [SessionDirective] = []
        if tell { out.append(.send(.goodbye(code: 1, reason: message))) }
        out.append(.close(reason: CloseReason(code, message)))
        return out
    }
}

extension SyncMessage {
    /// The message's name for logs.
    public var name: String {
        switch self {
        case .hello: "HELLO"
        case .reconcileBegin: "RECONCILE_BEGIN"
        case .reconcile: "RECONCILE"
        case .want: "WANT"
        case .entries: "ENTRIES"
        case .ping: "PING"
        case .pong: "PONG"
        case .goodbye: "GOODBYE"
        case .release: "RELEASE"
        }
    }
}
