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
