import Testing
import VigilCrypto
import VigilModel
@testable import VigilStore

@Suite struct StoreFormatTests {
    @Test func segmentNames() {
        #expect(StoreFormat.segmentFileName(1) == "segment-00000001.vseg")
        #expect(StoreFormat.segmentFileName(123_456_789) == "segment-123456789.vseg")
        #expect(StoreFormat.segmentNumber(fileName: "segment-00000042.vseg") == 42)
        #expect(StoreFormat.segmentNumber(fileName: "segment-123456789.vseg") == 123_456_789)
        for name in ["segment-00000000.vseg", "segment-42.vseg", "segment-0000004x.vseg", "segment-00000001.vseg.tmp", "LOCK"] {
            #expect(StoreFormat.segmentNumber(fileName: name) == nil, "\(name)")
        }
    }

    @Test func aRecordParsesBackAndEveryDamageIsSeen() throws {
        let entry = try EntryFactory().entry(7)
        var record: [UInt8] = []
        StoreFormat.appendRecord(id: entry.id, payload: entry.canonicalBytes, to: &record)
        #expect(record.count == 48 + entry.canonicalBytes.count)
        record.withUnsafeBytes { raw in
            guard case let .record(id, length) = StoreFormat.parseRecord(raw) else {
                Issue.record("not parsed")
                return
            }
            #expect(id == entry.id && length == entry.canonicalBytes.count)
            #expect(StoreFormat.timestamp(ofPayload: UnsafeRawBufferPointer(rebasing: raw[48...])) == entry.timestamp)
        }
        // Every prefix is incomplete; every single-bit flip is bad or incomplete.
        for cut in 0..<record.count {
            let result = record[..<cut].withUnsafeBytes { StoreFormat.parseRecord($0) }
            if case .record = result { Issue.record("a prefix of \(cut) bytes parsed as a record") }
        }
        for i in 0..<record.count {
            var damaged = record
            damaged[i] ^= 0x04
            let result = damaged.withUnsafeBytes { StoreFormat.parseRecord($0) }
            if case .record = result { Issue.record("a flip at byte \(i) went unnoticed") }
        }
    }

    @Test(arguments: [(UInt64(0), UInt32(0)), (127, 128), (1_700_000_000_123, 5), (HybridTimestamp.maxMilliseconds, UInt32.max)])
    func theTimestampPrefixMatchesTheDecoder(milliseconds: UInt64, counter: UInt32) throws {
        let factory = try EntryFactory()
        let entry = try EntryDraft(author: factory.author, timestamp: HybridTimestamp(milliseconds: milliseconds, counter: counter),
                                   kind: .alert, audience: Audience(tlp: .red, nodes: [factory.author])).signed(by: factory.key)
        let parsed = entry.canonicalBytes.withUnsafeBytes { StoreFormat.timestamp(ofPayload: $0) }
        #expect(parsed == entry.timestamp)
    }

    @Test func theIndexFindsWhatItHolds() {
        var index = StoreIndex()
        var ids: [EntryID] = []
        for i in 0..<5000 {
            let id = EntryID(SHA256.hash(Array("id \(i)".utf8)))!
            ids.append(id)
            let added = index.insert(IndexedRecord(id: id, timestamp: HybridTimestamp(milliseconds: UInt64(i), counter: 0), segment: 1, offset: UInt32(i), length: 1))
            #expect(added)
        }
        let again = index.insert(IndexedRecord(id: ids[17], timestamp: HybridTimestamp(milliseconds: 0, counter: 0), segment: 9, offset: 0, length: 1))
        #expect(!again)
        #expect(index.count == 5000)
        for (i, id) in ids.enumerated() { #expect(index.position(of: id) == i) }
        #expect(!index.contains(EntryID(SHA256.hash([1, 2, 3]))!))
        #expect(MemoryLayout<IndexedRecord>.stride == 56)
    }
}
