import Foundation
import Testing
import VigilCrypto
import VigilModel
@testable import VigilStore

@Suite struct CorruptionTests {
    /// Where in a record a byte is damaged.
    enum Spot: String, CaseIterable, CustomTestStringConvertible {
        case magic, type, lengthLow, lengthHigh, id, crc, firstPayloadByte, middlePayloadByte, lastPayloadByte

        func offset(in recordSize: Int) -> Int {
            switch self {
            case .magic: 1
            case .type: 4
            case .lengthLow: 8
            case .lengthHigh: 11
            case .id: 20
            case .crc: 45
            case .firstPayloadByte: 48
            case .middlePayloadByte: 48 + (recordSize - 48) / 2
            case .lastPayloadByte: recordSize - 1
            }
        }

        var testDescription: String { rawValue }
    }

    /// A flipped byte in a record in the middle: `open` refuses and names the file and offset, `check`
    /// finds exactly that record, `repair` keeps every other record, and the store opens again.
    @Test(arguments: Spot.allCases)
    func aDamagedMiddleRecordIsFoundAndRepaired(spot: Spot) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<9)
        let store = try EntryStore.open(directory: dir.store)
        _ = try store.append(entries)
        store.close()
        let segment = try StoreFiles.segments(dir.store)[0]
        let victim = 4
        let start = StoreFiles.recordOffsets(entries)[victim]
        let size = StoreFiles.recordSize(entries[victim])
        try StoreFiles.flip(segment, at: start + spot.offset(in: size), mask: spot == .lengthHigh ? 0x40 : 0x01)

        let error = expectStoreError(.corrupt) { _ = try EntryStore.open(directory: dir.store) }
        #expect(error?.message.contains(segment) == true)
        #expect(error?.message.contains("at byte \(start)") == true)
        #expect(error?.message.contains("vigil store check") == true)
        #expect(error?.message.contains("vigil store repair") == true)
        #expect(error?.path == segment && error?.offset == Int64(start))

        let check = EntryStore.check(directory: dir.store)
        #expect(check.problems.count == 1)
        let problem = try #require(check.problems.first)
        #expect(problem.kind == .damagedRecord)
        #expect(problem.file == segment && problem.offset == Int64(start) && problem.length == Int64(size))
        #expect(check.intactRecords == 8)
        #expect(!check.opensCleanly)
        #expect(check.description.contains("vigil store repair"))

        let report = try EntryStore.repair(directory: dir.store)
        #expect(report.keptRecords == 8)
        #expect(report.rescuedRecords == 8)
        #expect(report.droppedBytes == Int64(size))
        #expect(report.rewrittenSegments == ["segment-00000001.vseg"])
        #expect(EntryStore.check(directory: dir.store).isHealthy)

        let repaired = try EntryStore.open(directory: dir.store)
        defer { repaired.close() }
        #expect(repaired.count == 8)
        for (i, entry) in entries.enumerated() where i != victim { #expect(try repaired.read(entry.id) == entry) }
        #expect(!repaired.contains(entries[victim].id))
        #expect(try repaired.append(entries[victim]) == .stored)
    }

    /// Damage at the end of a segment that is not the last is never mistaken for a torn tail.
    @Test func damageAtTheEndOfAnEarlierSegmentIsNotATornTail() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<9)
        let recordSize = StoreFiles.recordSize(entries[0])
        let configuration = StoreConfiguration(segmentSizeLimit: StoreFormat.segmentHeaderSize + 3 * recordSize)
        let store = try EntryStore.open(directory: dir.store, configuration: configuration)
        for entry in entries { _ = try store.append(entry) }
        store.close()
        let segments = try StoreFiles.segments(dir.store)
        #expect(segments.count == 3)
        // The last record of the second segment (entry 5).
        let start = StoreFormat.segmentHeaderSize + 2 * recordSize
        try StoreFiles.flip(segments[1], at: start + 60)

        let error = expectStoreError(.corrupt) { _ = try EntryStore.open(directory: dir.store, configuration: configuration) }
        #expect(error?.message.contains("\(segments[1]) is damaged at byte \(start)") == true)
        let check = EntryStore.check(directory: dir.store)
        #expect(check.problems.map(\.kind) == [.damagedRecord])
        #expect(check.problems.first?.file == segments[1])

        let report = try EntryStore.repair(directory: dir.store)
        #expect(report.keptRecords == 8 && report.rescuedRecords == 2 && report.droppedBytes == Int64(recordSize))
        let repaired = try EntryStore.open(directory: dir.store, configuration: configuration)
        defer { repaired.close() }
        #expect(repaired.items().map(\.id) == entries.enumerated().filter { $0.offset != 5 }.map(\.element.id))
    }

    /// Several damaged ranges: `check` lists each one; `repair` keeps every intact record between them.
    @Test func everyProblemIsListedAndEveryIntactRecordKept() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<12)
        let store = try EntryStore.open(directory: dir.store)
        _ = try store.append(entries)
        store.close()
        let segment = try StoreFiles.segments(dir.store)[0]
        let offsets = StoreFiles.recordOffsets(entries)
        var bytes = try StoreFiles.bytes(segment)
        bytes[offsets[2] + 70] ^= 0x10                         // payload of entry 2
        bytes[offsets[6] + 9] ^= 0x02                          // length of entry 6
        for i in offsets[9]..<(offsets[9] + 30) { bytes[i] = 0xAA } // header of entry 9
        try StoreFiles.write(bytes, to: segment)

        let check = EntryStore.check(directory: dir.store)
        #expect(check.problems.map(\.offset) == [offsets[2], offsets[6], offsets[9]].map(Int64.init))
        #expect(check.problems.allSatisfy { $0.kind == .damagedRecord })
        #expect(check.intactRecords == 9)
        expectStoreError(.corrupt) { _ = try EntryStore.open(directory: dir.store) }

        let report = try EntryStore.repair(directory: dir.store)
        #expect(report.keptRecords == 9 && report.repaired.count == 3)
        #expect(report.droppedBytes == Int64([2, 6, 9].map { StoreFiles.recordSize(entries[$0]) }.reduce(0, +)))
        let repaired = try EntryStore.open(directory: dir.store)
        defer { repaired.close() }
        #expect(repaired.items().map(\.id) == entries.enumerated().filter { ![2, 6, 9].contains($0.offset) }.map(\.element.id))
    }

    @Test func aDamagedSegmentHeaderIsRepaired() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<4)
        let store = try EntryStore.open(directory: dir.store)
        _ = try store.append(entries)
        store.close()
        let segment = try StoreFiles.segments(dir.store)[0]
        try StoreFiles.flip(segment, at: 2)
        let error = expectStoreError(.corrupt) { _ = try EntryStore.open(directory: dir.store) }
        #expect(error?.message.contains("segment header") == true)
        #expect(EntryStore.check(directory: dir.store).problems.map(\.kind) == [.badSegmentHeader])
        let report = try EntryStore.repair(directory: dir.store)
        #expect(report.keptRecords == 4)
        let repaired = try EntryStore.open(directory: dir.store)
        defer { repaired.close() }
        #expect(repaired.count == 4)
    }

    /// A record-shaped byte string inside an entry's body is not taken for a record when the record
    /// around it is torn: its signature does not verify, so the torn tail is still just a torn tail.
    @Test func aForgedRecordInsideATornBodyIsNotResurrected() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let honest = try factory.entry(1)
        // A well-framed record of an entry whose signature is wrong.
        var forgedBytes = honest.canonicalBytes
        forgedBytes[forgedBytes.count - 1] ^= 1
        let forged = try Entry(canonicalBytes: forgedBytes)
        var framed: [UInt8] = []
        StoreFormat.appendRecord(id: forged.id, payload: forged.canonicalBytes, to: &framed)
        let carrier = try EntryDraft(author: factory.author, timestamp: HybridTimestamp(milliseconds: 5, counter: 0), kind: .message,
                                 audience: Audience(tlp: .green), body: [UInt8](repeating: 0x20, count: 8) + framed).signed(by: factory.key)
        let store = try EntryStore.open(directory: dir.store)
        _ = try store.append([honest, carrier])
        store.close()
        let segment = try StoreFiles.segments(dir.store)[0]
        let bytes = try StoreFiles.bytes(segment)
        try StoreFiles.write(bytes.dropLast(10), to: segment)
        let reopened = try EntryStore.open(directory: dir.store)
        defer { reopened.close() }
        #expect(reopened.count == 1)
        #expect(!reopened.contains(forged.id))
        #expect(reopened.recovery.truncatedTail != nil)
    }

    @Test func checkOfAHealthyStore() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let store = try EntryStore.open(directory: dir.store)
        _ = try store.append(try factory.entries(0..<5))
        store.close()
        let check = EntryStore.check(directory: dir.store)
        #expect(check.isHealthy && check.opensCleanly && !check.inUse)
        #expect(check.intactRecords == 5)
        #expect(check.segments.map(\.name) == ["segment-00000001.vseg"])
        #expect(check.description.contains("no problems"))
        let report = try EntryStore.repair(directory: dir.store)
        #expect(report.rewrittenSegments.isEmpty && report.keptRecords == 5 && report.droppedBytes == 0)
        let missing = EntryStore.check(directory: "\(dir.path)/nowhere")
        #expect(missing.problems.map(\.kind) == [.unreadable])
    }
}

@Suite struct DeepCheckTests {
    /// A record whose framing and CRC are good but whose header id is not the hash of its payload
    /// passes `open` (which does not rehash) but not `read`, and `check` and `repair` find it.
    @Test func aRecordWithAWrongIdIsCaughtByReadCheckAndRepair() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<3)
        let wrongID = EntryID(SHA256.hash(Array("not this entry".utf8)))!
        var bytes = StoreFormat.segmentHeader(number: 1)
        StoreFormat.appendRecord(id: entries[0].id, payload: entries[0].canonicalBytes, to: &bytes)
        StoreFormat.appendRecord(id: wrongID, payload: entries[1].canonicalBytes, to: &bytes)
        StoreFormat.appendRecord(id: entries[2].id, payload: entries[2].canonicalBytes, to: &bytes)
        try FileManager.default.createDirectory(atPath: dir.store, withIntermediateDirectories: true)
        try StoreFiles.write(bytes, to: "\(dir.store)/segment-00000001.vseg")

        let store = try EntryStore.open(directory: dir.store)
        #expect(store.count == 3)
        let error = expectStoreError(.corrupt) { _ = try store.read(wrongID) }
        #expect(error?.message.contains(entries[1].id.hex) == true)
        store.close()

        let check = EntryStore.check(directory: dir.store)
        #expect(check.problems.map(\.kind) == [.idMismatch])
        #expect(check.problems.first?.offset == Int64(StoreFiles.recordOffsets(entries)[1]))
        let report = try EntryStore.repair(directory: dir.store)
        #expect(report.keptRecords == 2)
        let repaired = try EntryStore.open(directory: dir.store)
        defer { repaired.close() }
        #expect(repaired.items().map(\.id) == [entries[0].id, entries[2].id])
    }
}
