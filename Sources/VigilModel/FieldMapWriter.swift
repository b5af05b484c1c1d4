/// Writes the canonical encoding of a `FieldMap` (the layout is on `FieldMap`) in one pass, straight into
/// one byte array: UTF-8 views are copied as they are, no field path is built, no intermediate array made.
///
/// It checks the same limits as `FieldMap`'s checked writer (names, field and item counts, depth) but
/// only says whether they hold: on `false` the caller runs the checked writer, which names the field.
/// Both give the same bytes (FieldMapTests compare them).
struct FieldMapWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(128) }

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
