import Testing
import VigilAPI
import VigilDesk
import VigilModel

/// The pages' views of the local API's answers: TLP labels, flattened fields, amendments as before/after
/// pairs, confirmations with the officer, and feed pages with their cursor.
@Suite("Desk views")
struct DeskViewsTests {
    @Test("TLP labels map to the pages' labels; an unknown one shows as RED")
    func tlp() {
        #expect(DeskViews.tlp("TLP:AMBER+STRICT") == .amberStrict && DeskViews.tlp("TLP:CLEAR") == .clear && DeskViews.tlp("green") == .green)
        #expect(DeskViews.tlp("TLP:PURPLE") == .red)
    }

    @Test("fields flatten to dotted paths; amendments become before/after pairs over the running state")
    func detail() throws {
        var detail = FakeDeskBackend.detail("a", tlp: "TLP:AMBER", title: "t", at: 10,
                                            fields: ["severity": .string("minor"), "location": .object(["description": .string("Kallo"), "lat": .degrees(51_253_000)]),
                                                     "resources": .array([.string("pumps"), .string("sandbags")])],
                                            amended: ["severity": .string("severe"), "location": .object(["description": .string("Doel")])], amendedAt: 20)
        detail = EntryDetail(summary: detail.summary, current: detail.current, history: detail.history, retractedBy: nil,
                             acknowledgements: [MemberAcknowledgement(member: "ncc-duty", received: nil, confirmed: "x", organisation: "NCC", confirmedMs: 30, officer: "j.dupont")],
                             results: nil)
        let view = DeskViews.detail(detail, node: "ncc-duty")
        #expect(view.fields.map(\.path) == ["location.description", "resources[0]", "resources[1]", "severity"])
        #expect(view.history.count == 1)
        let changes = view.history[0].changes
        #expect(changes.contains(DeskAmendment.Change(path: "severity", before: "minor", after: "severe")))
        #expect(changes.contains(DeskAmendment.Change(path: "location.description", before: "Kallo", after: "Doel")))
        #expect(view.receipts == [DeskReceipt(node: "ncc-duty", organisation: "NCC", acknowledgedMilliseconds: 30, officer: "j.dupont")])
        #expect(view.confirmedHere && !view.mayAmend)
        #expect(DeskViews.detail(detail, node: "gov-antwerp").mayAmend && !DeskViews.detail(detail, node: "gov-antwerp").confirmedHere)
        #expect(DeskViews.flatten(.object(["lat": .degrees(51_253_000)])) == [DeskField(path: "lat", value: "51.253")])
    }

    @Test("a feed page asks for one more than it shows, and gives a cursor only when there is more")
    func feed() throws {
        let request = try DeskViews.entriesRequest(FeedQuery(kind: "sitrep", tlp: .amber, limit: 2))
        #expect(request.limit == 3 && request.kinds == ["sitrep"] && request.tlp == "amber")
        #expect(throws: DeskRefusal.self) { try DeskViews.entriesRequest(FeedQuery(before: "not-an-id")) }
        let entries = ["1", "2", "3"].map { FakeDeskBackend.detail(Character($0), tlp: "TLP:GREEN", title: $0, at: 1).summary }
        #expect(DeskViews.feedPage(entries, limit: 2).nextCursor == String(repeating: "2", count: 64))
        #expect(DeskViews.feedPage(Array(entries.prefix(2)), limit: 2).nextCursor == nil)
    }
}
