import Foundation
import VigilModel
import VigilNet
import VigilSync

/// The directive executor (loop thread): carries out what `NodeCore` returns — send, close, verify on
/// the other cores, persist through the store's group commit, admit (indexes, followers), refusals,
/// roster changes, automatic comm-test receipts — and nothing else.
extension Node {
    /// Received batches of at most this many entries are verified on the loop thread (larger ones on
    /// every core, off the loop).
    static let verifyOnLoopLimit = 2

    /// Verification batches of one link on their way at once (one per core keeps both busy); what
    /// arrives meanwhile waits and goes as one batch, so a catch-up sent in small frames (priority
    /// lanes) is still verified, persisted and admitted in large batches.
    static let verifyBatchesInFlight = 2

    /// Verifies a received batch off the loop, hands the results to the core on the loop, then starts
    /// what waited from that link meanwhile.
    func startVerifying(_ list: [[UInt8]], from link: LinkID) {
        verifying[link, default: 0] += 1
        verifyQueue.async { [verifier] in
            let results = verifier.verify(list)
            self.runOnLoop { node in
                node.handle(node.core.verified(results, from: link, now: node.now()))
                node.verifying[link, default: 1] -= 1
                if let waiting = node.verifyWaiting.removeValue(forKey: link) {
                    node.startVerifying(waiting, from: link)
                } else if node.verifying[link] == 0 {
                    node.verifying[link] = nil
                }
            }
        }
    }

    func handle(_ directives: [NodeDirective]) {
        loop.assertOnLoop()   // the core's directives are carried out on the loop thread only
        for directive in directives { handle(directive) }
    }

    func handle(_ directive: NodeDirective) {
        switch directive {
        case .send(let link, let frame, let lane):
            guard let id = connectionOf[link] else { return }
            send(frame, lane: lane, on: id)
        case .close(let link, let reason):
            guard let id = connectionOf[link] else { return }
            log.event(.info, "session-closing", ["peer": peerName(link), "code": reason.code.rawValue, "reason": reason.message])
            loop.close(id, reason: reason)
        case .verify(let link, let list) where list.count <= Self.verifyOnLoopLimit:
            // An entry or two (a peer's push of a fresh post): verified on the loop thread, after the
            // directives at hand, so it does not wait for a worker's wake-up and a hop back, which cost
            // more than the verification itself.
            runOnLoop { node in node.handle(node.core.verified(node.verifier.verify(list), from: link, now: node.now())) }
        case .verify(let link, let list):
            if verifying[link, default: 0] >= Self.verifyBatchesInFlight {
                verifyWaiting[link, default: []] += list
            } else {
                startVerifying(list, from: link)
            }
        case .persist(let entries, let origin):
            // Gathered until the loop has handled what is at hand, then one append (flushPersists).
            persistBuffer.append((entries, origin))
            if persistBuffer.count == 1 && !loop.execute({ self.flushPersists() }) { flushPersists() }
        case .admitted(let entries, let origin):
            for entry in entries { index(entry) }
            indexWriter.admitted(entries, now: now())
            if case .peer(let link) = origin {
                counters.received(entries.count)
                log.event(.debug, "entries-stored", ["count": "\(entries.count)", "from": peerName(link)])
            } else {
                counters.posted(entries.count)
                for e in entries { log.event(.info, "entry-posted", ["id": e.id.hex, "kind": e.kind.name, "audience": e.audience.tlp.name]) }
            }
            for token in followers.keys.sorted() { followers[token]?(entries) }
        case .refusedEntry(let id, let origin, let refusal):
            var from = "local"
            if case .peer(let link) = origin { from = peerName(link) }
            log.event(.warning, "entry-refused", ["id": id?.hex ?? "?", "from": from, "code": refusal.code.rawValue, "reason": refusal.message])
            counters.entryRefused(refusal)
            if case .local(let token) = origin {
                postWaiters.removeValue(forKey: token)?(.failure(refusal))
            }
        case .sessionEstablished(let link, _):
            let route = connectionOf[link].flatMap { dialing[$0]?.route }
            if let status = core.peerStatus[link], let name = core.roster.member(ofKey: status.node)?.name {
                dialer.sessionUp(name, session: link, route: route, now: now())
                peerSessionOpened(status.node, name: name)
            }
            log.event(.info, "session-established", ["peer": peerName(link), "route": route.map { "\($0)" } ?? "dialed by the peer"])
        case .sessionClosed(let link, let node, let reason):
            log.event(.info, "session-closed", ["peer": node.flatMap { core.roster.member(ofKey: $0)?.name } ?? "link \(link)", "code": reason.code.rawValue, "reason": reason.message])
        case .rosterChanged:
            var random = SystemRandomNumberGenerator()
            dialer.rosterChanged(dialTargets(), now: now(), using: &random)
            dialDue()
            log.event(.info, "roster-changed", ["members": "\(core.roster.activeMembers.count)", "changes": "\(core.roster.changeCount)"])
        case .withdrawn(let ids, let reason):
            withdrawn.withLock { $0.formUnion(ids) }
            log.event(.warning, "entries-withdrawn", ["count": "\(ids.count)", "reason": reason])
        case .acknowledge(let test):
            acknowledge(test)
        case .reconciled(let link, let have, let need, let trips):
            counters.reconciled(peer: peerName(link), unixSeconds: Double(Node.wallMilliseconds()) / 1000)
            log.event(have + need > 0 ? .info : .debug, "reconciled", ["peer": peerName(link), "sent": "\(have)", "wanted": "\(need)", "round_trips": "\(trips)"])
        case .postAcknowledged(let token, let id):
            postWaiters.removeValue(forKey: token)?(.success(id))
        }
    }

    /// Hands the appends gathered during this pass of the loop to the store's group-commit writer as
    /// one append: posts read in one wake-up, or entries from several frames, share one write, one
    /// fdatasync, one wake-up of the writer and one hop back. Queued (`NetworkLoop.execute`) by the
    /// first `.persist` of a pass, so it runs after the events and commands at hand and before the loop
    /// sleeps again: a lone post waits for nothing. The writer calls back once the batch is fsynced;
    /// the core then hears of each `.persist` on its own, in order, as if appended one by one.
    func flushPersists() {
        loop.assertOnLoop()
        let groups = persistBuffer
        persistBuffer = []
        guard !groups.isEmpty else { return }
        persistGroup.enter()
        store.append(groups.count == 1 ? groups[0].entries : groups.flatMap(\.entries)) { [persistGroup] result in
            switch result {
            case .success:
                self.runOnLoop { node in
                    for group in groups { node.handle(node.core.persisted(group.entries, origin: group.origin, now: node.now())) }
                }
            case .failure(let error):
                self.runOnLoop { node in
                    for (entries, origin) in groups {
                        node.core.persistFailed(entries)
                        node.log.event(.error, "store-append-failed", ["entries": "\(entries.count)", "reason": "\(error)"])
                        node.counters.appendFailed()
                        if case .local(let token) = origin { node.postWaiters.removeValue(forKey: token)?(.failure(error)) }
                    }
                }
            }
            persistGroup.leave()
        }
    }

    func index(_ entry: Entry) {
        kindCounts[entry.kind, default: 0] += 1
        if let position = store.position(of: entry.id) { kindPositions.add(entry.kind, at: position) }
        for target in entry.refs { referrerIndex[target, default: []].append(entry.id) }
        indexCAPReferences(entry)
    }

    /// Posts this node's automatic receipt of a communication test (loop thread).
    func acknowledge(_ test: Entry) {
        let draft = CommTestReceipt(acknowledging: test, roster: core.roster)
            .draft(author: key, timestamp: core.nextTimestamp(wallMilliseconds: Node.wallMilliseconds()))
        do {
            let entry = try draft.signed(by: identity)
            nextToken += 1
            let token = nextToken
            postWaiters[token] = { [log] result in
                if case .failure(let error) = result {
                    log.event(.error, "auto-ack-failed", ["test": test.id.hex, "reason": "\(error)"])
                }
            }
            log.event(.info, "commtest-received", ["test": test.id.hex, "ack": entry.id.hex])
            handle(core.post(entry, token: token))
        } catch {
            log.event(.error, "auto-ack-failed", ["test": test.id.hex, "reason": "\(error)"])
        }
    }

    /// The audience of an acknowledgement of `target`: the target's, plus its author (who must see the answer).
    func acknowledgementAudience(_ target: Entry) -> Audience {
        CommTestReceipt.audience(acknowledging: target, roster: core.roster)
    }
}
