/// Header fields in the order received or to be sent. Names compare case-insensitively.
///
/// Received names are stored lower-cased; values have their surrounding whitespace removed.
public struct HTTPHeaders: Equatable, Sendable, Sequence {
    /// One field.
    public struct Field: Equatable, Sendable {
        /// The field name (lower-cased when parsed).
        public var name: String
        /// The field value, without leading or trailing whitespace.
        public var value: String
    }

    private var fields: [Field] = []

    /// An empty header list.
    public init() {}

    /// Headers from name/value pairs, in order.
    public init(_ pairs: [(String, String)]) {
        for (name, value) in pairs { add(name, value) }
    }

    /// Appends a field (an existing one of the same name stays).
    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field of this name with one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Removes every field of this name.
    public mutating func remove(_ name: String) {
        let lower = name.lowercased()
        fields.removeAll { $0.name.lowercased() == lower }
    }

    /// Every value of the fields with this name, in order.
    public func values(_ name: String) -> [String] {
        let lower = name.lowercased()
        return fields.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    /// The first value of the field with this name.
    public subscript(_ name: String) -> String? { values(name).first }

    /// The number of fields.
    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}
