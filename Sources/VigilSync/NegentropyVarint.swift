/// Negentropy varints: base-128 digits, most significant first, the high bit set on every byte but
/// the last, in the fewest digits (so only the value 0 may start with a zero digit).
///
/// Not the little-endian LEB128 of `ByteWriter`: the digit order is reversed.
public enum NegentropyVarint {
    /// Appends the shortest encoding of `value`.
    public static func append(_ value: UInt64, to out: inout [UInt8]) {
        var digits = 1
        var rest = value >> 7
        while rest != 0 { digits += 1; rest >>= 7 }
        var shift = UInt64(7 * (digits - 1))
        while shift > 0 {
            out.append(UInt8(truncatingIfNeeded: value >> shift) | 0x80)
            shift -= 7
        }
        out.append(UInt8(truncatingIfNeeded: value) & 0x7f)
    }

    /// The encoding of `value`.
    public static func encode(_ value: UInt64) -> [UInt8] {
        var out = [UInt8]()
        append(value, to: &out)
        return out
    }

    /// How many bytes the encoding of `value` takes.
    public static func size(of value: UInt64) -> Int {
        var digits = 1
        var rest = value >> 7
        while rest != 0 { digits += 1; rest >>= 7 }
        return digits
    }
}
