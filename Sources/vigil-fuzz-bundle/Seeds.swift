import Foundation
import VigilBundle
import VigilCrypto
import VigilModel

/// Seed bundles sealed by the fixture: empty, one entry, several entries; and a bare payload.
enum Seeds {
    static func bundles() throws -> [[UInt8]] {
        let entries = try (0..<3).map { i in
            try EntryDraft(author: BundleFuzzFixture.exporterID, timestamp: HybridTimestamp(milliseconds: 1_790_000_000_000 + UInt64(i), counter: 0),
                           kind: .message, audience: Audience(tlp: .green),
                           body: (["subject": .text("s\(i)"), "text": .text("t")] as FieldMap).encoded()).signed(by: BundleFuzzFixture.exporter)
        }
        let recipient = BundleRecipientKey(identity: BundleFuzzFixture.recipientID, publicKey: Bytes32(BundleFuzzFixture.recipientKey.publicKey)!)
        let other = BundleRecipientKey(identity: BundleFuzzFixture.exporterID, publicKey: Bytes32(BundleFuzzFixture.recipientKey.publicKey)!)
        var out: [[UInt8]] = []
        for (count, recipients) in [(0, [recipient]), (1, [recipient]), (3, [recipient, other])] {
            out.append(try BundleSealer.seal(entries: entries.prefix(count).map(\.canonicalBytes), federation: BundleFuzzFixture.exporterID,
                                             exporter: BundleFuzzFixture.exporter, created: HybridTimestamp(milliseconds: 1_790_000_100_000, counter: 0),
                                             recipients: recipients, randomness: .fresh(recipients: recipients.count)))
        }
        out.append(BundlePayload.encode(entries.map(\.canonicalBytes)))
        return out
    }

    /// `--make-seeds DIR`: writes the seeds. Returns the exit status.
    static func command(directory: String) -> Int32 {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (i, seed) in try bundles().enumerated() {
                try Data(seed).write(to: URL(fileURLWithPath: directory).appendingPathComponent("seed-\(i)"))
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("vigil-fuzz-bundle: cannot write the seeds: \(error)\n".utf8))
            return 2
        }
    }
}
