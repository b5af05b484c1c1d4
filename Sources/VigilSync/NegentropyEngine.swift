import VigilModel

/// The protocol logic shared by both roles, following the reference implementation step for step so
/// that the bytes match it: answering each range of an incoming message, splitting mismatched ranges
/// into 16 buckets, and stopping a message short of the frame size limit.
struct NegentropyEngine: Sendable {
    let storage: NegentropyStorage
    /// 0 for none, else at least 4096.
    let frameSizeLimit: Int

    init(storage: NegentropyStorage, frameSizeLimit: Int) throws {
        guard frameSizeLimit == 0 || frameSizeLimit >= NegentropyProtocol.minimumFrameSizeLimit else {
            throw NegentropyError(.invalidFrameSizeLimit, "frame size limit \(frameSizeLimit) is invalid: use 0 for no limit, or at least \(NegentropyProtocol.minimumFrameSizeLimit) bytes")
        }
        self.storage = storage
        self.frameSizeLimit = frameSizeLimit
    }

    /// Whether a message of `size` bytes has no room left for more ranges: past the limit less the
    /// reference's 200-byte margin, which leaves room for the closing fingerprint range.
    func exceedsFrame(_ size: Int) -> Bool {
        frameSizeLimit != 0 && size > frameSizeLimit - NegentropyProtocol.frameSizeMargin
    }

    /// The first message: the whole space, split.
    func initialMessage() -> [UInt8] {
        var writer = NegentropyWriter()
        splitRange(0..<storage.count, upperBound: .infinity, into: &writer)
        return writer.bytes
    }

    /// Answers `message`. The initiator collects the ids only it has (`have`) and only the other side
    /// has (`need`) from each IdList range; the responder answers IdList ranges with its own ids.
    func answer(_ message: NegentropyMessage, asInitiator isInitiator: Bool,
                have: inout [Bytes32], need: inout [Bytes32]) -> [UInt8] {
        var out = NegentropyWriter()
        let itemCount = storage.count
        var previousBound = NegentropyBound.zero
        var previousIndex = 0
        // A run of ranges needing nothing from us: written as one Skip only when something follows.
        var pendingSkip = false

        for range in message.ranges {
            let bound = range.upperBound
            // Everything written for this range goes after `mark`; it is dropped if it overflows.
            var mark = out.count
            let lower = previousIndex
            var upper = storage.firstIndex(notBelow: bound, from: previousIndex)

            func flushSkip() {
                if pendingSkip {
                    pendingSkip = false
                    out.bound(previousBound)
                    out.mode(.skip)
                }
            }

            switch range.payload {
            case .skip:
                pendingSkip = true

            case .fingerprint(let theirs):
                if theirs != storage.fingerprint(lower..<upper) {
                    flushSkip()
                    splitRange(lower..<upper, upperBound: bound, into: &out)
                } else {
                    pendingSkip = true
                }

            case .idList(let theirIDs):
                if isInitiator {
                    // Settle the range: ours not listed are have, listed not ours are need.
                    var theirs = Set(theirIDs)
                    for i in lower..<upper {
                        let id = storage[i].id
                        if theirs.remove(id) == nil { have.append(id) }
                    }
                    // In the order they were listed, for reproducible output.
                    for id in theirIDs where theirs.contains(id) { need.append(id) }
                    pendingSkip = true
                } else {
                    flushSkip()
                    // As many of our ids as fit; the rest of the range goes to the closing fingerprint.
                    // The reference measures against the message before this range's Skip, so do we.
                    var endBound = bound
                    var sent = lower
                    while sent < upper {
                        if exceedsFrame(mark + 32 * (sent - lower)) {
                            endBound = NegentropyBound(storage[sent])
                            upper = sent
                            break
                        }
                        sent += 1
                    }
                    out.bound(endBound)
                    out.mode(.idList)
                    out.varint(UInt64(sent - lower))
                    for i in lower..<sent { out.id(storage[i].id) }
                    // Committed: a frame overflow below keeps this range and only stops after it.
                    mark = out.count
                }
            }

            if exceedsFrame(out.count) {
                // Out of room: drop this range's output, close with one fingerprint for all the rest.
                out.truncate(to: mark)
                out.bound(.infinity)
                out.mode(.fingerprint)
                out.fingerprint(storage.fingerprint(upper..<itemCount))
                break
            }

            previousIndex = upper
            previousBound = bound
        }
        return out.bytes
    }

    /// Describes `range` (ending at `upperBound`): all its ids when there are fewer than 32, else 16
    /// fingerprinted buckets of near-equal size (the first `count % 16` one larger), each ending at
    /// the shortest bound between its last item and the next bucket's first.
    func splitRange(_ range: Range<Int>, upperBound: NegentropyBound, into out: inout NegentropyWriter) {
        let buckets = NegentropyProtocol.buckets
        let count = range.count
        if count < buckets * 2 {
            out.bound(upperBound)
            out.mode(.idList)
            out.varint(UInt64(count))
            for i in range { out.id(storage[i].id) }
            return
        }
        let perBucket = count / buckets
        let withExtra = count % buckets
        var current = range.lowerBound
        for bucket in 0..<buckets {
            let size = perBucket + (bucket < withExtra ? 1 : 0)
            let fingerprint = storage.fingerprint(current..<current + size)
            current += size
            let next = current == range.upperBound
                ? upperBound
                : NegentropyBound.minimal(between: storage[current - 1], and: storage[current])
            out.bound(next)
            out.mode(.fingerprint)
            out.fingerprint(fingerprint)
        }
    }
}
