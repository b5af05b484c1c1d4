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

    @Test("the federation: every active member but this node as a peer, connected or not with its figures; revoked and rotated members")
    func federation() {
        func id(_ digit: Character) -> NodeID { NodeID(hex: String(repeating: digit, count: 64))! }
        func member(_ name: String, _ digit: Character, key: Character? = nil, status: RosterMemberView.Status = .active, authority: Bool = false) -> RosterMemberView {
            RosterMemberView(name: name, organisation: name.uppercased(), role: authority ? "authority" : "government", identity: id(digit), key: id(key ?? digit),
                             addresses: [], status: status, revoked: status == .revoked ? "2026-12-01T10:00:00Z" : nil,
                             reason: status == .revoked ? "contract ended" : nil, authority: authority)
        }
        let roster = [member("ncc", "0", authority: true), member("gov-antwerp", "1"), member("gov-limburg", "2", key: "9"),
                      member("beta", "3", status: .revoked), member("nl-ncc", "4")]
        // gov-antwerp dialed twice at once: the established session counts; gov-limburg's session ended.
        let status = NodeStatus(name: "ncc", nodeId: id("0").hex, organisation: "NCC", role: "authority", entries: 5,
                                peers: [NodeStatus.Peer(name: "gov-antwerp", nodeId: id("1").hex, outbound: true, established: false, connectedSeconds: 1,
                                                        lastSeenSeconds: 1, roundTripMs: nil, entriesBehind: 0, route: "127.0.0.1:7402"),
                                        NodeStatus.Peer(name: "gov-antwerp", nodeId: id("1").hex, outbound: false, established: true, connectedSeconds: 60,
                                                        lastSeenSeconds: 0.5, roundTripMs: 3, entriesBehind: 7)],
                                disconnected: ["gov-limburg"], refusals: [:],
                                redials: [NodeStatus.Redial(name: "gov-limburg", failedAttempts: 2, nextTrySeconds: 4)],
                                ended: [NodeStatus.EndedSession(name: "gov-limburg", nodeId: id("2").hex, endedSeconds: 12, reason: "the peer closed the connection")])
        let view = DeskViews.federation(status: status, roster: roster)
        #expect(view.mayChangeRoster && view.node == DeskNodeIdentity(name: "ncc", organisation: "NCC", role: "authority"))
        #expect(view.peers == [
            DeskPeer(name: "gov-antwerp", organisation: "GOV-ANTWERP", connected: true, direction: .inbound, entriesBehind: 7, lastSeenSeconds: 0.5,
                     roundTripMs: 3, connectedSeconds: 60),
            DeskPeer(name: "gov-limburg", organisation: "GOV-LIMBURG", connected: false, lastSeenSeconds: 12, endedReason: "the peer closed the connection",
                     nextTrySeconds: 4),
            DeskPeer(name: "nl-ncc", organisation: "NL-NCC", connected: false),
        ])
        #expect(view.members.map(\.name) == ["ncc", "gov-antwerp", "gov-limburg", "beta", "nl-ncc"])
        #expect(view.members.map(\.rotated) == [false, false, true, false, false])
        #expect(view.members[3].active == false && view.members[3].reason == "contract ended")
        // Another member's desk may not change the roster.
        let other = NodeStatus(name: "gov-antwerp", nodeId: id("1").hex, organisation: "GA", role: "government", entries: 0, peers: [],
                               disconnected: [], refusals: [:])
        let theirs = DeskViews.federation(status: other, roster: roster)
        #expect(!theirs.mayChangeRoster && theirs.peers.map(\.name) == ["gov-limburg", "ncc", "nl-ncc"])
    }

    @Test("an amendment and a retraction in the history name the desk officer who made them")
    func amendedBy() {
        let base = FakeDeskBackend.detail("a", tlp: "TLP:AMBER", title: "t", at: 10, fields: ["severity": .string("minor")])
        let history = base.history + [
            HistoryStep(entry: EntryID(hex: String(repeating: "c", count: 64))!, by: "gov-antwerp", time: "", timeMs: 20, change: .amended,
                        fields: ["severity"], values: .object(["severity": .string("severe")]), officer: "j.dupont"),
            HistoryStep(entry: EntryID(hex: String(repeating: "d", count: 64))!, by: "gov-antwerp", time: "", timeMs: 30, change: .retracted,
                        reason: "sent to the wrong province", officer: "m.peeters"),
        ]
        let detail = EntryDetail(summary: base.summary, current: base.current, history: history, retractedBy: nil, acknowledgements: [], results: nil)
        let view = DeskViews.detail(detail, node: "ncc-duty")
        #expect(view.history.map(\.officer) == ["j.dupont", "m.peeters"])
        #expect(view.history[0].changes == [DeskAmendment.Change(path: "severity", before: "minor", after: "severe")] && view.history[0].retraction == nil)
        #expect(view.history[1].changes.isEmpty && view.history[1].retraction == "sent to the wrong province")
    }
}
