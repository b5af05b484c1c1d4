/// Bytes waiting to be written to a socket: appended at the back, consumed from the front, compacted
/// when the consumed part is at least half, so a long stream costs amortised O(1) per byte.
struct ByteQueue {
    private var storage: [UInt8] = []
    private var head = 0

    /// Bytes not yet consumed.
    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }

    mutating func append(_ bytes: [UInt8]) {
        if isEmpty {
            storage = bytes
            head = 0
        } else {
            storage.append(contentsOf: bytes)
        }
    }

    /// Calls `body` with the unconsumed bytes.
    func withReadableBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[head...])) }
    }

    /// Drops the first `n` unconsumed bytes.
    mutating func consume(_ n: Int) {
        head += n
        if head == storage.count {
            storage = []
            head = 0
        } else if head >= 64 * 1024 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }
}
