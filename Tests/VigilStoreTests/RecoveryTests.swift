import Foundation
import Testing
import VigilCrypto
import VigilModel
@testable import VigilStore

@Suite struct RecoveryTests {
    /// Cuts the last segment at every byte offset within its final record: each time, `open` drops the
    /// torn record, keeps every earlier one, and the store takes new appends.
    @Test func aTornFinalRecordIsCutOffAtEveryByteOffset() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<5)
        let store = try EntryStore.open(directory: dir.store)
        _ = try store.append(Array(entries[..<3]))
        _ = try store.append(Array(entries[3...]))
        store.close()
        let segment = try StoreFiles.segments(dir.store)[0]
        let original = try StoreFiles.bytes(segment)
        let lastStart = StoreFiles.recordOffsets(entries)[4]
        #expect(original.count == lastStart + StoreFiles.recordSize(entries[4]))
        let later = try factory.entry(100)

        for cut in lastStart..<original.count {
            try StoreFiles.write(original[..<cut], to: segment)
            let reopened = try EntryStore.open(directory: dir.store)
            #expect(reopened.count == 4, "cut at \(cut)")
            if cut == lastStart {
                #expect(reopened.recovery.truncatedTail == nil)
            } else {
                let tail = try #require(reopened.recovery.truncatedTail, "cut at \(cut)")
                #expect(tail.offset == Int64(lastStart) && tail.length == Int64(cut - lastStart) && tail.file == segment)
            }
            for entry in entries[..<4] { #expect(try reopened.read(entry.id) == entry, "cut at \(cut)") }
            #expect(!reopened.contains(entries[4].id))
            #expect(try reopened.read(entries[4].id) == nil)
            #expect(try reopened.append(later) == .stored)
            #expect(try reopened.read(later.id) == later)
            reopened.close()
            #expect(EntryStore.check(directory: dir.store).isHealthy, "cut at \(cut)")
        }
    }

    /// A torn tail in the last of several segments; earlier segments are not affected.
    @Test func aTornTailInTheLastOfSeveralSegments() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<7)
        let configuration = StoreConfiguration(segmentSizeLimit: StoreFormat.segmentHeaderSize + 2 * StoreFiles.recordSize(entries[0]) + 10)
        let store = try EntryStore.open(directory: dir.store, configuration: configuration)
        for entry in entries { _ = try store.append(entry) }
        store.close()
        let segments = try StoreFiles.segments(dir.store)
        #expect(segments.count == 4)
        let last = segments[3]
        let bytes = try StoreFiles.bytes(last)
        try StoreFiles.write(bytes.dropLast(7), to: last)
        let check = EntryStore.check(directory: dir.store)
        #expect(check.problems.map(\.kind) == [.tornTail])
        #expect(check.opensCleanly && !check.isHealthy)
        let reopened = try EntryStore.open(directory: dir.store, configuration: configuration)
        defer { reopened.close() }
        #expect(reopened.count == 6)
        #expect(reopened.items().map(\.id) == entries[..<6].map(\.id))
        #expect(try reopened.append(entries[6]) == .stored)
    }

    /// Zeros past the end (a size update that reached the disk before the data did) are a torn tail too.
    @Test func trailingZerosAreATornTail() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<3)
        let store = try EntryStore.open(directory: dir.store)
        _ = try store.append(entries)
        store.close()
        let segment = try StoreFiles.segments(dir.store)[0]
        try StoreFiles.write(try StoreFiles.bytes(segment) + [UInt8](repeating: 0, count: 4096), to: segment)
        let reopened = try EntryStore.open(directory: dir.store)
        defer { reopened.close() }
        #expect(reopened.count == 3)
        #expect(reopened.recovery.truncatedTail?.length == 4096)
    }

    @Test func leftoverTemporaryFilesAreRemoved() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try EntryStore.open(directory: dir.store)
        store.close()
        let leftover = "\(dir.store)/segment-00000002.vseg.tmp"
        try StoreFiles.write([1, 2, 3], to: leftover)
        let reopened = try EntryStore.open(directory: dir.store)
        defer { reopened.close() }
        #expect(reopened.recovery.removedTemporaryFiles == ["segment-00000002.vseg.tmp"])
        #expect(!FileManager.default.fileExists(atPath: leftover))
    }
}
