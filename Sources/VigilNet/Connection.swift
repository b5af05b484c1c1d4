import VigilCrypto

/// The loop thread's record of one connection: its socket, where it is in its life, its timer, and
/// the `Channel` that does TLS and framing. Owned by the loop thread.
final class Connection {
    /// Where the connection is.
    enum Phase: Equatable {
        /// Dialled; the host name is being resolved off the loop.
        case resolving
        /// Dialled; the TCP connection is being made.
        case connecting
        /// TCP connected; TLS handshake (and then admission) in progress.
        case handshaking
        /// Admitted: frames flow.
        case established
        /// Reported closed; still flushing its close_notify or alert, until the linger deadline.
        case closing
    }

    let id: ConnectionID
    let inbound: Bool
    /// The peer as given to `dial` (`host:port`) or as accepted (`address:port`), for reasons.
    var remote: String
    let expectedPeer: PublicKey?
    let channel: Channel
    var fd: Int32 = -1
    var phase: Phase
    /// The epoll events currently asked for.
    var interest: UInt32 = 0

    /// Dial addresses still to try, in order, and why the last one failed.
    var addresses: [SocketAddress] = []
    var nextAddress = 0
    var lastConnectError: String?

    /// When bytes last arrived (monotonic nanoseconds).
    var lastReceived: UInt64 = 0
    /// Bumped whenever a new timer entry is pushed (connect, handshake, idle or linger deadline), so
    /// older entries are recognised as stale. An established connection's idle deadline is checked
    /// against `lastReceived` when its entry comes due, and pushed again if bytes arrived meanwhile.
    var timerGeneration: UInt64 = 0

    /// Whether the owner was told: `connectionEstablished` delivered.
    var announced = false
    /// Whether `connectionClosed` / `connectionRefused` was delivered (exactly once).
    var reported = false

    init(id: ConnectionID, inbound: Bool, remote: String, expectedPeer: PublicKey?, channel: Channel, phase: Phase) {
        self.id = id
        self.inbound = inbound
        self.remote = remote
        self.expectedPeer = expectedPeer
        self.channel = channel
        self.phase = phase
    }
}
