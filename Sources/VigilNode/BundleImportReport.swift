import VigilBundle
import VigilModel
import VigilSync

/// What became of one entry of an imported bundle.
public enum BundleEntryOutcome: Codable, Sendable, Equatable {
    /// Verified and admitted: now held (durable).
    case new
    /// Already held (or arriving from a peer at the same moment, or twice in the bundle).
    case held
    /// Refused, exactly as it would have been from a peer, with the reason.
    case refused(reason: String)
}

/// The result of importing a bundle: who made it, and per entry what happened.
public struct BundleImportReport: Codable, Sendable, Equatable {
    /// One entry's outcome.
    public struct Item: Codable, Sendable, Equatable {
        /// The entry id (SHA-256 of its bytes), hex.
        public let id: String
        /// What happened to it.
        public let outcome: BundleEntryOutcome
    }
    /// The exporting member's name.
    public let exporter: String
    /// When it made the bundle (HLC).
    public let created: String
    /// Per entry, in bundle order.
    public let items: [Item]

    /// Entries new to this node.
    public var new: Int { items.filter { $0.outcome == .new }.count }
    /// Entries already held.
    public var held: Int { items.filter { $0.outcome == .held }.count }
    /// Refused entries with their reasons.
    public var refused: [(id: String, reason: String)] {
        items.compactMap { if case .refused(let reason) = $0.outcome { ($0.id, reason) } else { nil } }
    }
}

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
        var refused: [EntryID: String] = [:]
        for directive in core.verified(results, from: link, now: now) {
            switch directive {
            case .persist(let entries, _): persist += entries
            case .refusedEntry(let id?, _, let reason):
                refused[id] = reason
                other.append(directive)
            default: other.append(directive)
            }
        }
        var fresh = Set(persist.map(\.id))
        let outcomes = ids.map { id -> BundleImportReport.Item in
            if let reason = refused[id] { return .init(id: id.hex, outcome: .refused(reason: reason)) }
            if !heldBefore.contains(id), fresh.remove(id) != nil { return .init(id: id.hex, outcome: .new) }
            return .init(id: id.hex, outcome: .held)
        }
        return (persist, other, outcomes)
    }
}
