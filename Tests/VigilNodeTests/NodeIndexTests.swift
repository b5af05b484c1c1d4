import Foundation
import Testing
import VigilCrypto
import VigilModel
import VigilStore
import VigilSync
@testable import VigilNode

/// Entries of every shape the start-up index records: several authors and audiences, refs, automatic
/// receipts and officer confirmations, roster entries and communication tests.
struct IndexFixture {
    let keys = (1...3).map { try! SigningKey(seed: SecureBytes([UInt8](repeating: UInt8($0), count: 32))) }

    func entry(_ n: Int, kind: EntryKind = .message, audience: Audience = .federation, refs: [EntryID] = [], body: [UInt8]? = nil) -> Entry {
        let key = keys[n % keys.count]
        let fields: FieldMap = ["subject": .text("s\(n)"), "text": .text("entry \(n)")]
        return try! EntryDraft(author: NodeID(key.publicKey), timestamp: HybridTimestamp(milliseconds: 1_800_000_000_000 + UInt64(n), counter: UInt32(n % 3)),
                               kind: kind, audience: audience, refs: refs, body: body ?? fields.encoded()).signed(by: key)
    }

    /// `count` entries; every tenth refers to the one before, some are receipts and confirmations.
    func entries(_ count: Int) -> [Entry] {
        var out: [Entry] = []
        let amber = Audience(tlp: .amber, roles: ["government", "police"], organisations: ["Org A"], nodes: [NodeID(keys[0].publicKey)])
        for n in 0..<count {
            switch n % 10 {
            case 3 where !out.isEmpty: out.append(entry(n, kind: .acknowledgement, refs: [out[n - 1].id], body: AcknowledgementBody.receipt.encoded()))
            case 5 where !out.isEmpty: out.append(entry(n, kind: .acknowledgement, refs: [out[n - 1].id, out[0].id], body: AcknowledgementBody.officer.encoded()))
            case 7: out.append(entry(n, kind: .commTest, body: CommTestBody(expected: .everyone, deadline: 60, note: nil).fieldMap.encodedForTest()))
            case 8: out.append(entry(n, audience: amber))
            default: out.append(entry(n))
            }
        }
        return out
    }
}

extension FieldMap {
    func encodedForTest() -> [UInt8] { try! encoded() }
}

@Suite("Start-up index: derivation and file format")
struct NodeIndexFormatTests {
    let f = IndexFixture()

    @Test("derive records id, timestamp, author, interned audiences, kinds, refs in order and only automatic receipts")
    func derive() {
        let entries = f.entries(20)
        let chunk = NodeIndexChunk.derive(entries, firstPosition: 7)
        #expect(chunk.positions == 7..<27)
        #expect(chunk.records.map(\.id) == entries.map(\.id))
        #expect(chunk.records.map(\.timestamp) == entries.map(\.timestamp))
        #expect(chunk.records.map(\.author) == entries.map(\.author))
        #expect(chunk.records.map { chunk.audiences[Int($0.audience)] } == entries.map(\.audience))
        #expect(chunk.audiences.count == 2)
        #expect(chunk.kinds == entries.map(\.kind))
        #expect(chunk.references.map(\.to) == entries.flatMap(\.refs))
        #expect(chunk.receipts == [3, 13])
        #expect(chunk.heldIndex.receipts == [HeldReceipt(author: entries[3].author, test: entries[2].id), HeldReceipt(author: entries[13].author, test: entries[12].id)])
        #expect(NodeIndexChunk.derive(entries, firstPosition: 7) == chunk, "pure: the same entries give the same chunk")
    }

    @Test("a chunk body round-trips, and every proper prefix of it is refused")
    func roundTripAndPrefixes() throws {
        let chunk = NodeIndexChunk.derive(f.entries(12), firstPosition: 3)
        let body = NodeIndexFormat.encode(chunk)
        #expect(try NodeIndexFormat.decode(body) == chunk)
        for cut in 0..<body.count {
            #expect(throws: DecodingError.self) { try NodeIndexFormat.decode(Array(body.prefix(cut))) }
        }
        #expect(throws: DecodingError.self) { try NodeIndexFormat.decode(body + [0]) }
        let empty = NodeIndexChunk(firstPosition: 0)
        #expect(try NodeIndexFormat.decode(NodeIndexFormat.encode(empty)) == empty)
    }

    @Test("malformed bodies are refused with the field that is wrong")
    func malformed() {
        let entries = [f.entry(0), f.entry(1)]
        let good = NodeIndexFormat.encode(NodeIndexChunk.derive(entries, firstPosition: 0))
        // Layout of `good`: firstPosition(1) audiences: count(1) tlp(1) 0 0 0 · authors: count(1) 2×32 · records: count(1) …
        let recordStart = 1 + 1 + 4 + 1 + 64 + 1
        func field(_ bytes: [UInt8]) -> String? {
            do { _ = try NodeIndexFormat.decode(bytes); return nil } catch { return error.field }
        }
        var kind = good
        kind[recordStart + 32 + 6 + 1 + 1 + 1] = 99   // id, ms (6-byte varint), counter, author, audience, kind
        #expect(field(kind) == "records[0].kind")
        var flags = good
        flags[recordStart + 32 + 6 + 4] = 1   // a receipt flag on a message
        #expect(field(flags) == "records[0].flags")
        var author = good
        author[recordStart + 32 + 6 + 1] = 1   // the first record uses author 1 before author 0
        #expect(field(author) == "records[0].author")
        var tlp = good
        tlp[2] = 9
        #expect(field(tlp) == "audiences[0].tlp")
        var twice = good
        twice.replaceSubrange(7..<39, with: good[39..<71])   // the same author listed twice
        #expect(field(twice) == "authors[1]")
        #expect(field([0x80]) == "firstPosition")
    }

    @Test("a file cut at every byte keeps exactly its complete chunks; a flipped byte stops reading at its chunk")
    func fileDamage() {
        let entries = f.entries(30)
        let chunks = [NodeIndexChunk.derive(Array(entries[0..<10]), firstPosition: 0), NodeIndexChunk.derive(Array(entries[10..<30]), firstPosition: 10)]
        let first = NodeIndexFormat.framed(chunks[0])
        let file = NodeIndexFormat.header() + first + NodeIndexFormat.framed(chunks[1])
        let whole = NodeIndexFormat.parse(file)
        #expect(whole.chunks == chunks && whole.problem == nil && whole.covered == 30 && whole.intactBytes == file.count)
        let firstEnd = NodeIndexFormat.headerSize + first.count
        for cut in 0..<file.count {
            let parsed = NodeIndexFormat.parse(Array(file.prefix(cut)))
            let expected = cut < firstEnd ? 0 : 1
            let boundary = cut == NodeIndexFormat.headerSize || cut == firstEnd
            #expect(parsed.chunks.count == expected && (parsed.problem == nil) == boundary, "cut at \(cut)")
            #expect(parsed.intactBytes == (cut < NodeIndexFormat.headerSize ? 0 : expected == 0 ? NodeIndexFormat.headerSize : firstEnd))
        }
        for at in stride(from: 0, to: file.count, by: 7) {
            var damaged = file
            damaged[at] ^= 0x40
            let parsed = NodeIndexFormat.parse(damaged)
            #expect(parsed.problem != nil, "flip at \(at)")
            #expect(parsed.chunks == Array(chunks.prefix(at < NodeIndexFormat.headerSize ? 0 : at < firstEnd ? 0 : 1)), "flip at \(at)")
        }
        var version = file
        version[8] = 2
        #expect(NodeIndexFormat.parse(version).problem == .otherVersion(2))
        #expect(NodeIndexFormat.parse(Array(file.prefix(NodeIndexFormat.headerSize)) + NodeIndexFormat.framed(chunks[1])).chunks.isEmpty,
                "a chunk that does not start where the previous ended is refused")
    }
}

@Suite("Start-up index: start, extension, and damage that must not lose an entry")
struct NodeStartupTests {
    let f = IndexFixture()

    final class Workspace {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-index-\(UUID().uuidString.prefix(8))").path
        var indexPath: String { dir + "/" + NodeIndexFile.name }
        deinit { try? FileManager.default.removeItem(atPath: dir) }
    }

    let log = NodeLog(node: "test", sink: { _ in })

    /// Opens the store, loads the start-up state, lets the writer catch the file up and stops.
    func start(_ w: Workspace, appending more: [Entry] = []) throws -> NodeStartup {
        let store = try EntryStore.open(directory: w.dir)
        defer { store.close() }
        let startup = try NodeStartup.load(store: store, indexPath: w.indexPath)
        let writer = NodeIndexWriter(path: w.indexPath, store: store, log: log, keep: startup.keptBytes, covered: startup.report.fromIndex,
                                     appending: startup.chunks[startup.keptChunks...])
        if !more.isEmpty {
            _ = try store.append(more)
            writer.admitted(more, now: 1)
        }
        writer.finish()
        return startup
    }

    /// Every stored entry is covered once, in store order, with the records derived from the entry itself.
    func expectComplete(_ startup: NodeStartup, _ entries: [Entry], sourceLocation: SourceLocation = #_sourceLocation) {
        let records = startup.chunks.flatMap(\.records)
        #expect(records.map(\.id) == entries.map(\.id), sourceLocation: sourceLocation)
        #expect(startup.chunks.flatMap(\.kinds) == entries.map(\.kind), sourceLocation: sourceLocation)
        #expect(startup.chunks.flatMap { c in c.references.map { c.records[Int($0.from)].id } } == entries.flatMap { e in e.refs.map { _ in e.id } }, sourceLocation: sourceLocation)
        #expect(startup.commTests.map(\.id) == entries.filter { $0.kind == .commTest }.map(\.id), sourceLocation: sourceLocation)
    }

    @Test("without an index every entry is read; the next start reads none; entries admitted later extend it")
    func buildAndExtend() throws {
        let w = Workspace()
        let entries = f.entries(40)
        let store = try EntryStore.open(directory: w.dir)
        _ = try store.append(Array(entries[0..<30]))
        store.close()

        let first = try start(w, appending: Array(entries[30..<35]))
        #expect(first.report.problem == .missing && first.report.read == 30 && first.report.fromIndex == 0)
        expectComplete(first, Array(entries[0..<30]))

        let second = try start(w)
        #expect(second.report.problem == nil && second.report.read == 0 && second.report.fromIndex == 35)
        expectComplete(second, Array(entries[0..<35]))

        // Entries stored while the index was not told (a crash before the checkpoint) are read.
        let store2 = try EntryStore.open(directory: w.dir)
        _ = try store2.append(Array(entries[35...]))
        store2.close()
        let third = try start(w)
        #expect(third.report.problem == nil && third.report.fromIndex == 35 && third.report.read == 5)
        expectComplete(third, entries)
        #expect(try start(w).report.read == 0)
    }

    @Test("a truncated, corrupted, deleted, foreign-version or mismatched index costs reading, never an entry")
    func damage() throws {
        let entries = f.entries(30)
        func prepared() throws -> Workspace {
            let w = Workspace()
            let store = try EntryStore.open(directory: w.dir)
            _ = try store.append(Array(entries[0..<12]))
            store.close()
            _ = try start(w, appending: Array(entries[12..<30]))   // two chunks: 12 read at start, 18 admitted
            #expect(NodeIndexFormat.parse(try NodeIndexFile.read(w.indexPath)!).chunks.count == 2)
            return w
        }
        let sample = try prepared()
        let size = try NodeIndexFile.read(sample.indexPath)!.count
        for cut in [0, 5, NodeIndexFormat.headerSize, NodeIndexFormat.headerSize + 9, size / 2, size - 1] {
            let w = try prepared()
            let file = try NodeIndexFile.read(w.indexPath)!
            try Data(file.prefix(cut)).write(to: URL(fileURLWithPath: w.indexPath))
            let startup = try start(w)
            #expect(startup.report.read > 0 && (startup.report.problem == nil) == (cut == NodeIndexFormat.headerSize), "cut at \(cut)")
            expectComplete(startup, entries)
            #expect(try start(w).report.read == 0, "rewritten after the cut at \(cut)")
        }
        for at in [3, 10, NodeIndexFormat.headerSize + 2, size / 2, size - 3] {
            let w = try prepared()
            var file = try NodeIndexFile.read(w.indexPath)!
            file[at] ^= 0xff
            try Data(file).write(to: URL(fileURLWithPath: w.indexPath))
            let startup = try start(w)
            #expect(startup.report.problem != nil && startup.report.read > 0, "flip at \(at)")
            expectComplete(startup, entries)
            #expect(try start(w).report.read == 0, "rewritten after the flip at \(at)")
        }
        let deleted = try prepared()
        try FileManager.default.removeItem(atPath: deleted.indexPath)
        let afterDelete = try start(deleted)
        #expect(afterDelete.report.problem == .missing)
        expectComplete(afterDelete, entries)

        let foreign = try prepared()
        var file = try NodeIndexFile.read(foreign.indexPath)!
        file[8] = 7
        try Data(file).write(to: URL(fileURLWithPath: foreign.indexPath))
        let afterForeign = try start(foreign)
        #expect(afterForeign.report.problem == .otherVersion(7) && afterForeign.report.read == 30)
        expectComplete(afterForeign, entries)
    }

    @Test("an index of another store (restored, repaired, replaced) is not used where it differs")
    func mismatch() throws {
        let entries = f.entries(30)
        let w = Workspace()
        let store = try EntryStore.open(directory: w.dir)
        _ = try store.append(Array(entries[0..<10]))
        store.close()
        _ = try start(w, appending: Array(entries[10..<20]))
        // The store is replaced by one holding other entries, in another order, and fewer.
        let index = try NodeIndexFile.read(w.indexPath)!
        try FileManager.default.removeItem(atPath: w.dir)
        let other = try EntryStore.open(directory: w.dir)
        let replaced = Array(entries[0..<10]) + Array(entries[20..<25])
        _ = try other.append(replaced)
        other.close()
        try Data(index).write(to: URL(fileURLWithPath: w.indexPath))
        let startup = try start(w)
        guard case .storeMismatch(let position, _)? = startup.report.problem else {
            Issue.record("expected a mismatch, got \(String(describing: startup.report.problem))")
            return
        }
        #expect(position == 10 && startup.report.fromIndex == 10 && startup.report.read == 5, "\(startup.report)")
        expectComplete(startup, replaced)
        #expect(try start(w).report.read == 0)

        let verified = NodeStartup.verify([NodeIndexChunk.derive(Array(entries[0..<3]), firstPosition: 0)],
                                          against: entries[0..<2].map { StoredItem(id: $0.id, timestamp: $0.timestamp) })
        #expect(verified.matching == 0)
    }
}
