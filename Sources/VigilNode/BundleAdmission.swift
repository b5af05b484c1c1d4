import Dispatch
import VigilAPI
import VigilModel
import VigilSync

/// The import decision for verified bundle entries, shared by the stopped node (`OfflineNode`) and the
/// running one (`Node.ingest`): the entries go through `NodeCore.verified` exactly as a peer's batch
/// would, so the audience, roster and federation rules are the core's own.
public enum BundleAdmission {
    /// The link id bundle entries arrive on (no connection has it).
    public static let link: LinkID = .max

    /// What to persist, what the core said besides, and the outcome per input (`.new` for the ones to
    /// persist: the caller turns a failed append into an error for the whole import).
    public static func admit(_ results: [VerificationResult], core: inout NodeCore, now: UInt64)
        -> (persist: [Entry], other: [NodeDirective], outcomes: [BundleImportReport.Item]) {
        let ids = results.map { result -> EntryID in
            switch result {
            case .valid(let e): e.id
            case .invalid(let id, _): id
            }
        }
        let heldBefore = Set(ids.filter { core.holds($0) })
        var persist: [Entry] = []
        var other: [NodeDirective] = []
        var refused: [EntryID: Refusal] = [:]
        for directive in core.verified(results, from: link, now: now) {
            switch directive {
            case .persist(let entries, _): persist += entries
            case .refusedEntry(let id?, _, let refusal):
                refused[id] = refusal
                other.append(directive)
            default: other.append(directive)
            }
        }
        var fresh = Set(persist.map(\.id))
        let outcomes = ids.map { id -> BundleImportReport.Item in
            if let refusal = refused[id] { return .init(id: id, outcome: .refused(refusal: refusal)) }
            if !heldBefore.contains(id), fresh.remove(id) != nil { return .init(id: id, outcome: .new) }
            return .init(id: id, outcome: .held)
        }
        return (persist, other, outcomes)
    }

    /// Entries per step of `verifyAndAdmit`.
    static let chunk = 4_096

    /// Verifies `list` and admits it as one peer batch, with the same outcome as `verify` followed by
    /// `admit`, but faster: while the calling thread admits one chunk, the verifier's workers verify
    /// the next on every core, so no core waits for the sequential admission.
    ///
    /// Why the outcome is the same: within a batch `NodeCore.verified` applies the roster entries first;
    /// here they are found by their kind byte (`Entry.kind(ofCanonicalBytes:)`, which agrees with the
    /// decoder) and make up the first chunk. Every other entry's admission depends only on the roster,
    /// on the entries held before the batch (nothing is persisted until the end) and on the entries
    /// already admitted in the batch (`NodeCore`'s persisting set, which spans the chunks).
    public static func verifyAndAdmit(_ list: [[UInt8]], verifier: EntryVerifier, core: inout NodeCore, now: UInt64)
        -> (persist: [Entry], other: [NodeDirective], outcomes: [BundleImportReport.Item]) {
        var roster: [Int] = [], rest: [Int] = []
        rest.reserveCapacity(list.count)
        for (i, bytes) in list.enumerated() {
            if (try? Entry.kind(ofCanonicalBytes: bytes)) == .roster { roster.append(i) } else { rest.append(i) }
        }
        var chunks: [ArraySlice<Int>] = roster.isEmpty ? [] : [roster[...]]
        var start = 0
        while start < rest.count {
            chunks.append(rest[start..<min(rest.count, start + chunk)])
            start += chunk
        }
        var persist: [Entry] = []
        var other: [NodeDirective] = []
        var outcomes = [BundleImportReport.Item?](repeating: nil, count: list.count)
        /// The verification of the chunk after the one being admitted, running on the verifier's workers.
        final class Ahead: @unchecked Sendable {
            var results: [VerificationResult] = []
            let done = DispatchGroup()
        }
        func verifyAhead(_ indices: ArraySlice<Int>) -> Ahead {
            let ahead = Ahead()
            let bytes = indices.map { list[$0] }
            ahead.done.enter()
            DispatchQueue.global().async {
                ahead.results = verifier.verify(bytes)
                ahead.done.leave()
            }
            return ahead
        }
        var next = chunks.first.map(verifyAhead)
        for (k, indices) in chunks.enumerated() {
            guard let current = next else { break }
            current.done.wait()
            next = k + 1 < chunks.count ? verifyAhead(chunks[k + 1]) : nil
            let step = admit(current.results, core: &core, now: now)
            persist += step.persist
            other += step.other
            for (i, item) in zip(indices, step.outcomes) { outcomes[i] = item }
        }
        return (persist, other, outcomes.map { $0! })
    }
}
