import Testing
import VigilModel
@testable import VigilSync

/// Both sides dial (docs/sync-protocol.md, "Reconnecting"): two connections between the same pair are
/// resolved to one, alike on both sides, without a message.
@Suite("NodeCore: one session per pair when both sides dial")
struct DuplicateSessionTests {
    let f = CoreFixture()

    func closedLinks(_ directives: [NodeDirective]) -> [LinkID] {
        directives.compactMap { if case .close(let link, let reason) = $0, reason.code == .duplicateSession { link } else { nil } }
    }

    @Test("simultaneous dials: both sides keep the connection dialed by the lower node id, whichever arrives first", arguments: [false, true])
    func simultaneous(sameOrder: Bool) {
        let (low, high) = f.id("ncc") < f.id("gov") ? ("ncc", "gov") : ("gov", "ncc")
        // Physical connection L (dialed by low): link 1 at low, link 11 at high. H (dialed by high): link 2 at low, link 12 at high.
        var atLow = f.core(low), atHigh = f.core(high)
        var closedAtLow: [LinkID] = [], closedAtHigh: [LinkID] = []
        closedAtLow += closedLinks(atLow.connectionOpened(1, peer: f.id(high), outbound: true, now: 0))
        closedAtLow += closedLinks(atLow.connectionOpened(2, peer: f.id(high), outbound: false, now: 3))
        if sameOrder {
            closedAtHigh += closedLinks(atHigh.connectionOpened(11, peer: f.id(low), outbound: false, now: 0))
            closedAtHigh += closedLinks(atHigh.connectionOpened(12, peer: f.id(low), outbound: true, now: 3))
        } else {
            closedAtHigh += closedLinks(atHigh.connectionOpened(12, peer: f.id(low), outbound: true, now: 0))
            closedAtHigh += closedLinks(atHigh.connectionOpened(11, peer: f.id(low), outbound: false, now: 3))
        }
        #expect(closedAtLow == [2], "low closes the connection the higher id dialed")
        #expect(closedAtHigh == [12], "high closes its own dial, the same connection")
    }

    @Test("an old connection gives way to a new one from the same peer (it restarted; the old one is dead but not noticed yet)")
    func staleConnection() {
        let (low, high) = f.id("ncc") < f.id("gov") ? ("ncc", "gov") : ("gov", "ncc")
        var atLow = f.core(low)
        #expect(closedLinks(atLow.connectionOpened(1, peer: f.id(high), outbound: true, now: 0)).isEmpty)
        // 60 s later the higher node dials in: the lower one's dial is not refused in its favour any more.
        let out = atLow.connectionOpened(2, peer: f.id(high), outbound: false, now: 60_000)
        #expect(closedLinks(out) == [1])
        #expect(atLow.peerStatus[2] != nil)
        _ = atLow.connectionClosed(1, reason: CloseReason(.duplicateSession, "closed by the shell"))
        // The same direction twice (a reconnection): the newer one stays, even within the HELLO window.
        #expect(closedLinks(atLow.connectionOpened(3, peer: f.id(high), outbound: false, now: 60_001)) == [2])
        // Another member's connection is not a duplicate.
        #expect(closedLinks(atLow.connectionOpened(4, peer: f.id("centre"), outbound: false, now: 60_002)).isEmpty)
    }
}
