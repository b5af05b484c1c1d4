import VigilModel

/// Where one durable entry lives, and what the sync layer needs of it without touching the disk.
/// 56 bytes per entry.
struct IndexedRecord {
    let id: EntryID
    let timestamp: HybridTimestamp
    let segment: UInt32
    /// Offset of the record header in the segment.
    let offset: UInt32
    /// Payload length (the entry's canonical bytes).
    let length: UInt32
}

/// The in-memory index: every durable entry in insertion (file) order, plus an open-addressing hash
/// table from id to position. The table holds only 32-bit positions (the ids live once, in
/// `records`), which keeps a million entries to about 65 MB. Hashing uses Swift's per-process seeded
/// hasher, so ids chosen by a peer cannot be made to collide.
struct StoreIndex {
    private(set) var records: [IndexedRecord] = []
    private var slots: [Int32]
    private var mask: Int

    init() {
        slots = [Int32](repeating: -1, count: 1024)
        mask = 1023
    }

    var count: Int { records.count }

    func position(of id: EntryID) -> Int? {
        var i = id.hashValue & mask
        while true {
            let slot = slots[i]
            if slot < 0 { return nil }
            if records[Int(slot)].id == id { return Int(slot) }
            i = (i + 1) & mask
        }
    }

    func record(for id: EntryID) -> IndexedRecord? {
        position(of: id).map { records[$0] }
    }

    func contains(_ id: EntryID) -> Bool { position(of: id) != nil }

    /// Adds `record` unless its id is already present; returns whether it was added.
    @discardableResult
    mutating func insert(_ record: IndexedRecord) -> Bool {
        precondition(records.count < Int(Int32.max), "the store index holds at most 2^31 − 1 entries")
        if (records.count + 1) * 4 > slots.count * 3 { grow() }
        var i = record.id.hashValue & mask
        while true {
            let slot = slots[i]
            if slot < 0 { break }
            if records[Int(slot)].id == record.id { return false }
            i = (i + 1) & mask
        }
        slots[i] = Int32(records.count)
        records.append(record)
        return true
    }

    /// Makes room for `n` records, so that inserting them neither copies the records nor rehashes the table.
    mutating func reserveCapacity(_ n: Int) {
        records.reserveCapacity(n)
        while n * 4 > slots.count * 3 { grow() }
    }

    private mutating func grow() {
        let newCount = slots.count * 2
        let newMask = newCount - 1
        var table = [Int32](repeating: -1, count: newCount)
        table.withUnsafeMutableBufferPointer { table in
            for (position, record) in records.enumerated() {
                var i = record.id.hashValue & newMask
                while table[i] >= 0 { i = (i + 1) & newMask }
                table[i] = Int32(position)
            }
        }
        slots = table
        mask = newMask
    }
}
