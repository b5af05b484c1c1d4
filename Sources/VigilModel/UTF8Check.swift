/// UTF-8 validation without making a `String` (`String(validating:as:)` is generic and, called from
/// another module on an array slice, slow: it looks up generic metadata on every call).
public enum UTF8Check {
    /// Whether `bytes` are well-formed UTF-8 (what `String(validating:as: UTF8.self)` accepts: shortest
    /// forms, no surrogates, nothing above U+10FFFF), without making a String.
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int, low: UInt8, high: UInt8
            switch b {
            case 0xC2...0xDF: length = 2; low = 0x80; high = 0xBF
            case 0xE0: length = 3; low = 0xA0; high = 0xBF
            case 0xED: length = 3; low = 0x80; high = 0x9F
            case 0xE1...0xEF: length = 3; low = 0x80; high = 0xBF
            case 0xF0: length = 4; low = 0x90; high = 0xBF
            case 0xF1...0xF3: length = 4; low = 0x80; high = 0xBF
            case 0xF4: length = 4; low = 0x80; high = 0x8F
            default: return false
            }
            guard i + length <= n, bytes[i + 1] >= low, bytes[i + 1] <= high else { return false }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }
}
