/// A typed value inside an entry body.
///
/// Only `id` is stored out of line (32 bytes would make every value that large); lists and maps hold
/// their items in arrays already, so texts, integers, lists and maps are stored inline, without a heap
/// box per value (building and encoding a large alert body makes thousands of them).
public enum FieldValue: Hashable, Sendable {
    /// UTF-8 text.
    case text(String)
    /// A signed 64-bit integer (counts, levels, milliseconds, micro-degrees).
    case integer(Int64)
    /// True or false.
    case bool(Bool)
    /// An ordered list.
    case list([FieldValue])
    /// A nested map.
    case map(FieldMap)
    /// 32 bytes: an entry id or a node id.
    indirect case id(Bytes32)

    /// The wire tag of each case.
    var tag: UInt8 {
        switch self {
        case .text: 1
        case .integer: 2
        case .bool: 3
        case .list: 4
        case .map: 5
        case .id: 6
        }
    }
}

/// A canonical map from field names to typed values: the encoding of every entry body.
///
/// ```
/// map    varint n ≤ 256, n × (name, value)     names strictly ascending (bytewise)
/// name   varint len 1–32, bytes                a-z first, then a-z 0-9 _
/// value  u8 tag, then
///        1 text     varint len, UTF-8
///        2 integer  zig-zag varint (shortest form)
///        3 bool     u8 0 or 1
///        4 list     varint n ≤ 1024, n × value
///        5 map      map (nesting depth ≤ 4)
///        6 id       32 bytes
/// ```
/// Like entries, a body has exactly one valid encoding, so "amend field X" means the same thing on every
/// node, and last-writer-wins per field is well defined.
public struct FieldMap: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    /// The fields, sorted by name.
    public private(set) var fields: [(name: String, value: FieldValue)]

    /// Limits of the encoding.
    public enum Limits {
        /// Fields in one map.
        public static let maxFields = 256
        /// Items in one list.
        public static let maxListItems = 1024
        /// Bytes in a field name.
        public static let maxNameBytes = 32
        /// Maps and lists inside maps and lists.
        public static let maxDepth = 4
    }

    /// An empty map.
    public init() { fields = [] }

    /// A map of `pairs`; a later duplicate name replaces an earlier one.
    public init(_ pairs: [(String, FieldValue)]) {
        fields = []
        for (name, value) in pairs { self[name] = value }
    }

    public init(dictionaryLiteral elements: (String, FieldValue)...) {
        self.init(elements.map { ($0.0, $0.1) })
    }

    /// The value of `name`, or nil. Setting nil removes the field.
    public subscript(name: String) -> FieldValue? {
        get { fields.first { $0.name == name }?.value }
        set {
            // Bytewise order, compared on the UTF-8 views (no array per comparison). Bodies are built
            // mostly in order, so the end is looked at first.
            let index: Int
            if let last = fields.last, Self.bytewisePrecedes(last.name, name) {
                index = fields.count
            } else {
                index = fields.firstIndex { !Self.bytewisePrecedes($0.name, name) } ?? fields.count
            }
            let exists = index < fields.count && fields[index].name == name
            switch (newValue, exists) {
            case let (value?, true): fields[index].value = value
            case let (value?, false): fields.insert((name, value), at: index)
            case (nil, true): fields.remove(at: index)
            case (nil, false): break
            }
        }
    }

    /// Whether `a` sorts before `b` by their UTF-8 bytes (the order of the encoding), compared on the
    /// strings' contiguous UTF-8 storage.
    static func bytewisePrecedes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let n = Swift.min(x.count, y.count)
                var k = 0
                while k < n {
                    if x[k] != y[k] { return x[k] < y[k] }
                    k += 1
                }
                return x.count < y.count
            }
        }
    }

    /// Makes room for `count` fields, so that a map built field by field grows its storage once.
    public mutating func reserveCapacity(_ count: Int) { fields.reserveCapacity(count) }

    /// The field names, sorted.
    public var names: [String] { fields.map(\.name) }

    public static func == (a: FieldMap, b: FieldMap) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for field in fields {
            hasher.combine(field.name)
            hasher.combine(field.value)
        }
    }

    /// Why `name` is not a valid field name, or nil.
    public static func problem(name: String) -> String? {
        let utf8 = Array(name.utf8)
        guard !utf8.isEmpty, utf8.count <= Limits.maxNameBytes else {
            return "field name must be 1-\(Limits.maxNameBytes) bytes"
        }
        guard (0x61...0x7a).contains(utf8[0]),
              utf8.allSatisfy({ (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5f }) else {
            return "field name \"\(name)\" may hold only a-z, 0-9 and _, starting with a-z"
        }
        return nil
    }

    // MARK: Encoding

    /// The canonical bytes. Fails when a name or a size breaks the limits.
    ///
    /// Written by `FieldMapWriter` in one pass without building field paths; only when it finds a limit
    /// broken does the checked writer run again to name the field in the error.
    public func encoded() throws(DecodingError) -> [UInt8] {
        var fast = FieldMapWriter()
        if fast.write(self, depth: 0) { return fast.bytes }
        return try checkedEncoding()
    }

    /// The canonical bytes from the writer that tracks every field's path (`body.areas[0].description`)
    /// and names it when a limit is broken. `encoded()` gives the same bytes and the same errors faster;
    /// this one is its reference, for tests and the fuzz targets.
    public func checkedEncoding() throws(DecodingError) -> [UInt8] {
        var w = ByteWriter()
        try Self.write(self, to: &w, path: "body", depth: 0)
        return w.bytes
    }

    /// Decodes canonical bytes, refusing anything else with the field path and the reason.
    ///
    /// Decoded without building field paths; only bytes that are refused are decoded again, by the same
    /// code with paths (`FieldPath`), to name the field in the error.
    public init(canonicalBytes bytes: [UInt8]) throws(DecodingError) {
        do { self = try Self.decode(bytes, path: UnnamedFieldPath()) } catch {
            self = try Self.decode(bytes, path: NamedFieldPath("body"))
        }
    }

    private static func decode<P: FieldPath>(_ bytes: [UInt8], path: P) throws(DecodingError) -> FieldMap {
        var r = ByteReader(bytes)
        let map = try read(&r, path: path, depth: 0)
        try r.expectEnd("body")
        return map
    }

    private static func write(_ map: FieldMap, to w: inout ByteWriter, path: String, depth: Int) throws(DecodingError) {
        guard map.fields.count <= Limits.maxFields else {
            throw DecodingError(field: path, offset: 0, reason: "\(map.fields.count) fields, more than \(Limits.maxFields)")
        }
        w.varint(UInt64(map.fields.count))
        for (name, value) in map.fields {
            if let problem = problem(name: name) { throw DecodingError(field: "\(path).\(name)", offset: 0, reason: problem) }
            w.lengthPrefixed(Array(name.utf8))
            try write(value, to: &w, path: "\(path).\(name)", depth: depth)
        }
    }

    private static func write(_ value: FieldValue, to w: inout ByteWriter, path: String, depth: Int) throws(DecodingError) {
        w.byte(value.tag)
        switch value {
        case .text(let text): w.lengthPrefixed(Array(text.utf8))
        case .integer(let n): w.varint(UInt64(bitPattern: (n << 1) ^ (n >> 63)))
        case .bool(let b): w.byte(b ? 1 : 0)
        case .id(let id): w.bytes32(id)
        case .list(let items):
            guard depth < Limits.maxDepth else { throw DecodingError(field: path, offset: 0, reason: "nested deeper than \(Limits.maxDepth)") }
            guard items.count <= Limits.maxListItems else {
                throw DecodingError(field: path, offset: 0, reason: "\(items.count) items, more than \(Limits.maxListItems)")
            }
            w.varint(UInt64(items.count))
            for (i, item) in items.enumerated() { try write(item, to: &w, path: "\(path)[\(i)]", depth: depth + 1) }
        case .map(let map):
            guard depth < Limits.maxDepth else { throw DecodingError(field: path, offset: 0, reason: "nested deeper than \(Limits.maxDepth)") }
            try write(map, to: &w, path: path, depth: depth + 1)
        }
    }

    private static func read<P: FieldPath>(_ r: inout ByteReader, path: P, depth: Int) throws(DecodingError) -> FieldMap {
        let count = Int(try r.varint("\(path.text).count", max: UInt64(Limits.maxFields)))
        var map = FieldMap()
        map.fields.reserveCapacity(count)
        var previous: ArraySlice<UInt8>?
        for _ in 0..<count {
            let at = r.offset
            let length = Int(try r.varint("\(path.text).name.length", max: UInt64(Limits.maxNameBytes)))
            let raw = try r.raw(length, "\(path.text).name")
            let name = String(decoding: raw, as: UTF8.self)
            if !FieldMapWriter.isValidName(name), let problem = problem(name: name) {
                throw DecodingError(field: "\(path.text).name", offset: at, reason: problem)
            }
            if let previous, !previous.lexicographicallyPrecedes(raw) {
                throw DecodingError(field: path.field(name).text, offset: at, reason: "field names must be sorted ascending with no duplicates")
            }
            previous = raw
            map.fields.append((name, try readValue(&r, path: path.field(name), depth: depth)))
        }
        return map
    }

    private static func readValue<P: FieldPath>(_ r: inout ByteReader, path: P, depth: Int) throws(DecodingError) -> FieldValue {
        let at = r.offset
        let tag = try r.byte("\(path.text).tag")
        switch tag {
        case 1:
            let length = Int(try r.varint("\(path.text).length", max: UInt64(r.remaining)))
            let raw = try r.raw(length, path.text)
            let decoded = raw.withUnsafeBufferPointer { UTF8Check.isValid($0) ? String(decoding: $0, as: UTF8.self) : nil }
            guard let text = decoded else {
                throw DecodingError(field: path.text, offset: at, reason: "text is not valid UTF-8")
            }
            return .text(text)
        case 2:
            let zigzag = try r.varint(path.text)
            return .integer(Int64(bitPattern: (zigzag >> 1) ^ (0 &- (zigzag & 1))))
        case 3:
            let b = try r.byte(path.text)
            guard b <= 1 else { throw DecodingError(field: path.text, offset: at + 1, reason: "a bool is 0 or 1, got \(b)") }
            return .bool(b == 1)
        case 4:
            guard depth < Limits.maxDepth else { throw DecodingError(field: path.text, offset: at, reason: "nested deeper than \(Limits.maxDepth)") }
            let count = Int(try r.varint("\(path.text).count", max: UInt64(Limits.maxListItems)))
            var items: [FieldValue] = []
            items.reserveCapacity(count)
            for i in 0..<count { items.append(try readValue(&r, path: path.item(i), depth: depth + 1)) }
            return .list(items)
        case 5:
            guard depth < Limits.maxDepth else { throw DecodingError(field: path.text, offset: at, reason: "nested deeper than \(Limits.maxDepth)") }
            return .map(try read(&r, path: path, depth: depth + 1))
        case 6:
            return .id(try r.bytes32(path.text))
        default:
            throw DecodingError(field: path.text, offset: at, reason: "unknown value tag \(tag)")
        }
    }
}
