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
}
