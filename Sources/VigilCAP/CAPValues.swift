import VigilModel

/// A CAP `dateTime`: `YYYY-MM-DDThh:mm:ss±hh:mm`, always with an offset and without fractions
/// (UTC is written `-00:00`; `Z` is not allowed). Keeps the text as written and its instant.
public struct CAPDateTime: Hashable, Sendable, CustomStringConvertible {
    /// The 25 bytes of the text as it appeared in the document, kept in place (a `String` of 25 bytes
    /// would be an allocation per date); the last 7 are zero.
    private let bytes: SIMD32<UInt8>
    /// The instant, in milliseconds since 1970-01-01T00:00:00Z.
    public let milliseconds: Int64

    /// The text as it appeared in the document.
    public var text: String { withUTF8 { String(decoding: $0, as: UTF8.self) } }

    /// Calls `body` with the text's 25 UTF-8 bytes.
    @inline(__always) func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: bytes) { raw in
            try body(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: Self.length))
        }
    }

    /// Every CAP dateTime text has this many bytes.
    static let length = 25

    /// Parses CAP dateTime text; nil unless it has exactly the CAP form and is a real date and time.
    public init?(_ text: String) {
        var copy = text
        guard let parsed = copy.withUTF8({ Self(utf8: $0) }) else { return nil }
        self = parsed
    }

    /// Parses CAP dateTime bytes (valid UTF-8) as `init?(_:)` parses their text, without making a text.
    init?(utf8 b: UnsafeBufferPointer<UInt8>) {
        guard let milliseconds = Self.milliseconds(b) else { return nil }
        var bytes = SIMD32<UInt8>()
        for k in 0..<Self.length { bytes[k] = b[k] }
        self.bytes = bytes
        self.milliseconds = milliseconds
    }

    /// The instant of CAP dateTime bytes, or nil unless they have exactly the CAP form and are a real date
    /// and time.
    private static func milliseconds(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count == length, b[4] == 0x2d, b[7] == 0x2d, b[10] == 0x54, b[13] == 0x3a, b[16] == 0x3a,
              b[19] == 0x2b || b[19] == 0x2d, b[22] == 0x3a else { return nil }
        var notDigit = false
        @inline(__always) func number(_ from: Int, _ count: Int) -> Int64 {
            var n: Int64 = 0
            for i in from..<(from + count) {
                let digit = b[i] &- 0x30
                notDigit = notDigit || digit > 9
                n = n * 10 + Int64(digit)
            }
            return n
        }
        let year = number(0, 4), month = number(5, 2), day = number(8, 2)
        let hour = number(11, 2), minute = number(14, 2), second = number(17, 2)
        let offsetHours = number(20, 2), offsetMinutes = number(23, 2)
        guard !notDigit, year >= 1, (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 59, offsetMinutes <= 59,
              offsetHours * 60 + offsetMinutes <= 14 * 60 else { return nil }
        let offset = (offsetHours * 60 + offsetMinutes) * 60 * (b[19] == 0x2d ? -1 : 1)
        let seconds = Self.daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return seconds * 1000
    }

    /// The instant `milliseconds` (rounded down to the second) in UTC, written with CAP's `-00:00`;
    /// nil outside the years 1–9999.
    public init?(milliseconds: Int64) {
        // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
        guard milliseconds >= -62_135_596_800_000, milliseconds <= 253_402_300_799_999 else { return nil }
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : -((-milliseconds + 999) / 1000)
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civilFromDays(days)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var yearText = "\(year)"
        while yearText.count < 4 { yearText = "0" + yearText }
        let text = "\(yearText)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))-00:00"
        assert(text.utf8.count == Self.length)
        var bytes = SIMD32<UInt8>()
        for (k, b) in text.utf8.enumerated() { bytes[k] = b }
        self.bytes = bytes
        self.milliseconds = seconds * 1000
    }

    public var description: String { text }

    static func daysIn(month: Int64, year: Int64) -> Int64 { CivilDate.daysIn(month: month, year: year) }
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 { CivilDate.days(year: year, month: month, day: day) }
    static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) { let d = CivilDate.date(days: days); return (d.year, d.month, d.day) }
}

/// Exact decimal text ↔ integer millionths, without going through `Double`.
public enum CAPDecimal {
    /// Parses an `xs:decimal` (`-12.5`, `+3`, `.25`, `7.`) to millionths, rounding half away from zero
    /// beyond six decimals; nil if the text is not a decimal or its magnitude is 10¹² or more.
    public static func parseMicro<S: StringProtocol>(_ text: S) -> Int64? {
        if let parsed = text.utf8.withContiguousStorageIfAvailable({ parseMicro(bytes: $0) }) { return parsed }
        return Array(text.utf8).withUnsafeBufferPointer { parseMicro(bytes: $0) }
    }

    /// `parseMicro` on the UTF-8 bytes of the text.
    static func parseMicro(bytes b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var k = 0
        var negative = false
        if let first = b.first, first == 0x2b || first == 0x2d {
            negative = first == 0x2d
            k = 1
        }
        var integer: Int64 = 0, fraction: Int64 = 0, fractionDigits = 0, digits = 0
        var roundUp = false, seenDot = false, extraDigits = 0
        while k < b.count {
            let c = b[k]
            k += 1
            if c == 0x2e {
                guard !seenDot else { return nil }
                seenDot = true
                continue
            }
            let d = c &- 0x30
            guard d <= 9 else { return nil }
            digits += 1
            if !seenDot {
                integer = integer * 10 + Int64(d)
                guard integer < 1_000_000_000_000 else { return nil }
            } else if fractionDigits < 6 {
                fraction = fraction * 10 + Int64(d)
                fractionDigits += 1
            } else {
                if extraDigits == 0 { roundUp = d >= 5 }
                extraDigits += 1
            }
        }
        guard digits > 0 else { return nil }
        while fractionDigits < 6 { fraction *= 10; fractionDigits += 1 }
        let magnitude = integer * 1_000_000 + fraction + (roundUp ? 1 : 0)
        return negative ? -magnitude : magnitude
    }

    /// Millionths as decimal text with up to six decimals, trailing zeros trimmed (`-0.5`, `38.47`, `0`).
    public static func format(micro: Int64) -> String { DecimalText.millionths(micro) }
}
