import Testing
import VigilModel
@testable import VigilSync

/// A trivially correct reconciler for session tests: the initiator sends its whole id list, the responder
/// answers with its own, the initiator computes the difference. (Negentropy is tested on its own.)
struct ListReconciler: SetReconciler {
    let ids: Set<EntryID>
    func encode(_ set: Set<EntryID>) -> [UInt8] { [0x61] + set.sorted().flatMap(\.bytes) }
    func decode(_ bytes: [UInt8]) throws -> Set<EntryID> {
        guard bytes.first == 0x61, (bytes.count - 1) % 32 == 0 else { throw DecodingError(field: "list", offset: 0, reason: "bad list") }
        return Set(stride(from: 1, to: bytes.count, by: 32).map { Bytes32(bytes[$0..<$0 + 32])! })
    }
    mutating func initiate() throws -> [UInt8] { encode(ids) }
    mutating func handleResponse(_ message: [UInt8]) throws -> (next: [UInt8]?, have: [EntryID], need: [EntryID]) {
        let theirs = try decode(message)
        return (nil, ids.subtracting(theirs).sorted(), theirs.subtracting(ids).sorted())
    }
    mutating func respond(_ message: [UInt8]) throws -> [UInt8] {
        _ = try decode(message)
        return encode(ids)
    }
}

/// One node's side of a test: a session, the entries it holds, what it saw.
struct TestPeer {
    var session: PeerSession
    var store: [EntryID: [UInt8]]
    var established = false
    var closedReason: CloseReason?
    var reconciled: [(have: Int, need: Int)] = []
    var roundTrips: [UInt64] = []
    var peerRelease: PeerRelease?

    init(initiator: Bool, ids: [EntryID], now: UInt64, settings: SessionSettings, release: String? = nil, outbox: inout [SyncMessage]) {
        let (session, first) = PeerSession.start(isInitiator: initiator, clock: HybridTimestamp(milliseconds: now, counter: 0), now: now,
                                                 settings: settings, release: release)
        self.session = session
        store = Dictionary(uniqueKeysWithValues: ids.map { ($0, $0.bytes) })
        run(first, now: now, outbox: &outbox)
    }

    /// Carries out directives like a shell would. Entry "bytes" here are the id's own 32 bytes.
    mutating func run(_ directives: [SessionDirective], now: UInt64, outbox: inout [SyncMessage]) {
        var queue = directives
        while !queue.isEmpty {
            let d = queue.removeFirst()
            switch d {
            case .send(let m): outbox.append(m)
            case .sendEntries(let ids, _):
                let found = ids.compactMap { store[$0] }
                if !found.isEmpty { outbox.append(.entries(found)) }
            case .deliver(let list):
                let ids = list.map { Bytes32($0)! }
                for (id, bytes) in zip(ids, list) { store[id] = bytes }
                queue += session.received(ids: ids)
            case .needSnapshot:
                queue += session.reconciliationSnapshotReady(ListReconciler(ids: Set(store.keys)), now: now)
            case .established: established = true
            case .reconciled(let have, let need, _): reconciled.append((have, need))
            case .roundTrip(let ms): roundTrips.append(ms)
            case .close(let reason): closedReason = reason
            case .peerRelease(let release): peerRelease = release
            }
        }
    }
}

/// Two peers and the wire between them (through real frame bytes).
struct Wire {
    var a: TestPeer
    var b: TestPeer
    var toB: [SyncMessage] = []
    var toA: [SyncMessage] = []

    /// `aRelease`/`bRelease`: what each side announces (nil plays a release before 0.3.0).
    init(aIDs: [EntryID], bIDs: [EntryID], now: UInt64 = 0, settings: SessionSettings = SessionSettings(),
         aRelease: String? = nil, bRelease: String? = nil) {
        var outA: [SyncMessage] = [], outB: [SyncMessage] = []
        a = TestPeer(initiator: true, ids: aIDs, now: now, settings: settings, release: aRelease, outbox: &outA)
        b = TestPeer(initiator: false, ids: bIDs, now: now, settings: settings, release: bRelease, outbox: &outB)
        toB = outA
        toA = outB
    }

    static func through(_ m: SyncMessage) -> SyncMessage {
        var decoder = FrameDecoder()
        let frames = try! decoder.feed(m.frame().encoded)
        return try! SyncMessage(frame: frames[0])
    }

    mutating func pump(now: UInt64, maxSteps: Int = 1000, dropToA: (SyncMessage) -> Bool = { _ in false },
                       watchToB: (SyncMessage) -> Void = { _ in }) {
        for _ in 0..<maxSteps {
            if toB.isEmpty && toA.isEmpty { return }
            if !toB.isEmpty {
                let m = Self.through(toB.removeFirst())
                watchToB(m)
                var out: [SyncMessage] = []
                b.run(b.session.receive(m, now: now), now: now, outbox: &out)
                toA += out
            }
            toA.removeAll(where: dropToA)
            if !toA.isEmpty {
                let m = Self.through(toA.removeFirst())
                var out: [SyncMessage] = []
                a.run(a.session.receive(m, now: now), now: now, outbox: &out)
                toB += out
            }
        }
    }

    mutating func tick(now: UInt64) {
        var outA: [SyncMessage] = [], outB: [SyncMessage] = []
        a.run(a.session.tick(now: now), now: now, outbox: &outA)
        b.run(b.session.tick(now: now), now: now, outbox: &outB)
        toB += outA
        toA += outB
    }
}

func ids(_ range: Range<Int>) -> [EntryID] {
    range.map { i in
        var raw = [UInt8](repeating: 0, count: 32)
        raw[0] = UInt8(i >> 8); raw[1] = UInt8(i & 0xff); raw[31] = 0xee
        return Bytes32(raw)!
    }
}

@Suite("Peer session state machine")
struct PeerSessionTests {
    @Test("HELLO, reconciliation, WANT/ENTRIES: both sides end with the union")
    func syncsToUnion() {
        var wire = Wire(aIDs: ids(0..<10), bIDs: ids(5..<15))
        wire.pump(now: 1)
        #expect(wire.a.established && wire.b.established)
        #expect(Set(wire.a.store.keys) == Set(ids(0..<15)))
        #expect(Set(wire.b.store.keys) == Set(ids(0..<15)))
        #expect(wire.a.reconciled.count == 1)
        #expect(wire.a.reconciled[0] == (have: 5, need: 5))
        #expect(wire.a.session.outstandingCount == 0)
    }

    @Test("WANTs are windowed: many missing ids are requested in bounded batches")
    func windowedWants() {
        var settings = SessionSettings()
        settings.maxOutstandingWants = 100
        settings.wantBatch = 30
        var wire = Wire(aIDs: [], bIDs: ids(0..<1000), settings: settings)
        var maxInFlight = 0
        for _ in 0..<2000 {
            if wire.toA.isEmpty && wire.toB.isEmpty { break }
            wire.pump(now: 1, maxSteps: 1)
            maxInFlight = max(maxInFlight, wire.toB.reduce(0) { n, m in if case .want(let b) = m { return n + b.count }; return n })
            for case .want(let batch) in wire.toB { #expect(batch.count <= 30) }
        }
        #expect(wire.a.store.count == 1000)
        #expect(wire.a.session.outstandingCount == 0)
        #expect(maxInFlight <= 100)
    }

    @Test("anti-entropy re-runs and picks up what a lost push missed")
    func antiEntropy() {
        var settings = SessionSettings()
        settings.antiEntropyInterval = 1_000
        var wire = Wire(aIDs: ids(0..<3), bIDs: ids(0..<3), settings: settings)
        wire.pump(now: 10)
        // B gets a new entry; its push is "lost" (never announced).
        wire.b.store[ids(50..<51)[0]] = ids(50..<51)[0].bytes
        wire.tick(now: 500)
        wire.pump(now: 500)
        #expect(wire.a.store.count == 3)
        wire.tick(now: 1_020)
        wire.pump(now: 1_020)
        #expect(wire.a.store.count == 4)
        #expect(wire.a.reconciled.count == 2)
    }

    @Test("live push: announced ids are sent at once")
    func push() {
        var wire = Wire(aIDs: [], bIDs: [])
        wire.pump(now: 1)
        let new = ids(7..<9)
        for id in new { wire.a.store[id] = id.bytes }
        var out: [SyncMessage] = []
        wire.a.run(wire.a.session.announce(new), now: 2, outbox: &out)
        wire.toB += out
        wire.pump(now: 2)
        #expect(Set(wire.b.store.keys) == Set(new))
    }

    @Test("ping and pong measure the round trip")
    func ping() {
        var settings = SessionSettings()
        settings.pingInterval = 100
        var wire = Wire(aIDs: [], bIDs: [], settings: settings)
        wire.pump(now: 0)
        wire.tick(now: 100)
        var outB: [SyncMessage] = []
        // Deliver A's ping to B at 130, B's pong to A at 170.
        wire.toB.removeAll(where: { if case .ping = $0 { return false }; return true })
        #expect(wire.toB.count == 1)
        for m in wire.toB { wire.b.run(wire.b.session.receive(m, now: 130), now: 130, outbox: &outB) }
        wire.toB = []
        for m in outB { wire.a.run(wire.a.session.receive(m, now: 170), now: 170, outbox: &wire.toB) }
        #expect(wire.a.roundTrips.contains(70))
    }

    @Test("no HELLO in time closes the session with the reason")
    func helloTimeout() {
        var settings = SessionSettings()
        settings.helloTimeout = 500
        var out: [SyncMessage] = []
        var peer = TestPeer(initiator: false, ids: [], now: 0, settings: settings, outbox: &out)
        peer.run(peer.session.tick(now: 499), now: 499, outbox: &out)
        #expect(peer.closedReason == nil)
        peer.run(peer.session.tick(now: 500), now: 500, outbox: &out)
        #expect(peer.closedReason?.message.contains("no HELLO within 500 ms") == true)
        #expect(peer.closedReason?.code == .handshakeTimeout)
        #expect(peer.session.phase == .closed)
        #expect(peer.session.tick(now: 10_000).isEmpty)
    }

    @Test("idle peers are closed; traffic keeps a session alive")
    func idle() {
        var settings = SessionSettings()
        settings.idleTimeout = 1_000
        settings.pingInterval = 10_000
        var wire = Wire(aIDs: [], bIDs: [], settings: settings)
        wire.pump(now: 0)
        wire.tick(now: 999)
        #expect(wire.a.closedReason == nil)
        wire.tick(now: 1_000)
        #expect(wire.a.closedReason?.message.contains("idle") == true)
        #expect(wire.a.closedReason?.code == .idleTimeout)
    }

    @Test("protocol violations close with a GOODBYE that says why", arguments: [
        (SyncMessage.want([]), "first message must be HELLO"),
        (SyncMessage.hello(Hello(protocolVersion: 9, clock: HybridTimestamp(milliseconds: 0, counter: 0))), "version 9"),
    ])
    func violations(message: SyncMessage, reason: String) {
        var out: [SyncMessage] = []
        var peer = TestPeer(initiator: false, ids: [], now: 0, settings: SessionSettings(), outbox: &out)
        out = []
        peer.run(peer.session.receive(message, now: 1), now: 1, outbox: &out)
        #expect(peer.closedReason?.message.contains(reason) == true, "\(String(describing: peer.closedReason))")
        #expect(peer.closedReason?.code == .protocolViolation)
        guard case .goodbye(_, let said)? = out.last else { Issue.record("no goodbye"); return }
        #expect(said.contains(reason))
    }

    @Test("a reconciliation message outside a round, or a malformed one, closes the session")
    func badReconcile() {
        // B has received A's HELLO but no RECONCILE_BEGIN yet.
        var out: [SyncMessage] = []
        var b = TestPeer(initiator: false, ids: [], now: 0, settings: SessionSettings(), outbox: &out)
        b.run(b.session.receive(.hello(Hello(clock: HybridTimestamp(milliseconds: 0, counter: 0))), now: 1), now: 1, outbox: &out)
        b.run(b.session.receive(.reconcile([0x61]), now: 1), now: 1, outbox: &out)
        #expect(b.closedReason?.message.contains("outside a round") == true)
        #expect(b.closedReason?.code == .protocolViolation)
        var wire2 = Wire(aIDs: [], bIDs: [])
        wire2.pump(now: 0)
        out = []
        wire2.b.run(wire2.b.session.receive(.reconcileBegin([0x99, 1, 2]), now: 1), now: 1, outbox: &out)
        #expect(wire2.b.closedReason?.message.contains("malformed reconciliation") == true)
        #expect(wire2.b.closedReason?.code == .malformed)
    }

    @Test("GOODBYE from the peer closes without answering")
    func goodbye() {
        var wire = Wire(aIDs: [], bIDs: [])
        wire.pump(now: 0)
        var out: [SyncMessage] = []
        wire.a.run(wire.a.session.receive(.goodbye(code: 2, reason: "shutting down"), now: 1), now: 1, outbox: &out)
        #expect(out.isEmpty)
        #expect(wire.a.closedReason == CloseReason(.peerClosed, "peer closed the session: shutting down"))
    }
}

@Suite("Peer session under loss")
struct PeerSessionLossTests {
    @Test("a round whose answer is lost times out and closes the session")
    func roundTimeout() {
        var settings = SessionSettings()
        settings.roundTimeout = 2_000
        settings.idleTimeout = 100_000
        var wire = Wire(aIDs: ids(0..<5), bIDs: ids(3..<9), settings: settings)
        // Deliver the HELLOs only.
        wire.pump(now: 0, maxSteps: 1)
        wire.toB.removeAll()   // A's RECONCILE_BEGIN is lost
        wire.tick(now: 1_999)
        #expect(wire.a.closedReason == nil)
        wire.tick(now: 2_000)
        #expect(wire.a.closedReason?.message.contains("no answer") == true)
        #expect(wire.a.closedReason?.code == .roundTimeout)
    }

    @Test("ids whose ENTRIES were lost are asked for again in the next round")
    func lostEntries() {
        var settings = SessionSettings()
        settings.antiEntropyInterval = 1_000
        var wire = Wire(aIDs: [], bIDs: ids(0..<20), settings: settings)
        // Run, but drop every ENTRIES frame B sends in the first round.
        wire.pump(now: 1, dropToA: { if case .entries = $0 { return true }; return false })
        #expect(wire.a.store.isEmpty)
        #expect(wire.a.session.outstandingCount == 20)
        wire.tick(now: 1_001)
        wire.pump(now: 1_001)
        #expect(wire.a.store.count == 20)
        #expect(wire.a.session.outstandingCount == 0)
    }
}

extension PeerSessionTests {
    @Test("a round during a catch-up that is still being answered does not ask again for what is outstanding")
    func slowCatchUpIsNotAskedTwice() {
        var settings = SessionSettings()
        settings.antiEntropyInterval = 1_000
        var wire = Wire(aIDs: [], bIDs: ids(0..<20), settings: settings)
        // The first round: B's answers are still on their way (a slow link): one has arrived so far.
        wire.pump(now: 1, dropToA: { if case .entries = $0 { return true }; return false })
        let first = ids(0..<20)[0]
        wire.a.store[first] = first.bytes
        _ = wire.a.session.received(ids: [first])
        let stillOutstanding = wire.a.session.outstandingCount
        #expect(stillOutstanding == 19)
        // The next round finds the same ids missing; they were requested and are being answered: no new WANT for them.
        var wants: [EntryID] = []
        wire.tick(now: 1_001)
        wire.pump(now: 1_001, dropToA: { if case .entries = $0 { return true }; return false },
                  watchToB: { if case .want(let ids) = $0 { wants += ids } })
        #expect(wants.isEmpty, "asked again for \(wants.count) ids still outstanding")
        #expect(wire.a.session.outstandingCount == stillOutstanding)
        // A round in which nothing was answered forgets them, and asks again (answers lost).
        wire.tick(now: 2_002)
        wire.pump(now: 2_002, watchToB: { if case .want(let ids) = $0 { wants += ids } })
        #expect(wants.count == 19 && wire.a.store.count == 20 && wire.a.session.outstandingCount == 0)
    }
}

/// Entry bytes for NodeCore tests: none.
struct NoEntries: EntryReader {
    func canonicalBytes(_ id: EntryID) -> [UInt8]? { nil }
}

@Suite("NodeCore clock")
struct NodeCoreClockTests {
    @Test("a peer's HELLO clock is merged against the wall clock, so later local timestamps follow it")
    func mergesPeerClock() throws {
        let me = MemberProfile(node: Bytes32([UInt8](repeating: 1, count: 32))!, role: "authority", organisation: "A")
        let peer = MemberProfile(node: Bytes32([UInt8](repeating: 2, count: 32))!, role: "government", organisation: "B")
        var core = NodeCore(me: me, roster: Roster(authority: me.node, founders: [me, peer].enumerated().map { i, m in
            RosterMember(identity: m.node, name: "n\(i)", organisation: m.organisation, role: m.role)
        }), reader: NoEntries())
        core.wallClockAtZero = 1_800_000_000_000
        _ = core.connectionOpened(1, peer: peer.node, outbound: true, now: 5)
        let ahead = HybridTimestamp(milliseconds: 1_800_000_030_000, counter: 7)   // 30 s ahead of our wall clock
        _ = core.framesReceived(1, [SyncMessage.hello(Hello(clock: ahead)).frame()], now: 10)
        let next = core.nextTimestamp(wallMilliseconds: 1_800_000_000_010)
        #expect(next > ahead, "the peer's clock was not merged: \(next) ≤ \(ahead)")
        // A clock far beyond the drift limit is not followed.
        _ = core.connectionOpened(2, peer: peer.node, outbound: true, now: 20)
        let far = HybridTimestamp(milliseconds: 1_900_000_000_000, counter: 0)
        _ = core.framesReceived(2, [SyncMessage.hello(Hello(clock: far)).frame()], now: 25)
        #expect(core.nextTimestamp(wallMilliseconds: 1_800_000_000_020) < far)
    }
}
