import Dispatch
import Synchronization
import VigilCrypto
import VigilModel
import VigilSync

/// Decodes and verifies received entries on every core.
///
/// Verification is the most expensive thing a node does (one Ed25519 verify per entry); a catching-up
/// node receives thousands at once, so batches are split across `workers` threads with
/// `DispatchQueue.concurrentPerform` (Dispatch's own threads, never Swift's cooperative pool).
/// Results keep the input order.
public final class EntryVerifier: Sendable {
    /// Threads used for one batch.
    public let workers: Int
    /// Author keys, shared by every worker.
    public let keys: AuthorKeyCache
    /// Batches smaller than this are verified on the calling thread.
    public let parallelThreshold: Int

    /// A verifier using `workers` threads (default: every core).
    public init(workers: Int = System.coreCount, keys: AuthorKeyCache = AuthorKeyCache(), parallelThreshold: Int = 64) {
        self.workers = max(1, workers)
        self.keys = keys
        self.parallelThreshold = parallelThreshold
    }

    /// Entries a worker takes at a time: small enough that the workers finish together even when
    /// other processes take a core away from one of them, large enough that taking costs nothing.
    static let block = 64

    /// One result per input, in order. Workers take blocks of `block` entries from a shared counter
    /// until none is left, and write each result in place.
    public func verify(_ list: [[UInt8]]) -> [VerificationResult] {
        if workers == 1 || list.count < parallelThreshold { return list.map(verifyOne) }
        let blocks = (list.count + Self.block - 1) / Self.block
        let next = Atomic<Int>(0)
        return [VerificationResult](unsafeUninitializedCapacity: list.count) { buffer, initialized in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: min(workers, blocks)) { _ in
                while true {
                    let b = next.add(1, ordering: .relaxed).oldValue
                    guard b < blocks else { return }
                    for i in b * Self.block..<min(list.count, (b + 1) * Self.block) {
                        (out.baseAddress! + i).initialize(to: verifyOne(list[i]))
                    }
                }
            }
            initialized = list.count
        }
    }

    /// Decodes and verifies one entry.
    public func verifyOne(_ bytes: [UInt8]) -> VerificationResult {
        do {
            return .valid(try EntryValidator.decodeAndValidate(bytes, keys: keys))
        } catch {
            return .invalid(id: EntryID(SHA256.hash(bytes))!, error)
        }
    }
}

/// Facts about the machine.
public enum System {
    /// Cores this process may use.
    public static var coreCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}

import Foundation
