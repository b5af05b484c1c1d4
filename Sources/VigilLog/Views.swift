import VigilModel

/// One node's acknowledgements of an entry.
public struct AcknowledgementView: Hashable, Sendable {
    /// When and by which entry.
    public struct Stamp: Hashable, Sendable {
        /// The acknowledgement entry.
        public let entry: EntryID
        /// Its HLC.
        public let timestamp: HybridTimestamp
    }
    /// The acknowledging node.
    public let node: NodeID
    /// Its node's automatic receipt, if any (the first one).
    public var receipt: Stamp?
    /// Its duty officer's confirmation, if any (the first one).
    public var officer: Stamp?
}

/// One step in a document's history.
public struct HistoryItem: Hashable, Sendable {
    /// What the step did.
    public enum Change: Hashable, Sendable {
        /// The original entry, with its fields.
        case created(FieldMap)
        /// Fields set by an amendment.
        case amended(FieldMap)
        /// Retracted, with the reason.
        case retracted(String)
        /// An update that does not count (its author may not update this entry), with the reason.
        case ignored(String)
    }
    /// The entry that made the step.
    public let entry: EntryID
    /// Its author.
    public let author: NodeID
    /// Its HLC.
    public let timestamp: HybridTimestamp
    /// What it did.
    public let change: Change
}

/// A document's current state, derived from the entry set.
public struct DocumentView: Hashable, Sendable {
    /// The original entry.
    public let id: EntryID
    /// Its kind.
    public let kind: EntryKind
    /// Its author.
    public let author: NodeID
    /// Its HLC.
    public let created: HybridTimestamp
    /// Whether the original body is a field map (otherwise `fields` holds only amendments).
    public let bodyIsFieldMap: Bool
    /// The merged fields.
    public let fields: FieldMap
    /// Which entry wrote each field's current value.
    public let fieldWriters: [String: EntryID]
    /// The retraction that counts (the first in display order), if retracted.
    public let retraction: HistoryItem?
    /// The original and every update, in display order.
    public let history: [HistoryItem]
    /// Acknowledgements by node.
    public let acknowledgements: [NodeID: AcknowledgementView]

    /// Whether the document was retracted.
    public var isRetracted: Bool { retraction != nil }
}
