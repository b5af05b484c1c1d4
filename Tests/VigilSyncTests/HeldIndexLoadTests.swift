import Testing
import VigilCrypto
import VigilModel
@testable import VigilSync

@Suite("NodeCore.load(index:): compact records load like the entries they stand for")
struct HeldIndexLoadTests {
    let f = CoreFixture()

    /// The compact records of `entries`, as a start-up index holds them.
    func index(_ entries: [Entry]) -> HeldIndex {
        var index = HeldIndex()
        var classes: [Audience: UInt32] = [:]
        for e in entries {
            let audience = classes[e.audience] ?? UInt32(index.audiences.count)
            if classes[e.audience] == nil { classes[e.audience] = audience; index.audiences.append(e.audience) }
            index.records.append(HeldRecord(id: e.id, timestamp: e.timestamp, author: e.author, audience: audience))
            if e.kind == .acknowledgement, (try? AcknowledgementBody(body: e.body)) == .receipt, let test = e.refs.first {
                index.receipts.append(HeldReceipt(author: e.author, test: test))
            }
        }
        return index
    }

    @Test("held set, withdrawn entries and unanswered communication tests are the same as after load(entries)")
    func sameAsEntries() throws {
        let revoke = f.roster(.revoke(node: f.id("company"), reason: "left"), at: 5_000)
        let test = { (ms: UInt64) in f.entry("gov", at: ms, kind: .commTest, fields: CommTestBody(expected: .everyone, deadline: 60, note: nil).fieldMap) }
        let answered = test(1_000), unanswered = test(1_001)
        let receipt = f.entry("centre", at: 1_002, kind: .acknowledgement, refs: [answered.id], fields: try FieldMap(canonicalBytes: AcknowledgementBody.receipt.encoded()))
        let amber = Audience(tlp: .amber, roles: ["government"])
        let entries = [f.entry("gov", at: 900, audience: amber), answered, unanswered, receipt, revoke,
                       f.entry("company", at: 4_999), f.entry("company", at: 5_000), f.entry("ncc", at: 6_000, audience: amber)]

        var fromEntries = f.core("centre")
        let skippedA = fromEntries.load(entries)
        var roster = f.roster
        roster.insertAll(entries)
        var fromIndex = NodeCore(me: f.profile("centre"), roster: roster, reader: NoEntries())
        // Two batches, as the node loads one chunk at a time.
        let skippedB = fromIndex.load(index: index(Array(entries.prefix(5)))) + fromIndex.load(index: index(Array(entries.dropFirst(5))))

        #expect(skippedA == skippedB && skippedB == [entries[6].id])
        #expect(fromIndex.heldCount == fromEntries.heldCount && fromIndex.heldCount == entries.count - 1)
        for e in entries { #expect(fromIndex.holds(e.id) == fromEntries.holds(e.id)) }
        #expect(fromIndex.load(index: index(entries)) == [entries[6].id] && fromIndex.heldCount == entries.count - 1, "loading again changes nothing")
        let tests = [answered, unanswered]
        #expect(fromIndex.unacknowledgedTests(tests).map(\.id) == [unanswered.id])
        #expect(fromEntries.unacknowledgedTests(tests).map(\.id) == [unanswered.id])
    }

    @Test("a receipt signed by another node does not mark the test as answered here")
    func othersReceipts() throws {
        let test = f.entry("gov", at: 1_000, kind: .commTest, fields: CommTestBody(expected: .everyone, deadline: 60, note: nil).fieldMap)
        let receipt = f.entry("ncc", at: 1_001, kind: .acknowledgement, refs: [test.id], fields: try FieldMap(canonicalBytes: AcknowledgementBody.receipt.encoded()))
        var core = f.core("centre")
        core.load(index: index([test, receipt]))
        #expect(core.unacknowledgedTests([test]).map(\.id) == [test.id])
    }
}

@Suite("KeyValidityMemo: the roster's key windows, remembered")
struct KeyValidityMemoTests {
    @Test("gives the roster's answer for every key, also past its capacity and for keys that share a slot")
    func sameAsRoster() throws {
        // 400 keys (more than the memo keeps), members or not, some rotated away or revoked; each asked
        // about in a seeded order several times.
        var seeds = SeededRandom(seed: 0x5EED)
        let keys = try (0..<400).map { _ in try SigningKey(seed: SecureBytes((0..<32).map { _ in UInt8(truncatingIfNeeded: seeds.next()) })) }
        let ids = keys.map { NodeID($0.publicKey) }
        var founders = [RosterMember(identity: ids[0], name: "authority", organisation: "A", role: "authority")]
        for i in stride(from: 1, to: 300, by: 1) {
            founders.append(RosterMember(identity: ids[i], name: "m\(i)", organisation: "O\(i)", role: "government"))
        }
        var roster = Roster(authority: ids[0], founders: founders)
        let authority = keys[0]
        for i in stride(from: 1, to: 300, by: 7) {
            let change = RosterChange.revoke(node: ids[i], reason: "left")
            let entry = try EntryDraft(author: ids[0], timestamp: HybridTimestamp(milliseconds: UInt64(1_000 + i), counter: 0), kind: .roster,
                                       audience: .federation, body: change.encoded()).signed(by: authority)
            try roster.insert(entry)
        }
        var memo = KeyValidityMemo()
        var rng = SeededRandom(seed: 0x7A11D)
        for _ in 0..<4_000 {
            let id = ids[Int(rng.next() % UInt64(ids.count))]
            #expect(memo.validity(of: id, in: roster) == roster.validity(of: id))
        }
        #expect(roster.validity(of: ids[350]) == nil)
        #expect(roster.validity(of: ids[8])?.until != nil)
        #expect(roster.validity(of: ids[9])?.until == nil)
    }
}
