/// Percent-decoding of URL paths and `application/x-www-form-urlencoded` text.
public enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` as a space when `plusIsSpace`). Nil when an escape is malformed
    /// or the result is not UTF-8.
    public static func decode(_ text: String, plusIsSpace: Bool) -> String? {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// `application/x-www-form-urlencoded` bodies and query strings (the login form posts one).
public enum FormDecoding {
    /// The name/value pairs in order; pairs whose escapes are malformed are dropped.
    public static func pairs(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&").compactMap { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(String(pieces[0]), plusIsSpace: true),
                  let value = PercentDecoding.decode(pieces.count > 1 ? String(pieces[1]) : "", plusIsSpace: true) else { return nil }
            return (name, value)
        }
    }

    /// The first value for `name` in a form body, or nil.
    public static func value(_ name: String, in body: [UInt8]) -> String? {
        guard let text = String(validating: body, as: UTF8.self) else { return nil }
        return pairs(text).first { $0.name == name }?.value
    }
}
