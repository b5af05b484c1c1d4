import Foundation

/// Typed bodies for every entry kind: validation, the human JSON form, command-line flags, editor
/// templates, help and one-line summaries, all derived from one declarative schema per kind
/// (`KindCatalog`; described for people in `docs/kinds.md`).
///
/// Canonical form (the `FieldMap` on the wire): timestamps are integer milliseconds since the Unix epoch,
/// coordinates integer micro-degrees, enumerations lower-case text, ids `.id`. Human JSON form: the same
/// field names, timestamps as ISO 8601 text, coordinates as decimal degrees, ids as 64 hex digits.
public enum KindSchemas {
    /// The latest time a `timestamp` field holds: 9999-12-31T23:59:59.999Z (milliseconds since 1970).
    public static let maxTimestamp: Int64 = SchemaEngine.maxTimestamp

    /// The kinds a duty officer posts with a typed body.
    public static let postable: [EntryKind] = [.situationReport, .threatNotice, .incident, .assessment, .alert, .message, .commTest]

    // MARK: Validation

    /// Validates a canonical body for `kind`. `createdAt` = the entry's HLC milliseconds when known (for
    /// rules like the commtest deadline); nil skips those rules.
    public static func validate(_ kind: EntryKind, _ fields: FieldMap, createdAt: UInt64?) throws(KindValidationError) {
        switch kind {
        case .roster:
            // Hook: roster bodies are validated by the roster code (federation semantics), not here.
            return
        case .acknowledgement:
            let bytes = try encoded(fields)
            do { _ = try AcknowledgementBody(body: bytes) } catch { throw wrap(error) }
        case .update:
            let bytes = try encoded(fields)
            do { _ = try UpdateBody(body: bytes) } catch { throw wrap(error) }
        case .encryptionKey:
            let bytes = try encoded(fields)
            do { _ = try EncryptionKeyBody(body: bytes) } catch { throw wrap(error) }
        default:
            guard let schema = KindCatalog.schema(kind) else { return }
            try SchemaEngine.check(fields, schema: schema.body, at: "", createdAt: createdAt)
        }
    }

    /// Validates the body bytes of an entry of `kind`: decodes the field map, then validates it. Used by the
    /// node on every received and posted entry.
    public static func validate(_ kind: EntryKind, body: [UInt8], createdAt: UInt64?) throws(KindValidationError) {
        switch kind {
        case .roster: return   // Hook: see `validate(_:_:createdAt:)`.
        case .acknowledgement:   // these parsers read the bytes themselves: no decode, re-encode, decode
            do { _ = try AcknowledgementBody(body: body) } catch { throw wrap(error) }
            return
        case .update:
            do { _ = try UpdateBody(body: body) } catch { throw wrap(error) }
            return
        case .encryptionKey:
            do { _ = try EncryptionKeyBody(body: body) } catch { throw wrap(error) }
            return
        default: break
        }
        guard body.count <= EntryLimits.maxBodyBytes else {
            throw KindValidationError(field: "body", reason: "\(body.count) bytes, more than \(EntryLimits.maxBodyBytes)")
        }
        let fields: FieldMap
        do { fields = try FieldMap(canonicalBytes: body) } catch { throw wrap(error, keepBody: true) }
        try validate(kind, fields, createdAt: createdAt)
    }

    /// Validates an amendment (the `amend` map of an update) to an entry of `kind` whose body is now
    /// `current`: every amended field must be a field of the kind with a valid value; cross-field rules are
    /// checked on `current` merged with `amend`. Kinds without editable fields (ack, update) refuse
    /// amendments.
    public static func validateAmendment(_ kind: EntryKind, current: FieldMap, amend: FieldMap) throws(KindValidationError) {
        if kind == .roster { return }   // Hook: roster amendments belong to the roster code.
        guard let schema = KindCatalog.schema(kind) else {
            throw KindValidationError(field: "amend", reason: "an entry of kind \(kind.name) cannot be amended")
        }
        guard !amend.fields.isEmpty else {
            throw KindValidationError(field: "amend", reason: "an amendment must set at least one field")
        }
        for (name, value) in amend.fields {
            guard let spec = schema.body.spec(name) else { throw SchemaEngine.unknownField(name, schema: schema.body, at: "") }
            try SchemaEngine.check(value, type: spec.type, at: name, createdAt: nil)
        }
        var merged = current
        for (name, value) in amend.fields { merged[name] = value }
        try SchemaEngine.check(merged, schema: schema.body, at: "", createdAt: nil)
    }

    // MARK: Human JSON

    /// Human JSON object → canonical field map, validated (without rules that need the entry's time).
    /// Unknown fields are refused, naming them and listing the known ones.
    public static func fields(fromJSON data: Data, kind: EntryKind) throws(KindValidationError) -> FieldMap {
        try fields(fromJSONValue: JSONValue.parse(data), kind: kind)
    }

    /// Human JSON value → canonical field map, converted but not yet validated: for the node's post path,
    /// where the federation rules validate the body once, with the entry's time (`validate`).
    public static func canonicalFields(fromJSONValue json: JSONValue, kind: EntryKind) throws(KindValidationError) -> FieldMap {
        try HumanJSON.canonical(json, schema: try typedSchema(kind).body, at: "")
    }

    /// Human JSON value → canonical field map, validated (without rules that need the entry's time).
    public static func fields(fromJSONValue json: JSONValue, kind: EntryKind) throws(KindValidationError) -> FieldMap {
        let schema = try typedSchema(kind)
        let map = try HumanJSON.canonical(json, schema: schema.body, at: "")
        try SchemaEngine.check(map, schema: schema.body, at: "", createdAt: nil)
        return map
    }

    /// Canonical field map → human JSON object (pretty, sorted keys).
    public static func humanJSON(_ kind: EntryKind, _ fields: FieldMap) -> Data {
        Data((humanValue(kind, fields).written() + "\n").utf8)
    }

    /// The human JSON form as Foundation objects, for embedding in larger JSON output.
    public static func humanJSONObject(_ kind: EntryKind, _ fields: FieldMap) -> Any {
        humanValue(kind, fields).foundationObject
    }

    /// A field map with no kind schema (update, acknowledgement and roster bodies) as a typed JSON value.
    public static func genericValue(_ fields: FieldMap) -> JSONValue {
        HumanJSON.human(fields, schema: nil)
    }

    /// Whether entries of `kind` are documents that updates can amend or retract (not updates,
    /// acknowledgements or roster changes themselves, nor assessments: a later assessment supersedes an
    /// earlier one, docs/federation.md).
    public static func isDocument(_ kind: EntryKind) -> Bool {
        switch kind {
        case .update, .acknowledgement, .roster, .assessment: false
        default: true
        }
    }

    /// The human JSON form as a typed value.
    public static func humanValue(_ kind: EntryKind, _ fields: FieldMap) -> JSONValue {
        HumanJSON.human(fields, schema: KindCatalog.schema(kind)?.body)
    }

    // MARK: Flags

    /// Command-line flags as (name, text) pairs → canonical field map, validated. Nested fields use dotted
    /// names (`location.lat`); a list takes one flag per item (repeat the name); a value for an object or a
    /// list of objects or polygons (e.g. `areas`) is written as human JSON.
    public static func fields(fromFlags pairs: [(String, String)], kind: EntryKind) throws(KindValidationError) -> FieldMap {
        let schema = try typedSchema(kind)
        return try fields(fromJSONValue: KindFlags.json(pairs, schema: schema.body), kind: kind)
    }

    // MARK: Templates, help, summaries

    /// An editor template: lines starting with `#` explain each field (type, required, allowed values); the
    /// rest is a JSON object with example values.
    public static func template(_ kind: EntryKind) -> String {
        KindText.template(kind)
    }

    /// Strips the lines starting with `#` (after optional white space) and parses the rest as human JSON.
    public static func fields(fromTemplate text: String, kind: EntryKind) throws(KindValidationError) -> FieldMap {
        let json = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("#") }
            .joined(separator: "\n")
        guard !json.allSatisfy(\.isWhitespace) else {
            throw KindValidationError(field: "body", reason: "the template holds no JSON object (every line is a comment or empty)")
        }
        return try fields(fromJSON: Data(json.utf8), kind: kind)
    }

    /// Help text describing every field of `kind` (for `vigil post KIND --help`).
    public static func help(_ kind: EntryKind) -> String {
        KindText.help(kind)
    }

    /// One-line human summary of a body, e.g. `sitrep #3 (update) Flooding Antwerp — severe`.
    public static func summary(_ kind: EntryKind, _ fields: FieldMap) -> String {
        if let schema = KindCatalog.schema(kind) { return schema.summary(fields) }
        switch kind {
        case .acknowledgement:
            return "ack by \(fields.text("by") ?? "?")"
        case .update:
            if let amend = fields.map("amend") { return "update: amends \(amend.names.joined(separator: ", "))" }
            if let reason = fields.text("retract") { return "update: retracts — \(reason)" }
            return "update"
        default:
            return kind.name
        }
    }

    // MARK: Helpers

    static func typedSchema(_ kind: EntryKind) throws(KindValidationError) -> KindSchema {
        guard let schema = KindCatalog.schema(kind) else {
            throw KindValidationError(field: "kind", reason: "\(kind.name) has no typed body; typed kinds: \(postable.map(\.name).joined(separator: ", "))")
        }
        return schema
    }

    static func encoded(_ fields: FieldMap) throws(KindValidationError) -> [UInt8] {
        do { return try fields.encoded() } catch { throw wrap(error) }
    }

    /// A decoding error as a validation error; the `body.` prefix is dropped unless `keepBody` (so that
    /// an update's `body.amend` is reported as `amend`, like the fields of typed bodies).
    static func wrap(_ error: DecodingError, keepBody: Bool = false) -> KindValidationError {
        var field = error.field
        if !keepBody, field.hasPrefix("body.") { field.removeFirst(5) }
        return KindValidationError(field: field, reason: error.offset > 0 ? "\(error.reason) (at byte \(error.offset))" : error.reason)
    }
}
