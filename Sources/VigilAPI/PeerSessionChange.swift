/// A session with a peer opened or closed: what a node tells those watching its connections (the
/// desk's federation page, over the desk's event stream as `event: peer`). The watcher asks `status`
/// for the figures (lag, round trip); this says only who changed and how.
public struct PeerSessionChange: Codable, Sendable, Equatable {
    /// Whether the session opened or closed.
    public enum State: String, Codable, Sendable {
        /// HELLO was exchanged: the peer is connected.
        case connected
        /// The session ended (the peer stopped, the link failed, or a refusal closed it).
        case disconnected
    }

    /// The peer's name in the roster.
    public let name: String
    /// Its node id (64 hex).
    public let nodeId: String
    /// Opened or closed.
    public let state: State
    /// Why it closed (the close reason's sentence); nil when it opened.
    public let reason: String?

    /// A change.
    public init(name: String, nodeId: String, state: State, reason: String? = nil) {
        self.name = name
        self.nodeId = nodeId
        self.state = state
        self.reason = reason
    }
}
