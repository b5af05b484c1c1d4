import Foundation
import Glibc
import Synchronization
import Testing
import VigilCrypto
import VigilModel
@testable import VigilStore

/// A fresh directory under the system temporary directory; `remove()` deletes it and everything in it.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "store") {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/vigil-\(label)-\(UUID().uuidString)"
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The store directory inside (not created: `open` creates it).
    var store: String { "\(path)/store" }
}

/// Signed entries from one fresh key, with distinct timestamps and bodies.
struct EntryFactory {
    let key: SigningKey
    let author: NodeID

    init() throws {
        key = try SigningKey.generate()
        author = NodeID(key.publicKey)
    }

    func entry(_ n: Int, milliseconds: UInt64? = nil, body: String? = nil) throws -> Entry {
        try EntryDraft(author: author, timestamp: HybridTimestamp(milliseconds: milliseconds ?? 1_700_000_000_000 + UInt64(n), counter: UInt32(n % 3)),
                       kind: .message, audience: Audience(tlp: .green), refs: [],
                       body: Array((body ?? "entry number \(n) of a store test").utf8)).signed(by: key)
    }

    func entries(_ range: Range<Int>) throws -> [Entry] {
        try range.map { try entry($0) }
    }
}

/// The files of a store directory, for tests that damage them.
enum StoreFiles {
    static func segments(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix("segment-") && $0.hasSuffix(".vseg") }.sorted()
            .map { "\(directory)/\($0)" }
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func write(_ bytes: some Collection<UInt8>, to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func flip(_ path: String, at offset: Int, mask: UInt8 = 0xff) throws {
        var data = try bytes(path)
        data[offset] ^= mask
        try write(data, to: path)
    }

    static func size(_ path: String) throws -> Int {
        try bytes(path).count
    }

    /// Offsets of the records of `entries` written in order into one segment.
    static func recordOffsets(_ entries: [Entry]) -> [Int] {
        var offsets: [Int] = []
        var at = StoreFormat.segmentHeaderSize
        for entry in entries {
            offsets.append(at)
            at += StoreFormat.recordHeaderSize + entry.canonicalBytes.count
        }
        return offsets
    }

    static func recordSize(_ entry: Entry) -> Int {
        StoreFormat.recordHeaderSize + entry.canonicalBytes.count
    }
}

/// Real system calls, with failures injected on demand: a write or fdatasync that fails with a
/// chosen errno (optionally after writing part of its bytes), a truncate that fails, and hooks that
/// run before each fdatasync. Counts the calls.
final class FlakyIO: FileIO {
    struct State {
        var writeFailures: [(errorNumber: Int32, partial: Bool, when: @Sendable (UnsafeRawBufferPointer) -> Bool)] = []
        var syncFailures: [Int32] = []
        var truncateFailures: [Int32] = []
        var writes = 0
        var syncs = 0
        var beforeSync: (@Sendable (Int) -> Void)?
    }

    let state = Mutex(State())
    private let real = SystemFileIO()

    /// The next write for which `when` holds fails with `errorNumber`; with `partial`, after writing
    /// half of its bytes.
    func failNextWrite(_ errorNumber: Int32 = ENOSPC, partial: Bool = false,
                       when: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool = { _ in true }) {
        state.withLock { $0.writeFailures.append((errorNumber, partial, when)) }
    }

    func failNextSync(_ errorNumber: Int32 = EIO) { state.withLock { $0.syncFailures.append(errorNumber) } }
    func failNextTruncate(_ errorNumber: Int32 = EIO) { state.withLock { $0.truncateFailures.append(errorNumber) } }
    var syncs: Int { state.withLock { $0.syncs } }
    var writes: Int { state.withLock { $0.writes } }

    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(SystemCallError) {
        let failure = state.withLock { s -> (Int32, Bool)? in
            s.writes += 1
            guard let i = s.writeFailures.firstIndex(where: { $0.when(bytes) }) else { return nil }
            let f = s.writeFailures.remove(at: i)
            return (f.errorNumber, f.partial)
        }
        if let (errorNumber, partial) = failure {
            if partial && bytes.count > 1 {
                try real.write(fd, UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count / 2)]), at: offset)
            }
            throw SystemCallError(call: "pwrite", errorNumber: errorNumber)
        }
        try real.write(fd, bytes, at: offset)
    }

    func sync(_ fd: Int32) throws(SystemCallError) {
        let (count, hook, failure) = state.withLock { s -> (Int, (@Sendable (Int) -> Void)?, Int32?) in
            s.syncs += 1
            return (s.syncs, s.beforeSync, s.syncFailures.isEmpty ? nil : s.syncFailures.removeFirst())
        }
        hook?(count)
        if let failure { throw SystemCallError(call: "fdatasync", errorNumber: failure) }
        try real.sync(fd)
    }

    func truncate(_ fd: Int32, to length: Int64) throws(SystemCallError) {
        let failure = state.withLock { s -> Int32? in s.truncateFailures.isEmpty ? nil : s.truncateFailures.removeFirst() }
        if let failure { throw SystemCallError(call: "ftruncate", errorNumber: failure) }
        try real.truncate(fd, to: length)
    }
}

/// Asserts that `body` throws a `StoreError` with `code`, and returns it.
@discardableResult
func expectStoreError(_ code: StoreError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                      _ body: () throws -> Void) -> StoreError? {
    do {
        try body()
        Issue.record("expected a StoreError \(code), but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as StoreError {
        #expect(error.code == code, "wrong code; message: \(error.message)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a StoreError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
