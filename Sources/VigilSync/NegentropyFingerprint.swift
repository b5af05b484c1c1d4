import VigilCrypto
import VigilModel

/// The 16-byte digest of a range: the first half of SHA-256 over (sum of ids mod 2^256, as 32
/// little-endian bytes) followed by the item count as a varint.
public struct NegentropyFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// The 16 bytes, the first eight in `high` (big-endian), the rest in `low`.
    let high: UInt64, low: UInt64

    /// Reads 16 bytes; nil when `bytes` does not hold exactly 16.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { h = h << 8 | UInt64(b) } else { l = l << 8 | UInt64(b) }
        }
        high = h
        low = l
    }

    /// The fingerprint of a set with this id sum and item count.
    public init(sum: NegentropyIDSum, count: Int) {
        var input = [UInt8]()
        input.reserveCapacity(32 + 10)
        sum.appendLittleEndianBytes(to: &input)
        NegentropyVarint.append(UInt64(count), to: &input)
        self.init(SHA256.hash(input).prefix(16))!
    }

    /// Appends the 16 bytes.
    public func appendBytes(to out: inout [UInt8]) {
        for word in [high, low] {
            var shift: UInt64 = 56
            while true {
                out.append(UInt8(truncatingIfNeeded: word >> shift))
                if shift == 0 { break }
                shift -= 8
            }
        }
    }

    /// The 16 bytes in order.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(16)
        appendBytes(to: &out)
        return out
    }

    public var description: String { VigilCrypto.hex(bytes) }
}

/// A sum of ids as 256-bit little-endian integers, modulo 2^256 (limb 0 is the least significant).
public struct NegentropyIDSum: Hashable, Sendable {
    @usableFromInline var l0: UInt64 = 0, l1: UInt64 = 0, l2: UInt64 = 0, l3: UInt64 = 0

    /// Zero: the sum of no ids.
    public init() {}

    /// The id read as a 256-bit little-endian integer.
    public init(_ id: Bytes32) {
        var scratch = [UInt8]()
        self.init(id, scratch: &scratch)
    }

    /// The id read as a 256-bit little-endian integer. `Bytes32` holds the bytes as big-endian words,
    /// so each little-endian limb is one byte swap: no byte array, no loop. (`scratch` is unused; it is
    /// kept so callers that reuse a buffer need not change.)
    init(_ id: Bytes32, scratch: inout [UInt8]) {
        let (w0, w1, w2, w3) = id.bigEndianWords
        l0 = w0.byteSwapped; l1 = w1.byteSwapped; l2 = w2.byteSwapped; l3 = w3.byteSwapped
    }

    init(littleEndianBytes b: [UInt8]) {
        func limb(_ k: Int) -> UInt64 {
            var v: UInt64 = 0
            for j in (0..<8).reversed() { v = v << 8 | UInt64(b[8 * k + j]) }
            return v
        }
        l0 = limb(0); l1 = limb(1); l2 = limb(2); l3 = limb(3)
    }

    /// `a + b` mod 2^256.
    @inlinable
    public static func + (a: NegentropyIDSum, b: NegentropyIDSum) -> NegentropyIDSum {
        var r = NegentropyIDSum()
        var carry: UInt64
        var o: Bool
        (r.l0, o) = a.l0.addingReportingOverflow(b.l0); carry = o ? 1 : 0
        (r.l1, o) = a.l1.addingReportingOverflow(b.l1)
        var o2: Bool
        (r.l1, o2) = r.l1.addingReportingOverflow(carry); carry = (o || o2) ? 1 : 0
        (r.l2, o) = a.l2.addingReportingOverflow(b.l2)
        (r.l2, o2) = r.l2.addingReportingOverflow(carry); carry = (o || o2) ? 1 : 0
        r.l3 = a.l3 &+ b.l3 &+ carry
        return r
    }

    /// `a - b` mod 2^256.
    @inlinable
    public static func - (a: NegentropyIDSum, b: NegentropyIDSum) -> NegentropyIDSum {
        var r = NegentropyIDSum()
        var borrow: UInt64
        var o: Bool, o2: Bool
        (r.l0, o) = a.l0.subtractingReportingOverflow(b.l0); borrow = o ? 1 : 0
        (r.l1, o) = a.l1.subtractingReportingOverflow(b.l1)
        (r.l1, o2) = r.l1.subtractingReportingOverflow(borrow); borrow = (o || o2) ? 1 : 0
        (r.l2, o) = a.l2.subtractingReportingOverflow(b.l2)
        (r.l2, o2) = r.l2.subtractingReportingOverflow(borrow); borrow = (o || o2) ? 1 : 0
        r.l3 = a.l3 &- b.l3 &- borrow
        return r
    }

    /// Appends the 32 little-endian bytes.
    public func appendLittleEndianBytes(to out: inout [UInt8]) {
        for limb in [l0, l1, l2, l3] {
            for j in 0..<8 { out.append(UInt8(truncatingIfNeeded: limb >> (8 * UInt64(j)))) }
        }
    }
}
