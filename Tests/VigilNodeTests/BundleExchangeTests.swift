import Foundation
import Testing
import VigilAPI
import VigilBundle
import VigilCrypto
import VigilModel
import VigilNode

/// Sneakernet bundles between node directories made by Scripts/certs, with no network between them:
/// the stopped path (`OfflineNode`) end to end, and one import through a running node's local API.
@Suite("Bundle exchange", .serialized)
final class BundleExchangeTests {
    let federation: FederationHarness
    static let names = ["ncc", "gov-a", "gov-b", "acme"]

    init() throws {
        federation = try FederationHarness([
            .init(name: "ncc", role: "authority", organisation: "National Crisis Centre", dials: []),
            .init(name: "gov-a", role: "government", organisation: "Governor A", dials: []),
            .init(name: "gov-b", role: "government", organisation: "Governor B", dials: []),
            .init(name: "acme", role: "company", organisation: "Acme", dials: []),
        ])
        // Every member publishes its encryption key; the enckey entries reach everyone (here by hand,
        // normally by sync) — each node ingests them as if from a peer.
        var announcements: [[UInt8]] = []
        for name in Self.names {
            let node = try open(name)
            defer { node.close() }
            let entry = try #require(try node.announceEncryptionKey(node.encryptionKey()))
            #expect(try node.announceEncryptionKey(node.encryptionKey()) == nil)   // already published
            announcements.append(entry.canonicalBytes)
        }
        for name in Self.names {
            let node = try open(name)
            defer { node.close() }
            _ = try node.ingest(announcements)
        }
    }

    func open(_ name: String) throws -> OfflineNode { try OfflineNode(directory: federation.nodeDir(name)) }

    func id(_ name: String) throws -> NodeID { NodeID(try federation.key(name).publicKey) }

    /// Entries by the authority: GREEN, AMBER to governments (a sitrep-like message), AMBER to police,
    /// RED to acme.
    func authorEntries() throws -> [Entry] {
        let key = try federation.key("ncc")
        let audiences: [Audience] = [
            Audience(tlp: .green),
            Audience(tlp: .amber, roles: ["authority", "government"]),
            Audience(tlp: .amber, roles: ["police"]),
            Audience(tlp: .red, nodes: [try id("acme")]),
        ]
        return try audiences.enumerated().map { i, audience in
            try EntryDraft(author: NodeID(key.publicKey), timestamp: HybridTimestamp(milliseconds: 1_795_000_000_000 + UInt64(i), counter: 0),
                           kind: .message, audience: audience,
                           body: (["subject": .text("s\(i)"), "text": .text("entry \(i)")] as FieldMap).encoded()).signed(by: key)
        }
    }

    func seed() throws -> [Entry] {
        let entries = try authorEntries()
        let ncc = try open("ncc")
        defer { ncc.close() }
        #expect(try ncc.ingest(entries.map(\.canonicalBytes)).allSatisfy { $0.outcome == .new })
        return entries
    }

    func export(_ request: BundleSelection) throws -> (bytes: [UInt8], plan: BundleExportPlan) {
        let ncc = try open("ncc")
        defer { ncc.close() }
        return try ncc.exportBundle(request)
    }

    /// One federation for all the stopped-node checks (making certificates is the slow part).
    @Test("stopped nodes: round trip and replay, audience, wrongly addressed and tampered, entries checked as from a peer")
    func stoppedNodes() throws {
        let entries = try seed()
        try roundTrip(entries)
        try audience(entries)
        try wronglyAddressed()
        try entriesVerifiedAsFromPeer(entries)
        try commandLine()
    }

    /// `vigil bundle export` and `import` on stopped nodes: exit codes and the refusal reason.
    func commandLine() throws {
        let vigil = try FederationHarness.vigil()
        let file = federation.dir.appendingPathComponent("cli.vgb").path
        let exported = try FederationHarness.run(vigil, ["bundle", "export", "--dir", federation.nodeDir("ncc"), "--out", file, "--role", "company", "--json"])
        #expect(exported.status == 0, "\(exported.output)")
        let imported = try FederationHarness.run(vigil, ["bundle", "import", "--dir", federation.nodeDir("acme"), file, "--json"])
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.output.contains("\"exporter\" : \"ncc\""))
        let wrong = try FederationHarness.run(vigil, ["bundle", "import", "--dir", federation.nodeDir("gov-a"), file])
        #expect(wrong.status == 1)
        #expect(wrong.output.contains("bundle refused (not-addressed), nothing was stored"))
        let usage = try FederationHarness.run(vigil, ["bundle", "export", "--dir", federation.nodeDir("ncc"), "--out", file])
        #expect(usage.status == 2)
    }

    /// Round trip ncc → gov-a without a network; a replay stores nothing and reports already held.
    func roundTrip(_ entries: [Entry]) throws {
        let (bytes, plan) = try export(BundleSelection(to: ["gov-a"]))
        let ids = Set(plan.entries.map(\.id))
        #expect(ids.contains(entries[0].id) && ids.contains(entries[1].id))
        #expect(!ids.contains(entries[2].id) && !ids.contains(entries[3].id))
        let gov = try open("gov-a")
        defer { gov.close() }
        let before = gov.store.count
        let report = try gov.importBundle(bytes)
        #expect(report.exporter == "ncc")
        #expect(report.refused.isEmpty)
        #expect(report.new == 2)                    // the two messages; the enckey entries were held already
        #expect(report.held == plan.entries.count - 2)
        #expect(gov.store.count == before + 2)
        #expect(gov.store.contains(entries[1].id))
        let again = try gov.importBundle(bytes)
        #expect(again.new == 0 && again.refused.isEmpty && again.held == plan.entries.count)
        #expect(gov.store.count == before + 2)
    }

    /// Audience: a company's bundle never holds an AMBER entry for governments; --role reaches every holder.
    func audience(_ entries: [Entry]) throws {
        let (bytes, plan) = try export(BundleSelection(to: ["acme"]))
        #expect(!plan.entries.contains { $0.audience.tlp == .amber })
        #expect(plan.entries.contains { $0.id == entries[3].id })   // RED to acme
        let acme = try open("acme")
        defer { acme.close() }
        let opened = try BundleOpener.open(bytes, roster: acme.core.roster, identity: acme.me.node, key: acme.encryptionKey())
        let inside = try opened.entries.map { try Entry(canonicalBytes: $0) }
        #expect(!inside.contains { $0.id == entries[1].id })
        #expect(try acme.importBundle(bytes).refused.isEmpty)

        let (_, both) = try export(BundleSelection(roles: ["government"]))
        #expect(Set(both.recipients.map(\.member.name)) == ["gov-a", "gov-b"])
        #expect(both.entries.contains { $0.id == entries[1].id } && !both.entries.contains { $0.id == entries[3].id })
    }

    /// A bundle for another node is refused and nothing is stored; so is a tampered one.
    func wronglyAddressed() throws {
        let (bytes, _) = try export(BundleSelection(to: ["gov-a"]))
        let acme = try open("acme")
        defer { acme.close() }
        let before = acme.store.count
        #expect { try acme.importBundle(bytes) } throws: { ($0 as? BundleRefusal)?.reason == .notAddressed }
        var tampered = bytes
        tampered[tampered.count / 2] ^= 1
        let gov = try open("gov-a")
        defer { gov.close() }
        let govBefore = gov.store.count
        #expect { try gov.importBundle(tampered) } throws: { ($0 as? BundleRefusal)?.reason == .tampered }
        #expect(acme.store.count == before && gov.store.count == govBefore)
    }

    /// Entries in a valid bundle are checked as from a peer: outside the audience, by a stranger, or forged.
    func entriesVerifiedAsFromPeer(_ entries: [Entry]) throws {
        let ncc = try open("ncc")
        let keyDirectory = EncryptionKeyDirectory(entries: ncc.held, roster: ncc.core.roster)
        let govID = try id("gov-b")
        let stranger = try SigningKey.generate()
        let foreign = try EntryDraft(author: NodeID(stranger.publicKey), timestamp: HybridTimestamp(milliseconds: 1_795_000_000_000, counter: 0),
                                     kind: .message, audience: Audience(tlp: .green),
                                     body: (["subject": .text("x"), "text": .text("x")] as FieldMap).encoded()).signed(by: stranger)
        var forged = entries[0].canonicalBytes
        forged[forged.count - 1] ^= 1
        // A (misbehaving) exporter that seals an entry outside gov-b's audience: gov-b refuses it itself.
        let bytes = try BundleSealer.seal(entries: [entries[0].canonicalBytes, entries[3].canonicalBytes, foreign.canonicalBytes, forged],
                                          federation: ncc.core.roster.authority, exporter: ncc.identity,
                                          created: HybridTimestamp(milliseconds: 1_795_000_001_000, counter: 0),
                                          recipients: [BundleRecipientKey(identity: govID, publicKey: keyDirectory.keys[govID]!.publicKey)],
                                          randomness: .fresh(recipients: 1))
        ncc.close()
        let gov = try open("gov-b")
        defer { gov.close() }
        let report = try gov.importBundle(bytes)
        #expect(report.new == 1)
        #expect(report.refused.count == 3)
        if case .refused(let refusal) = report.items[1].outcome { #expect(refusal.code == .audience) } else { Issue.record("entry outside the audience admitted") }
        if case .refused(let refusal) = report.items[2].outcome { #expect(refusal.code == .notMember) } else { Issue.record("stranger admitted") }
        if case .refused(let refusal) = report.items[3].outcome { #expect(refusal.code == .badSignature) } else { Issue.record("forged entry admitted") }
        #expect(!gov.store.contains(entries[3].id) && !gov.store.contains(foreign.id))
    }

    @Test("a running node imports and exports through its local API")
    func runningNode() throws {
        let entries = try seed()
        let (bytes, _) = try export(BundleSelection(to: ["gov-a"]))
        let path = federation.dir.appendingPathComponent("a.vgb").path
        try BundleFileIO.write(bytes, to: path)
        try federation.start("gov-a")
        defer { federation.stop("gov-a") }
        let report = try federation.api("gov-a").send(BundleImportRequest(path: path))
        #expect(report.new == 2 && report.refused.isEmpty)
        #expect(try federation.waitFor("gov-a", [entries[0].id, entries[1].id]).isEmpty)
        let replay = try federation.api("gov-a").send(BundleImportRequest(path: path))
        #expect(replay.new == 0 && replay.held == report.items.count)
        #expect { try federation.api("acme").send(BundleImportRequest(path: path)) } throws: { _ in true }   // acme is not running
        let out = federation.dir.appendingPathComponent("b.vgb").path
        let exported = try federation.api("gov-a").send(BundleExportRequest(out: out, to: ["gov-b"]))
        #expect(exported.entries >= 2 && exported.recipients == ["gov-b"])
        #expect { try federation.api("gov-a").send(BundleExportRequest(out: out, to: ["nobody"])) } throws: { ($0 as? APIFailure)?.code == .invalid }
    }
}
