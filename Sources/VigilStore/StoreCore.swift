import Glibc
import VigilModel

/// The shared state behind an `EntryStore` and its writer thread. See `EntryStore` for the threading
/// model.
///
/// Everything marked "monitor" is read and written only with `monitor` locked. Everything marked
/// "writer" is touched only by the writer thread (and by `open` before that thread starts).
final class StoreCore: @unchecked Sendable {
    enum State { case open, closing, closed }

    let directory: String
    let configuration: StoreConfiguration
    let io: any FileIO
    let hooks: StoreHooks
    let monitor = Monitor()
    /// Signalled when `pending` gains a request or the store starts closing (the writer waits on it).
    private let workReady: Monitor.Condition
    /// Broadcast when requests are answered and when the store has closed (callers wait on it).
    private let progress: Monitor.Condition

    // monitor
    private var index: StoreIndex
    private var pending: [AppendRequest] = []
    private var state = State.open
    private var failure: StoreError?
    private var handles: [UInt32: SegmentHandle] = [:]
    private var activeNumber: UInt32
    private var storeLock: StoreLock?
    private var writerThread: pthread_t?

    // writer
    private var active: SegmentHandle
    private var activeSize: Int64

    /// Open read handles kept besides the active segment.
    private let handleCacheLimit = 32

    init(directory: String, configuration: StoreConfiguration, io: any FileIO, hooks: StoreHooks, lock: StoreLock,
         index: StoreIndex, active: SegmentHandle, activeSize: Int64) {
        self.directory = directory
        self.configuration = configuration
        self.io = io
        self.hooks = hooks
        storeLock = lock
        self.index = index
        self.active = active
        self.activeSize = activeSize
        activeNumber = active.number
        handles[active.number] = active
        workReady = Monitor.Condition(monitor)
        progress = Monitor.Condition(monitor)
    }

    /// Starts the writer thread. Called once, by `open`.
    func start() throws(StoreError) {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { context in
            let core = Unmanaged<StoreCore>.fromOpaque(context!).takeRetainedValue()
            core.writerLoop()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<StoreCore>.fromOpaque(context).release()
            throw StoreError.system("pthread_create", rc, path: directory, doing: "starting the store's writer thread")
        }
        monitor.withLock { writerThread = thread }
    }

    // MARK: Appending

    /// Queues `records` and blocks until the group commit carrying them has been fsynced.
    func append(_ records: [PreparedRecord]) throws(StoreError) -> [AppendResult] {
        let request = AppendRequest(records: records, completion: nil)
        monitor.lock()
        defer { monitor.unlock() }
        try enqueueLocked(request)
        workReady.signal()
        while request.outcome == nil { progress.wait() }
        return try request.outcome!.get()
    }

    /// Queues `records`; `completion` runs on the writer thread once they are durable (or failed).
    func append(_ records: [PreparedRecord], completion: @escaping @Sendable (AppendRequest.Outcome) -> Void) {
        let request = AppendRequest(records: records, completion: completion)
        let refused = monitor.withLock { () -> StoreError? in
            do throws(StoreError) {
                try enqueueLocked(request)
                return nil
            } catch {
                return error
            }
        }
        if let refused { return completion(.failure(refused)) }
        // Signalled after the lock is released, so the writer does not wake only to wait for the mutex.
        workReady.signal()
    }

    private func enqueueLocked(_ request: AppendRequest) throws(StoreError) {
        guard state == .open else { throw StoreError.closed(directory) }
        if let failure { throw failure }
        pending.append(request)
        hooks.requestQueued?(pending.count)
    }

    /// The writer thread: takes every queued request (up to `maxBatchBytes`), writes their new records
    /// with one `pwrite` per segment touched, makes them durable with one `fdatasync`, then publishes
    /// them to the index and answers the callers. Exits once closing and the queue is empty.
    private func writerLoop() {
        monitor.lock()
        while true {
            while pending.isEmpty && state == .open { workReady.wait() }
            if pending.isEmpty { break }

            // Take a batch and decide, against the index, what must be written.
            var taken = 0
            var bytes = 0
            while taken < pending.count && (taken == 0 || bytes + pending[taken].byteCount <= configuration.maxBatchBytes) {
                bytes += pending[taken].byteCount
                taken += 1
            }
            let batch = Array(pending[..<taken])
            pending.removeFirst(taken)
            let plan = BatchPlan(batch, index: index)
            let poisoned = failure
            monitor.unlock()

            let written: BatchWrite
            if let poisoned {
                written = BatchWrite(durable: [], error: poisoned, fatal: false)
            } else {
                written = write(plan.toStore)
            }

            monitor.lock()
            for record in written.durable { index.insert(record) }
            if written.fatal, let error = written.error { failure = error }
            var callbacks: [(AppendRequest, AppendRequest.Outcome)] = []
            for (i, request) in batch.enumerated() {
                let outcome = plan.outcome(of: i, durableCount: written.durable.count, error: written.error)
                request.outcome = outcome
                if request.completion != nil { callbacks.append((request, outcome)) }
            }
            progress.broadcast()
            if !callbacks.isEmpty {
                monitor.unlock()
                for (request, outcome) in callbacks { request.completion!(outcome) }
                monitor.lock()
            }
        }
        monitor.unlock()
    }

    /// What one group commit achieved: the records that are durable (a prefix of the plan), and the
    /// error that stopped it, if any. `fatal` means the segment could not be put back as it was.
    struct BatchWrite {
        let durable: [IndexedRecord]
        let error: StoreError?
        let fatal: Bool
    }

    /// Writes `records` to the active segment (rolling to new segments as needed) and fsyncs. Runs on
    /// the writer thread without the monitor.
    private func write(_ records: [PreparedRecord]) -> BatchWrite {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(records.reduce(0) { $0 + $1.bytes.count })
        var staged: [IndexedRecord] = []
        var durable: [IndexedRecord] = []
        let limit = Int64(configuration.segmentSizeLimit)
        let headerSize = Int64(StoreFormat.segmentHeaderSize)

        func flush() throws(StoreError) {
            guard !buffer.isEmpty else { return }
            let start = activeSize
            let segment = active
            do {
                try io.write(segment.fd, buffer, at: start)
            } catch {
                throw undo(segment, to: start, after: error.storeError(path: segment.path, doing: "appending \(staged.count) entr\(staged.count == 1 ? "y" : "ies")"))
            }
            do {
                try io.sync(segment.fd)
            } catch {
                throw undo(segment, to: start, after: error.storeError(path: segment.path, doing: "making \(staged.count) appended entr\(staged.count == 1 ? "y" : "ies") durable"))
            }
            activeSize += Int64(buffer.count)
            durable += staged
            buffer.removeAll(keepingCapacity: true)
            staged.removeAll(keepingCapacity: true)
        }

        do {
            for record in records {
                let end = activeSize + Int64(buffer.count)
                if end + Int64(record.bytes.count) > limit && end > headerSize {
                    try flush()
                    try roll()
                }
                staged.append(IndexedRecord(id: record.id, timestamp: record.timestamp, segment: active.number,
                                            offset: UInt32(activeSize + Int64(buffer.count)), length: UInt32(record.payloadLength)))
                buffer += record.bytes
            }
            try flush()
            return BatchWrite(durable: durable, error: nil, fatal: false)
        } catch {
            return BatchWrite(durable: durable, error: error, fatal: error.code == .failed)
        }
    }

    /// Cuts `segment` back to `length` after a failed write or fdatasync, so that no unacknowledged
    /// bytes stay in the file. Returns the error to report: `cause`, or a `.failed` error when even the
    /// truncation failed (the store then refuses appends until reopened, and recovery cleans up).
    private func undo(_ segment: SegmentHandle, to length: Int64, after cause: StoreError) -> StoreError {
        do {
            try io.truncate(segment.fd, to: length)
            return cause
        } catch {
            let why = String(cString: strerror(error.errorNumber))
            return StoreError(.failed, "\(cause.message) Cutting \(segment.path) back to its last durable byte (\(length)) then failed too (\(error.call): \(why)), so this store accepts no more appends. Nothing acknowledged is lost: close the store and open it again, which drops the unacknowledged bytes.", path: segment.path, offset: length)
        }
    }

    /// Closes the active segment to appends and starts the next one.
    private func roll() throws(StoreError) {
        let next = try SegmentFiles.create(directory: directory, number: active.number + 1, io: io)
        active = next
        activeSize = Int64(StoreFormat.segmentHeaderSize)
        monitor.withLock {
            handles[next.number] = next
            activeNumber = next.number
            trimHandlesLocked(keeping: next.number)
        }
    }

    // MARK: Reading

    func withIndex<T>(_ body: (borrowing StoreIndex) -> T) -> T {
        monitor.withLock { body(index) }
    }

    /// The payload of entry `id`, read with `pread` outside the lock; nil when the store lacks it.
    func readPayload(_ id: EntryID) throws(StoreError) -> [UInt8]? {
        monitor.lock()
        guard state != .closed else {
            monitor.unlock()
            throw StoreError.closed(directory)
        }
        guard let record = index.record(for: id) else {
            monitor.unlock()
            return nil
        }
        let handle: SegmentHandle
        do {
            handle = try handleLocked(record.segment)
        } catch {
            monitor.unlock()
            throw error
        }
        monitor.unlock()
        return try handle.readPayload(offset: record.offset, length: record.length, id: id)
    }

    private func handleLocked(_ number: UInt32) throws(StoreError) -> SegmentHandle {
        if let handle = handles[number] { return handle }
        let path = FileSystem.join(directory, StoreFormat.segmentFileName(number))
        let fd: Int32
        do {
            fd = try FileSystem.open(path, O_RDONLY)
        } catch {
            throw error.storeError(path: path, doing: "opening a segment to read")
        }
        let handle = SegmentHandle(fd: fd, number: number, path: path)
        handles[number] = handle
        trimHandlesLocked(keeping: number)
        return handle
    }

    private func trimHandlesLocked(keeping number: UInt32) {
        while handles.count > handleCacheLimit + 1,
              let victim = handles.keys.first(where: { $0 != activeNumber && $0 != number }) {
            handles[victim] = nil
        }
    }

    // MARK: Closing

    /// Finishes queued appends, stops the writer thread, closes the files and releases the lock.
    /// Safe to call more than once and from several threads.
    func close() {
        monitor.lock()
        switch state {
        case .closed:
            monitor.unlock()
            return
        case .closing:
            while state != .closed { progress.wait() }
            monitor.unlock()
            return
        case .open:
            state = .closing
            workReady.signal()
        }
        let thread = writerThread
        monitor.unlock()
        if let thread { pthread_join(thread, nil) }
        monitor.lock()
        state = .closed
        handles.removeAll()
        storeLock = nil
        progress.broadcast()
        monitor.unlock()
    }
}
