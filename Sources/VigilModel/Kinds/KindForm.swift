/// A post form for one kind, derived from its schema (the desk draws it; `KindSchemas.form`): the
/// fields as dotted paths (nested objects expanded), the input each needs, whether it is required, the
/// schema's help, and the kind's default audience with why. The desk sends what the officer typed in
/// the kind's human JSON form, so refusals name the same field paths as `vigil post`.
public struct KindForm: Codable, Equatable, Sendable {
    /// The input a field needs.
    public enum Input: String, Codable, Sendable {
        /// One line of text (also ids and roles).
        case text
        /// Several lines of text (fields whose limit is long).
        case longText = "long-text"
        /// A whole number.
        case integer
        /// A decimal number (degrees).
        case decimal
        /// A time, ISO 8601.
        case time
        /// One of `choices`.
        case choice
        /// True or false.
        case bool
        /// A list of simple items, one per line.
        case lines
        /// A value written as JSON (polygons, lists of objects).
        case json
    }

    /// One field of the form.
    public struct Field: Codable, Equatable, Sendable {
        /// The dotted path, as refusals name it (`location.lat`).
        public let path: String
        /// The input to draw.
        public let input: Input
        /// Whether the post is refused without it (inside an optional object: required once the object is given).
        public let required: Bool
        /// The schema's help line and what the value must be.
        public let help: String
        /// The allowed values of a `choice` (or of each line of `lines`).
        public let choices: [String]
    }

    /// The kind's name (`sitrep`, …).
    public let kind: String
    /// The kind's title ("situation report").
    public let title: String
    /// The fields in the schema's order.
    public let fields: [Field]
    /// The default audience's TLP label (`TLP:AMBER`) when the fields leave it open.
    public let defaultTLP: String
    /// The default audience's roles.
    public let defaultRoles: [String]
    /// Why that is the default (docs/kinds.md).
    public let audienceReason: String
}

extension KindSchemas {
    /// The post form of `kind`, or nil for a kind without a typed body.
    public static func form(_ kind: EntryKind) -> KindForm? {
        guard let schema = KindCatalog.schema(kind) else { return nil }
        var fields: [KindForm.Field] = []
        formFields(schema.body, prefix: "", into: &fields)
        let audience = defaultAudience(kind, fields: FieldMap())
        return KindForm(kind: kind.name, title: schema.title, fields: fields, defaultTLP: audience.tlp.name, defaultRoles: audience.roles,
                        audienceReason: audienceReason(kind))
    }

    private static func formFields(_ map: MapSchema, prefix: String, into out: inout [KindForm.Field]) {
        // The officer is set by the node from the desk session, never typed.
        for spec in map.fields where !(prefix.isEmpty && spec.name == "officer") {
            let path = joinPath(prefix, spec.name)
            if case .map(let inner) = spec.type {
                formFields(inner, prefix: path, into: &out)
                continue
            }
            let help = spec.doc + " — " + SchemaEngine.describe(spec.type)
            let (input, choices) = formInput(spec.type)
            out.append(KindForm.Field(path: path, input: input, required: spec.required, help: help, choices: choices))
        }
    }

    private static func formInput(_ type: FieldType) -> (KindForm.Input, [String]) {
        switch type {
        case .text(let length, _): (length.upperBound > 200 ? .longText : .text, [])
        case .integer: (.integer, [])
        case .bool: (.bool, [])
        case .choice(let values): (.choice, values)
        case .role: (.choice, Role.allCases.map(\.rawValue))
        case .timestamp: (.time, [])
        case .latitude, .longitude: (.decimal, [])
        case .entryID, .nodeID: (.text, [])
        case .list(let item, _, _):
            switch item {
            case .text, .entryID, .nodeID, .timestamp: (.lines, [])
            case .choice(let values): (.lines, values)
            case .role: (.lines, Role.allCases.map(\.rawValue))
            default: (.json, [])
            }
        case .map, .polygon: (.json, [])
        }
    }
}
