import VigilModel

/// The store positions of the held entries by kind, each list ascending: what a list filtered by kind
/// (the desk's incident queue, a feed of alerts) walks instead of reading every stored entry back from
/// disk to look at its kind. Built at start-up from the start-up index's kinds and extended as entries
/// are admitted (loop thread). Four bytes per held entry.
struct KindPositions: Equatable {
    /// Per kind code (`EntryKind.rawValue`), the positions in ascending order.
    private var lists: [[Int32]] = Array(repeating: [], count: 256)

    /// An empty index.
    init() {}

    /// An empty index with room for `counts[code]` positions of each kind code: built at start-up in
    /// one allocation per kind, not grown by doubling (the freed buffers of a million positions would
    /// raise the allocator's mmap threshold and leave the node's later start-up buffers resident).
    init(capacities counts: [Int]) {
        for (k, n) in counts.enumerated() where k < lists.count && n > 0 { lists[k].reserveCapacity(n) }
    }

    /// Records the entry of `kind` at store position `position`. Positions come in ascending order
    /// (the store only ever appends); one that does not is inserted in its place.
    mutating func add(_ kind: EntryKind, at position: Int) {
        let k = Int(kind.rawValue)
        let p = Int32(clamping: position)
        if let last = lists[k].last, last >= p {
            let at = Self.firstIndex(in: lists[k], notBelow: p)
            guard at == lists[k].count || lists[k][at] != p else { return }   // already there
            lists[k].insert(p, at: at)
        } else {
            lists[k].append(p)
        }
    }

    /// How many entries of `kind` are recorded.
    func count(of kind: EntryKind) -> Int { lists[Int(kind.rawValue)].count }

    /// The positions of entries of `kinds` below `bound`, highest first, at most `limit`: a merge of the
    /// kinds' lists from where each falls below `bound`.
    func positions(of kinds: Set<EntryKind>, below bound: Int, limit: Int) -> [Int] {
        let b = Int32(clamping: bound)
        // Per kind, the index just past its last position below the bound.
        var cursors: [(list: Int, end: Int)] = kinds.map { kind in
            let k = Int(kind.rawValue)
            return (k, Self.firstIndex(in: lists[k], notBelow: b))
        }
        var out: [Int] = []
        out.reserveCapacity(min(limit, 1024))
        while out.count < limit {
            var best = -1
            for c in cursors.indices where cursors[c].end > 0 {
                if best < 0 || lists[cursors[c].list][cursors[c].end - 1] > lists[cursors[best].list][cursors[best].end - 1] { best = c }
            }
            guard best >= 0 else { break }
            cursors[best].end -= 1
            out.append(Int(lists[cursors[best].list][cursors[best].end]))
        }
        return out
    }

    /// The first index of `list` (ascending) whose value is at least `value`; `list.count` for none.
    private static func firstIndex(in list: [Int32], notBelow value: Int32) -> Int {
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
