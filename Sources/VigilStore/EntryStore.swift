import Dispatch
import Glibc
import VigilModel

/// The durable store of the shared log: signed entries in append-only segment files of CRC-framed
/// records (format: `StoreFormat`, `docs/store-format.md`), with their ids, timestamps and locations
/// indexed in memory. Bodies stay on disk and are read back with `pread`.
///
/// ## Durability
/// `append` returns only once every entry it stored has been written and `fdatasync`ed: an entry may
/// be acknowledged (to a local poster or a peer) as soon as `append` returns. `contains`, `count`,
/// `read` and the item lists see an entry only once it is durable.
///
/// ## Threading model
/// An open store owns one dedicated writer thread; callers never write files themselves.
/// - `append` (blocking) frames its entries as records on the caller's thread, queues them under the
///   store's mutex and waits on a condition variable. The async `append` queues the same way and
///   suspends on a continuation instead, so no cooperative thread blocks on the disk.
/// - The writer takes everything queued (up to `maxBatchBytes`), drops entries already stored or
///   repeated within the batch, writes the rest with one `pwrite` (per segment touched) and covers the
///   whole batch with one `fdatasync` — a group commit. It then adds the records to the index and
///   answers every caller of the batch. Callers that queue while a commit is in flight form the next
///   batch, so under load each fdatasync carries many appends.
/// - Readers (`read`, `contains`, `count`, item lists) take the mutex briefly to consult the index;
///   `read` does its `pread` after releasing it.
/// The type is `Sendable`: share one instance between threads and tasks.
///
/// ## Failures
/// A failed write or fdatasync (a full disk, say) fails the appends of that batch with an error and
/// cuts the segment back to its last durable byte, so nothing acknowledged is harmed and later appends
/// work once space returns. Only when even that truncation fails does the store refuse further appends
/// (code `.failed`) until it is reopened.
///
/// ## Opening and recovery
/// `open` takes an exclusive `flock` on `LOCK` (a second process, or a second open, fails with
/// `.locked`), scans every segment and rebuilds the index without re-verifying signatures and without
/// rehashing (the id is in each record header, protected by the CRC). A torn tail — damage at the very
/// end of the last segment with nothing intact after it, a write cut off by a crash — is truncated
/// away. Any other damage makes `open` throw `.corrupt` naming the file and byte offset; the operator
/// then runs `vigil store check` (`EntryStore.check`) and `vigil store repair` (`EntryStore.repair`).
///
/// Memory per entry is about 64 bytes (id, timestamp, segment, offset, length and a hash slot).
public final class EntryStore: Sendable {
    /// The store directory.
    public let directory: String
    /// What `open` found and did.
    public let recovery: RecoveryReport
    private let core: StoreCore

    private init(core: StoreCore, recovery: RecoveryReport) {
        self.core = core
        directory = core.directory
        self.recovery = recovery
    }

    deinit { core.close() }

    /// Opens (creating it if needed) the store in `directory`: locks it, recovers it, indexes it.
    public static func open(directory: String, configuration: StoreConfiguration = StoreConfiguration()) throws(StoreError) -> EntryStore {
        try open(directory: directory, configuration: configuration, io: SystemFileIO())
    }

    /// `open` with the write-side system calls of `io` (tests inject failures through it).
    static func open(directory: String, configuration: StoreConfiguration, io: any FileIO,
                     hooks: StoreHooks = StoreHooks()) throws(StoreError) -> EntryStore {
        try configuration.validate()
        do {
            try FileSystem.makeDirectories(directory)
        } catch {
            throw error.storeError(path: directory, doing: "creating the store directory")
        }
        let lock = try StoreLock.acquire(directory: directory)

        // Leftovers of a segment creation or a repair that was cut off.
        let temporaries = SegmentFiles.temporaries(directory)
        for name in temporaries {
            let path = FileSystem.join(directory, name)
            do { try FileSystem.unlink(path) } catch { throw error.storeError(path: path, doing: "removing a leftover temporary file") }
        }

        let segments = try SegmentFiles.list(directory)
        var index = StoreIndex()
        var duplicates = 0
        var tornTail: StoreProblem?
        var lastSize = Int64(StoreFormat.segmentHeaderSize)
        // The segments are scanned on every core (reading and checksumming is most of the time), then
        // indexed and judged one by one in order, exactly as if they had been scanned in turn.
        let scanned = scanInParallel(segments)
        index.reserveCapacity(scanned.reduce(0) { $0 + ((try? $1.get())?.records.count ?? 0) })
        for (i, segment) in segments.enumerated() {
            let isLast = i == segments.count - 1
            let scan: SegmentScan
            do {
                let result = try scanned[i].get()
                for record in result.records where !index.insert(record) { duplicates += 1 }
                scan = result.scan
            } catch {
                throw error.storeError(path: segment.path, doing: "reading the segment")
            }
            if let version = scan.unsupportedVersion {
                throw StoreError(.unsupportedFormat, FormatVersionError(format: .storeSegment, found: version, file: segment.path).description, path: segment.path)
            }
            if scan.fileSize > Int64(UInt32.max) {
                throw StoreError(.corrupt, "store segment \(segment.path) is \(scan.fileSize) bytes, more than a segment may hold (4 GiB). Run `vigil store check \(directory)`.", path: segment.path)
            }
            lastSize = scan.fileSize
            guard let problem = scan.problems.first else { continue }
            guard isLast, let tail = scan.onlyTornTail else { throw StoreError.corrupt(problem, directory: directory) }
            try truncate(segment.path, to: tail.offset, io: io)
            tornTail = tail
            lastSize = tail.offset
        }

        let active: SegmentHandle
        if let last = segments.last {
            do {
                active = SegmentHandle(fd: try FileSystem.open(last.path, O_RDWR), number: last.number, path: last.path)
            } catch {
                throw error.storeError(path: last.path, doing: "opening the last segment for appending")
            }
        } else {
            active = try SegmentFiles.create(directory: directory, number: 1, io: io)
        }
        let report = RecoveryReport(segments: max(segments.count, 1), records: index.count, duplicateRecords: duplicates,
                                    truncatedTail: tornTail, removedTemporaryFiles: temporaries)
        let core = StoreCore(directory: directory, configuration: configuration, io: io, hooks: hooks, lock: lock, index: index,
                             active: active, activeSize: lastSize)
        try core.start()
        return EntryStore(core: core, recovery: report)
    }

    /// Scans every segment at framing depth, several at once; one result per segment, in order.
    private static func scanInParallel(_ segments: [(number: UInt32, path: String)])
        -> [Result<(records: [IndexedRecord], scan: SegmentScan), SystemCallError>] {
        var results = [Result<(records: [IndexedRecord], scan: SegmentScan), SystemCallError>?](repeating: nil, count: segments.count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: segments.count) { i in
                let segment = segments[i]
                var records: [IndexedRecord] = []
                do throws(SystemCallError) {
                    let scan = try SegmentScanner(depth: .framing).scan(path: segment.path, number: segment.number,
                                                                         isLast: i == segments.count - 1) { record in
                        records.append(IndexedRecord(id: record.id, timestamp: record.timestamp, segment: segment.number,
                                                     offset: UInt32(truncatingIfNeeded: record.offset), length: UInt32(record.payloadLength)))
                    }
                    out[i] = .success((records, scan))
                } catch {
                    out[i] = .failure(error)
                }
            }
        }
        return results.map { $0! }
    }

    private static func truncate(_ path: String, to length: Int64, io: any FileIO) throws(StoreError) {
        do {
            let fd = try FileSystem.open(path, O_RDWR)
            defer { Glibc.close(fd) }
            try io.truncate(fd, to: length)
            try io.sync(fd)
        } catch {
            throw error.storeError(path: path, doing: "cutting off the torn tail at byte \(length)")
        }
    }

    // MARK: Appending

    /// Stores `entries` and returns once every one of them is durable: `.stored` for each entry written
    /// by this call, `.duplicate` for each the store already held (or that came earlier in `entries`).
    /// Blocks the calling thread; from async code use the async overload. Thread-safe; concurrent
    /// callers share group commits. Throws when the batch could not be made durable (`.diskFull`,
    /// `.io`), when the store is closed, or when it must be reopened (`.failed`); entries that were
    /// not stored can be appended again.
    public func append(_ entries: [Entry]) throws(StoreError) -> [AppendResult] {
        guard !entries.isEmpty else { return [] }
        return try core.append(entries.map(PreparedRecord.init))
    }

    /// Stores one entry; see `append(_:)`.
    @discardableResult
    public func append(_ entry: Entry) throws(StoreError) -> AppendResult {
        try append([entry])[0]
    }

    /// Stores `entries` and calls `completion` once every one is durable (or the batch failed), on the
    /// store's writer thread: it must return quickly (hand the result to another thread). Never blocks
    /// the caller; concurrent callers share group commits. See the blocking overload for the results.
    public func append(_ entries: [Entry], completion: @escaping @Sendable (Result<[AppendResult], StoreError>) -> Void) {
        guard !entries.isEmpty else { return completion(.success([])) }
        core.append(entries.map(PreparedRecord.init), completion: completion)
    }

    /// Stores `entries`, suspending (not blocking) until they are durable; see the blocking overload.
    /// Cancelling the task does not withdraw the entries: they are written all the same.
    public func append(_ entries: [Entry]) async throws(StoreError) -> [AppendResult] {
        guard !entries.isEmpty else { return [] }
        let records = entries.map(PreparedRecord.init)
        let outcome: AppendRequest.Outcome = await withCheckedContinuation { continuation in
            core.append(records) { continuation.resume(returning: $0) }
        }
        return try outcome.get()
    }

    // MARK: Reading

    /// Whether the store holds (durably) the entry `id`.
    public func contains(_ id: EntryID) -> Bool {
        core.withIndex { $0.contains(id) }
    }

    /// How many entries the store holds.
    public var count: Int {
        core.withIndex { $0.count }
    }

    /// The position of entry `id` in storage order (see `items(from:limit:)`); nil when the store lacks it.
    public func position(of id: EntryID) -> Int? {
        core.withIndex { $0.position(of: id) }
    }

    /// The timestamp of entry `id`, from memory; nil when the store lacks it.
    public func timestamp(of id: EntryID) -> HybridTimestamp? {
        core.withIndex { $0.record(for: id)?.timestamp }
    }

    /// Reads and decodes entry `id` from disk; nil when the store lacks it. The record's CRC is checked
    /// and the decoded entry's id must be `id`; the signature is not checked (it was on ingest). Throws `.corrupt` when the bytes on
    /// disk are damaged, `.io` when they cannot be read.
    public func read(_ id: EntryID) throws(StoreError) -> Entry? {
        guard let bytes = try readCanonicalBytes(id) else { return nil }
        let entry: Entry
        do {
            entry = try Entry(canonicalBytes: bytes)
        } catch {
            throw StoreError(.corrupt, "entry \(id.hex) in the store at \(directory) does not decode: \(error). Run `vigil store check \(directory)`.", path: directory)
        }
        guard entry.id == id else {
            throw StoreError(.corrupt, "the record stored as entry \(id.hex) in the store at \(directory) holds entry \(entry.id.hex). Run `vigil store check \(directory)`, then `vigil store repair \(directory)`.", path: directory)
        }
        return entry
    }

    /// The canonical bytes of entry `id` as stored (what a peer is sent), without decoding them.
    public func readCanonicalBytes(_ id: EntryID) throws(StoreError) -> [UInt8]? {
        try core.readPayload(id)
    }

    /// Up to `limit` items in insertion order (the order they became durable), starting at position
    /// `start`. Positions are stable: new entries only ever get higher ones, so a reader can page
    /// through and later continue from where it stopped.
    public func items(from start: Int = 0, limit: Int = .max) -> [StoredItem] {
        core.withIndex { index in
            let records = index.records
            let lower = min(max(start, 0), records.count)
            let upper = lower + min(limit, records.count - lower)
            return records[lower..<upper].map { StoredItem(id: $0.id, timestamp: $0.timestamp) }
        }
    }

    /// The ids at `positions` (positions of `items(from:limit:)`), in the order given; positions the store
    /// does not have are left out.
    public func ids(at positions: [Int]) -> [EntryID] {
        core.withIndex { index in
            let records = index.records
            return positions.compactMap { records.indices.contains($0) ? records[$0].id : nil }
        }
    }

    /// Every item sorted by (timestamp, id), the order of set reconciliation. Copies and sorts the
    /// whole index (about 0.3 s per million entries); callers that need it often keep their own.
    public func sortedItems() -> [StoredItem] {
        items().sorted(by: StoredItem.reconciliationOrder)
    }

    /// Finishes queued appends, stops the writer thread, closes the files and releases the lock.
    /// Later appends and reads throw `.closed`. Called by `deinit` too; calling it twice is harmless.
    public func close() {
        core.close()
    }
}
