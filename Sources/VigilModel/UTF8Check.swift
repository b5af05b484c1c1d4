/// UTF-8 validation without making a `String` (`String(validating:as:)` is generic and, called from
/// another module on an array slice, slow: it looks up generic metadata on every call).
public enum UTF8Check {
    /// Whether `bytes` are well-formed UTF-8 (what `String(validating:as: UTF8.self)` accepts: shortest
    /// forms, no surrogates, nothing above U+10FFFF), without making a String.
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i < n {
            // Runs of ASCII eight bytes at a time: most of a document is ASCII.
            while i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < n else { break }
            if base[i] < 0x80 { i += 1; continue }
            guard let length = sequenceLength(at: i, in: bytes) else { return false }
            i += length
        }
        return true
    }

    /// The length (2 to 4) of the well-formed multi-byte UTF-8 sequence that starts at `i` (its first
    /// byte ≥ 0x80), or nil when the bytes there are not one: a byte that cannot start a sequence, a
    /// sequence cut short, an overlong form, a surrogate or a code point above U+10FFFF.
    @inlinable
    public static func sequenceLength(at i: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let length: Int, low: UInt8, high: UInt8
        switch bytes[i] {
        case 0xC2...0xDF: length = 2; low = 0x80; high = 0xBF
        case 0xE0: length = 3; low = 0xA0; high = 0xBF
        case 0xED: length = 3; low = 0x80; high = 0x9F
        case 0xE1...0xEF: length = 3; low = 0x80; high = 0xBF
        case 0xF0: length = 4; low = 0x90; high = 0xBF
        case 0xF1...0xF3: length = 4; low = 0x80; high = 0xBF
        case 0xF4: length = 4; low = 0x80; high = 0x8F
        default: return nil
        }
        guard i + length <= bytes.count, bytes[i + 1] >= low, bytes[i + 1] <= high else { return nil }
        for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return nil }
        return length
    }

    /// Whether `byte` can start a multi-byte UTF-8 sequence at all.
    @inlinable
    public static func isLeadByte(_ byte: UInt8) -> Bool { (0xC2...0xF4).contains(byte) }
}
