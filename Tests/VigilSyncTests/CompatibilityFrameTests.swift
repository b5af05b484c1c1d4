import Foundation
import Testing
import VigilModel
@testable import VigilSync

/// The compatibility fixtures (Tests/Fixtures), found from this file.
enum CompatibilityFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/release-0.2")

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(path)))
    }
}

/// Frames written by release 0.2 decode with today's code into the same messages, and today's code
/// writes the same bytes for them: a 0.2 peer and this release understand each other.
@Suite("Frames written by release 0.2")
struct CompatibilityFrameTests {
    @Test("every 0.2 frame decodes and re-encodes to the same bytes", arguments: [
        "hello", "want", "entries", "ping", "pong", "goodbye", "reconcile-begin",
    ])
    func frame(_ name: String) throws {
        let bytes = try CompatibilityFixtures.bytes("frames/\(name).frame")
        var decoder = FrameDecoder()
        let frames = try decoder.feed(bytes)
        #expect(frames.count == 1 && decoder.bufferedBytes == 0)
        let message = try SyncMessage(frame: try #require(frames.first))
        #expect(message.frame().encoded == bytes)
        switch message {
        case .hello(let hello):
            #expect(hello.protocolVersion == Hello.currentVersion)
            #expect(hello.features == 0)
        case .entries(let list):
            let entry = try Entry(canonicalBytes: try #require(list.first))
            #expect(entry.canonicalBytes == (try CompatibilityFixtures.bytes("message.entry")))
        case .want(let ids):
            #expect(ids == [try Entry(canonicalBytes: try CompatibilityFixtures.bytes("message.entry")).id])
        default:
            break
        }
    }
}
