import VigilModel

/// A sealed, immutable item set, sorted in protocol order, that answers range fingerprints in O(1).
///
/// Items live in one contiguous array (an item is 40 bytes inline, no per-item allocation). Beside it
/// sit the prefix sums of the ids as 256-bit little-endian integers: `prefixSums[i]` is the sum of the
/// first `i` ids mod 2^256, so the id sum of any range is one 256-bit subtraction and its fingerprint
/// one SHA-256 of 33…42 bytes, whatever the range's length. Building costs a sort plus one pass;
/// memory is 72 bytes per item. Finding a bound is a binary search, O(log n).
public struct NegentropyStorage: Sendable {
    /// The items, ascending, no duplicates.
    let items: ContiguousArray<NegentropyItem>
    /// `prefixSums[i]`: the sum of `items[0..<i]`'s ids; `count + 1` entries.
    let prefixSums: ContiguousArray<NegentropyIDSum>

    /// Sorts and seals `items`.
    ///
    /// Throws `.reservedTimestamp` for an item at `UInt64.max` and `.duplicateItem` for an item given
    /// twice.
    public init(_ items: some Sequence<NegentropyItem>) throws {
        var sorted = ContiguousArray(items)
        for item in sorted where item.timestamp == .max {
            throw NegentropyError(.reservedTimestamp, "item \(item.id) has timestamp \(UInt64.max), which Negentropy reserves for infinity; give it a smaller timestamp")
        }
        sorted.sort()
        var sums = ContiguousArray<NegentropyIDSum>()
        sums.reserveCapacity(sorted.count + 1)
        var running = NegentropyIDSum()
        sums.append(running)
        var scratch = [UInt8]()
        scratch.reserveCapacity(32)
        for i in sorted.indices {
            if i > 0 && sorted[i - 1] == sorted[i] {
                throw NegentropyError(.duplicateItem, "item \(sorted[i].id) at timestamp \(sorted[i].timestamp) was given twice; a Negentropy set holds each item once")
            }
            running = running + NegentropyIDSum(sorted[i].id, scratch: &scratch)
            sums.append(running)
        }
        self.items = sorted
        self.prefixSums = sums
    }

    /// The number of items.
    public var count: Int { items.count }

    /// The item at `index` (0-based, ascending order).
    public subscript(index: Int) -> NegentropyItem { items[index] }

    /// All items, ascending.
    public var allItems: ContiguousArray<NegentropyItem> { items }

    /// The sum of the ids in `range` (indices into the sorted items), mod 2^256.
    public func idSum(_ range: Range<Int>) -> NegentropyIDSum {
        prefixSums[range.upperBound] - prefixSums[range.lowerBound]
    }

    /// The fingerprint of the items at `range`: O(1) in the range's length.
    public func fingerprint(_ range: Range<Int>) -> NegentropyFingerprint {
        NegentropyFingerprint(sum: idSum(range), count: range.count)
    }

    /// The index of the first item at or after `bound`, searching `start..<count` (items before
    /// `start` are known to be below it). O(log n).
    public func firstIndex(notBelow bound: NegentropyBound, from start: Int = 0) -> Int {
        let key = bound.position
        var low = start, high = items.count
        while low < high {
            let mid = low + (high - low) / 2
            if items[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
