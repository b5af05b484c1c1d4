import Foundation
import VigilCrypto
import VigilModel

/// Valid signed entries covering every field: kinds, TLP labels, roles, organisations (non-ASCII
/// included), nodes, refs and body sizes from empty to the maximum. Deterministic: fixed keys and clocks.
enum Seeds {
    static func entries() throws -> [Entry] {
        let author = try SigningKey(seed: SecureBytes([UInt8](repeating: 0x11, count: 32)))
        let other = try SigningKey(seed: SecureBytes([UInt8](repeating: 0x22, count: 32)))
        let me = NodeID(author.publicKey)
        let them = NodeID(other.publicKey)
        func id(_ byte: UInt8) -> EntryID { EntryID([UInt8](repeating: byte, count: 32))! }
        func text(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(ascii: "a") + UInt8($0 % 26) } }
        let t0: UInt64 = 1_764_000_000_000

        var drafts: [EntryDraft] = [
            // The smallest: no audience lists, no refs, empty body.
            EntryDraft(author: me, timestamp: HybridTimestamp(milliseconds: 0, counter: 0), kind: .commTest,
                       audience: Audience(tlp: .clear)),
            // A typical message (~300 bytes encoded).
            EntryDraft(author: me, timestamp: HybridTimestamp(milliseconds: t0, counter: 1), kind: .message,
                       audience: .federation, body: Array("Water supply in district 4 restored at 14:20; boil-water notice remains until further notice. Contact the duty desk for details.".utf8)),
            // Amber with roles and organisations, one ref.
            EntryDraft(author: me, timestamp: HybridTimestamp(milliseconds: t0 + 1, counter: 0), kind: .situationReport,
                       audience: Audience(tlp: .amber, roles: ["authority", "police", "government"],
                                          organisations: ["Bundesamt für Sicherheit", "CERT-EU", "Stadtwerke Köln"]),
                       refs: [id(0xab)], body: text(300)),
            // Amber+strict, organisations only, larger counters and varints.
            EntryDraft(author: me, timestamp: HybridTimestamp(milliseconds: HybridTimestamp.maxMilliseconds, counter: UInt32.max),
                       kind: .threatNotice, audience: Audience(tlp: .amberStrict, organisations: ["Électricité de France", "ÖBB"]),
                       body: text(2000)),
            // Red, explicit nodes, several refs.
            EntryDraft(author: me, timestamp: HybridTimestamp(milliseconds: t0 + 2, counter: 300), kind: .incident,
                       audience: Audience(tlp: .red, nodes: [me, them, id(0x01), id(0xfe)]),
                       refs: [id(0x10), id(0x02), id(0x30)], body: text(128)),
            // Acknowledgement and update: refs only.
            EntryDraft(author: me, timestamp: HybridTimestamp(milliseconds: t0 + 3, counter: 0), kind: .acknowledgement,
                       audience: Audience(tlp: .green, roles: ["authority"]), refs: [id(0x44)]),
            EntryDraft(author: me, timestamp: HybridTimestamp(milliseconds: t0 + 4, counter: 2), kind: .update,
                       audience: Audience(tlp: .amber, roles: ["a", "z9-x"], nodes: [them]), refs: [id(0x44), id(0x45)],
                       body: Array("{\"retracts\":true}".utf8)),
            // Alert and roster, the latter by another author.
            EntryDraft(author: me, timestamp: HybridTimestamp(milliseconds: t0 + 5, counter: 0), kind: .alert,
                       audience: .federation, body: text(16 * 1024)),
            EntryDraft(author: them, timestamp: HybridTimestamp(milliseconds: t0 + 6, counter: 0), kind: .roster,
                       audience: Audience(tlp: .green), body: text(600)),
            // Limits: 16 refs, 16 roles, many nodes, the largest body that fits with them.
            EntryDraft(author: me, timestamp: HybridTimestamp(milliseconds: t0 + 7, counter: 0), kind: .message,
                       audience: Audience(tlp: .amber, roles: (0..<16).map { "role\($0)" }, nodes: (0..<40).map { id(UInt8($0)) }),
                       refs: (0..<16).map { id(0x80 + UInt8($0)) }, body: text(1000)),
            EntryDraft(author: me, timestamp: HybridTimestamp(milliseconds: t0 + 8, counter: 0), kind: .situationReport,
                       audience: .federation, body: text(EntryLimits.maxBodyBytes)),
        ]
        // An assessment with a valid body (the kind's checks and its human JSON form run on it) and its incident.
        drafts.append(EntryDraft(author: me, timestamp: HybridTimestamp(milliseconds: t0 + 10, counter: 0), kind: .assessment,
                                 audience: Audience(tlp: .amber, roles: ["authority", "police"], nodes: [them]), refs: [id(0x10)],
                                 body: try AssessmentBody(status: .closed, outcome: .unfounded, protectiveAction: "Extra patrol at gate 3",
                                                          answer: "A survey flight with a permit; thank you.", officer: "duty").fieldMap.encoded()))
        // One with 64 organisations.
        drafts.append(EntryDraft(author: me, timestamp: HybridTimestamp(milliseconds: t0 + 9, counter: 0), kind: .message,
                                 audience: Audience(tlp: .amberStrict, organisations: (0..<64).map { "Org \($0)" }), body: text(10)))
        return try drafts.map { draft in
            try draft.signed(by: draft.author == me ? author : other)
        }
    }

    /// `--make-seeds DIR`: writes the seeds and says so. Returns the exit status.
    static func command(directory: String) -> Int32 {
        do {
            let count = try write(to: directory)
            print("vigil-fuzz-entry: wrote \(count) seed entries to \(directory)")
            return 0
        } catch {
            FileHandle.standardError.write(Data("vigil-fuzz-entry: cannot write seeds to \(directory): \(error)\n".utf8))
            return 2
        }
    }

    /// Writes every seed as `seed-NN.bin`, plus one copy with a broken signature. Returns how many.
    static func write(to directory: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let all = try entries()
        var blobs = all.map(\.canonicalBytes)
        var broken = all[1].canonicalBytes
        broken[broken.count - 1] ^= 0x01
        blobs.append(broken)
        for (i, blob) in blobs.enumerated() {
            let path = (directory as NSString).appendingPathComponent(String(format: "seed-%02d.bin", i))
            guard FileManager.default.createFile(atPath: path, contents: Data(blob)) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
        return blobs.count
    }
}
