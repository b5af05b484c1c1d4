import Foundation
import Glibc
import Testing
import VigilCrypto
import VigilModel
@testable import VigilStore

@Suite struct FailureInjectionTests {
    /// A full disk: the append fails with `.diskFull`, the segment is cut back to its last durable
    /// byte, earlier entries stay intact, and appends work again once space returns.
    @Test(arguments: [false, true])
    func aFullDiskFailsTheAppendAndHarmsNothing(partialWrite: Bool) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let io = FlakyIO()
        let store = try EntryStore.open(directory: dir.store, configuration: StoreConfiguration(), io: io)
        let early = try factory.entries(0..<3), failed = try factory.entries(3..<6), late = try factory.entries(6..<8)
        _ = try store.append(early)
        let segment = try StoreFiles.segments(dir.store)[0]
        let sizeBefore = try StoreFiles.size(segment)

        io.failNextWrite(ENOSPC, partial: partialWrite)
        let error = expectStoreError(.diskFull) { _ = try store.append(failed) }
        #expect(error?.message.contains("No space left on device") == true)
        #expect(error?.message.contains("free disk space") == true)
        #expect(try StoreFiles.size(segment) == sizeBefore, "the failed write must be cut away")
        #expect(store.count == 3)
        for entry in failed { #expect(!store.contains(entry.id)) }
        for entry in early { #expect(try store.read(entry.id) == entry) }

        #expect(try store.append(late) == [.stored, .stored])
        #expect(try store.append(failed) == [.stored, .stored, .stored], "what failed can be appended again")
        store.close()

        #expect(EntryStore.check(directory: dir.store).isHealthy)
        let reopened = try EntryStore.open(directory: dir.store)
        defer { reopened.close() }
        #expect(reopened.recovery.truncatedTail == nil)
        #expect(reopened.items().map(\.id) == (early + late + failed).map(\.id))
    }

    /// A failed fdatasync fails the append and cuts its bytes away; the store carries on.
    @Test func aFailedFdatasyncFailsTheAppend() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let io = FlakyIO()
        let store = try EntryStore.open(directory: dir.store, configuration: StoreConfiguration(), io: io)
        let a = try factory.entry(1), b = try factory.entry(2), c = try factory.entry(3)
        _ = try store.append(a)
        io.failNextSync(EIO)
        let error = expectStoreError(.io) { _ = try store.append(b) }
        #expect(error?.message.contains("fdatasync") == true)
        #expect(!store.contains(b.id))
        #expect(try store.append(c) == .stored)
        store.close()
        let reopened = try EntryStore.open(directory: dir.store)
        defer { reopened.close() }
        #expect(reopened.items().map(\.id) == [a.id, c.id])
    }

    /// The disk fills up just when a new segment must be created: the append fails, no temporary file
    /// is left, and the next append creates the segment.
    @Test func aFullDiskWhileRollingToANewSegment() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<3)
        let configuration = StoreConfiguration(segmentSizeLimit: StoreFormat.segmentHeaderSize + 2 * StoreFiles.recordSize(entries[0]) + 10)
        let io = FlakyIO()
        let store = try EntryStore.open(directory: dir.store, configuration: configuration, io: io)
        _ = try store.append(entries[0])
        _ = try store.append(entries[1])
        io.failNextWrite(ENOSPC) { $0.count == StoreFormat.segmentHeaderSize }
        expectStoreError(.diskFull) { _ = try store.append(entries[2]) }
        #expect(try StoreFiles.segments(dir.store).count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.store).filter { $0.hasSuffix(".tmp") }.isEmpty)
        #expect(try store.append(entries[2]) == .stored)
        #expect(try StoreFiles.segments(dir.store).count == 2)
        store.close()
        let reopened = try EntryStore.open(directory: dir.store, configuration: configuration)
        defer { reopened.close() }
        #expect(reopened.items().map(\.id) == entries.map(\.id))
    }

    /// When even cutting the failed bytes away fails, the store refuses appends until it is reopened;
    /// reopening recovers everything acknowledged and drops the rest.
    @Test func anUndoableFailureStopsAppendsUntilReopened() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let io = FlakyIO()
        let store = try EntryStore.open(directory: dir.store, configuration: StoreConfiguration(), io: io)
        let a = try factory.entry(1), b = try factory.entry(2), c = try factory.entry(3)
        _ = try store.append(a)
        io.failNextWrite(EIO, partial: true)
        io.failNextTruncate(EIO)
        let error = expectStoreError(.failed) { _ = try store.append(b) }
        #expect(error?.message.contains("open it again") == true)
        let again = expectStoreError(.failed) { _ = try store.append(c) }
        #expect(again?.message == error?.message)
        #expect(try store.read(a.id) == a)
        store.close()

        let reopened = try EntryStore.open(directory: dir.store)
        defer { reopened.close() }
        #expect(reopened.recovery.truncatedTail != nil, "the half-written record is a torn tail")
        #expect(reopened.items().map(\.id) == [a.id])
        #expect(try reopened.append(c) == .stored)
    }
}
