import Testing
import VigilCrypto
import VigilModel
@testable import VigilLog

@Suite("CRDT merge rules")
struct MergeRuleTests {
    let authors = Authors(count: 3, seed: 99)

    @Test("last writer wins per field, by HLC then author then id")
    func lastWriterWinsPerField() throws {
        let root = authors.report(0, 100, ["severity": .integer(2), "summary": .text("flooding")])
        let early = authors.amend(1, 200, root.id, ["severity": .integer(3)])
        let late = authors.amend(2, 300, root.id, ["severity": .integer(4), "people_affected": .integer(40)])
        let older = authors.amend(0, 150, root.id, ["summary": .text("river flooding"), "severity": .integer(1)])
        var log = SharedLog(policy: OpenPolicy())
        for e in [late, root, older, early] { _ = log.insert(e) }
        let view = try #require(log.document(root.id, from: MemoryEntrySource([root, early, late, older])))
        #expect(view.fields["severity"] == .integer(4))
        #expect(view.fields["summary"] == .text("river flooding"))
        #expect(view.fields["people_affected"] == .integer(40))
        #expect(view.fieldWriters["severity"] == late.id)
        #expect(view.history.map(\.entry) == [root.id, older.id, early.id, late.id])
        #expect(!view.isRetracted)
    }

    @Test("equal HLCs are broken by author id, the same way everywhere")
    func tieBreak() throws {
        let root = authors.report(0, 100, ["status": .text("open")])
        let x = authors.amend(1, 500, root.id, ["status": .text("from 1")])
        let y = authors.amend(2, 500, root.id, ["status": .text("from 2")])
        let expected = authors.id(1) < authors.id(2) ? "from 2" : "from 1"
        for order in [[root, x, y], [root, y, x], [y, x, root]] {
            var log = SharedLog(policy: OpenPolicy())
            for e in order { _ = log.insert(e) }
            #expect(log.document(root.id, from: MemoryEntrySource(order))?.fields["status"] == .text(expected))
        }
    }

    @Test("a retraction wins over edits, even later ones")
    func retractionWins() throws {
        let root = authors.report(0, 100, ["summary": .text("a")])
        let retract = authors.retract(0, 200, root.id, "duplicate of another report")
        let laterEdit = authors.amend(0, 300, root.id, ["summary": .text("b")])
        var log = SharedLog(policy: AuthorOnlyPolicy())
        for e in [laterEdit, retract, root] { _ = log.insert(e) }
        let view = try #require(log.document(root.id, from: MemoryEntrySource([root, retract, laterEdit])))
        #expect(view.isRetracted)
        #expect(view.retraction?.change == .retracted("duplicate of another report"))
        #expect(view.history.count == 3)
    }

    @Test("updates by someone the policy does not allow are shown as ignored and change nothing")
    func unauthorisedUpdate() throws {
        let root = authors.report(0, 100, ["severity": .integer(2)])
        let foreign = authors.amend(1, 200, root.id, ["severity": .integer(9)])
        let foreignRetract = authors.retract(1, 250, root.id, "not yours")
        var log = SharedLog(policy: AuthorOnlyPolicy())
        for e in [root, foreign, foreignRetract] { _ = log.insert(e) }
        let view = try #require(log.document(root.id, from: MemoryEntrySource([root, foreign, foreignRetract])))
        #expect(view.fields["severity"] == .integer(2))
        #expect(!view.isRetracted)
        guard case .ignored(let why) = view.history[1].change else { Issue.record("expected ignored"); return }
        #expect(why.contains("may not update"))
    }

    @Test("acknowledgements are a grow-only set per node: first receipt and first officer confirmation")
    func acknowledgements() throws {
        let root = authors.report(0, 100, [:])
        let r1 = authors.ack(1, 110, root.id, .receipt)
        let r1again = authors.ack(1, 120, root.id, .receipt)
        let o1 = authors.ack(1, 400, root.id, .officer)
        let r2 = authors.ack(2, 130, root.id, .receipt)
        var log = SharedLog()
        for e in [o1, r1again, r2, root, r1] { _ = log.insert(e) }
        let acks = log.acknowledgements(of: root.id)
        #expect(acks.count == 2)
        #expect(acks[authors.id(1)]?.receipt?.entry == r1.id)
        #expect(acks[authors.id(1)]?.officer?.entry == o1.id)
        #expect(acks[authors.id(2)]?.receipt?.timestamp.milliseconds == 130)
        #expect(acks[authors.id(2)]?.officer == nil)
    }

    @Test("an update that arrives before its target waits, and surfaces the moment the target arrives")
    func pendingTarget() {
        let root = authors.report(0, 100, ["a": .integer(1)])
        let amend = authors.amend(0, 200, root.id, ["a": .integer(2)])
        let ackOfAmend = authors.ack(1, 300, amend.id, .receipt)
        var log = SharedLog()
        #expect(log.insert(ackOfAmend) == [.pending(ackOfAmend.id, .unknownTarget(amend.id))])
        #expect(log.insert(amend) == [.pending(amend.id, .unknownTarget(root.id))])
        #expect(log.count == 0)
        #expect(log.pending.count == 2)
        let events = log.insert(root)
        #expect(events == [.admitted(root.id), .admitted(amend.id), .admitted(ackOfAmend.id)])
        #expect(log.pending.isEmpty)
        #expect(log.insert(amend) == [.duplicate(amend.id)])
    }

    struct Roster: LogPolicy {
        let members: Set<NodeID>
        func isKnownAuthor(_ author: NodeID) -> Bool { members.contains(author) }
        func mayUpdate(_ updater: NodeID, entryBy author: NodeID) -> Bool { updater == author }
    }

    @Test("entries by an unknown author wait until the policy knows the author")
    func pendingAuthor() {
        let stranger = authors.report(2, 100, [:])
        var log = SharedLog(policy: Roster(members: [authors.id(0)]))
        #expect(log.insert(stranger) == [.pending(stranger.id, .unknownAuthor(authors.id(2)))])
        #expect(log.recheckAuthors().isEmpty)
        log.policy = Roster(members: [authors.id(0), authors.id(2)])
        #expect(log.recheckAuthors() == [.admitted(stranger.id)])
        #expect(log.contains(stranger.id))
    }

    @Test("updates and acks without a target or with a malformed body are refused, the same way every time")
    func refused() {
        let noTarget = authors.entry(0, 100, .update, body: try! UpdateBody.retract(reason: "x").encoded())
        let badBody = authors.entry(0, 100, .acknowledgement, refs: [authors.report(0, 1, [:]).id], body: Array("ok".utf8))
        var log = SharedLog()
        guard case .refused(_, let why)? = log.insert(noTarget).first else { Issue.record("not refused"); return }
        #expect(why.contains("first ref"))
        guard case .refused(_, let why2)? = log.insert(badBody).first else { Issue.record("not refused"); return }
        #expect(why2.contains("acknowledgement body"))
        guard case .refused? = log.insert(noTarget).first else { Issue.record("not refused again"); return }
        #expect(log.count == 0)
    }

    @Test("display order is HLC, then author, then id")
    func order() {
        let a = authors.report(1, 100, [:]), b = authors.report(0, 100, [:]), c = authors.report(2, 50, [:])
        var log = SharedLog()
        for e in [a, b, c] { _ = log.insert(e) }
        let byAuthor = [a, b].sorted { $0.author < $1.author }.map(\.id)
        #expect(log.displayOrder() == [c.id] + byAuthor)
    }
}
