import Testing
import VigilModel
import VigilSync

@Suite("Comm-test receipt drafting")
struct CommTestReceiptTests {
    let f = CoreFixture()

    @Test("the receipt is an ack {by: node} of the test, to the test's audience plus the test's author")
    func receipt() throws {
        let test = f.entry("gov", at: 1_000, kind: .commTest, audience: Audience(tlp: .amber, roles: ["company"]))
        let receipt = CommTestReceipt(acknowledging: test, roster: f.roster)
        #expect(receipt.kind == .acknowledgement)
        #expect(receipt.refs == [test.id])
        #expect(try AcknowledgementBody(body: receipt.body) == .receipt)
        #expect(receipt.audience == Audience(tlp: .amber, roles: ["company"], nodes: [f.id("gov")]))
        let draft = receipt.draft(author: f.id("company"), timestamp: HybridTimestamp(milliseconds: 2_000, counter: 0))
        let ack = try draft.signed(by: f.keys["company"]!)
        #expect(ack.kind == .acknowledgement && ack.refs == [test.id] && ack.audience == receipt.audience && ack.author == f.id("company"))
    }

    @Test("an author the roster does not know adds nobody; the audience helper is the same for officers' confirmations")
    func unknownAuthor() {
        let test = f.entry("police", at: 1_000, kind: .commTest, audience: Audience(tlp: .red, nodes: [f.id("gov")]))
        #expect(CommTestReceipt(acknowledging: test, roster: f.roster).audience == Audience(tlp: .red, nodes: [f.id("gov")]))
        let known = f.entry("ncc", at: 1_000, audience: Audience(tlp: .red, nodes: [f.id("gov")]))
        #expect(CommTestReceipt.audience(acknowledging: known, roster: f.roster) == Audience(tlp: .red, nodes: [f.id("gov"), f.id("ncc")]))
    }
}
