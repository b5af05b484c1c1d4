import VigilModel

/// One way to reach a peer: a host and port to dial.
public struct DialRoute: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Host name or address.
    public let host: String
    /// TCP port.
    public let port: Int

    /// A route.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}

/// Why this node dials a peer.
public enum DialReason: Hashable, Sendable {
    /// This node's configuration dials it (`dials` in the genesis; the authority for a later member):
    /// dialed for as long as it is a member.
    case configured
    /// The peer's configuration dials this node (a hub or an authority is dialed by many): this node
    /// dials it too, but only at start and for `DialSettings.recentWindow` after losing it, so that it
    /// is back in seconds without waiting for the peer's backoff; later it leaves the dialing to the peer.
    case dialsUs
}

/// A peer this node dials: its name in the roster, the key its certificate must carry, and the
/// routes to it in order of preference.
public struct DialTarget: Hashable, Sendable {
    /// The member's name (unique in the roster): the scheduler's key for the peer.
    public let name: String
    /// The signing key the peer must present (nil: any member's).
    public let key: NodeID?
    /// The addresses to try, first first. A target without routes is never dialed.
    public let routes: [DialRoute]
    /// Why it is dialed.
    public let reason: DialReason

    /// A target.
    public init(name: String, key: NodeID? = nil, routes: [DialRoute], reason: DialReason = .configured) {
        self.name = name
        self.key = key
        self.routes = routes
        self.reason = reason
    }
}

/// What the shell must do for the dial scheduler.
public enum DialDirective: Hashable, Sendable {
    /// Open a connection to `target` over `route`. Report `connected` once TLS is up, `sessionUp`
    /// once a session is established on it, and `attemptFailed` if it closes before that.
    case dial(DialTarget, route: DialRoute)
}

/// Where the scheduler is with one peer.
public enum DialPhase: Hashable, Sendable {
    /// No session; the next attempt is due at this time (ms).
    case waiting(until: UInt64)
    /// An attempt over `route` started at `since` and has no session yet.
    case connecting(route: DialRoute, since: UInt64)
    /// In session since `since`: over `route` when this node dialed, nil when the peer did.
    case connected(route: DialRoute?, since: UInt64)
    /// A peer that dials this node, lost longer ago than the recent window: not dialed any more, the
    /// peer's own dialing brings the session back.
    case leftToPeer
}

/// One peer's dial state, for `vigil status` and the logs.
public struct DialStatus: Hashable, Sendable {
    /// The peer's name.
    public let name: String
    /// Why it is dialed.
    public let reason: DialReason
    /// Where the scheduler is with it.
    public let phase: DialPhase
    /// Failed attempts since the last established session.
    public let failedAttempts: Int
    /// Milliseconds until the next attempt (nil unless waiting; 0 when it is due).
    public let nextAttemptIn: UInt64?
    /// The route in use (connecting, or in a session this node dialed) or that the next attempt uses.
    public let route: DialRoute?
}

/// Dial timings and bounds. Milliseconds.
public struct DialSettings: Hashable, Sendable {
    /// The ceiling of the first redial delay (delays double from it, with jitter; `ReconnectBackoff`).
    public var initialDelay: UInt64 = 500
    /// The ceiling the delays grow to while the peer was lost recently (within `recentWindow`): a
    /// link that comes back is found again within about this long.
    public var recentCeiling: UInt64 = 4_000
    /// How long after start, or after losing its session, a peer counts as lost recently.
    public var recentWindow: UInt64 = 15 * 60_000
    /// The ceiling the delays grow to later, and after a refusal (at most `ReconnectBackoff.cap`, 60 s).
    public var maximumDelay: UInt64 = 60_000
    /// At most this many attempts start in any second, over all peers (a hub with many members
    /// spreads its start-up dials); the others wait for a free slot.
    public var maximumDialsPerSecond = 20
    /// First attempts after `start` or a roster change are spread uniformly over this long (0: at once).
    public var startSpread: UInt64 = 0

    /// Defaults: 500 ms doubling to 4 s for 15 minutes, then to 60 s; at most 20 attempts a second.
    public init() {}
}

/// Which peers to dial and when: the node's dialing policy as a pure core.
///
/// No sockets, no timers: time (ms, monotonic) and randomness come in as parameters; `tick(now:)`
/// returns the dials that are due. The node drives it from its network loop; the simulator drives the
/// same core with its seeded random source, so the two cannot drift.
///
/// Whom: the peers this node's configuration dials (`DialReason.configured`) and those whose
/// configuration dials this node (`.dialsUs`): both sides dial, so a node that starts, or whose link
/// comes back, does not wait for the other side's backoff. The node core keeps one session per pair
/// (the one dialed by the lower node id, `NodeCore`), so dialing from both sides costs a connection,
/// not a second session.
///
/// When: at start every peer is due at once. A failed attempt or a lost session waits a jittered
/// exponential delay (`ReconnectBackoff`, equal jitter) from 500 ms, doubling up to 4 s while the peer
/// was lost within the last 15 minutes, later up to 60 s; a refused attempt (the peer refused this
/// node's certificate, or this node refused the peer's) always backs off to 60 s. A peer that dials
/// us is dropped from the schedule once the recent window has passed (its own dialing takes over).
/// At most `maximumDialsPerSecond` attempts start per second in total. An established session resets
/// the delays and makes its route the preferred one; an attempt that fails before it connects moves on
/// to the peer's next route.
public struct DialScheduler: Sendable {
    struct Peer: Sendable {
        var target: DialTarget
        /// The next attempt is due then (when not in session and no attempt is under way).
        var due: UInt64?
        /// The attempt under way: its route, when it started, whether TLS came up.
        var attempt: (route: DialRoute, since: UInt64, connected: Bool)?
        /// Established sessions with the peer (the shell's session ids), with the route this node
        /// dialed (nil: the peer dialed), and when each came up.
        var sessions: [UInt64: (route: DialRoute?, since: UInt64)] = [:]
        /// Failed attempts since the last session.
        var failures = 0
        /// The route the next attempt uses (an index into `target.routes`).
        var route = 0
        /// When the peer was last lost (or the scheduler started): the recent window starts there.
        var lostAt: UInt64
    }

    /// The timings and bounds.
    public let settings: DialSettings
    private var peers: [String: Peer] = [:]
    /// When the attempts of the last second started (for `maximumDialsPerSecond`).
    private var recentStarts: [UInt64] = []

    /// A scheduler with no peers (`start` gives it its targets).
    public init(settings: DialSettings = DialSettings()) {
        self.settings = settings
    }

    /// The names of the peers it dials, sorted.
    public var peerNames: [String] { peers.keys.sorted() }

    /// The earliest time an attempt may be due (nil: none is waiting). Call `tick` then.
    public var nextWake: UInt64? {
        guard let earliest = peers.values.compactMap({ $0.sessions.isEmpty && $0.attempt == nil ? $0.due : nil }).min() else { return nil }
        if recentStarts.count >= settings.maximumDialsPerSecond, let oldest = recentStarts.first { return max(earliest, oldest + 1_000) }
        return earliest
    }

    /// The peers to dial, at start: each is due at `now` (spread over `startSpread`).
    public mutating func start(_ targets: [DialTarget], now: UInt64, using random: inout some RandomNumberGenerator) {
        peers = [:]
        recentStarts = []
        rosterChanged(targets, now: now, using: &random)
    }

    /// The targets changed (the roster added, moved or revoked a member): new peers are due now
    /// (spread), gone peers are forgotten (a connection to one ends by itself), others get their new
    /// routes and reason.
    public mutating func rosterChanged(_ targets: [DialTarget], now: UInt64, using random: inout some RandomNumberGenerator) {
        var next: [String: Peer] = [:]
        for target in targets.sorted(by: { $0.name < $1.name }) where !target.routes.isEmpty && next[target.name] == nil {
            if var peer = peers[target.name] {
                if peer.target.routes != target.routes { peer.route = 0 }
                if peer.target.reason == .dialsUs, target.reason == .configured, peer.due == nil, peer.sessions.isEmpty, peer.attempt == nil {
                    peer.due = now   // left to the peer until now; this node dials it from now on
                }
                peer.target = target
                next[target.name] = peer
            } else {
                let spread = settings.startSpread == 0 ? 0 : UInt64.random(in: 0...settings.startSpread, using: &random)
                next[target.name] = Peer(target: target, due: now + spread, lostAt: now)
            }
        }
        peers = next
    }

    /// The dials due at `now`, earliest first (then by name), at most as many as the per-second bound
    /// allows; each of those peers then has an attempt under way.
    public mutating func tick(now: UInt64) -> [DialDirective] {
        recentStarts.removeAll { $0 + 1_000 <= now }
        let due = peers.values.filter { peer in
            guard peer.sessions.isEmpty, peer.attempt == nil, let at = peer.due else { return false }
            return at <= now
        }.sorted { ($0.due!, $0.target.name) < ($1.due!, $1.target.name) }
        var out: [DialDirective] = []
        for var peer in due.prefix(max(0, settings.maximumDialsPerSecond - recentStarts.count)) {
            let route = peer.target.routes[peer.route % peer.target.routes.count]
            peer.attempt = (route, now, false)
            peer.due = nil
            peers[peer.target.name] = peer
            recentStarts.append(now)
            out.append(.dial(peer.target, route: route))
        }
        return out
    }

    /// The attempt to `name` got through TCP and TLS (its session is not established yet).
    public mutating func connected(_ name: String, now: UInt64) {
        peers[name]?.attempt?.connected = true
    }

    /// A session with `name` is established (`session`: the shell's id for it), over `route` when this
    /// node dialed it, nil when the peer did: the delays start over, and a dialed route is preferred.
    public mutating func sessionUp(_ name: String, session: UInt64, route: DialRoute?, now: UInt64) {
        guard var peer = peers[name] else { return }
        peer.sessions[session] = (route, now)
        peer.failures = 0
        peer.due = nil
        if let route {
            peer.attempt = nil
            if let index = peer.target.routes.firstIndex(of: route) { peer.route = index }
        }
        peers[name] = peer
    }

    /// The attempt under way to `name` ended without a session: the peer was unreachable over its
    /// route (the next attempt uses the next route, unless TLS had come up), refused (`refused`: the
    /// long backoff), or the connection was a duplicate of a session that exists. Returns the delay
    /// before the next attempt (ms), or nil when none is scheduled (in session, left to the peer, or a
    /// stale report).
    @discardableResult
    public mutating func attemptFailed(_ name: String, now: UInt64, refused: Bool = false, using random: inout some RandomNumberGenerator) -> UInt64? {
        guard var peer = peers[name], let attempt = peer.attempt else { return nil }
        peer.attempt = nil
        if !attempt.connected { peer.route = (peer.route + 1) % peer.target.routes.count }
        peers[name] = peer
        guard peer.sessions.isEmpty else { return nil }
        return scheduleNext(name, now: now, refused: refused, using: &random)
    }

    /// The session `session` with `name` ended. When it was the last one and no attempt is under way,
    /// the next attempt waits the first delay (the peer was lost just now). Returns that delay (ms), or
    /// nil when none is scheduled.
    @discardableResult
    public mutating func sessionDown(_ name: String, session: UInt64, now: UInt64, refused: Bool = false,
                                     using random: inout some RandomNumberGenerator) -> UInt64? {
        guard var peer = peers[name], peer.sessions.removeValue(forKey: session) != nil else { return nil }
        if peer.sessions.isEmpty { peer.lostAt = now }
        peers[name] = peer
        guard peer.sessions.isEmpty, peer.attempt == nil else { return nil }
        return scheduleNext(name, now: now, refused: refused, using: &random)
    }

    /// Draws the delay before the next attempt to `name` and counts a failure.
    private mutating func scheduleNext(_ name: String, now: UInt64, refused: Bool, using random: inout some RandomNumberGenerator) -> UInt64? {
        guard var peer = peers[name] else { return nil }
        let recent = now - min(now, peer.lostAt) < settings.recentWindow
        if !recent && peer.target.reason == .dialsUs {
            peer.due = nil
            peers[name] = peer
            return nil
        }
        let ceiling = refused || !recent ? settings.maximumDelay : min(settings.recentCeiling, settings.maximumDelay)
        var backoff = ReconnectBackoff(initial: .milliseconds(settings.initialDelay), maximum: .milliseconds(ceiling), attempt: peer.failures)
        let delay = UInt64(ReconnectBackoff.milliseconds(backoff.nextDelay(using: &random)))
        peer.failures += 1
        peer.due = now + delay
        peers[name] = peer
        return delay
    }

    /// Whether `name` is in session now.
    public func inSession(_ name: String) -> Bool { !(peers[name]?.sessions.isEmpty ?? true) }

    /// Every peer's state at `now`, in name order.
    public func status(now: UInt64) -> [DialStatus] {
        peers.keys.sorted().map { name in
            let peer = peers[name]!
            let phase: DialPhase
            if let first = peer.sessions.min(by: { ($0.value.since, $0.key) < ($1.value.since, $1.key) }) {
                phase = .connected(route: first.value.route, since: first.value.since)
            } else if let attempt = peer.attempt {
                phase = .connecting(route: attempt.route, since: attempt.since)
            } else if let due = peer.due {
                phase = .waiting(until: due)
            } else {
                phase = .leftToPeer
            }
            var next: UInt64?
            var route: DialRoute? = peer.target.routes[peer.route % peer.target.routes.count]
            switch phase {
            case .waiting(let until): next = until > now ? until - now : 0
            case .connecting(let r, _): route = r
            case .connected(let r, _): route = r
            case .leftToPeer: route = nil
            }
            return DialStatus(name: name, reason: peer.target.reason, phase: phase, failedAttempts: peer.failures, nextAttemptIn: next, route: route)
        }
    }
}
