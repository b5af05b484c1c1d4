/// The body of an `update` entry: amend named fields of an earlier entry, or retract it.
///
/// The target is the update's first ref. Encoded as a `FieldMap`:
/// `{"amend": {field: value, …}}` or `{"retract": "reason"}` — exactly one of the two. An update made at
/// the desk also names the node's officer who made it: `{"amend": {…}, "officer": "j.dupont"}`
/// (docs/kinds.md; releases before the desk refuse that form). `parse` reads the officer; `init(body:)`
/// accepts and checks it.
public enum UpdateBody: Hashable, Sendable {
    /// Set these fields of the target (last writer wins per field).
    case amend(FieldMap)
    /// Withdraw the target; wins over every edit.
    case retract(reason: String)

    /// The body as a field map.
    public var fieldMap: FieldMap { fieldMap(officer: nil) }

    /// The body as a field map naming the desk officer who made it (none when `officer` is nil).
    public func fieldMap(officer: String?) -> FieldMap {
        var map: FieldMap = switch self {
        case .amend(let fields): ["amend": .map(fields)]
        case .retract(let reason): ["retract": .text(reason)]
        }
        if let officer { map["officer"] = .text(officer) }
        return map
    }

    /// Canonical body bytes.
    public func encoded() throws(DecodingError) -> [UInt8] { try fieldMap.encoded() }

    /// Reads an update body, saying what is wrong when it is not one.
    public init(body: [UInt8]) throws(DecodingError) {
        self = try Self.parse(body).update
    }

    /// Reads an update body with the desk officer it names (nil when it names none).
    public static func parse(_ body: [UInt8]) throws(DecodingError) -> (update: UpdateBody, officer: String?) {
        let map = try FieldMap(canonicalBytes: body)
        var officer: String?
        if let named = map["officer"] {
            guard case .text(let name) = named, AcknowledgementBody.isOfficerName(name) else {
                throw DecodingError(field: "body.officer", offset: 0, reason: "an officer name is 1 to 64 letters, digits, '.', '_' or '-'")
            }
            officer = name
        }
        switch (map["amend"], map["retract"], map.fields.count - (officer == nil ? 0 : 1)) {
        case let (.map(fields)?, nil, 1):
            guard !fields.fields.isEmpty else {
                throw DecodingError(field: "body.amend", offset: 0, reason: "an amendment must set at least one field")
            }
            return (.amend(fields), officer)
        case let (nil, .text(reason)?, 1):
            guard !reason.isEmpty else {
                throw DecodingError(field: "body.retract", offset: 0, reason: "a retraction needs a reason")
            }
            return (.retract(reason: reason), officer)
        default:
            throw DecodingError(field: "body", offset: 0,
                                reason: "an update body is {\"amend\": {…}} or {\"retract\": \"reason\"}, exactly one, and optionally \"officer\": NAME")
        }
    }
}

/// The body of an `ack` entry: an automatic receipt by the node, or a confirmation by the duty officer.
/// The acknowledged entry is the ack's first ref. Encoded as `{"by": "node"}` or `{"by": "officer"}`; a
/// confirmation made at the desk also names the node's officer: `{"by": "officer", "officer": "j.dupont"}`
/// (docs/kinds.md; releases before the desk refuse that third form).
public enum AcknowledgementBody: String, Hashable, Sendable, CaseIterable {
    /// The node received the entry (sent automatically, at once).
    case receipt = "node"
    /// A duty officer read and confirmed it.
    case officer = "officer"

    /// Canonical body bytes.
    public func encoded() -> [UInt8] { try! (["by": .text(rawValue)] as FieldMap).encoded() }

    /// Canonical bytes of a confirmation that names the officer (the desk's login name), or of a plain
    /// one when `name` is nil. Throws for a name that is not 1 to 64 letters, digits, `.`, `_`, `-`.
    public static func confirmation(by name: String?) throws(DecodingError) -> [UInt8] {
        guard let name else { return AcknowledgementBody.officer.encoded() }
        guard isOfficerName(name) else {
            throw DecodingError(field: "officer", offset: 0, reason: "an officer name is 1 to 64 letters, digits, '.', '_' or '-'")
        }
        return try! (["by": .text(AcknowledgementBody.officer.rawValue), "officer": .text(name)] as FieldMap).encoded()
    }

    /// Reads an ack body.
    public init(body: [UInt8]) throws(DecodingError) {
        self = try Self.parse(body).by
    }

    /// Reads an ack body with the officer a confirmation names (nil when it names none).
    public static func parse(_ body: [UInt8]) throws(DecodingError) -> (by: AcknowledgementBody, officer: String?) {
        let map = try FieldMap(canonicalBytes: body)
        guard case .text(let by)? = map["by"], let value = Self(rawValue: by) else {
            throw DecodingError(field: "body", offset: 0, reason: "an acknowledgement body is {\"by\": \"node\"} or {\"by\": \"officer\"}")
        }
        if map.fields.count == 1 { return (value, nil) }
        guard map.fields.count == 2, value == .officer, case .text(let name)? = map["officer"], isOfficerName(name) else {
            throw DecodingError(field: "body", offset: 0, reason: "an acknowledgement body is {\"by\": \"node\"}, {\"by\": \"officer\"} or {\"by\": \"officer\", \"officer\": NAME} (1 to 64 letters, digits, '.', '_', '-')")
        }
        return (value, name)
    }

    /// Whether `name` is a valid officer name: 1 to 64 ASCII letters, digits, `.`, `_`, `-` (as desk logins).
    public static func isOfficerName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2e || c == 0x5f || c == 0x2d
        }
    }
}
