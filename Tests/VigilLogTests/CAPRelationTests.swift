import Testing
import VigilCrypto
import VigilModel
@testable import VigilLog

@Suite("CAP Update and Cancel as relations")
struct CAPRelationTests {
    static let authors = Authors(count: 4, seed: 12)

    /// An alert body holding a CAP message (only the fields the relations read, and a headline).
    static func capAlert(_ author: Int, _ ms: UInt64, sender: String = "ncc@example.be", id: String, sent: String,
                         msgType: String = "Alert", references: [String] = [], headline: String) -> Entry {
        var cap: FieldMap = ["identifier": .text(id), "sender": .text(sender), "sent": .text(sent), "msg_type": .text(msgType),
                             "status": .text("Actual"), "scope": .text("Public")]
        if !references.isEmpty { cap["references"] = .text(references.joined(separator: " ")) }
        let fields: FieldMap = ["headline": .text(headline), "cap": .map(cap)]
        return authors.entry(author, ms, .alert, body: try! fields.encoded())
    }

    // The alert, two updates (sent out of order), a cancel naming the second update only, and a
    // "cancel" from another CAP sender, which does not count. Each from a different node.
    static let alert = capAlert(0, 1_000, id: "A", sent: "2024-05-01T10:00:00+02:00", headline: "flood warning")
    static let update2 = capAlert(2, 1_010, id: "U2", sent: "2024-05-01T12:00:00+02:00", msgType: "Update",
                                  references: ["ncc@example.be,A,2024-05-01T08:00:00-00:00"], headline: "flood warning, level 2")
    static let update1 = capAlert(1, 1_020, id: "U1", sent: "2024-05-01T11:00:00+02:00", msgType: "Update",
                                  references: ["ncc@example.be,A,2024-05-01T10:00:00+02:00"], headline: "flood warning, level 1")
    static let cancel = capAlert(3, 1_030, id: "C", sent: "2024-05-01T13:00:00+02:00", msgType: "Cancel",
                                 references: ["ncc@example.be,U2,2024-05-01T12:00:00+02:00"], headline: "all clear")
    static let foreign = capAlert(3, 1_040, sender: "someone@else", id: "X", sent: "2024-05-01T14:00:00+02:00", msgType: "Cancel",
                                  references: ["ncc@example.be,A,2024-05-01T10:00:00+02:00"], headline: "not yours")

    struct State: Equatable {
        let documents: [DocumentView]
        let unresolved: [[CAPMessageKey]]
    }

    static func state(_ entries: [Entry]) -> State {
        var log = SharedLog(policy: AuthorOnlyPolicy())
        for e in entries { _ = log.insert(e) }
        let source = MemoryEntrySource(entries)
        let ids = log.displayOrder(kinds: [.alert])
        return State(documents: ids.compactMap { log.document($0, from: source) },
                     unresolved: ids.map { log.capRelations.unresolved(of: $0) })
    }

    static func permutations<T>(_ items: [T]) -> [[T]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { i -> [[T]] in
            var rest = items
            let x = rest.remove(at: i)
            return permutations(rest).map { [x] + $0 }
        }
    }

    @Test("alert, updates, cancel and a foreign cancel in all 120 orders give the same current state")
    func everyOrder() throws {
        let all = [Self.alert, Self.update1, Self.update2, Self.cancel, Self.foreign]
        let reference = Self.state(all)
        for order in Self.permutations(all) { #expect(Self.state(order) == reference) }
        let a = try #require(reference.documents.first { $0.id == Self.alert.id })
        #expect(a.retraction?.entry == Self.cancel.id)   // through the update it cancels
        #expect(a.history.contains { $0.entry == Self.foreign.id } == false)
        #expect(reference.unresolved.allSatisfy { $0.isEmpty })
    }

    @Test("the newest Update by CAP sent gives the alert's fields, whatever the HLC order")
    func newestUpdate() throws {
        let docs = Self.state([Self.update1, Self.alert, Self.update2]).documents
        let a = try #require(docs.first { $0.id == Self.alert.id })
        #expect(a.fields["headline"] == .text("flood warning, level 2"))
        #expect(a.retraction == nil)
        #expect(a.history.map(\.entry) == [Self.alert.id, Self.update2.id, Self.update1.id])
        #expect(a.fieldWriters["headline"] == Self.update2.id)
    }

    @Test("a reference to an alert not held waits, and resolves when it arrives")
    func unresolvedThenResolved() throws {
        var log = SharedLog(policy: AuthorOnlyPolicy())
        _ = log.insert(Self.update1)
        #expect(log.capRelations.unresolved(of: Self.update1.id) == [CAPMessageKey(sender: "ncc@example.be", identifier: "A", sent: "2024-05-01T08:00:00Z")])
        _ = log.insert(Self.alert)
        #expect(log.capRelations.unresolved(of: Self.update1.id).isEmpty)
        #expect(log.capRelations.targets(of: Self.update1.id) == [Self.alert.id])
        let a = try #require(log.document(Self.alert.id, from: MemoryEntrySource([Self.alert, Self.update1])))
        #expect(a.fields["headline"] == .text("flood warning, level 1"))
    }

    @Test("the same sent instant written with different offsets is the same message")
    func keys() {
        #expect(CAPMessageKey(sender: " s ", identifier: "i", sent: "2024-05-01T10:00:00+02:00") == CAPMessageKey(sender: "s", identifier: "i", sent: "2024-05-01T08:00:00-00:00"))
        #expect(CAPMessageKey(sender: "s", identifier: "i", sent: "garbage") != CAPMessageKey(sender: "s", identifier: "i", sent: "garbage2"))
        let facts = AlertCAPFacts(alertBody: ["cap": .map(["identifier": .text("i"), "sender": .text("s"), "sent": .text("2024-05-01T10:00:00+02:00"),
                                                            "msg_type": .text("Update"), "references": .text("a,b,2024-05-01T10:00:00+02:00 bad,token c,d,e")])])
        #expect(facts?.references.count == 2)
        #expect(facts?.sentMilliseconds == 1_714_550_400_000)
        #expect(AlertCAPFacts(alertBody: ["headline": .text("no cap")]) == nil)
    }
}
