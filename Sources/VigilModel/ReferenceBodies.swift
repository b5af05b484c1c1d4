/// The body of an `update` entry: amend named fields of an earlier entry, or retract it.
///
/// The target is the update's first ref. Encoded as a `FieldMap`:
/// `{"amend": {field: value, …}}` or `{"retract": "reason"}` — exactly one of the two.
public enum UpdateBody: Hashable, Sendable {
    /// Set these fields of the target (last writer wins per field).
    case amend(FieldMap)
    /// Withdraw the target; wins over every edit.
    case retract(reason: String)

    /// The body as a field map.
    public var fieldMap: FieldMap {
        switch self {
        case .amend(let fields): ["amend": .map(fields)]
        case .retract(let reason): ["retract": .text(reason)]
        }
    }

    /// Canonical body bytes.
    public func encoded() throws(DecodingError) -> [UInt8] { try fieldMap.encoded() }

    /// Reads an update body, saying what is wrong when it is not one.
    public init(body: [UInt8]) throws(DecodingError) {
        let map = try FieldMap(canonicalBytes: body)
        switch (map["amend"], map["retract"], map.fields.count) {
        case let (.map(fields)?, nil, 1):
            guard !fields.fields.isEmpty else {
                throw DecodingError(field: "body.amend", offset: 0, reason: "an amendment must set at least one field")
            }
            self = .amend(fields)
        case let (nil, .text(reason)?, 1):
            guard !reason.isEmpty else {
                throw DecodingError(field: "body.retract", offset: 0, reason: "a retraction needs a reason")
            }
            self = .retract(reason: reason)
        default:
            throw DecodingError(field: "body", offset: 0, reason: "an update body is {\"amend\": {…}} or {\"retract\": \"reason\"}, exactly one")
        }
    }
}

/// The body of an `ack` entry: an automatic receipt by the node, or a confirmation by the duty officer.
/// The acknowledged entry is the ack's first ref. Encoded as `{"by": "node"}` or `{"by": "officer"}`.
public enum AcknowledgementBody: String, Hashable, Sendable, CaseIterable {
    /// The node received the entry (sent automatically, at once).
    case receipt = "node"
    /// A duty officer read and confirmed it.
    case officer = "officer"

    /// Canonical body bytes.
    public func encoded() -> [UInt8] { try! (["by": .text(rawValue)] as FieldMap).encoded() }

    /// Reads an ack body.
    public init(body: [UInt8]) throws(DecodingError) {
        let map = try FieldMap(canonicalBytes: body)
        guard map.fields.count == 1, case .text(let by)? = map["by"], let value = Self(rawValue: by) else {
            throw DecodingError(field: "body", offset: 0, reason: "an acknowledgement body is {\"by\": \"node\"} or {\"by\": \"officer\"}")
        }
        self = value
    }
}
