import Dispatch
import Foundation
import Synchronization
import Testing
import VigilCrypto
import VigilModel
@testable import VigilStore

@Suite struct EntryStoreTests {
    @Test func appendThenReadRoundTrips() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<10)
        let store = try EntryStore.open(directory: dir.store)
        defer { store.close() }
        #expect(store.count == 0)
        #expect(try store.append(Array(entries[..<4])) == Array(repeating: .stored, count: 4))
        for entry in entries[4...] { #expect(try store.append(entry) == .stored) }
        #expect(store.count == 10)
        for entry in entries {
            #expect(store.contains(entry.id))
            #expect(try store.read(entry.id) == entry)
            #expect(try store.readCanonicalBytes(entry.id) == entry.canonicalBytes)
            #expect(store.timestamp(of: entry.id) == entry.timestamp)
        }
        let absent = try factory.entry(99)
        #expect(!store.contains(absent.id))
        #expect(try store.read(absent.id) == nil)
        #expect(store.timestamp(of: absent.id) == nil)
        #expect(try store.append([]) == [])
    }

    @Test func duplicatesAreStoredOnce() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let a = try factory.entry(1), b = try factory.entry(2)
        let store = try EntryStore.open(directory: dir.store)
        #expect(try store.append([a, a, b]) == [.stored, .duplicate, .stored])
        let size = try StoreFiles.size(try StoreFiles.segments(dir.store)[0])
        #expect(try store.append([b, a]) == [.duplicate, .duplicate])
        #expect(try StoreFiles.size(try StoreFiles.segments(dir.store)[0]) == size, "a duplicate must not be written")
        #expect(store.count == 2)
        store.close()

        let reopened = try EntryStore.open(directory: dir.store)
        defer { reopened.close() }
        #expect(reopened.count == 2)
        #expect(reopened.recovery.duplicateRecords == 0)
        #expect(try reopened.append(a) == .duplicate)
        #expect(reopened.items().map(\.id) == [a.id, b.id])
    }

    @Test func reopenGivesTheSameSetCountAndOrder() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        // Timestamps out of insertion order, so the two orders differ.
        let entries = try (0..<40).map { try factory.entry($0, milliseconds: 1_000 + UInt64(($0 * 17) % 40)) }
        let store = try EntryStore.open(directory: dir.store)
        for chunk in stride(from: 0, to: 40, by: 7) { _ = try store.append(Array(entries[chunk..<min(chunk + 7, 40)])) }
        let before = store.items()
        store.close()

        let reopened = try EntryStore.open(directory: dir.store)
        defer { reopened.close() }
        #expect(reopened.count == 40)
        #expect(reopened.recovery.records == 40)
        #expect(reopened.recovery.truncatedTail == nil)
        #expect(reopened.items() == before)
        #expect(reopened.items() == entries.map { StoredItem(id: $0.id, timestamp: $0.timestamp) })
        #expect(reopened.items(from: 35) == Array(before[35...]))
        #expect(reopened.items(from: 10, limit: 5) == Array(before[10..<15]))
        #expect(reopened.items(from: 50).isEmpty)
        let sorted = reopened.sortedItems()
        #expect(sorted == before.sorted(by: StoredItem.reconciliationOrder))
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { StoredItem.reconciliationOrder($0, $1) })
        for entry in entries { #expect(try reopened.read(entry.id) == entry) }
    }

    @Test func segmentsRollOverAtTheSizeLimit() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<30)
        let recordSize = StoreFiles.recordSize(entries[0])
        let limit = StoreFormat.segmentHeaderSize + 3 * recordSize + recordSize / 2
        let configuration = StoreConfiguration(segmentSizeLimit: limit)
        let store = try EntryStore.open(directory: dir.store, configuration: configuration)
        _ = try store.append(Array(entries[..<13]))
        for entry in entries[13...] { _ = try store.append(entry) }
        store.close()
        let segments = try StoreFiles.segments(dir.store)
        #expect(segments.count == 10)
        for segment in segments { #expect(try StoreFiles.size(segment) <= limit) }

        let reopened = try EntryStore.open(directory: dir.store, configuration: configuration)
        defer { reopened.close() }
        #expect(reopened.recovery.segments == 10)
        #expect(reopened.items().map(\.id) == entries.map(\.id))
        for entry in entries { #expect(try reopened.read(entry.id) == entry) }
        #expect(EntryStore.check(directory: dir.store).isHealthy)
    }

    @Test func oversizedRecordGoesAloneIntoAFreshSegment() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let small = try factory.entry(1)
        let big = try factory.entry(2, body: String(repeating: "x", count: 4000))
        let store = try EntryStore.open(directory: dir.store, configuration: StoreConfiguration(segmentSizeLimit: 1024))
        defer { store.close() }
        #expect(try store.append([small, big, small]) == [.stored, .stored, .duplicate])
        #expect(try store.read(big.id) == big)
        #expect(try StoreFiles.segments(dir.store).count == 2)
    }

    @Test func concurrentBlockingAppendsAllLand() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<160)
        let store = try EntryStore.open(directory: dir.store)
        defer { store.close() }
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for i in stride(from: thread, to: 160, by: 8) {
                do {
                    // Every entry is offered twice, by two threads: exactly one stores it.
                    _ = try store.append([entries[i], entries[(i + 1) % 160]])
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(store.count == 160)
        for entry in entries { #expect(try store.read(entry.id) == entry) }
    }

    @Test func asyncAppendsAllLand() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<100)
        let store = try EntryStore.open(directory: dir.store)
        defer { store.close() }
        let results = try await withThrowingTaskGroup(of: [AppendResult].self) { group in
            for chunk in stride(from: 0, to: 100, by: 5) {
                let slice = Array(entries[chunk..<chunk + 5])
                group.addTask { try await store.append(slice) }
            }
            var all: [AppendResult] = []
            for try await results in group { all += results }
            return all
        }
        #expect(results == Array(repeating: .stored, count: 100))
        #expect(try await store.append(entries) == Array(repeating: .duplicate, count: 100))
        #expect(store.count == 100)
    }

    /// While the writer is stuck in the fdatasync of a first batch, eight callers queue; they must all
    /// be carried by one second batch: two fdatasyncs for nine appends.
    @Test func concurrentCallersShareOneFdatasync() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<9)
        let io = FlakyIO()
        let inFirstSync = DispatchSemaphore(value: 0)
        let eightQueued = DispatchSemaphore(value: 0)
        let hooks = StoreHooks(requestQueued: { waiting in if waiting == 8 { eightQueued.signal() } })
        let store = try EntryStore.open(directory: dir.store, configuration: StoreConfiguration(), io: io, hooks: hooks)
        defer { store.close() }
        let syncsAtOpen = io.syncs
        io.state.withLock {
            $0.beforeSync = { n in
                if n == syncsAtOpen + 1 {
                    inFirstSync.signal()
                    eightQueued.wait()
                }
            }
        }
        // Real threads, not Dispatch workers: Dispatch adds workers only slowly once some are blocked.
        let group = DispatchGroup()
        let results = Mutex<[AppendResult]>([])
        func appendInBackground(_ entry: Entry) {
            group.enter()
            Thread {
                let result = (try? store.append(entry)) ?? .duplicate
                results.withLock { $0.append(result) }
                group.leave()
            }.start()
        }
        appendInBackground(entries[0])
        inFirstSync.wait()
        for entry in entries[1...] { appendInBackground(entry) }
        group.wait()
        #expect(results.withLock { $0 } == Array(repeating: .stored, count: 9))
        #expect(io.syncs - syncsAtOpen == 2)
        #expect(store.count == 9)
    }

    @Test func aClosedStoreRefusesWork() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entry = try factory.entry(1)
        let store = try EntryStore.open(directory: dir.store)
        _ = try store.append(entry)
        store.close()
        store.close()
        let error = expectStoreError(.closed) { _ = try store.append(try factory.entry(2)) }
        #expect(error?.message.contains(dir.store) == true)
        expectStoreError(.closed) { _ = try store.read(entry.id) }
        #expect(store.contains(entry.id))
    }

    @Test func closeFinishesQueuedAppendsFirst() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let factory = try EntryFactory()
        let entries = try factory.entries(0..<20)
        let store = try EntryStore.open(directory: dir.store)
        let pending = Task { try await store.append(entries) }
        let results = try await pending.value
        store.close()
        #expect(results.count == 20)
        let reopened = try EntryStore.open(directory: dir.store)
        defer { reopened.close() }
        #expect(reopened.count == 20)
    }

    @Test(arguments: [0, 255, Int(UInt32.max)])
    func invalidConfigurationsAreRefused(limit: Int) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let error = expectStoreError(.invalidConfiguration) {
            _ = try EntryStore.open(directory: dir.store, configuration: StoreConfiguration(segmentSizeLimit: limit))
        }
        #expect(error?.message.contains("segmentSizeLimit") == true)
    }
}
