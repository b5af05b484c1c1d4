/// Writes the canonical encoding of a `FieldMap` (the layout is on `FieldMap`) in one pass, straight into
/// one byte array: UTF-8 views are copied as they are, no field path is built, no intermediate array made.
///
/// `write(_:depth:)` checks the same limits as `FieldMap`'s checked writer (names, field and item counts,
/// depth) but only says whether they hold: on `false` the caller runs the checked writer, which names the
/// field. Both give the same bytes (FieldMapTests compare them).
///
/// The bytes are written into memory the writer owns (it is not copyable, and frees it when it goes):
/// a store per byte and a copy per text, not an array append with its checks per piece.
///
/// The piecewise methods (`mapStart`, `name`, `text(value:)`, `integer`, `listStart`, `mapValueStart`, `field`)
/// let a caller that knows its body's shape write the canonical bytes without building a `FieldMap`
/// first (VigilCAP writes an imported alert's CAP fields so). They check nothing but what `field` checks:
/// the caller writes names in ascending order, valid names, counts within `FieldMap.Limits`, and tests
/// its bytes against `FieldMap.encoded()`.
public struct FieldMapWriter: ~Copyable {
    // @usableFromInline: the piecewise methods are inlined into other modules' writers (VigilCAP).
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var count = 0
    @usableFromInline var capacity: Int

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 128) {
        self.capacity = Swift.max(capacity, 16)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written so far.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Makes room for `n` more bytes.
    @inlinable @inline(__always) mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(n) }
    }

    @usableFromInline mutating func grow(_ n: Int) {
        let larger = Swift.max(capacity * 2, count + n)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }

    @inlinable @inline(__always) mutating func byte(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    /// Eight bytes, most significant first (as `Bytes32.appendBytes` writes an id).
    private mutating func bigEndian(_ word: UInt64) {
        reserve(8)
        for k in 0..<8 { base[count + k] = UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * k)) }
        count += 8
    }

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
        byte(value.tag)
        switch value {
        case .text(let t):
            text(t)
        case .integer(let n):
            varint(UInt64(bitPattern: (n << 1) ^ (n >> 63)))
        case .bool(let b):
            byte(b ? 1 : 0)
        case .id(let id):
            let (w0, w1, w2, w3) = id.bigEndianWords
            bigEndian(w0)
            bigEndian(w1)
            bigEndian(w2)
            bigEndian(w3)
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
    @inlinable @inline(__always) public mutating func mapStart(fields: Int) { varint(UInt64(fields)) }

    /// A field name (the caller's: 1–32 bytes of a-z, 0-9 and _, starting with a-z, in ascending order).
    @inlinable @inline(__always) public mutating func name(_ name: StaticString) {
        assert(name.utf8CodeUnitCount <= FieldMap.Limits.maxNameBytes)
        let n = name.utf8CodeUnitCount
        reserve(n + 1)
        base[count] = UInt8(truncatingIfNeeded: n)
        (base + count + 1).update(from: name.utf8Start, count: n)
        count += n + 1
    }

    /// A text value: its tag, length and UTF-8 bytes.
    @inlinable @inline(__always) public mutating func text(value: String) {
        byte(1)
        text(value)
    }

    /// A text value given as its UTF-8 bytes (valid UTF-8: the caller's to ensure): its tag, length and
    /// the bytes, as `text(value:)` writes them for the same text.
    @inlinable @inline(__always) public mutating func text(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        byte(1)
        let n = bytes.count
        varint(UInt64(n))
        reserve(n)
        if let source = bytes.baseAddress { (base + count).update(from: source, count: n) }
        count += n
    }

    /// An integer value: its tag and zig-zag varint.
    @inlinable @inline(__always) public mutating func integer(_ n: Int64) {
        byte(2)
        varint(UInt64(bitPattern: (n << 1) ^ (n >> 63)))
    }

    /// The start of a list value of `items` items (at most `FieldMap.Limits.maxListItems`): its tag and count.
    @inlinable @inline(__always) public mutating func listStart(items: Int) {
        byte(4)
        varint(UInt64(items))
    }

    /// The start of a map value of `fields` fields: its tag and count; the fields follow.
    @inlinable @inline(__always) public mutating func mapValueStart(fields: Int) {
        byte(5)
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
    @inlinable @inline(__always) mutating func text(_ s: String) {
        let utf8 = s.utf8
        let n = utf8.count
        varint(UInt64(n))
        reserve(n)
        // Copied as a block from the string's contiguous UTF-8 (native and small strings are), borrowed
        // in place; `initialize(fromContentsOf:)` retained and released the string's storage per text.
        let copied: Bool? = utf8.withContiguousStorageIfAvailable { bytes in
            if let source = bytes.baseAddress { (base + count).update(from: source, count: n) }
            return true
        }
        if copied == nil {
            var k = count
            for b in utf8 { base[k] = b; k += 1 }
        }
        count += n
    }

    @inlinable @inline(__always) mutating func varint(_ value: UInt64) {
        reserve(10)
        var v = value
        while v >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: v) | 0x80
            count += 1
            v >>= 7
        }
        base[count] = UInt8(v)
        count += 1
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
