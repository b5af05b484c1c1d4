import Dispatch
import Glibc
import Synchronization
import VigilModel
import VigilStore

/// Keeps the start-up index file (`NodeIndexFormat`) up to date while the node runs, on its own
/// serial queue: the chunks found missing at start are appended first; then, as entries are admitted,
/// a checkpoint appends the next store positions every `checkpointEntries` entries, every
/// `checkpointInterval` ms while some wait, and at a clean stop. A checkpoint walks the store's own
/// order from where the file ends, so it covers a store prefix; an entry it was not handed (durable but
/// not admitted yet) is read back from the store. A failed write disables the writer (logged): the
/// next start then reads what the file lacks from the store.
final class NodeIndexWriter: Sendable {
    /// Admitted entries waiting before a checkpoint.
    static let checkpointEntries = 16_384
    /// Longest wait (ms) before admitted entries are checkpointed.
    static let checkpointInterval: UInt64 = 10_000

    private struct Pending {
        var entries: [EntryID: Entry] = [:]
        var lastCheckpoint: UInt64 = 0
    }

    private struct FileState {
        var fd: Int32?
        var size = 0
        var covered = 0
    }

    let path: String
    private let store: EntryStore
    private let log: NodeLog
    private let queue = DispatchQueue(label: "vigil.node.index")
    private let pending = Mutex(Pending())
    private let file = Mutex(FileState())

    /// A writer that keeps `keep` bytes of the file at `path` (0: writes it anew) and appends `chunks`.
    init(path: String, store: EntryStore, log: NodeLog, keep: Int, covered: Int, appending chunks: ArraySlice<NodeIndexChunk>) {
        self.path = path
        self.store = store
        self.log = log
        let start = covered
        queue.async { [self] in
            do {
                let fd = try NodeIndexFile.openForAppending(path, keep: keep)
                file.withLock { $0 = FileState(fd: fd, size: keep == 0 ? NodeIndexFormat.headerSize : keep, covered: start) }
                try write(Array(chunks))
            } catch {
                disable(error)
            }
        }
    }

    /// Entries were admitted (loop thread): remembered for the next checkpoint, which starts when due.
    func admitted(_ entries: [Entry], now: UInt64) {
        let due = pending.withLock { p -> Bool in
            for entry in entries { p.entries[entry.id] = entry }
            return p.entries.count >= Self.checkpointEntries
        }
        if due { checkpoint(now: now) }
    }

    /// Time passed (loop thread): a checkpoint when admitted entries waited long enough.
    func tick(now: UInt64) {
        let due = pending.withLock { !$0.entries.isEmpty && now >= $0.lastCheckpoint + Self.checkpointInterval }
        if due { checkpoint(now: now) }
    }

    /// Checkpoints what is left and waits until the file is written and closed. Call before the store closes.
    func finish() {
        checkpoint(now: 0)
        queue.sync {
            file.withLock { state in
                if let fd = state.fd { _ = try? NodeIndexFile.sync(fd, path: path); Glibc.close(fd) }
                state.fd = nil
            }
        }
    }

    /// Waits until every queued write is done (tests).
    func flush() { queue.sync {} }

    private func checkpoint(now: UInt64) {
        let handed = pending.withLock { p -> [EntryID: Entry] in
            p.lastCheckpoint = now
            defer { p.entries = [:] }
            return p.entries
        }
        queue.async { [self] in
            guard let covered = file.withLock({ $0.fd == nil ? nil : $0.covered }) else { return }
            do {
                var entries: [Entry] = []
                var position = covered
                var chunks: [NodeIndexChunk] = []
                for item in store.items(from: covered) {
                    guard let entry = try handed[item.id] ?? store.read(item.id) else { break }
                    entries.append(entry)
                    if entries.count == NodeStartup.chunkEntries {
                        chunks.append(NodeIndexChunk.derive(entries, firstPosition: position))
                        position += entries.count
                        entries = []
                    }
                }
                if !entries.isEmpty { chunks.append(NodeIndexChunk.derive(entries, firstPosition: position)) }
                try write(chunks)
            } catch {
                disable(error)
            }
        }
    }

    /// Appends `chunks` (queue).
    private func write(_ chunks: [NodeIndexChunk]) throws {
        guard !chunks.isEmpty else { return }
        try file.withLock { state throws in
            guard let fd = state.fd else { return }
            for chunk in chunks {
                precondition(chunk.firstPosition == state.covered, "start-up index chunks are appended in store order")
                let bytes = NodeIndexFormat.framed(chunk)
                try NodeIndexFile.write(fd, bytes, at: state.size, path: path)
                state.size += bytes.count
                state.covered = chunk.positions.upperBound
            }
            try NodeIndexFile.sync(fd, path: path)
        }
    }

    private func disable(_ error: Error) {
        file.withLock { state in
            if let fd = state.fd { Glibc.close(fd) }
            state.fd = nil
        }
        log.event(.warning, "node-index-write-failed", ["path": path, "reason": "\(error)",
                                                       "effect": "the next start reads the entries the start-up index lacks from the store"])
    }
}
