import Foundation
import VigilAPI
import VigilModel
import VigilSync

/// What the node reports about itself: `vigil status` and the metrics (computed on the loop thread).
extension Node {
    /// The node's status.
    public func status() async -> NodeStatus {
        await onLoop { node in node.makeStatus() }
    }

    /// Metrics for the textfile.
    public func metrics() async -> MetricsSnapshot {
        await onLoop { node in
            var s = MetricsSnapshot(node: node.member.name)
            s.entries = node.core.heldCount
            s.entriesByKind = Dictionary(uniqueKeysWithValues: node.kindCounts.map { ($0.key.name, $0.value) })
            s.configuredPeers = node.member.dials
            let t = node.now()
            s.peers = node.core.peerStatus.values.map { p in
                MetricsSnapshot.Peer(name: node.core.roster.member(ofKey: p.node)?.name ?? p.node.fingerprint, entriesBehind: p.behind,
                                     roundTripMs: p.roundTrip, lastSeenSeconds: Double(t - p.lastSeen) / 1000)
            }
            s.uptimeSeconds = Double(t) / 1000
            node.counters.fill(&s)
            return s
        }
    }

    func makeStatus() -> NodeStatus {
        let t = now()
        let peers = core.peerStatus.sorted { ($0.value.since, $0.key) < ($1.value.since, $1.key) }.map { link, p in
            NodeStatus.Peer(name: core.roster.member(ofKey: p.node)?.name ?? p.node.fingerprint, nodeId: p.node.hex, outbound: p.outbound,
                            established: p.established, connectedSeconds: Double(t - p.since) / 1000,
                            lastSeenSeconds: Double(t - p.lastSeen) / 1000, roundTripMs: p.roundTrip, entriesBehind: p.behind,
                            release: { if case .announced(let r) = p.release { r } else { nil } }(),
                            route: connectionOf[link].flatMap { dialing[$0]?.route }.map { "\($0)" })
        }
        let connected = Set(peers.map(\.name))
        let refusals = log.counts.filter { $0.key.hasSuffix("-refused") }
        let redials = dialer.status(now: t).filter { !connected.contains($0.name) }.map { d in
            NodeStatus.Redial(name: d.name, failedAttempts: d.failedAttempts, nextTrySeconds: d.nextAttemptIn.map { Double($0) / 1000 },
                              route: d.route.map { "\($0)" }, dialsThisNode: d.reason == .dialsUs, leftToPeer: d.phase == .leftToPeer)
        }
        let ended = endedSessions.sorted { ($0.value.atMs, $0.key) > ($1.value.atMs, $1.key) }.map { peer, session in
            NodeStatus.EndedSession(name: core.roster.member(ofKey: peer)?.name ?? peer.fingerprint, nodeId: peer.hex,
                                    endedSeconds: Double(t - session.atMs) / 1000, reason: session.reason)
        }
        return NodeStatus(name: member.name, nodeId: member.nodeId, organisation: member.organisation, role: member.role,
                          release: core.release, entries: core.heldCount, peers: peers,
                          disconnected: member.dials.filter { !connected.contains($0) }.sorted(), refusals: refusals, redials: redials,
                          ended: ended)
    }
}
