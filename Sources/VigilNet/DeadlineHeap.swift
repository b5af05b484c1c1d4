/// A binary min-heap of deadlines, ordered by deadline and then by insertion, so entries due at the
/// same instant come out in the order they went in. Pure: the caller reads the clock.
///
/// The loop keeps one entry per pending timer and cancels lazily: an entry whose timer was
/// cancelled or moved is skipped when it comes out, which keeps every operation O(log n) and makes
/// "push back the idle deadline on every read" free (nothing is pushed until the old entry is due).
struct DeadlineHeap<Element> {
    private struct Entry {
        let deadline: UInt64
        let sequence: UInt64
        let element: Element

        func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
        }
    }

    private var entries: [Entry] = []
    private var nextSequence: UInt64 = 0

    /// How many entries are held (cancelled ones included until they come out).
    var count: Int { entries.count }

    /// The earliest deadline, if any.
    var nextDeadline: UInt64? { entries.first?.deadline }

    /// Adds `element`, due at `deadline`.
    mutating func push(_ element: Element, at deadline: UInt64) {
        entries.append(Entry(deadline: deadline, sequence: nextSequence, element: element))
        nextSequence &+= 1
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// The earliest entry, if any.
    var first: (element: Element, deadline: UInt64)? { entries.first.map { ($0.element, $0.deadline) } }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(now: UInt64) -> (element: Element, deadline: UInt64)? {
        guard let first = entries.first, first.deadline <= now else { return nil }
        removeFirst()
        return (first.element, first.deadline)
    }

    /// Removes the earliest entry (if any).
    mutating func removeFirst() {
        guard !entries.isEmpty else { return }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < entries.count && entries[left].precedes(entries[smallest]) { smallest = left }
                if right < entries.count && entries[right].precedes(entries[smallest]) { smallest = right }
                if smallest == parent { break }
                entries.swapAt(parent, smallest)
                parent = smallest
            }
        }
    }

    /// Drops every entry.
    mutating func removeAll() { entries.removeAll() }
}
