import Foundation

/// A JSON value as read from or written for people: entry bodies in their kind's human form, in the CLI,
/// the local API and the desk. `degrees` is micro-degrees as this module writes them (exact decimal degrees
/// in JSON text: a correctly rounded division by 10⁶, whose shortest text is the six-decimal value); the
/// JSON parser never produces it.
public enum JSONValue: Equatable, Sendable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case degrees(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        // Most values in a body are strings: try them first. Each failed attempt throws (and allocates its
        // error), so the order is the cost; the decoder never converts between JSON types, so the order
        // does not change the result.
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let n = try? c.decode(Int64.self) { self = .integer(n) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let o = try? c.decode([String: JSONValue].self) { self = .object(o) }
        else { self = .array(try c.decode([JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .integer(let n): try c.encode(n)
        case .number(let d): try c.encode(d)
        case .degrees(let m): try c.encode(Double(m) / 1_000_000)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The member `key` of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The text of a string value, or nil.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Parses a JSON document.
    static func parse(_ data: Data) throws(KindValidationError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw KindValidationError(field: "body", reason: "not valid JSON (\(Self.explain(error)))")
        }
    }

    private static func explain(_ error: any Error) -> String {
        if case let Swift.DecodingError.dataCorrupted(context) = error {
            if let underlying = context.underlyingError { return "\(underlying.localizedDescription)" }
            return context.debugDescription
        }
        return "\(error)"
    }

    /// What the value is, for messages.
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .integer(let n): "the number \(n)"
        case .number(let d): "the number \(d)"
        case .degrees(let m): "the number \(SchemaEngine.degrees(m))"
        case .string(let s): s.count > 40 ? "the string \"\(s.prefix(40))…\"" : "the string \"\(s)\""
        case .array(let a): "an array of \(a.count) items"
        case .object: "an object"
        }
    }

    // MARK: Output

    /// Pretty JSON text, two-space indent, keys sorted.
    func written(indent: String = "") -> String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let n): return "\(n)"
        case .number(let d): return d.isFinite ? "\(d)" : "null"
        case .degrees(let micro): return SchemaEngine.degrees(micro)
        case .string(let s): return Self.quoted(s)
        case .array(let items):
            guard !items.isEmpty else { return "[]" }
            if items.allSatisfy({ $0.isScalar }) {
                return "[" + items.map { $0.written() }.joined(separator: ", ") + "]"
            }
            let inner = indent + "  "
            return "[\n" + items.map { inner + $0.written(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            let inner = indent + "  "
            return "{\n" + members.keys.sorted().map { inner + Self.quoted($0) + ": " + members[$0]!.written(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The value as Foundation JSON objects (dictionaries, arrays, strings, numbers, booleans, NSNull).
    var foundationObject: Any {
        switch self {
        case .null: NSNull()
        case .bool(let b): b
        case .integer(let n): Int(n)
        case .number(let d): d
        case .degrees(let micro): Double(micro) / 1_000_000
        case .string(let s): s
        case .array(let items): items.map(\.foundationObject)
        case .object(let members): members.mapValues(\.foundationObject)
        }
    }
}

/// Conversion between the canonical field map and the human JSON form, driven by the schema.
enum HumanJSON {
    // MARK: Human → canonical

    /// A JSON object → field map of `schema` (types converted, unknown fields refused; not yet validated).
    static func canonical(_ json: JSONValue, schema: MapSchema, at path: String) throws(KindValidationError) -> FieldMap {
        guard case .object(let members) = json else {
            throw KindValidationError(field: path.isEmpty ? "body" : path,
                                      reason: "expected an object with fields \(schema.fieldNames), got \(json.kindDescription)")
        }
        var map = FieldMap()
        for name in members.keys.sorted() {
            guard let spec = schema.spec(name) else { throw SchemaEngine.unknownField(name, schema: schema, at: path) }
            let value = members[name]!
            if value == .null { continue }
            map[name] = try canonical(value, type: spec.type, at: joinPath(path, name))
        }
        return map
    }

    static func canonical(_ json: JSONValue, type: FieldType, at path: String) throws(KindValidationError) -> FieldValue {
        func wrong() -> KindValidationError {
            KindValidationError(field: path, reason: "expected \(SchemaEngine.describe(type)), got \(json.kindDescription)")
        }
        switch type {
        case .text, .choice, .role:
            guard case .string(let s) = json else { throw wrong() }
            return .text(s)
        case .integer:
            switch json {
            case .integer(let n): return .integer(n)
            case .number(let d):
                throw KindValidationError(field: path, reason: "\(d) is not a whole number; expected \(SchemaEngine.describe(type))")
            default: throw wrong()
            }
        case .bool:
            guard case .bool(let b) = json else { throw wrong() }
            return .bool(b)
        case .timestamp:
            guard case .string(let s) = json else { throw wrong() }
            return .integer(try timestamp(s, at: path))
        case .latitude, .longitude:
            return .integer(try microDegrees(json, at: path, type: type))
        case .entryID, .nodeID:
            guard case .string(let s) = json else { throw wrong() }
            guard let id = Bytes32(hex: s.lowercased()) else {
                let what = { if case .entryID = type { "an entry id" } else { "a node id" } }()
                throw KindValidationError(field: path, reason: "\"\(s)\" is not \(what) (64 hex digits)")
            }
            return .id(id)
        case .list(let itemType, _, _):
            guard case .array(let items) = json else { throw wrong() }
            var out: [FieldValue] = []
            for (i, item) in items.enumerated() { out.append(try canonical(item, type: itemType, at: "\(path)[\(i)]")) }
            return .list(out)
        case .map(let schema):
            return .map(try canonical(json, schema: schema, at: path))
        case .polygon:
            guard case .array(let points) = json else { throw wrong() }
            var flat: [FieldValue] = []
            for (i, point) in points.enumerated() {
                guard case .array(let pair) = point, pair.count == 2 else {
                    throw KindValidationError(field: "\(path)[\(i)]", reason: "expected a point [lat, lon] in decimal degrees, got \(point.kindDescription)")
                }
                flat.append(.integer(try microDegrees(pair[0], at: "\(path)[\(i)][0]", type: .latitude)))
                flat.append(.integer(try microDegrees(pair[1], at: "\(path)[\(i)][1]", type: .longitude)))
            }
            return .list(flat)
        }
    }

    static func timestamp(_ s: String, at path: String) throws(KindValidationError) -> Int64 {
        guard let ms = KindTime.parse(s) else {
            throw KindValidationError(field: path, reason: "\"\(s)\" is not an ISO 8601 time with a zone, such as 2026-11-24T10:00:00Z, 2026-11-24T10:00:00.250Z or 2026-11-24T11:00:00+01:00")
        }
        return ms
    }

    /// Decimal degrees → micro-degrees (range checked later by validation).
    static func microDegrees(_ json: JSONValue, at path: String, type: FieldType) throws(KindValidationError) -> Int64 {
        let degrees: Double
        switch json {
        case .degrees(let micro): return micro   // a value this module wrote (an amendment overlaid on the current fields)
        case .integer(let n): degrees = Double(n)
        case .number(let d): degrees = d
        default:
            throw KindValidationError(field: path, reason: "expected \(SchemaEngine.describe(type)), got \(json.kindDescription)")
        }
        guard degrees.isFinite, abs(degrees) < 1_000_000 else {
            throw KindValidationError(field: path, reason: "\(degrees) is not a coordinate in decimal degrees")
        }
        return Int64((degrees * 1_000_000).rounded())
    }

    // MARK: Canonical → human

    /// A field map of `schema` → JSON object. Values that do not fit the schema are shown as they are.
    static func human(_ map: FieldMap, schema: MapSchema?) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for (name, value) in map.fields {
            if let spec = schema?.spec(name) {
                members[name] = human(value, type: spec.type)
            } else {
                members[name] = generic(value)
            }
        }
        return .object(members)
    }

    static func human(_ value: FieldValue, type: FieldType) -> JSONValue {
        switch (type, value) {
        case let (.timestamp, .integer(ms)) where (0...SchemaEngine.maxTimestamp).contains(ms):
            return .string(KindTime.format(ms))
        case let (.latitude, .integer(micro)), let (.longitude, .integer(micro)):
            return .degrees(micro)
        case let (.list(itemType, _, _), .list(items)):
            return .array(items.map { human($0, type: itemType) })
        case let (.map(schema), .map(map)):
            return human(map, schema: schema)
        case let (.polygon, .list(items)) where items.count % 2 == 0:
            var points: [JSONValue] = []
            var i = 0
            while i < items.count {
                guard case .integer(let lat) = items[i], case .integer(let lon) = items[i + 1] else { return generic(value) }
                points.append(.array([.degrees(lat), .degrees(lon)]))
                i += 2
            }
            return .array(points)
        default:
            return generic(value)
        }
    }

    /// The schema-less JSON form (as in `FieldMapJSON.swift`).
    static func generic(_ value: FieldValue) -> JSONValue {
        switch value {
        case .text(let t): .string(t)
        case .integer(let n): .integer(n)
        case .bool(let b): .bool(b)
        case .list(let items): .array(items.map(generic))
        case .map(let map): human(map, schema: nil)
        case .id(let id): .string(id.hex)
        }
    }
}
