import Foundation
import Testing
import VigilCrypto
import VigilModel
@testable import VigilSync

/// Byte compatibility with the reference implementation: every transcript in
/// `../shared/testdata/negentropy/` is replayed in memory and every message must match byte for byte.
@Suite("Negentropy reference transcripts")
struct NegentropyTranscriptTests {
    @Test("the transcript folder ../shared/testdata/negentropy is present and holds transcripts")
    func folderIsPresent() {
        let directory = NegentropyTranscript.directory.standardizedFileURL.path
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue
        #expect(exists, "the Negentropy reference transcripts are missing: expected the folder \(directory) (shared/ must sit beside the checkout); without it byte compatibility is untested")
        #expect(!NegentropyTranscript.fileNames.isEmpty, "no *.txt transcripts in \(directory)")
    }

    @Test("in memory, initiator and responder reproduce the transcript byte for byte",
          arguments: NegentropyTranscript.fileNames)
    func replay(file: String) throws {
        let transcript = try NegentropyTranscript.load(file)
        let (first, rounds) = try transcript.expectedRounds()
        let limit = transcript.frameSizeLimit

        var initiator = try NegentropyInitiator(storage: NegentropyStorage(transcript.initiatorItems), frameSizeLimit: limit)
        let responder = try NegentropyResponder(storage: NegentropyStorage(transcript.responderItems), frameSizeLimit: limit)

        var message = try initiator.initiate()
        try #require(message == first, "\(file): the first message differs from the reference's")
        var allHave = Set<Bytes32>(), allNeed = Set<Bytes32>()
        for (n, expected) in rounds.enumerated() {
            if limit != 0 { #expect(message.count <= limit, "\(file) round \(n): initiator message of \(message.count) bytes") }
            let reply = try responder.reconcile(message)
            try #require(reply == expected.responderMessage, "\(file) round \(n): the responder's message differs from the reference's")
            if limit != 0 { #expect(reply.count <= limit, "\(file) round \(n): responder message of \(reply.count) bytes") }
            let round = try initiator.reconcile(reply)
            #expect(Set(round.have) == expected.have, "\(file) round \(n): have ids differ")
            #expect(Set(round.need) == expected.need, "\(file) round \(n): need ids differ")
            #expect(round.have.count == Set(round.have).count && round.need.count == Set(round.need).count)
            allHave.formUnion(round.have)
            allNeed.formUnion(round.need)
            if let next = expected.next {
                try #require(round.next == next, "\(file) round \(n): the initiator's next message differs from the reference's")
                message = next
            } else {
                #expect(round.next == nil, "\(file) round \(n): the reference was done here, we were not")
            }
        }
        #expect(rounds.last?.next == nil, "\(file): the transcript does not end with done")

        // And the result is the exact symmetric difference.
        let c = transcript.common, a = transcript.onlyInitiator, b = transcript.onlyResponder
        #expect(allHave == Set((c..<c + a).map { transcript.item($0).id }))
        #expect(allNeed == Set((c + a..<c + a + b).map { transcript.item($0).id }))
    }

    @Test("each transcript message decodes strictly and re-encodes to the same bytes",
          arguments: NegentropyTranscript.fileNames)
    func messagesRoundTrip(file: String) throws {
        let transcript = try NegentropyTranscript.load(file)
        for event in transcript.events {
            switch event {
            case .initiatorMessage(let bytes), .responderMessage(let bytes):
                #expect(try NegentropyMessage.decode(bytes).encoded() == bytes)
            default:
                continue
            }
        }
    }
}
