import VigilModel

/// What `NodeCore` keeps of one stored entry, read from a start-up index instead of the entry itself:
/// its id, HLC timestamp, signing key and audience (an index into `HeldIndex.audiences`).
public struct HeldRecord: Hashable, Sendable {
    /// The entry's id.
    public let id: EntryID
    /// Its HLC timestamp.
    public let timestamp: HybridTimestamp
    /// The key that signed it (the author's identity unless the member rotated its key).
    public let author: NodeID
    /// Its audience: a position in `HeldIndex.audiences`.
    public let audience: UInt32

    /// A record.
    public init(id: EntryID, timestamp: HybridTimestamp, author: NodeID, audience: UInt32) {
        self.id = id
        self.timestamp = timestamp
        self.author = author
        self.audience = audience
    }
}

/// An automatic receipt (an `ack` with `{"by": "node"}`) found among stored entries: who signed it and
/// which communication test it answers. `NodeCore` remembers the tests its own node answered.
public struct HeldReceipt: Hashable, Sendable {
    /// The key that signed the receipt.
    public let author: NodeID
    /// The communication test it answers (the receipt's first ref).
    public let test: EntryID

    /// A receipt.
    public init(author: NodeID, test: EntryID) {
        self.author = author
        self.test = test
    }
}

/// Compact records of stored entries for `NodeCore.load(index:)`: the audiences they use (each once),
/// one record per entry, and the automatic receipts among them.
public struct HeldIndex: Sendable {
    /// The distinct audiences; `HeldRecord.audience` is a position in this list.
    public var audiences: [Audience]
    /// One record per entry.
    public var records: [HeldRecord]
    /// The automatic receipts among the entries.
    public var receipts: [HeldReceipt]

    /// An index; every record's `audience` must be a position in `audiences`.
    public init(audiences: [Audience] = [], records: [HeldRecord] = [], receipts: [HeldReceipt] = []) {
        self.audiences = audiences
        self.records = records
        self.receipts = receipts
    }
}
