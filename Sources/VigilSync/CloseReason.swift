import VigilModel

/// Why a connection or a peer session ended (or never got through): a stable code and a sentence.
/// Created where the failure is detected — the network loop, the TLS channel, the peer session, the
/// node core — and carried unchanged to the log (`code=` and `reason=`), the metrics' categories and
/// the simulator's checks. Nothing downstream inspects the sentence.
public struct CloseReason: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// A stable category. Its raw value is logged as `code=`.
    public enum Code: String, Sendable, Codable, CaseIterable, Comparable {
        // Transport: the network loop and the TLS channel.
        /// The dial did not connect: the name did not resolve, every address refused, or the connect
        /// timeout passed.
        case connectFailed = "connect-failed"
        /// This node could not set the connection up: a TLS session, a socket watch, a descriptor.
        case localFailure = "local-failure"
        /// The TCP stream failed or ended without a TLS close_notify.
        case transportError = "transport-error"
        /// The TLS handshake did not complete in time, or HELLO did not follow it in time.
        case handshakeTimeout = "handshake-timeout"
        /// Nothing was received from the peer for the idle timeout.
        case idleTimeout = "idle-timeout"
        /// This node refused the peer's certificate: not the federation CA's, expired, none presented,
        /// not an Ed25519 node key.
        case certificateRefused = "certificate-refused"
        /// The peer refused this node's certificate (a TLS alert said so).
        case refusedByPeer = "refused-by-peer"
        /// The peer presented another node's certificate than the one dialled.
        case wrongPeer = "wrong-peer"
        /// The peer does not speak TLS 1.3.
        case notTLS = "not-tls"
        /// Another TLS failure (a bad record, an encryption error).
        case tlsFailure = "tls-failure"
        /// The peer announced a frame over the length limit.
        case frameTooLarge = "frame-too-large"
        /// The peer sent bytes that are not a valid frame or message.
        case malformed
        /// The peer closed the session: TLS close_notify or a GOODBYE.
        case peerClosed = "peer-closed"
        /// This node stopped: the network loop was shut down.
        case shutdown
        /// The peer could not keep up: too much waiting to be sent to it.
        case slowPeer = "slow-peer"

        // Session: the peer session and the node core.
        /// The peer broke the sync protocol (order of messages, version, flooding).
        case protocolViolation = "protocol"
        /// A reconciliation round got no answer in time.
        case roundTimeout = "round-timeout"
        /// Reconciliation could not be set up on this side.
        case reconciliationFailed = "reconciliation-failed"
        /// The peer's key is not a federation member's.
        case notMember = "not-member"
        /// The peer's key was revoked or rotated away.
        case revoked
        /// The peer is this node.
        case connectedToItself = "connected-to-itself"
        /// Another connection with the same peer is kept instead (both sides dialed; `NodeCore`).
        case duplicateSession = "duplicate-session"

        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    /// The category.
    public let code: Code
    /// What happened and, where there is something to do, what to do — for people.
    public let message: String

    /// A reason of `code` with a sentence.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A session refused because of the roster's verdict on the peer's key (`Roster.sessionRefusal`):
    /// not a member, or a key revoked or rotated away. `message` defaults to the refusal's.
    public init(_ refusal: Refusal, message: String? = nil) {
        let code: Code = switch refusal.code {
        case .revoked: .revoked
        case .notMember, .malformed, .badSignature, .badAuthorKey, .wrongAuthor, .role, .notAuthorised,
             .invalidBody, .roster, .audience, .notOwnEntry: .notMember
        }
        self.init(code, message ?? refusal.message)
    }

    /// The same code with `prefix` before the sentence (e.g. who was refused).
    public func prefixed(_ prefix: String) -> CloseReason {
        CloseReason(code, prefix + message)
    }

    public var description: String { message }
}
