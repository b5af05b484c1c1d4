/// ISO 8601 times for the human form of timestamps, without Foundation's formatters (exact, and the same
/// on every platform).
enum KindTime {
    /// Milliseconds since the epoch as UTC ISO 8601: `2026-11-24T10:00:00Z`, with `.mmm` only when the
    /// milliseconds are not zero.
    static func format(_ ms: Int64) -> String {
        let days = floorDiv(ms, 86_400_000)
        let inDay = ms - days * 86_400_000
        let (y, m, d) = civil(days: days)
        let seconds = inDay / 1000
        var s = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(seconds / 3600, 2) + ":"
            + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        if inDay % 1000 != 0 { s += "." + pad(inDay % 1000, 3) }
        return s + "Z"
    }

    /// Parses `2026-11-24T10:00:00Z`, `2026-11-24T10:00:00.250Z`, `2026-11-24T11:00:00+01:00` (also
    /// `+0100`); a zone (`Z` or an offset) is required. Fractional digits beyond milliseconds are dropped.
    static func parse(_ text: String) -> Int64? {
        let c = Array(text.utf8)
        var i = 0
        func number(_ digits: Int) -> Int64? {
            guard i + digits <= c.count else { return nil }
            var n: Int64 = 0
            for k in i..<(i + digits) {
                guard (0x30...0x39).contains(c[k]) else { return nil }
                n = n * 10 + Int64(c[k] - 0x30)
            }
            i += digits
            return n
        }
        func expect(_ chars: String) -> Bool {
            guard i < c.count, chars.utf8.contains(c[i]) else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              expect("Tt"), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
              let second = number(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 59 else { return nil }
        var millis: Int64 = 0
        if i < c.count, c[i] == 0x2e {
            i += 1
            var digits = 0
            while i < c.count, (0x30...0x39).contains(c[i]) {
                if digits < 3 { millis = millis * 10 + Int64(c[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        var offsetMinutes: Int64 = 0
        guard i < c.count else { return nil }
        if c[i] == 0x5a || c[i] == 0x7a {
            i += 1
        } else if c[i] == 0x2b || c[i] == 0x2d {
            let sign: Int64 = c[i] == 0x2d ? -1 : 1
            i += 1
            guard let oh = number(2) else { return nil }
            if i < c.count, c[i] == 0x3a { i += 1 }
            guard let om = number(2), oh <= 23, om <= 59 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
        } else {
            return nil
        }
        guard i == c.count else { return nil }
        let days = daysFromCivil(year, month, day)
        return ((days * 86_400 + hour * 3600 + minute * 60 + second) - offsetMinutes * 60) * 1000 + millis
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 { CivilDate.daysIn(month: month, year: year) }
    static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 { CivilDate.days(year: year, month: month, day: day) }
    static func civil(days: Int64) -> (Int64, Int64, Int64) { let d = CivilDate.date(days: days); return (d.year, d.month, d.day) }
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { CivilDate.floorDiv(a, b) }

    static func pad(_ n: Int64, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
