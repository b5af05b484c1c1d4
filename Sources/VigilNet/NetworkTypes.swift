import VigilSync

/// A connection of one `NetworkLoop`, dialled or accepted. Never reused while the loop lives (a loop
/// numbers connections, listeners and timers from one counter). The node maps these to the sync
/// core's `LinkID`s; `rawValue` is the same number.
public struct ConnectionID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The number.
    public let rawValue: UInt64

    /// The id with this number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: ConnectionID, rhs: ConnectionID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "connection #\(rawValue)" }
}

/// A listening socket of one `NetworkLoop`, from `listen(host:port:)`.
public struct Listener: Hashable, Sendable, CustomStringConvertible {
    /// The number (unique within its loop).
    public let id: UInt64
    /// The address it is bound to, e.g. `127.0.0.1:7000` or `[::1]:7000`.
    public let address: String
    /// The port it is bound to: the one the kernel chose when asked for port 0.
    public let port: UInt16

    public var description: String { "listener on \(address)" }
}

/// A timer of one `NetworkLoop`, from `schedule(after:token:)`; pass it to `cancel(_:)`.
public struct TimerID: Hashable, Sendable {
    /// The number (unique within its loop).
    public let rawValue: UInt64
}

/// What `NetworkLoop.send(_:on:)` did with a frame.
public enum SendResult: Equatable, Sendable {
    /// Queued; it goes out in order after the frames queued before it.
    case queued
    /// Back-pressure: the connection's send queue is at its limit because the peer reads slower than
    /// we write. The frame was NOT queued. Stop producing for this peer until the delegate's
    /// `writable(_:)` for this connection, then send again.
    case queueFull
    /// The connection is closed or unknown (its `connectionClosed` was or is about to be delivered).
    case closed
    /// The frame is longer than the configured maximum frame length; the peer would refuse it.
    case frameTooLarge
}

/// The delegate's answer when a peer has completed the TLS handshake.
public enum PeerAdmission: Equatable, Sendable {
    /// Admit the peer: `connectionEstablished` follows.
    case allow
    /// Refuse it (unknown node, revoked node, …): the connection is closed with this reason, which
    /// is logged through `connectionRefused` (accepted connections) or `connectionClosed` (dialled),
    /// with its code kept and the peer named before its message.
    case refuse(reason: CloseReason)
}
