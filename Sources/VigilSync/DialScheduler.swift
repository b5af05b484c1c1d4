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

/// A peer this node dials: its name in the roster, the key its certificate must carry, and the
/// routes to it in order of preference.
public struct DialTarget: Hashable, Sendable {
    /// The member's name (unique in the roster): the scheduler's key for the peer.
    public let name: String
    /// The signing key the peer must present (nil: any member's).
    public let key: NodeID?
    /// The addresses to try, first first. A target without routes is never dialed.
    public let routes: [DialRoute]

    /// A target.
    public init(name: String, key: NodeID? = nil, routes: [DialRoute]) {
        self.name = name
        self.key = key
        self.routes = routes
    }
}

/// What the shell must do for the dial scheduler.
public enum DialDirective: Hashable, Sendable {
    /// Open a connection to `target` over `route`. Report `connected`, `sessionEstablished` and
    /// `closed` (also when the attempt fails) for it by the target's name.
    case dial(DialTarget, route: DialRoute)
}

/// Where the scheduler is with one peer.
public enum DialPhase: Hashable, Sendable {
    /// Not connected; the next attempt is due at this time (ms).
    case waiting(until: UInt64)
    /// An attempt over `route` started at `since` and has not connected yet.
    case connecting(route: DialRoute, since: UInt64)
    /// Connected over `route` since `since`.
    case connected(route: DialRoute, since: UInt64)
}

/// One peer's dial state, for `vigil status` and the logs.
public struct DialStatus: Hashable, Sendable {
    /// The peer's name.
    public let name: String
    /// Where the scheduler is with it.
    public let phase: DialPhase
    /// Closed or failed attempts since the last established session (each one doubled the delay).
    public let failedAttempts: Int
    /// Milliseconds until the next attempt (nil unless waiting; 0 when it is due).
    public let nextAttemptIn: UInt64?
}

/// Dial timings. Milliseconds.
public struct DialSettings: Hashable, Sendable {
    /// The ceiling of the first redial delay (delays double from it, with jitter; `ReconnectBackoff`).
    public var initialDelay: UInt64 = 500
    /// The ceiling the delays grow to (at most `ReconnectBackoff.cap`, 60 s).
    public var maximumDelay: UInt64 = 60_000
    /// First attempts after `start` or a roster change are spread uniformly over this long (0: at once).
    public var startSpread: UInt64 = 0

    /// Defaults: 500 ms doubling to 60 s, first attempts at once.
    public init() {}
}

/// Which peers to dial and when: the node's dialing policy as a pure core.
///
/// No sockets, no timers: time (ms, monotonic) and randomness come in as parameters; `tick(now:)`
/// returns the dials that are due. The node drives it from its network loop; the simulator drives the
/// same core with its seeded random source, so the two cannot drift.
///
/// Per peer: waiting until a time, connecting over a route, or connected. A failed attempt or a closed
/// connection waits a jittered exponential delay (`ReconnectBackoff`: 500 ms doubling to 60 s) before
/// the next attempt; an established session resets the delay and makes its route the preferred one.
/// An attempt that fails before it connects moves on to the peer's next route.
public struct DialScheduler: Sendable {
    struct Peer: Sendable {
        var target: DialTarget
        var phase: DialPhase
        var backoff: ReconnectBackoff
        /// The route the next attempt uses (an index into `target.routes`).
        var route = 0
    }

    /// The timings.
    public let settings: DialSettings
    private var peers: [String: Peer] = [:]

    /// A scheduler with no peers (`start` gives it its targets).
    public init(settings: DialSettings = DialSettings()) {
        self.settings = settings
    }

    /// The names of the peers it dials, sorted.
    public var peerNames: [String] { peers.keys.sorted() }

    /// The earliest time an attempt is due (nil: none is waiting). Call `tick` then.
    public var nextWake: UInt64? {
        peers.values.compactMap { if case .waiting(let t) = $0.phase { t } else { nil } }.min()
    }

    /// The peers to dial, at start: each is due at `now` (spread over `startSpread`).
    public mutating func start(_ targets: [DialTarget], now: UInt64, using random: inout some RandomNumberGenerator) {
        peers = [:]
        rosterChanged(targets, now: now, using: &random)
    }

    /// The targets changed (the roster added, moved or revoked a member): new peers are due now
    /// (spread), gone peers are forgotten (a connection to one ends by itself), others get their new routes.
    public mutating func rosterChanged(_ targets: [DialTarget], now: UInt64, using random: inout some RandomNumberGenerator) {
        var next: [String: Peer] = [:]
        for target in targets.sorted(by: { $0.name < $1.name }) where !target.routes.isEmpty && next[target.name] == nil {
            if var peer = peers[target.name] {
                if peer.target.routes != target.routes { peer.route = 0 }
                peer.target = target
                next[target.name] = peer
            } else {
                let spread = settings.startSpread == 0 ? 0 : UInt64.random(in: 0...settings.startSpread, using: &random)
                next[target.name] = Peer(target: target, phase: .waiting(until: now + spread),
                                         backoff: ReconnectBackoff(initial: .milliseconds(settings.initialDelay),
                                                                   maximum: .milliseconds(settings.maximumDelay)))
            }
        }
        peers = next
    }

    /// The dials due at `now`, in name order; each of those peers is then connecting.
    public mutating func tick(now: UInt64) -> [DialDirective] {
        var out: [DialDirective] = []
        for name in peers.keys.sorted() {
            guard var peer = peers[name], case .waiting(let until) = peer.phase, until <= now else { continue }
            let route = peer.target.routes[peer.route % peer.target.routes.count]
            peer.phase = .connecting(route: route, since: now)
            peers[name] = peer
            out.append(.dial(peer.target, route: route))
        }
        return out
    }

    /// The connection to `name` is up (TLS done; the session is not established yet).
    public mutating func connected(_ name: String, now: UInt64) {
        guard var peer = peers[name], case .connecting(let route, _) = peer.phase else { return }
        peer.phase = .connected(route: route, since: now)
        peers[name] = peer
    }

    /// A session with `name` is established: the delays start over, and its route is preferred.
    public mutating func sessionEstablished(_ name: String) {
        guard var peer = peers[name] else { return }
        peer.backoff.reset()
        if case .connected(let route, _) = peer.phase, let index = peer.target.routes.firstIndex(of: route) { peer.route = index }
        peers[name] = peer
    }

    /// The connection to `name` closed, or the attempt failed: the next attempt waits a backoff delay
    /// (and, when the attempt never connected, uses the next route). Returns that delay (ms), or nil
    /// when no attempt was in progress (a stale report).
    @discardableResult
    public mutating func closed(_ name: String, now: UInt64, using random: inout some RandomNumberGenerator) -> UInt64? {
        guard var peer = peers[name] else { return nil }
        switch peer.phase {
        case .waiting: return nil
        case .connecting: peer.route = (peer.route + 1) % peer.target.routes.count
        case .connected: break
        }
        let delay = UInt64(ReconnectBackoff.milliseconds(peer.backoff.nextDelay(using: &random)))
        peer.phase = .waiting(until: now + delay)
        peers[name] = peer
        return delay
    }

    /// Every peer's state at `now`, in name order.
    public func status(now: UInt64) -> [DialStatus] {
        peers.keys.sorted().map { name in
            let peer = peers[name]!
            var next: UInt64?
            if case .waiting(let until) = peer.phase { next = until > now ? until - now : 0 }
            return DialStatus(name: name, phase: peer.phase, failedAttempts: peer.backoff.attempt, nextAttemptIn: next)
        }
    }
}
