import Dispatch
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

    /// One result per input, in order.
    public func verify(_ list: [[UInt8]]) -> [VerificationResult] {
        if workers == 1 || list.count < parallelThreshold { return list.map(verifyOne) }
        var results = [VerificationResult?](repeating: nil, count: list.count)
        let chunks = min(workers * 4, list.count)
        results.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let buffer = out
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = list.count * chunk / chunks
                let end = list.count * (chunk + 1) / chunks
                for i in start..<end { buffer[i] = verifyOne(list[i]) }
            }
        }
        return results.map { $0! }
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
