/// The JSON form of body fields: text → string, integer → number, bool → true/false, list → array,
/// map → object, id → 64 hex digits. Read back, every JSON string becomes text (the kind's schema
/// knows which fields are ids).
extension FieldValue: Codable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .text(let t): try c.encode(t)
        case .integer(let n): try c.encode(n)
        case .bool(let b): try c.encode(b)
        case .list(let items): try c.encode(items)
        case .map(let map): try c.encode(map)
        case .id(let id): try c.encode(id.hex)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let n = try? c.decode(Int64.self) { self = .integer(n); return }
        if let t = try? c.decode(String.self) { self = .text(t); return }
        if let items = try? c.decode([FieldValue].self) { self = .list(items); return }
        self = .map(try c.decode(FieldMap.self))
    }
}

extension FieldMap: Codable {
    struct FieldKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: FieldKey.self)
        for (name, value) in fields { try c.encode(value, forKey: FieldKey(stringValue: name)) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: FieldKey.self)
        var map = FieldMap()
        for key in c.allKeys { map[key.stringValue] = try c.decode(FieldValue.self, forKey: key) }
        self = map
    }
}
