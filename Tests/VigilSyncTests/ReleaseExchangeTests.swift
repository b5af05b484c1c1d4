import Testing
import VigilModel
@testable import VigilSync

/// Nodes of different releases: each learns the other's release when both offer it, an older peer
/// (no feature bit) is never sent a RELEASE frame it cannot decode, and both still sync.
@Suite("Release announcement after HELLO")
struct ReleaseExchangeTests {
    @Test("two announcing nodes learn each other's release and sync")
    func bothAnnounce() {
        var wire = Wire(aIDs: ids(0..<5), bIDs: ids(3..<9), aRelease: "0.3.0", bRelease: "0.4.1")
        #expect(wire.toB.count == 1)
        guard case .hello(let hello)? = wire.toB.first else { Issue.record("no HELLO first"); return }
        #expect(hello.features == Hello.Feature.announcesRelease)
        wire.pump(now: 1)
        #expect(wire.a.peerRelease == .announced("0.4.1"))
        #expect(wire.b.peerRelease == .announced("0.3.0"))
        #expect(Set(wire.a.store.keys) == Set(ids(0..<9)) && Set(wire.b.store.keys) == Set(ids(0..<9)))
        #expect(wire.a.closedReason == nil && wire.b.closedReason == nil)
    }

    @Test("an older peer (no feature bit) is never sent RELEASE; both sync and the newer one knows it is older")
    func olderPeer() {
        var wire = Wire(aIDs: ids(0..<4), bIDs: ids(2..<7), aRelease: "0.3.0", bRelease: nil)
        var sentToOld: [SyncMessage] = []
        for _ in 0..<100 where !(wire.toA.isEmpty && wire.toB.isEmpty) {
            sentToOld += wire.toB
            wire.pump(now: 1, maxSteps: 1)
        }
        #expect(!sentToOld.contains { if case .release = $0 { true } else { false } })
        #expect(wire.a.peerRelease == .unannounced)
        #expect(wire.b.peerRelease == nil)   // the older side learns nothing (and wants nothing)
        #expect(Set(wire.a.store.keys) == Set(ids(0..<7)) && Set(wire.b.store.keys) == Set(ids(0..<7)))
        #expect(wire.a.closedReason == nil && wire.b.closedReason == nil)
    }

    @Test("a HELLO from release 0.2 (fixture bytes) establishes the session as an unannounced release")
    func helloFromRelease02() throws {
        let bytes = try CompatibilityFixtures.bytes("frames/hello.frame")
        var decoder = FrameDecoder()
        let frames = try decoder.feed(bytes)
        let message = try SyncMessage(frame: try #require(frames.first))
        var (session, first) = PeerSession.start(isInitiator: false, clock: HybridTimestamp(milliseconds: 5, counter: 0), now: 0, release: "0.3.0")
        #expect(first.count == 1)
        let out = session.receive(message, now: 1)
        #expect(out.contains(.peerRelease(.unannounced)))
        #expect(!out.contains { if case .send(.release) = $0 { true } else { false } })
        #expect(session.phase == .established)
    }

    @Test("RELEASE without the feature, or twice, closes the session with the reason")
    func protocolErrors() {
        let clock = HybridTimestamp(milliseconds: 5, counter: 0)
        // The peer did not set the bit in its HELLO.
        var (quiet, _) = PeerSession.start(isInitiator: false, clock: clock, now: 0, release: "0.3.0")
        _ = quiet.receive(.hello(Hello(clock: clock)), now: 1)
        let refused = quiet.receive(.release("0.3.0"), now: 2)
        #expect(refused.contains { if case .close(let reason) = $0 { reason.code == .protocolViolation && reason.message.contains("RELEASE") } else { false } })
        #expect(quiet.phase == .closed)
        // This side did not ask (no release of its own): the peer must not send one.
        var (old, _) = PeerSession.start(isInitiator: false, clock: clock, now: 0, release: nil)
        _ = old.receive(.hello(Hello(features: Hello.Feature.announcesRelease, clock: clock)), now: 1)
        #expect(old.receive(.release("0.3.0"), now: 2).contains { if case .close = $0 { true } else { false } })
        // Twice.
        var (twice, _) = PeerSession.start(isInitiator: false, clock: clock, now: 0, release: "0.3.0")
        let hello = twice.receive(.hello(Hello(features: Hello.Feature.announcesRelease, clock: clock)), now: 1)
        #expect(hello.contains(.send(.release("0.3.0"))))
        #expect(twice.receive(.release("0.3.1"), now: 2) == [.peerRelease(.announced("0.3.1"))])
        #expect(twice.receive(.release("0.3.1"), now: 3).contains { if case .close = $0 { true } else { false } })
    }

    @Test("unknown feature bits from a newer peer are ignored")
    func unknownFeatures() {
        let clock = HybridTimestamp(milliseconds: 5, counter: 0)
        var (session, _) = PeerSession.start(isInitiator: false, clock: clock, now: 0, release: "0.3.0")
        let out = session.receive(.hello(Hello(features: 0xff00 | Hello.Feature.announcesRelease, clock: clock)), now: 1)
        #expect(session.phase == .established)
        #expect(out.contains(.send(.release("0.3.0"))))
    }

    @Test("RELEASE payloads: byte by byte, and refused when empty, too long or not a release name")
    func releaseBytes() throws {
        #expect(SyncMessage.release("0.3.0").frame().encoded == [0, 0, 0, 7, 0x09, 5, 0x30, 0x2e, 0x33, 0x2e, 0x30])
        for bad: [UInt8] in [[0], [33] + Array(repeating: 0x31, count: 33), [3, 0x30, 0x20, 0x31], [2, 0xc3, 0xa9], [1, 0x2f]] {
            #expect(throws: DecodingError.self, "\(bad)") { _ = try SyncMessage(frame: Frame(type: .release, payload: bad)) }
        }
        #expect(ReleaseName.validated(Array("0.3.0".utf8)) == "0.3.0")
        #expect(ReleaseName.validated([UInt8]()) == nil)
    }
}
