import Testing
import VigilModel
@testable import VigilSync

/// Entry bytes from memory, for cores that send entries.
struct MemoryEntries: EntryReader {
    let entries: [EntryID: [UInt8]]
    init(_ list: [Entry]) { entries = Dictionary(uniqueKeysWithValues: list.map { ($0.id, $0.canonicalBytes) }) }
    func canonicalBytes(_ id: EntryID) -> [UInt8]? { entries[id] }
}

@Suite("Priority lanes: urgent first, nothing starved")
struct PriorityLaneTests {
    let f = CoreFixture()

    static func frame(_ n: Int) -> Frame { Frame(type: .entries, payload: [UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16)]) }
    static func number(_ frame: Frame) -> Int { Int(frame.payload[0]) | Int(frame.payload[1]) << 8 | Int(frame.payload[2]) << 16 }

    @Test("the lane of every kind, pushed and caught up; session messages are urgent")
    func policy() {
        let urgent: Set<EntryKind> = [.commTest, .acknowledgement, .alert, .threatNotice, .incident, .assessment, .update, .roster]
        for kind in EntryKind.allCases {
            #expect(kind.urgency == (urgent.contains(kind) ? .urgent : .routine), "\(kind)")
            #expect(LanePolicy.lane(kind: kind, cause: .push) == (urgent.contains(kind) ? .urgent : .live), "\(kind)")
            #expect(LanePolicy.lane(kind: kind, cause: .catchUp) == (kind == .roster ? .urgent : .backlog), "\(kind)")
        }
        #expect(LanePolicy.control == .urgent)
        #expect(LanePolicy.lane(of: .reconcile([1])) == .live && LanePolicy.lane(of: .reconcileBegin([1])) == .live)
        #expect(LanePolicy.lane(of: .want([])) == .urgent && LanePolicy.lane(of: .ping(1)) == .urgent && LanePolicy.lane(of: .goodbye(code: 1, reason: "x")) == .urgent)
        let old = HybridTimestamp(milliseconds: 1, counter: 0), new = HybridTimestamp(milliseconds: 2, counter: 0)
        #expect(LanePolicy.catchUpOrder(.urgent, old, before: .routine, new))
        #expect(LanePolicy.catchUpOrder(.routine, new, before: .routine, old))
        #expect(!LanePolicy.catchUpOrder(.routine, old, before: .routine, new))
        #expect(!LanePolicy.catchUpOrder(.routine, new, before: .routine, new), "a strict order")
    }

    @Test("with every lane full, drain sends 8 urgent, 4 live, 1 backlog frame per round, in order within each lane")
    func weightedRounds() {
        var queue = OutboundQueue()
        var open = false
        for n in 0..<300 { _ = queue.send(Self.frame(n), lane: OutboundLane(rawValue: n % 3)!) { _ in open } }
        var sent: [Int] = []
        open = true
        // One frame per drain call, as a network with room for one frame at a time.
        while !queue.isEmpty {
            var room = 1
            queue.drain { frame in
                guard room > 0 else { return false }
                room -= 1
                sent.append(Self.number(frame))
                return true
            }
        }
        let lanes = sent.map { $0 % 3 }
        #expect(Array(lanes.prefix(26)) == [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2])
        for lane in 0..<3 {
            let mine = sent.filter { $0 % 3 == lane }
            #expect(mine == mine.sorted() && mine.count == 100, "lane \(lane) keeps its order")
        }
        // Once urgent is empty, live and backlog share 4 : 1.
        let afterUrgent = lanes.drop { _ in false }.suffix(from: lanes.lastIndex(of: 0)! + 1)
        #expect(Array(afterUrgent.prefix(10)) == [1, 1, 1, 1, 2, 1, 1, 1, 1, 2])
    }

    @Test("random traffic and network budgets: a lane that waits is served within one round of the others (seeds 1…40)")
    func starvationFreedom() {
        for seed in UInt64(1)...40 {
            var rng = SeededRandom(seed: seed)
            var queue = OutboundQueue()
            var budget = 0
            var next = 0
            var laneOf: [Int: Int] = [:]
            var lastSentPerLane = [-1, -1, -1]
            // Frames other lanes sent while this lane waited, since its last send.
            var bypassed = [0, 0, 0]
            var waiting = [0, 0, 0]   // frames waiting per lane (the queue cannot be read while it drains)
            for _ in 0..<3_000 {
                // Arrivals: bursts, mostly urgent traffic to press the lower lanes hard.
                for _ in 0..<Int(rng.next() % 4) {
                    let lane = rng.chance(0.6) ? 0 : rng.chance(0.5) ? 1 : 2
                    laneOf[next] = lane
                    let outcome = queue.send(Self.frame(next), lane: OutboundLane(rawValue: lane)!) { _ in
                        guard budget > 0 else { return false }
                        budget -= 1
                        return true
                    }
                    if outcome != .sent { waiting[lane] += 1 }
                    next += 1
                }
                budget = Int(rng.next() % 3)
                queue.drain { frame in
                    guard budget > 0 else { return false }
                    let n = Self.number(frame), lane = laneOf[n]!
                    #expect(n > lastSentPerLane[lane], "seed \(seed): lane \(lane) out of order")
                    lastSentPerLane[lane] = n
                    waiting[lane] -= 1
                    for other in 0..<3 where other != lane {
                        if waiting[other] > 0 { bypassed[other] += 1 } else { bypassed[other] = 0 }
                    }
                    bypassed[lane] = 0
                    budget -= 1
                    return true
                }
                let bound = [4 + 1, 8 + 1, 8 + 4]
                #expect(waiting == OutboundLane.allCases.map { queue.count(in: $0) })
                for lane in 0..<3 { #expect(bypassed[lane] <= bound[lane], "seed \(seed): lane \(lane) waited behind \(bypassed[lane]) frames") }
            }
        }
    }

    @Test("a catch-up answer is in the backlog lane, urgent kinds first then newest first; roster entries urgent")
    func catchUpOrder() throws {
        let kinds: [EntryKind] = [.message, .alert, .situationReport, .incident, .message, .commTest, .threatNotice, .message]
        var entries = kinds.enumerated().map { i, kind in f.entry("gov", at: 1_000 + UInt64(i), kind: kind) }
        entries.append(f.roster(.revoke(node: f.id("company"), reason: "test"), at: 900))
        var ncc = NodeCore(me: f.profile("ncc"), roster: f.roster, reader: MemoryEntries(entries))
        ncc.load(entries)
        _ = ncc.connectionOpened(1, peer: f.id("centre"), outbound: false, now: 1)
        var hello = ncc.framesReceived(1, [SyncMessage.hello(Hello(features: 0, clock: HybridTimestamp(milliseconds: 1, counter: 0))).frame()], now: 2)
        hello.removeAll()
        let out = ncc.framesReceived(1, [SyncMessage.want(entries.map(\.id)).frame()], now: 3)
        var sent: [(OutboundLane, [EntryKind], [UInt64])] = []
        for case .send(_, let frame, let lane) in out {
            guard case .entries(let list) = try SyncMessage(frame: frame) else { continue }
            let decoded = try list.map { try Entry(canonicalBytes: $0) }
            sent.append((lane, decoded.map(\.kind), decoded.map(\.timestamp.milliseconds)))
        }
        #expect(sent.count == 2)
        #expect(sent.first?.0 == .urgent && sent.first?.1 == [.roster])
        #expect(sent.last?.0 == .backlog)
        #expect(sent.last?.1 == [.threatNotice, .commTest, .incident, .alert, .message, .message, .situationReport, .message])
        #expect(sent.last?.2 == [1_006, 1_005, 1_003, 1_001, 1_007, 1_004, 1_002, 1_000])
    }

    @Test("a new entry is pushed in the urgent lane when its kind is urgent, else in the live lane, never behind the backlog")
    func pushLanes() throws {
        let alert = f.entry("ncc", at: 2_000, kind: .alert), report = f.entry("ncc", at: 2_001, kind: .situationReport)
        var ncc = NodeCore(me: f.profile("ncc"), roster: f.roster, reader: MemoryEntries([]))
        _ = ncc.connectionOpened(1, peer: f.id("centre"), outbound: false, now: 1)
        _ = ncc.framesReceived(1, [SyncMessage.hello(Hello(features: 0, clock: HybridTimestamp(milliseconds: 1, counter: 0))).frame()], now: 2)
        let out = ncc.persisted([report, alert], origin: .local(token: 7), now: 3)
        var lanes: [(OutboundLane, [EntryKind])] = []
        for case .send(_, let frame, let lane) in out {
            guard case .entries(let list) = try SyncMessage(frame: frame) else { continue }
            lanes.append((lane, try list.map { try Entry(canonicalBytes: $0).kind }))
        }
        #expect(lanes.map(\.0) == [.urgent, .live])
        #expect(lanes.map(\.1) == [[.alert], [.situationReport]])
    }

    @Test("catch-up ENTRIES frames are cut at about `LanePolicy.entriesFrameBytes`")
    func frameSize() throws {
        let big: FieldMap = ["subject": .text("s"), "text": .text(String(repeating: "x", count: 3_000))]
        let entries = (0..<40).map { f.entry("gov", at: 1_000 + UInt64($0), fields: big) }
        var ncc = NodeCore(me: f.profile("ncc"), roster: f.roster, reader: MemoryEntries(entries))
        ncc.load(entries)
        _ = ncc.connectionOpened(1, peer: f.id("centre"), outbound: false, now: 1)
        _ = ncc.framesReceived(1, [SyncMessage.hello(Hello(features: 0, clock: HybridTimestamp(milliseconds: 1, counter: 0))).frame()], now: 2)
        let frames = ncc.framesReceived(1, [SyncMessage.want(entries.map(\.id)).frame()], now: 3).compactMap { d -> Frame? in
            if case .send(_, let frame, .backlog) = d { frame } else { nil }
        }
        #expect(frames.count > 5)
        #expect(frames.allSatisfy { $0.payload.count <= LanePolicy.entriesFrameBytes + 64 })
        let count = try frames.map { frame -> Int in if case .entries(let l) = try SyncMessage(frame: frame) { l.count } else { 0 } }.reduce(0, +)
        #expect(count == 40)
    }

    @Test("ENTRIES frames that arrive together are verified as one batch, in order; other frames break the run")
    func coalescedVerify() throws {
        let entries = (0..<5).map { f.entry("gov", at: 1_000 + UInt64($0)) }.map(\.canonicalBytes)
        var ncc = NodeCore(me: f.profile("ncc"), roster: f.roster, reader: MemoryEntries([]))
        _ = ncc.connectionOpened(1, peer: f.id("centre"), outbound: false, now: 1)
        _ = ncc.framesReceived(1, [SyncMessage.hello(Hello(features: 0, clock: HybridTimestamp(milliseconds: 1, counter: 0))).frame()], now: 2)
        let frames = [SyncMessage.entries(Array(entries[0..<2])).frame(), SyncMessage.entries(Array(entries[2..<3])).frame(),
                      SyncMessage.ping(7).frame(), SyncMessage.entries(Array(entries[3..<5])).frame()]
        let batches = ncc.framesReceived(1, frames, now: 3).compactMap { d -> [[UInt8]]? in if case .verify(1, let list) = d { list } else { nil } }
        #expect(batches == [Array(entries[0..<3]), Array(entries[3..<5])])
    }

    @Test("the kind peek reads the head like the decoder: every kind, every truncation, bad version and kind codes")
    func kindPeek() throws {
        for kind in EntryKind.allCases {
            let bytes = f.entry("gov", at: 1_234_567, kind: kind).canonicalBytes
            #expect(try Entry.kind(ofCanonicalBytes: bytes) == kind)
        }
        let bytes = f.entry("gov", at: 1_234_567, kind: .alert).canonicalBytes
        let kindOffset = 1 + 32 + 3 + 1   // version, author, 3-byte varint ms, 1-byte counter
        for cut in 0...kindOffset {
            #expect(throws: DecodingError.self, "cut at \(cut)") { try Entry.kind(ofCanonicalBytes: Array(bytes.prefix(cut))) }
        }
        #expect(try Entry.kind(ofCanonicalBytes: Array(bytes.prefix(kindOffset + 1))) == .alert)
        var badVersion = bytes
        badVersion[0] = 2
        #expect(throws: DecodingError.self) { try Entry.kind(ofCanonicalBytes: badVersion) }
        var badKind = bytes
        badKind[kindOffset] = 0
        #expect(throws: DecodingError.self) { try Entry.kind(ofCanonicalBytes: badKind) }
        badKind[kindOffset] = 200
        #expect(throws: DecodingError.self) { try Entry.kind(ofCanonicalBytes: badKind) }
    }
}
