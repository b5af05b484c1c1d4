import VigilModel
import VigilSync

/// What the node derives from a run of consecutive stored entries, so that it can start without
/// reading them again: the core's compact records (id, HLC timestamp, signing key, audience), each
/// entry's kind (the metrics, and which entries are roster entries and communication tests), its refs
/// (the referrers index behind `show`) and the automatic receipts among them. One chunk of the
/// start-up index file (`NodeIndexFormat`) holds one of these.
public struct NodeIndexChunk: Equatable, Sendable {
    /// A ref from one entry of the chunk to another entry.
    public struct Reference: Hashable, Sendable {
        /// The referring entry: a position in `records`.
        public let from: UInt32
        /// The entry it refers to.
        public let to: EntryID

        /// A ref from record `from` to `to`.
        public init(from: UInt32, to: EntryID) {
            self.from = from
            self.to = to
        }
    }

    /// The store position (insertion order, `EntryStore.items`) of the first record.
    public var firstPosition: Int
    /// The audiences the records use, each once, in order of first use.
    public var audiences: [Audience] = []
    /// One record per entry, in store order.
    public var records: [HeldRecord] = []
    /// Each record's kind.
    public var kinds: [EntryKind] = []
    /// Every record's refs, in record order and, within a record, in the entry's order.
    public var references: [Reference] = []
    /// Positions in `records` of the automatic receipts (`ack` entries with `{"by": "node"}`).
    public var receipts: [UInt32] = []

    /// An empty chunk starting at store position `firstPosition`.
    public init(firstPosition: Int) { self.firstPosition = firstPosition }

    /// The store positions the chunk covers.
    public var positions: Range<Int> { firstPosition..<(firstPosition + records.count) }

    /// The records in the form `NodeCore.load(index:)` takes.
    public var heldIndex: HeldIndex {
        let receipts = receipts.map { position -> HeldReceipt in
            HeldReceipt(author: records[Int(position)].author, test: firstRef(of: position)!)
        }
        return HeldIndex(audiences: audiences, records: records, receipts: receipts)
    }

    /// The first ref of record `position`, if it has refs.
    func firstRef(of position: UInt32) -> EntryID? {
        var low = 0, high = references.count
        while low < high {
            let mid = (low + high) / 2
            if references[mid].from < position { low = mid + 1 } else { high = mid }
        }
        return low < references.count && references[low].from == position ? references[low].to : nil
    }

    /// The chunk of `entries`, which sit at store positions `firstPosition…` in this order. Pure: the
    /// same entries always give the same chunk. Used both when the index is built from the store and
    /// when it is extended with entries admitted later.
    public static func derive(_ entries: [Entry], firstPosition: Int) -> NodeIndexChunk {
        var chunk = NodeIndexChunk(firstPosition: firstPosition)
        chunk.records.reserveCapacity(entries.count)
        chunk.kinds.reserveCapacity(entries.count)
        var classes: [Audience: UInt32] = [:]
        for entry in entries {
            let position = UInt32(chunk.records.count)
            let audience: UInt32
            if let known = classes[entry.audience] {
                audience = known
            } else {
                audience = UInt32(chunk.audiences.count)
                chunk.audiences.append(entry.audience)
                classes[entry.audience] = audience
            }
            chunk.records.append(HeldRecord(id: entry.id, timestamp: entry.timestamp, author: entry.author, audience: audience))
            chunk.kinds.append(entry.kind)
            for target in entry.refs { chunk.references.append(Reference(from: position, to: target)) }
            if entry.kind == .acknowledgement, !entry.refs.isEmpty, (try? AcknowledgementBody(body: entry.body)) == .receipt {
                chunk.receipts.append(position)
            }
        }
        return chunk
    }
}
