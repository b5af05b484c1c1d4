import VigilModel

/// A byte-level reader of one JSON document into a `JSONValue`, for the local API's hot lines (a
/// `compose` request, a posted answer, a `follow` line). It reads only what it can read exactly as
/// Foundation's `JSONDecoder` reads it into the same types: objects without repeated keys, arrays,
/// strings (every escape; UTF-8 checked), `true`, `false`, `null`, and integers of at most 18 digits
/// (`-0` excepted). For anything else — invalid JSON included — it answers nil, and the caller decodes
/// the line with `JSONDecoder`, which gives the value or the clear error. So it never accepts what
/// `JSONDecoder` refuses nor reads a value differently: tests compare both byte by byte, and the sync
/// fuzz target (`api-request`) checks it on every input.
public enum JSONFastReader {
    /// Deepest nesting read here (deeper documents go to `JSONDecoder`).
    static let maxDepth = 64

    /// The document in `bytes`, or nil when this reader leaves it to `JSONDecoder`.
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        bytes.withUnsafeBufferPointer { buffer -> JSONValue? in
            var reader = Cursor(bytes: buffer)
            reader.skipSpace()
            guard let value = reader.value(depth: 0) else { return nil }
            reader.skipSpace()
            return reader.index == buffer.count ? value : nil
        }
    }

    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0a, 0x0d: index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) -> JSONValue? {
            guard index < bytes.count, depth <= JSONFastReader.maxDepth else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""): return string().map(JSONValue.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer()
            default: return nil
            }
        }

        mutating func literal(_ text: StaticString, _ value: JSONValue) -> JSONValue? {
            let count = text.utf8CodeUnitCount
            guard bytes.count - index >= count else { return nil }
            for i in 0..<count where bytes[index + i] != text.utf8Start[i] { return nil }
            index += count
            return value
        }

        /// An integer of at most 18 digits (no fraction, no exponent, no leading zero, not `-0`).
        mutating func integer() -> JSONValue? {
            var negative = false
            if bytes[index] == UInt8(ascii: "-") {
                negative = true
                index += 1
            }
            let start = index
            var magnitude: Int64 = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                if index - start == 18 { return nil }   // a 19th digit: more than this reader takes (no overflow)
                magnitude = magnitude * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            let digits = index - start
            guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            if negative && magnitude == 0 { return nil }
            if index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
                default: break
                }
            }
            return .integer(negative ? -magnitude : magnitude)
        }

        /// A string from its opening quote; nil for an invalid escape, a lone surrogate, a control
        /// character, invalid UTF-8 or a missing closing quote.
        mutating func string() -> String? {
            index += 1
            let start = index
            var plain = true   // no escape: the bytes are the string
            var ascii = true
            while index < bytes.count {
                let b = bytes[index]
                if b == UInt8(ascii: "\"") { break }
                if b < 0x20 { return nil }
                if b == UInt8(ascii: "\\") {
                    plain = false
                    index += 2
                    continue
                }
                if b >= 0x80 { ascii = false }
                index += 1
            }
            guard index < bytes.count else { return nil }
            let end = index
            index += 1
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
            if plain {
                if ascii { return String(decoding: raw, as: UTF8.self) }
                return String(validating: raw, as: UTF8.self)
            }
            return unescape(raw)
        }

        func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var i = 0
            while i < raw.count {
                let b = raw[i]
                guard b == UInt8(ascii: "\\") else {
                    out.append(b)
                    i += 1
                    continue
                }
                guard i + 1 < raw.count else { return nil }
                i += 2
                switch raw[i - 1] {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5c)
                case UInt8(ascii: "/"): out.append(0x2f)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard let unit = hex4(raw, at: i) else { return nil }
                    i += 4
                    var scalar = UInt32(unit)
                    if unit >= 0xD800 && unit < 0xDC00 {
                        guard i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u"),
                              let low = hex4(raw, at: i + 2), low >= 0xDC00, low < 0xE000 else { return nil }
                        i += 6
                        scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    } else if unit >= 0xDC00 && unit < 0xE000 {
                        return nil
                    }
                    guard let s = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: UTF8.encode(s)!)
                default:
                    return nil
                }
            }
            return String(validating: out, as: UTF8.self)
        }

        func hex4(_ raw: UnsafeBufferPointer<UInt8>, at i: Int) -> UInt16? {
            guard i + 4 <= raw.count else { return nil }
            var v: UInt16 = 0
            for k in i..<i + 4 {
                let c = raw[k]
                let d: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
                default: return nil
                }
                v = v << 4 | UInt16(d)
            }
            return v
        }

        mutating func array(depth: Int) -> JSONValue? {
            index += 1
            var items: [JSONValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                skipSpace()
                guard let item = value(depth: depth + 1) else { return nil }
                items.append(item)
                skipSpace()
                guard index < bytes.count else { return nil }
                switch bytes[index] {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return .array(items)
                default: return nil
                }
            }
        }

        mutating func object(depth: Int) -> JSONValue? {
            index += 1
            var members: [String: JSONValue] = [:]
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = string() else { return nil }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                skipSpace()
                guard let item = value(depth: depth + 1) else { return nil }
                // A repeated key: JSONDecoder's choice between the copies is its own; leave it to it.
                guard members.updateValue(item, forKey: key) == nil else { return nil }
                skipSpace()
                guard index < bytes.count else { return nil }
                switch bytes[index] {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return .object(members)
                default: return nil
                }
            }
        }
    }
}
