import Foundation

/// Templates and help text, generated from the schema.
enum KindText {
    /// One described field, flattened: `location.lat`, `areas[].polygons`.
    struct Line {
        let path: String
        let required: Bool
        let type: String
        let doc: String
    }

    /// Every field of `schema`, nested fields after their parent.
    static func lines(_ schema: MapSchema, prefix: String = "") -> [Line] {
        var out: [Line] = []
        for spec in schema.fields {
            let path = joinPath(prefix, spec.name)
            switch spec.type {
            case .map(let inner):
                out.append(Line(path: path, required: spec.required, type: "an object", doc: spec.doc))
                out += lines(inner, prefix: path)
            case let .list(.map(inner), count, _):
                out.append(Line(path: path, required: spec.required, type: "a list of \(SchemaEngine.describe(count)) objects", doc: spec.doc))
                out += lines(inner, prefix: path + "[]")
            default:
                out.append(Line(path: path, required: spec.required, type: SchemaEngine.describe(spec.type), doc: spec.doc))
            }
        }
        return out
    }

    /// Every rule of `schema` and its nested maps.
    static func rules(_ schema: MapSchema, prefix: String = "") -> [String] {
        var out = schema.rules.map { prefix.isEmpty ? $0.doc : "\(prefix): \($0.doc)" }
        for spec in schema.fields {
            switch spec.type {
            case .map(let inner): out += rules(inner, prefix: joinPath(prefix, spec.name))
            case .list(.map(let inner), _, _): out += rules(inner, prefix: joinPath(prefix, spec.name) + "[]")
            default: break
            }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    /// The kind's example, validated and written in the human JSON form.
    static func exampleText(_ schema: KindSchema) -> String {
        guard let fields = try? KindSchemas.fields(fromJSON: Data(schema.exampleJSON.utf8), kind: schema.kind) else {
            return schema.exampleJSON
        }
        return KindSchemas.humanValue(schema.kind, fields).written()
    }

    static let formNote = "Times are ISO 8601 with a zone (2026-11-24T10:00:00Z or 2026-11-24T11:00:00+01:00); coordinates are decimal degrees; ids are 64 hex digits."

    static func template(_ kind: EntryKind) -> String {
        guard let schema = KindCatalog.schema(kind) else {
            return "# \(kind.name) has no typed body; typed kinds: \(KindSchemas.postable.map(\.name).joined(separator: ", "))\n"
        }
        var out = ["# \(kind.name) — \(schema.title)", "# \(schema.about)", "#",
                   "# Lines starting with '#' are ignored. Edit the JSON object below; remove optional fields you do not need.",
                   "# \(formNote)", "#", "# Fields:"]
        for line in lines(schema.body) {
            out.append("#   \(line.path) (\(line.required ? "required" : "optional")): \(line.type)")
            out.append("#       \(line.doc)")
        }
        let ruleLines = rules(schema.body)
        if !ruleLines.isEmpty {
            out.append("#")
            out.append("# Rules:")
            out += ruleLines.map { "#   - \($0)" }
        }
        out.append(exampleText(schema))
        return out.joined(separator: "\n") + "\n"
    }

    static func help(_ kind: EntryKind) -> String {
        guard let schema = KindCatalog.schema(kind) else {
            return "\(kind.name) has no typed body; typed kinds: \(KindSchemas.postable.map(\.name).joined(separator: ", "))\n"
        }
        var out = ["vigil post \(kind.name) — \(schema.title)", "", schema.about, "",
                   "Give the body as flags (--field value; nested fields as --location.lat 51.2; repeat a list flag once per item;",
                   "objects and lists of objects as JSON), as a JSON file, or edit a template.", formNote, "", "Fields:"]
        for line in lines(schema.body) {
            out.append("  \(line.path)  (\(line.required ? "required" : "optional"))")
            out.append("      \(line.type)")
            out.append("      \(line.doc)")
        }
        let ruleLines = rules(schema.body)
        if !ruleLines.isEmpty {
            out.append("")
            out.append("Rules:")
            out += ruleLines.map { "  - \($0)" }
        }
        if kind == .alert || kind == .commTest {
            out.append("")
            out.append("Roles: " + Role.allCases.map { "\($0.rawValue) (\($0.about))" }.joined(separator: "; "))
        }
        out.append("")
        out.append("Default audience: \(KindSchemas.audienceReason(kind))")
        out.append("")
        out.append("Example (JSON):")
        out.append(exampleText(schema))
        return out.joined(separator: "\n") + "\n"
    }
}
