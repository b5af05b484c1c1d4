import VigilCrypto
import VigilSync

/// What the node layer hears from a `NetworkLoop`.
///
/// **Every method is called on the loop's own thread**, one at a time, in the order things happened.
/// That thread serves every connection of the loop, so a method must return quickly and never block
/// (no locks held for long, no disk syncs, no waiting on other threads — hand slow work elsewhere).
/// In exchange, state touched only from these methods needs no lock. Calling back into the loop
/// (`send`, `close`, `schedule`, `dial`, …) from here is allowed and does not deadlock: the calls
/// are queued and carried out as soon as the current method returns. Do not call
/// `NetworkLoop.shutdown()` from here: it waits for this very thread to end.
///
/// Lifecycle of a connection id:
/// - dialled (`dial` returned the id): zero or one `connectionEstablished`, then exactly one
///   `connectionClosed`, with the reason — also when the connection never got through (refused,
///   timed out, TLS failure, `expectedPeer` mismatch, refused by `admit`).
/// - accepted: the id first appears in `connectionEstablished` and then gets exactly one
///   `connectionClosed`. An inbound connection that fails before that (bad or missing certificate,
///   garbage, handshake timeout, refused by `admit`) never gets an id: it is reported once through
///   `connectionRefused`, so every refused connection can be logged with its reason.
public protocol NetworkLoopDelegate: AnyObject, Sendable {
    /// A peer completed the TLS handshake with a certificate from the federation CA for `peerKey`.
    /// Decide whether it may connect (roster member, not revoked). For a dialled connection whose
    /// `expectedPeer` did not match, this is not asked: the connection is already closed.
    func admit(peerKey: PublicKey, peerName: String?, inbound: Bool, remote: String) -> PeerAdmission

    /// The peer is authenticated and admitted: frames may flow. `peerName` is the certificate's
    /// common name (for logs only; the key is the identity).
    ///
    /// For a dialled connection, TLS 1.3 lets the client finish its handshake before the server has
    /// checked the client's certificate: a server that refuses us shows up as a `connectionClosed`
    /// right after. Confirm with the sync protocol's HELLO before trusting the session.
    func connectionEstablished(_ id: ConnectionID, peerKey: PublicKey, peerName: String?, inbound: Bool)

    /// Whole frames received on `id`, in order.
    func framesReceived(_ id: ConnectionID, _ frames: [Frame])

    /// The send queue of `id` drained below the low-water mark after a `send` reported `.queueFull`.
    func writable(_ id: ConnectionID)

    /// `id` is closed, for `reason`. Delivered once per id; after it, `send` on `id` returns `.closed`.
    func connectionClosed(_ id: ConnectionID, reason: CloseReason)

    /// An inbound connection from `remote` was refused before it got an id (see the lifecycle above).
    /// Log it: this is how an operator learns that a node's certificate expired or was not issued by
    /// the federation CA.
    func connectionRefused(remote: String, reason: CloseReason)

    /// A timer set with `NetworkLoop.schedule(after:token:)` is due.
    func timerFired(_ token: UInt64)
}

extension NetworkLoopDelegate {
    /// Default: nothing to do (an owner that never sees `.queueFull` needs no wake-up).
    public func writable(_ id: ConnectionID) {}
    /// Default: nothing to do (an owner that schedules no timers).
    public func timerFired(_ token: UInt64) {}
}
