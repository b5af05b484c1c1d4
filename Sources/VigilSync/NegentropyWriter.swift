import VigilModel

/// Builds one outgoing message: the timestamp of each bound is a delta from the previous bound's,
/// so the writer carries the last timestamp written.
struct NegentropyWriter {
    /// The message so far.
    private(set) var bytes: [UInt8]
    /// The timestamp of the last bound written (0 at the start of a message; infinity after it).
    private var lastTimestamp: UInt64 = 0

    /// A message holding only the protocol version byte.
    init() {
        bytes = [NegentropyProtocol.version]
        bytes.reserveCapacity(1024)
    }

    var count: Int { bytes.count }

    mutating func varint(_ value: UInt64) { NegentropyVarint.append(value, to: &bytes) }

    /// A bound: infinity as 0, a finite timestamp as 1 + its offset from the previous bound's, then the
    /// prefix length and the prefix.
    mutating func bound(_ bound: NegentropyBound) {
        if bound.isInfinity {
            lastTimestamp = .max
            varint(0)
        } else {
            // Wrapping, like the reference's unsigned arithmetic; bounds are written ascending, so the
            // offset is never negative in practice.
            varint((bound.timestamp &- lastTimestamp) &+ 1)
            lastTimestamp = bound.timestamp
        }
        varint(UInt64(bound.prefixLength))
        if bound.prefixLength > 0 {
            bound.paddedID.appendBytes(to: &bytes)
            bytes.removeLast(32 - bound.prefixLength)
        }
    }

    mutating func mode(_ mode: NegentropyMode) { varint(mode.rawValue) }

    mutating func fingerprint(_ fingerprint: NegentropyFingerprint) { fingerprint.appendBytes(to: &bytes) }

    mutating func id(_ id: Bytes32) { id.appendBytes(to: &bytes) }

    /// Drops everything written after the first `count` bytes.
    mutating func truncate(to count: Int) { bytes.removeLast(bytes.count - count) }
}
