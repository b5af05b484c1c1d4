import Foundation
import Testing
@testable import VigilStore

@Suite struct LockTests {
    @Test func aSecondOpenFailsUntilTheFirstCloses() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let first = try EntryStore.open(directory: dir.store)
        let error = expectStoreError(.locked) { _ = try EntryStore.open(directory: dir.store) }
        #expect(error?.message.contains(dir.store) == true)
        #expect(error?.message.contains("already open in another process") == true)
        #expect(error?.message.contains("pid \(getpid())") == true)
        #expect(EntryStore.check(directory: dir.store).inUse)
        expectStoreError(.locked) { _ = try EntryStore.repair(directory: dir.store) }
        first.close()

        #expect(!EntryStore.check(directory: dir.store).inUse)
        let second = try EntryStore.open(directory: dir.store)
        second.close()
    }

    @Test func droppingTheStoreReleasesTheLock() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        do {
            let store = try EntryStore.open(directory: dir.store)
            _ = store.count
        }
        let again = try EntryStore.open(directory: dir.store)
        again.close()
    }
}
