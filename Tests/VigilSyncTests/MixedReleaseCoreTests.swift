import Testing
import VigilModel
@testable import VigilSync

/// Two node cores of different releases on one link: they establish, and each records what the
/// other said about its release (what `vigil status` shows). Frames cross as bytes.
@Suite("NodeCore: peers of different releases")
struct MixedReleaseCoreTests {
    let f = CoreFixture()

    /// Carries frames both ways until neither side sends; returns every frame type gov sent and received.
    func link(_ ncc: inout NodeCore, _ gov: inout NodeCore) -> (toGov: [FrameType], toNcc: [FrameType]) {
        var toGov = ncc.connectionOpened(1, peer: f.id("gov"), outbound: false, now: 1)
        var toNcc = gov.connectionOpened(1, peer: f.id("ncc"), outbound: true, now: 1)
        var seenGov: [FrameType] = [], seenNcc: [FrameType] = []
        for _ in 0..<50 where !(toGov.isEmpty && toNcc.isEmpty) {
            let framesForGov = toGov.compactMap { if case .send(_, let frame, _) = $0 { frame } else { nil } }
            let framesForNcc = toNcc.compactMap { if case .send(_, let frame, _) = $0 { frame } else { nil } }
            seenGov += framesForGov.map(\.type)
            seenNcc += framesForNcc.map(\.type)
            toGov = framesForNcc.isEmpty ? [] : ncc.framesReceived(1, framesForNcc, now: 2)
            toNcc = framesForGov.isEmpty ? [] : gov.framesReceived(1, framesForGov, now: 2)
        }
        return (seenGov, seenNcc)
    }

    @Test("a 0.3 node and one that announces nothing (as 0.2): no RELEASE reaches the older one; the newer knows")
    func olderPeer() {
        var ncc = f.core("ncc"), gov = f.core("gov")
        gov.release = nil
        let seen = link(&ncc, &gov)
        #expect(!seen.toGov.contains(.release))
        #expect(ncc.peerStatus[1]?.established == true && gov.peerStatus[1]?.established == true)
        #expect(ncc.peerStatus[1]?.release == .unannounced)
        #expect(gov.peerStatus[1]?.release == nil)
    }

    @Test("two releases that both announce learn each other's")
    func bothAnnounce() {
        var ncc = f.core("ncc"), gov = f.core("gov")
        gov.release = "0.4.0"
        let seen = link(&ncc, &gov)
        #expect(seen.toGov.filter { $0 == .release }.count == 1 && seen.toNcc.filter { $0 == .release }.count == 1)
        #expect(ncc.peerStatus[1]?.release == .announced("0.4.0"))
        #expect(gov.peerStatus[1]?.release == .announced(VigilRelease.version))
    }
}
