import VigilModel

/// A byte-level writer of JSON text exactly as the local API's `JSONEncoder` writes it (`.sortedKeys`,
/// `.withoutEscapingSlashes`): no spaces; in strings `"` and `\` escaped, `\b \t \n \f \r`, other
/// control characters as `\u00xx`, everything else (`/`, non-ASCII) as it is; integers in decimal.
/// The caller writes an object's members in sorted order. A `JSONValue` holding a non-integer number
/// (or an object key that is not plain ASCII, whose order Foundation decides) is not written here:
/// `value` answers false and the caller encodes the whole line with `JSONEncoder`. Tests compare this
/// writer's lines with `JSONEncoder`'s byte by byte.
public struct JSONFastWriter {
    /// The text so far.
    public var bytes: [UInt8] = []

    /// An empty writer.
    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// A string, quoted and escaped.
    public mutating func string(_ text: String) {
        bytes.append(0x22)
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for i in 0..<utf8.count {
                let b = utf8[i]
                guard b < 0x20 || b == 0x22 || b == 0x5c else { continue }
                if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                runStart = i + 1
                switch b {
                case 0x22: bytes += [0x5c, 0x22]
                case 0x5c: bytes += [0x5c, 0x5c]
                case 0x08: bytes += [0x5c, UInt8(ascii: "b")]
                case 0x09: bytes += [0x5c, UInt8(ascii: "t")]
                case 0x0a: bytes += [0x5c, UInt8(ascii: "n")]
                case 0x0c: bytes += [0x5c, UInt8(ascii: "f")]
                case 0x0d: bytes += [0x5c, UInt8(ascii: "r")]
                default:
                    let digits: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes += [0x5c, UInt8(ascii: "u"), 0x30, 0x30, digits[Int(b >> 4)], digits[Int(b & 0x0f)]]
                }
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        bytes.append(0x22)
    }

    /// An object key and its colon (keys are written in sorted order by the caller).
    public mutating func key(_ name: StaticString) {
        bytes.append(0x22)
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(0x22)
        bytes.append(0x3a)
    }

    /// A raw ASCII token: `{`, `}`, `,`, `true`…
    public mutating func raw(_ token: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: token.utf8Start, count: token.utf8CodeUnitCount))
    }

    /// A Boolean.
    public mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }

    /// An integer in decimal.
    public mutating func integer<I: BinaryInteger>(_ value: I) {
        if value == 0 { return bytes.append(0x30) }
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        while magnitude > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        bytes.append(contentsOf: digits.reversed())
    }

    /// An array of strings.
    public mutating func strings(_ items: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An array of ids as lowercase hex.
    public mutating func ids(_ items: [Bytes32]) { strings(items.map(\.hex)) }

    /// A JSON value; false (with the text undefined) when it holds a non-integer number or a key that
    /// is not plain ASCII: the caller then encodes the line with `JSONEncoder`.
    public mutating func value(_ value: JSONValue) -> Bool {
        switch value {
        case .null: raw("null")
        case .bool(let b): bool(b)
        case .integer(let n): integer(n)
        case .number, .degrees: return false
        case .string(let s): string(s)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                guard self.value(item) else { return false }
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            var keys: [String] = []
            keys.reserveCapacity(members.count)
            for key in members.keys {
                guard key.utf8.allSatisfy({ $0 < 0x80 }) else { return false }
                keys.append(key)
            }
            // Plain ASCII keys: JSONEncoder's order is the order of their bytes.
            keys.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            bytes.append(UInt8(ascii: "{"))
            for (i, key) in keys.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                string(key)
                bytes.append(0x3a)
                guard self.value(members[key]!) else { return false }
            }
            bytes.append(UInt8(ascii: "}"))
        }
        return true
    }
}
