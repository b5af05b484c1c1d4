import Dispatch
import Foundation
import VigilModel
import VigilStore
import VigilSync

/// What the node derives from its stored entries at start, read from the start-up index
/// (`store/node-index`, `NodeIndexFormat`) for the entries it covers and from the entries themselves
/// for the rest: every stored entry's compact record, the roster entries and communication tests in
/// full, and how the index was used. A missing, damaged or mismatched index costs time, never an
/// entry: whatever it does not cover, verified, is read from the store.
struct NodeStartup {
    /// How the start-up index served this start.
    struct Report: Sendable {
        /// Entries whose records came from the index.
        var fromIndex = 0
        /// Entries read from the store (not covered by the index).
        var read = 0
        /// Why the index did not cover everything, if it did not.
        var problem: NodeIndexProblem?
        /// Seconds spent.
        var seconds = 0.0
    }

    /// Chunks covering every stored entry, store positions 0 to `store.count`, in order.
    var chunks: [NodeIndexChunk]
    /// The roster entries, read in full (the roster is built from them before anything else).
    var rosterEntries: [Entry]
    /// The communication tests, read in full (those not acknowledged yet are answered at start).
    var commTests: [Entry]
    /// Alert entries (read in full): the CAP relation index is rebuilt from them.
    var alerts: [Entry]
    /// How many bytes of the index file are intact and verified (0: write it anew).
    var keptBytes: Int
    /// How many of `chunks` came from the file; the rest must be appended to it.
    var keptChunks: Int
    /// How the index served.
    var report: Report

    /// Entries read from the store per chunk.
    static let chunkEntries = 65_536

    /// Reads the index at `path`, checks it against `store`, and reads what it does not cover.
    /// Throws only what reading the store throws (a damaged store stops the start, as before).
    static func load(store: EntryStore, indexPath path: String) throws -> NodeStartup {
        let started = monotonicSeconds()
        var report = Report()
        var contents = NodeIndexFormat.Contents()
        do {
            if let file = try NodeIndexFile.read(path) {
                contents = NodeIndexFormat.parse(file)
            } else {
                contents.problem = .missing
            }
        } catch {
            contents.problem = .badHeader("it cannot be read: \(error)")
        }
        // Checked a chunk at a time against the store's own index (ids and timestamps in memory).
        var matching = 0
        var mismatch: NodeIndexProblem?
        for chunk in contents.chunks {
            let items = store.items(from: chunk.firstPosition, limit: chunk.records.count)
            let (ok, problem) = verify([chunk], against: items, from: chunk.firstPosition)
            if ok == 0 { mismatch = problem; break }
            matching += 1
        }
        var chunks = Array(contents.chunks.prefix(matching))
        let keptBytes = matching == 0 ? 0 : contents.chunkEnds[matching - 1]
        report.problem = mismatch ?? contents.problem
        let covered = chunks.last?.positions.upperBound ?? 0
        report.fromIndex = covered
        let rest = store.items(from: covered)
        if !rest.isEmpty {
            chunks += try derive(rest, firstPosition: covered, from: store)
            report.read = rest.count
        }
        var rosterEntries: [Entry] = [], commTests: [Entry] = [], alerts: [Entry] = []
        for chunk in chunks {
            for (i, kind) in chunk.kinds.enumerated() where kind == .roster || kind == .commTest || kind == .alert {
                guard let entry = try store.read(chunk.records[i].id) else { continue }
                switch kind {
                case .roster: rosterEntries.append(entry)
                case .commTest: commTests.append(entry)
                default: alerts.append(entry)
                }
            }
        }
        report.seconds = monotonicSeconds() - started
        return NodeStartup(chunks: chunks, rosterEntries: rosterEntries, commTests: commTests, alerts: alerts,
                           keptBytes: keptBytes, keptChunks: matching, report: report)
    }

    /// How many leading chunks match the store item for item (id and timestamp at each position), and
    /// why the next one does not. `items` are the store's from position `first` on. Pure.
    static func verify(_ chunks: [NodeIndexChunk], against items: [StoredItem], from first: Int = 0) -> (matching: Int, problem: NodeIndexProblem?) {
        for (n, chunk) in chunks.enumerated() {
            for (k, record) in chunk.records.enumerated() {
                let position = chunk.firstPosition + k
                guard position >= first, position - first < items.count else {
                    return (n, .storeMismatch(position: position, reason: "the index covers \(chunk.positions.upperBound) entries, the store holds \(first + items.count)"))
                }
                let item = items[position - first]
                if item.id != record.id || item.timestamp != record.timestamp {
                    return (n, .storeMismatch(position: position, reason: "the store holds entry \(item.id.hex) there, the index \(record.id.hex)"))
                }
            }
        }
        return (chunks.count, nil)
    }

    /// Reads `items` (store positions `firstPosition…`) from the store, on every core, and derives
    /// their chunks, `chunkEntries` at a time.
    static func derive(_ items: [StoredItem], firstPosition: Int, from store: EntryStore) throws -> [NodeIndexChunk] {
        var out: [NodeIndexChunk] = []
        var start = 0
        while start < items.count {
            let batch = items[start..<min(items.count, start + chunkEntries)]
            out.append(NodeIndexChunk.derive(try read(batch, from: store), firstPosition: firstPosition + start))
            start = batch.endIndex
        }
        return out
    }

    /// The entries of `items`, read and decoded in parallel, in order.
    static func read(_ items: ArraySlice<StoredItem>, from store: EntryStore) throws -> [Entry] {
        var slots = [Result<Entry, StoreError>?](repeating: nil, count: items.count)
        let parts = min(items.count, 16)
        let base = items.startIndex
        slots.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                for k in (items.count * p / parts)..<(items.count * (p + 1) / parts) {
                    let id = items[base + k].id
                    do throws(StoreError) {
                        if let entry = try store.read(id) {
                            out[k] = .success(entry)
                        } else {
                            out[k] = .failure(StoreError(.corrupt, "entry \(id.hex) is listed by the store at \(store.directory) but cannot be read. Run `vigil store check \(store.directory)`.", path: store.directory))
                        }
                    } catch {
                        out[k] = .failure(error)
                    }
                }
            }
        }
        return try slots.map { try $0!.get() }
    }

    /// Loads the chunks into `core` and builds what the node derives besides: the referrers of each
    /// entry and the held entries by kind. Returns the ids not held (the roster no longer accepts them).
    func load(into core: inout NodeCore) -> (skipped: [EntryID], referrers: [EntryID: [EntryID]], kindCounts: [EntryKind: Int],
                                              kindPositions: KindPositions) {
        var skipped: [EntryID] = []
        var capacities = [Int](repeating: 0, count: 256)
        for chunk in chunks { for kind in chunk.kinds { capacities[Int(kind.rawValue)] += 1 } }
        var kindPositions = KindPositions(capacities: capacities)
        var referrers: [EntryID: [EntryID]] = [:]
        var counts = [Int](repeating: 0, count: 256)
        let total = chunks.last?.positions.upperBound ?? 0
        for chunk in chunks {
            let notHeld = core.load(index: chunk.heldIndex, total: total)
            skipped += notHeld
            let gone = Set(notHeld)
            for (i, kind) in chunk.kinds.enumerated() where gone.isEmpty || !gone.contains(chunk.records[i].id) {
                counts[Int(kind.rawValue)] += 1
                kindPositions.add(kind, at: chunk.positions.lowerBound + i)
            }
            for ref in chunk.references where gone.isEmpty || !gone.contains(chunk.records[Int(ref.from)].id) {
                referrers[ref.to, default: []].append(chunk.records[Int(ref.from)].id)
            }
        }
        var kindCounts: [EntryKind: Int] = [:]
        for kind in EntryKind.allCases where counts[Int(kind.rawValue)] > 0 { kindCounts[kind] = counts[Int(kind.rawValue)] }
        return (skipped, referrers, kindCounts, kindPositions)
    }

    static func monotonicSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

extension NodeStartup {
    /// One log line on how the start-up index served: `node-index` when it covered everything, else
    /// `node-index-incomplete` (a warning when it was damaged or did not match) naming the reason.
    func log(to log: NodeLog) {
        let fields: KeyValuePairs<String, String> = ["from_index": "\(report.fromIndex)", "read": "\(report.read)",
                                                     "seconds": String(format: "%.3f", report.seconds), "reason": report.problem?.description ?? ""]
        switch report.problem {
        case nil: log.event(.info, "node-index", fields)
        case .missing?: log.event(.info, "node-index-incomplete", fields)
        case .storeMismatch?, .badHeader?, .otherVersion?, .damagedChunk?: log.event(.warning, "node-index-incomplete", fields)
        }
    }
}
