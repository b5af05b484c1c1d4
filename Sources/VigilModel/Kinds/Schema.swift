/// The declarative schema of typed entry bodies. One `KindSchema` per kind describes every field once;
/// the generic engine (`SchemaEngine`, `HumanJSON`, `KindFlags`, `KindText`) derives validation, the
/// human JSON form, command-line flags, editor templates and help text from it.

/// A check of a text value beyond its length: a hint for people and a function that says what is wrong.
struct TextCheck: Sendable {
    /// What the text must look like, e.g. "a language tag such as en-US".
    let hint: String
    /// Why `text` is refused, or nil.
    let problem: @Sendable (String) -> String?
}

/// The type of one field value, with its limits.
indirect enum FieldType: Sendable {
    /// UTF-8 text of `length` characters, optionally with a further check.
    case text(ClosedRange<Int>, check: TextCheck? = nil)
    /// An integer in `range`; `meaning` explains the values, e.g. "1 low … 4 critical".
    case integer(ClosedRange<Int64>, meaning: String? = nil)
    /// True or false.
    case bool
    /// Lower-case text, one of the listed values.
    case choice([String])
    /// A role name (`Role`).
    case role
    /// Milliseconds since the Unix epoch (UTC); ISO 8601 in the human form.
    case timestamp
    /// Micro-degrees in ±90 000 000; decimal degrees in the human form.
    case latitude
    /// Micro-degrees in ±180 000 000; decimal degrees in the human form.
    case longitude
    /// An entry id; 64 hex digits in the human form.
    case entryID
    /// A node id; 64 hex digits in the human form.
    case nodeID
    /// A list of `count` items of one type.
    case list(FieldType, count: ClosedRange<Int>, unique: Bool)
    /// A nested map.
    case map(MapSchema)
    /// A CAP polygon: flat list [lat1, lon1, lat2, lon2, …] of micro-degrees, `points` points, first = last;
    /// an array of [lat, lon] pairs in decimal degrees in the human form.
    case polygon(points: ClosedRange<Int>)
}

/// One field of a map.
struct FieldSpec: Sendable {
    let name: String
    let type: FieldType
    let required: Bool
    /// What the field means, one line.
    let doc: String
}

/// A rule across fields of one map, checked after every field has the right type and range.
struct Rule: Sendable {
    /// The rule for people.
    let doc: String
    /// Throws when `map` (at dotted `path`, "" for the body) breaks the rule. `createdAt` is the entry's
    /// time in milliseconds when known.
    let check: @Sendable (_ map: FieldMap, _ path: String, _ createdAt: UInt64?) throws(KindValidationError) -> Void
}

/// The fields of a map and the rules across them.
struct MapSchema: Sendable {
    /// What the map is, for messages: "a situation report", "a location".
    let noun: String
    let fields: [FieldSpec]
    let rules: [Rule]
    /// The indices of `fields` in the order of their names' bytes (a field map's order), so that a map
    /// is matched against its schema in one walk over both (`SchemaEngine.slots`).
    let byName: [Int]

    init(noun: String, fields: [FieldSpec], rules: [Rule] = []) {
        self.noun = noun
        self.fields = fields
        self.rules = rules
        byName = fields.indices.sorted { FieldMap.bytewisePrecedes(fields[$0].name, fields[$1].name) }
    }

    func spec(_ name: String) -> FieldSpec? { fields.first { $0.name == name } }
    var fieldNames: String { fields.map(\.name).joined(separator: ", ") }
}

/// The schema of one kind with a typed body.
struct KindSchema: Sendable {
    let kind: EntryKind
    /// "situation report".
    let title: String
    /// A paragraph for help and docs.
    let about: String
    let body: MapSchema
    /// A valid example in the human JSON form (used by templates, help and the docs).
    let exampleJSON: String
    /// One line for people.
    let summary: @Sendable (FieldMap) -> String
}

/// A required field.
func required(_ name: String, _ type: FieldType, _ doc: String) -> FieldSpec {
    FieldSpec(name: name, type: type, required: true, doc: doc)
}

/// An optional field.
func optional(_ name: String, _ type: FieldType, _ doc: String) -> FieldSpec {
    FieldSpec(name: name, type: type, required: false, doc: doc)
}

/// `prefix.name`, or `name` at the top.
func joinPath(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

extension FieldMap {
    /// The integer value of `name`, if it is one.
    func integer(_ name: String) -> Int64? {
        if case .integer(let n)? = self[name] { return n }
        return nil
    }

    /// The text value of `name`, if it is one.
    func text(_ name: String) -> String? {
        if case .text(let t)? = self[name] { return t }
        return nil
    }

    /// The list value of `name`, if it is one.
    func list(_ name: String) -> [FieldValue]? {
        if case .list(let items)? = self[name] { return items }
        return nil
    }

    /// The map value of `name`, if it is one.
    func map(_ name: String) -> FieldMap? {
        if case .map(let m)? = self[name] { return m }
        return nil
    }
}
