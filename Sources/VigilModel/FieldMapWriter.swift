/// Writes the canonical encoding of a `FieldMap` (the layout is on `FieldMap`) in one pass, straight into
/// one byte array: UTF-8 views are copied as they are, no field path is built, no intermediate array made.
///
/// `write(_:depth:)` checks the same limits as `FieldMap`'s checked writer (names, field and item counts,
/// depth) but only says whether they hold: on `false` the caller runs the checked writer, which names the
/// field. Both give the same bytes (FieldMapTests compare them).
///
/// The piecewise methods (`mapStart`, `name`, `text(value:)`, `integer`, `listStart`, `mapValueStart`, `field`)
/// let a caller that knows its body's shape write the canonical bytes without building a `FieldMap`
/// first (VigilCAP writes an imported alert's CAP fields so). They check nothing but what `field` checks:
/// the caller writes names in ascending order, valid names, counts within `FieldMap.Limits`, and tests
/// its bytes against `FieldMap.encoded()`.
public struct FieldMapWriter {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

    /// Appends `map` (nested `depth` levels deep); false when a limit is broken.
    mutating func write(_ map: FieldMap, depth: Int) -> Bool {
        let fields = map.fields
        guard fields.count <= FieldMap.Limits.maxFields else { return false }
        varint(UInt64(fields.count))
        for field in fields {
            guard Self.isValidName(field.name) else { return false }
            text(field.name)
            guard write(field.value, depth: depth) else { return false }
        }
        return true
    }

    private mutating func write(_ value: FieldValue, depth: Int) -> Bool {
        bytes.append(value.tag)
        switch value {
        case .text(let t):
            text(t)
        case .integer(let n):
            varint(UInt64(bitPattern: (n << 1) ^ (n >> 63)))
        case .bool(let b):
            bytes.append(b ? 1 : 0)
        case .id(let id):
            id.appendBytes(to: &bytes)
        case .list(let items):
            guard depth < FieldMap.Limits.maxDepth, items.count <= FieldMap.Limits.maxListItems else { return false }
            varint(UInt64(items.count))
            for item in items {
                guard write(item, depth: depth + 1) else { return false }
            }
        case .map(let map):
            guard depth < FieldMap.Limits.maxDepth else { return false }
            return write(map, depth: depth + 1)
        }
        return true
    }

    // MARK: Piecewise

    /// The field count of a map: the start of the body, or of a map after `mapValueStart`.
    @inline(__always) public mutating func mapStart(fields: Int) { varint(UInt64(fields)) }

    /// A field name (the caller's: 1–32 bytes of a-z, 0-9 and _, starting with a-z, in ascending order).
    @inline(__always) public mutating func name(_ name: StaticString) {
        assert(name.utf8CodeUnitCount <= FieldMap.Limits.maxNameBytes)
        bytes.append(UInt8(truncatingIfNeeded: name.utf8CodeUnitCount))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A text value: its tag, length and UTF-8 bytes.
    @inline(__always) public mutating func text(value: String) {
        bytes.append(1)
        var s = value
        s.withUTF8 { u in
            varint(UInt64(u.count))
            bytes.append(contentsOf: u)
        }
    }

    /// An integer value: its tag and zig-zag varint.
    @inline(__always) public mutating func integer(_ n: Int64) {
        bytes.append(2)
        varint(UInt64(bitPattern: (n << 1) ^ (n >> 63)))
    }

    /// The start of a list value of `items` items (at most `FieldMap.Limits.maxListItems`): its tag and count.
    @inline(__always) public mutating func listStart(items: Int) {
        bytes.append(4)
        varint(UInt64(items))
    }

    /// The start of a map value of `fields` fields: its tag and count; the fields follow.
    @inline(__always) public mutating func mapValueStart(fields: Int) {
        bytes.append(5)
        varint(UInt64(fields))
    }

    /// A field name and value of a map nested `depth` levels deep (0 for the body's own fields), with the
    /// checks of `FieldMap.encoded()`; false when a name or a limit is broken (the bytes are then unusable).
    public mutating func field(_ name: String, _ value: FieldValue, depth: Int) -> Bool {
        guard Self.isValidName(name) else { return false }
        text(name)
        return write(value, depth: depth)
    }

    /// A varint length and the UTF-8 bytes.
    @inline(__always) private mutating func text(_ s: String) {
        let utf8 = s.utf8
        varint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    @inline(__always) private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// `FieldMap.problem(name:) == nil`, without allocating: 1–32 bytes of a-z, 0-9 and _, starting with a-z.
    @inline(__always) static func isValidName(_ name: String) -> Bool {
        let utf8 = name.utf8
        let count = utf8.count
        guard count >= 1, count <= FieldMap.Limits.maxNameBytes else { return false }
        var first = true
        for b in utf8 {
            let letter = b >= 0x61 && b <= 0x7A
            guard letter || (!first && ((b >= 0x30 && b <= 0x39) || b == 0x5F)) else { return false }
            first = false
        }
        return true
    }
}
