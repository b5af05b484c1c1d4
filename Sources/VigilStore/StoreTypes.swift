import VigilModel

/// How an append went for one entry.
public enum AppendResult: Sendable, Equatable {
    /// The entry was written and is durable (fdatasync returned) .
    case stored
    /// The store already held an entry with this id (or an earlier entry of the same call had it);
    /// nothing was written for it. The copy already held is durable.
    case duplicate
}

/// The per-entry data the store keeps in memory: what the sync layer reconciles over.
public struct StoredItem: Hashable, Sendable {
    /// The entry's id.
    public let id: EntryID
    /// The entry's hybrid logical clock timestamp.
    public let timestamp: HybridTimestamp

    /// An item.
    public init(id: EntryID, timestamp: HybridTimestamp) {
        self.id = id
        self.timestamp = timestamp
    }

    /// (timestamp, id) order, the order of set reconciliation.
    public static func reconciliationOrder(_ a: StoredItem, _ b: StoredItem) -> Bool {
        a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.id < b.id
    }
}

/// Tunables of an `EntryStore`. The defaults suit production.
public struct StoreConfiguration: Sendable {
    /// A segment is closed to appends once the next record would take it past this size (bytes).
    /// A record larger than the limit still goes, alone, into a fresh segment. Default 64 MiB.
    public var segmentSizeLimit: Int
    /// The most record bytes one group commit writes before its fdatasync. Default 8 MiB.
    public var maxBatchBytes: Int

    /// A configuration.
    public init(segmentSizeLimit: Int = 64 << 20, maxBatchBytes: Int = 8 << 20) {
        self.segmentSizeLimit = segmentSizeLimit
        self.maxBatchBytes = maxBatchBytes
    }

    /// The largest allowed `segmentSizeLimit`: record offsets are kept as 32-bit numbers.
    public static let maxSegmentSizeLimit = Int(UInt32.max) - StoreFormat.maxRecordSize

    func validate() throws(StoreError) {
        guard segmentSizeLimit >= 256, segmentSizeLimit <= Self.maxSegmentSizeLimit else {
            throw StoreError(.invalidConfiguration, "segmentSizeLimit \(segmentSizeLimit) is out of range: use 256 to \(Self.maxSegmentSizeLimit) bytes (64 MiB is the default)")
        }
        guard maxBatchBytes >= 1 else {
            throw StoreError(.invalidConfiguration, "maxBatchBytes \(maxBatchBytes) must be at least 1 (8 MiB is the default)")
        }
    }
}
