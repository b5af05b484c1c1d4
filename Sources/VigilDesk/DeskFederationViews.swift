import VigilAPI

extension DeskViews {
    /// The federation page from the node's `status` and `roster` answers: every active member but this
    /// node as a peer — connected ones with the session's figures (direction, route, lag, last seen, round
    /// trip), the others with when their session ended and when this node dials again — then the roster.
    /// Only an authority node's desk may change the roster.
    public static func federation(status: NodeStatus, roster: [RosterMemberView]) -> DeskFederation {
        let node = DeskNodeIdentity(name: status.name, organisation: status.organisation, role: status.role)
        let me = roster.first { $0.identity.hex == status.nodeId || $0.name == status.name }
        var peers: [DeskPeer] = []
        for member in roster where member.status == .active && member.name != status.name {
            // Both nodes may have dialed at once: the established session counts.
            let sessions = status.peers.filter { $0.name == member.name }
            if let session = sessions.first(where: \.established) {
                peers.append(DeskPeer(name: member.name, organisation: member.organisation, connected: true,
                                      direction: session.outbound ? .outbound : .inbound, route: session.route,
                                      entriesBehind: session.entriesBehind, lastSeenSeconds: session.lastSeenSeconds,
                                      roundTripMs: session.roundTripMs, connectedSeconds: session.connectedSeconds))
            } else {
                let ended = status.ended?.first { $0.name == member.name }
                let redial = status.redials?.first { $0.name == member.name }
                peers.append(DeskPeer(name: member.name, organisation: member.organisation, connected: false,
                                      lastSeenSeconds: ended?.endedSeconds, endedReason: ended?.reason, nextTrySeconds: redial?.nextTrySeconds))
            }
        }
        peers.sort { ($0.connected ? 0 : 1, $0.name) < ($1.connected ? 0 : 1, $1.name) }
        let members = roster.map { m in
            DeskMember(name: m.name, organisation: m.organisation, role: m.role, id: m.identity.hex, key: m.key.hex, rotated: m.key != m.identity,
                       active: m.status == .active, revoked: m.revoked, reason: m.reason, authority: m.authority, addresses: m.addresses)
        }
        return DeskFederation(node: node, mayChangeRoster: me?.authority ?? (status.role == "authority"), peers: peers, members: members)
    }
}
