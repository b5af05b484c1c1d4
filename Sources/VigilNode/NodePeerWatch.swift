import VigilAPI
import VigilModel
import VigilSync

/// Peer sessions opening and closing, for those who watch them (the desk's event streams) and for
/// `status` (when a peer's session ended and why). Loop thread, like the sessions themselves.
extension Node {
    /// Calls `body` with every peer session that opens or closes, on the loop thread, until the
    /// returned token is passed to `unwatchPeers`.
    func addPeerWatcher(_ body: @escaping @Sendable (PeerSessionChange) -> Void) -> UInt64 {
        loop.assertOnLoop()
        nextToken += 1
        peerWatchers[nextToken] = body
        return nextToken
    }

    /// Stops a peer watcher (any thread).
    public func unwatchPeers(_ token: UInt64) {
        runOnLoop { $0.peerWatchers.removeValue(forKey: token) }
    }

    /// A session with `peer` was established (HELLO exchanged).
    func peerSessionOpened(_ peer: NodeID, name: String) {
        loop.assertOnLoop()
        endedSessions.removeValue(forKey: peer)
        tellPeerWatchers(PeerSessionChange(name: name, nodeId: peer.hex, state: .connected))
    }

    /// An established session with `peer`, over `link`, ended.
    func peerSessionEnded(_ peer: NodeID, name: String, link: LinkID, reason: String) {
        loop.assertOnLoop()
        // Another session with the same peer may still be open (both dialed at once): then it is not gone.
        if core.peerStatus.contains(where: { $0.key != link && $0.value.node == peer && $0.value.established }) { return }
        endedSessions[peer] = (now(), reason)
        tellPeerWatchers(PeerSessionChange(name: name, nodeId: peer.hex, state: .disconnected, reason: reason))
    }

    private func tellPeerWatchers(_ change: PeerSessionChange) {
        for token in peerWatchers.keys.sorted() { peerWatchers[token]?(change) }
    }
}
