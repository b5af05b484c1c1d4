import Foundation
import VigilCrypto
import VigilModel
import VigilNet
import VigilSync

/// The node as its network loop's delegate (loop thread): sessions in and out, frames to the core,
/// dialing through the shared `DialScheduler`, and frames out through each peer's `OutboundQueue`.
extension Node {
    public func admit(peerKey: PublicKey, peerName: String?, inbound: Bool, remote: String) -> PeerAdmission {
        let node = NodeID(peerKey)
        if let refusal = core.roster.sessionRefusal(node) {
            let reason = CloseReason(refusal, message: "\(refusal) (certificate name \(peerName ?? "none")); not a member of \(genesis.federation) now")
            log.event(.warning, "connection-refused", ["remote": remote, "code": reason.code.rawValue, "reason": reason.message])
            counters.connectionRefused(reason)
            return .refuse(reason: reason)
        }
        return .allow
    }

    public func connectionEstablished(_ id: ConnectionID, peerKey: PublicKey, peerName: String?, inbound: Bool) {
        let link = nextLink
        nextLink += 1
        linkOf[id] = link
        connectionOf[link] = id
        if let attempt = dialing[id] { dialer.connected(attempt.name, now: now()) }
        handle(core.connectionOpened(link, peer: NodeID(peerKey), outbound: !inbound, now: now()))
    }

    public func framesReceived(_ id: ConnectionID, _ frames: [Frame]) {
        guard let link = linkOf[id] else { return }
        handle(core.framesReceived(link, frames, now: now()))
    }

    public func writable(_ id: ConnectionID) {
        guard var queue = outbound.removeValue(forKey: id) else { return }
        queue.drain { transmit($0, on: id) }
        if !queue.isEmpty { outbound[id] = queue }
    }

    public func connectionClosed(_ id: ConnectionID, reason: CloseReason) {
        outbound[id] = nil
        var random = SystemRandomNumberGenerator()
        var delay: UInt64?
        var peer = dialing[id]?.name
        if let link = linkOf.removeValue(forKey: id) {
            connectionOf.removeValue(forKey: link)
            if let status = core.peerStatus[link], status.established, let name = core.roster.member(ofKey: status.node)?.name {
                peer = name
                delay = dialer.sessionDown(name, session: link, now: now(), refused: Self.isRefusal(reason), using: &random)
                peerSessionEnded(status.node, name: name, link: link, reason: reason.message)
            }
            handle(core.connectionClosed(link, reason: reason))
        }
        if let attempt = dialing.removeValue(forKey: id), delay == nil {
            delay = dialer.attemptFailed(attempt.name, now: now(), refused: Self.isRefusal(reason), using: &random)
        }
        if let peer, let delay {
            log.event(.info, "redial-scheduled", ["peer": peer, "after_ms": "\(delay)", "code": reason.code.rawValue, "reason": reason.message])
        }
    }

    /// Whether a closed connection says the peer and this node refuse each other (certificates,
    /// membership): such a peer is retried on the long backoff, not every few seconds.
    static func isRefusal(_ reason: CloseReason) -> Bool {
        switch reason.code {
        case .certificateRefused, .refusedByPeer, .wrongPeer, .notTLS, .notMember, .revoked, .connectedToItself: true
        default: false
        }
    }

    public func connectionRefused(remote: String, reason: CloseReason) {
        log.event(.warning, "connection-refused", ["remote": remote, "code": reason.code.rawValue, "reason": reason.message])
        counters.connectionRefused(reason)
    }

    public func timerFired(_ token: UInt64) {
        if token == Self.tickToken {
            handle(core.tick(now: now()))
            indexWriter.tick(now: now())
            dialDue()
            reportProgress()
            loop.schedule(after: .milliseconds(250), token: Self.tickToken)
            return
        }
        if let job = jobs.withLock({ $0.removeValue(forKey: token) }) { job(self) }
    }

    /// The peers this node dials: the active members its configuration dials, and those whose
    /// configuration dials this node (`DialReason.dialsUs`: dialed at start and soon after a loss, so
    /// that this node is back in seconds whichever side dials), each with every address the roster
    /// gives it, in order.
    func dialTargets() -> [DialTarget] {
        var targets: [DialTarget] = []
        for rosterPeer in core.roster.activeMembers where rosterPeer.identity != core.me.node {
            let reason: DialReason
            if member.dials.contains(rosterPeer.name) {
                reason = .configured
            } else if let peer = try? Self.describe(rosterPeer, genesis: genesis, options: NodeOptions(directory: "")), peer.dials.contains(member.name) {
                reason = .dialsUs
            } else {
                continue
            }
            let routes = rosterPeer.addresses.compactMap(Self.split).map { DialRoute(host: $0.host, port: $0.port) }
            targets.append(DialTarget(name: rosterPeer.name, key: rosterPeer.key, routes: routes, reason: reason))
        }
        return targets
    }

    /// Dials the peers whose next attempt is due (the 250 ms tick calls it; so do start and roster changes).
    func dialDue() {
        for case .dial(let target, let route) in dialer.tick(now: now()) {
            let id = loop.dial(host: route.host, port: UInt16(clamping: route.port), expectedPeer: target.key.flatMap { try? $0.publicKey() })
            dialing[id] = (target.name, route)
        }
    }

    func send(_ frame: Frame, lane: OutboundLane, on id: ConnectionID) {
        var queue = outbound.removeValue(forKey: id) ?? OutboundQueue()
        let outcome = queue.send(frame, lane: lane) { transmit($0, on: id) }
        if !queue.isEmpty { outbound[id] = queue }
        if case .overLimit = outcome {
            loop.close(id, reason: CloseReason(.slowPeer, "peer too slow: more than \(queue.limit >> 20) MiB waiting to be sent"))
        }
    }

    /// Offers a frame to the network: false when its send queue is full (the frame then waits in `outbound`).
    func transmit(_ frame: Frame, on id: ConnectionID) -> Bool {
        switch loop.send(frame, on: id) {
        case .queued, .closed: return true
        case .frameTooLarge:
            log.event(.error, "frame-too-large", ["bytes": "\(frame.payload.count)"])
            return true
        case .queueFull: return false
        }
    }

    func peerName(_ link: LinkID) -> String {
        guard let node = core.peerStatus[link]?.node else { return "link \(link)" }
        return core.roster.member(ofKey: node)?.name ?? node.fingerprint
    }
}
