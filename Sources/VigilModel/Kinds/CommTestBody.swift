/// Typed view of a `commtest` body: who must answer, by when, and an optional note.
public struct CommTestBody: Hashable, Sendable {
    /// Who must answer the test.
    public enum Expected: Hashable, Sendable {
        /// Every federation member.
        case everyone
        /// The members of one role.
        case role(Role)
        /// The listed nodes (non-empty, no duplicates).
        case nodes([NodeID])
    }

    /// Who must answer.
    public var expected: Expected
    /// Answers are expected before this time (milliseconds since the epoch, UTC).
    public var deadline: UInt64
    /// A note to the people answering.
    public var note: String?

    /// A commtest body.
    public init(expected: Expected, deadline: UInt64, note: String?) {
        self.expected = expected
        self.deadline = deadline
        self.note = note
    }

    /// Reads a canonical commtest body, validated (without the rule that needs the entry's time).
    public init(fields: FieldMap) throws(KindValidationError) {
        try KindSchemas.validate(.commTest, fields, createdAt: nil)
        switch fields.text("expect") {
        case "role":
            expected = .role(try Role(name: fields.text("role") ?? "", field: "role"))
        case "nodes":
            expected = .nodes((fields.list("nodes") ?? []).compactMap { value -> NodeID? in
                if case .id(let id) = value { return id }
                return nil
            })
        default:
            expected = .everyone
        }
        deadline = UInt64(fields.integer("deadline") ?? 0)
        note = fields.text("note")
    }

    /// The canonical body.
    public var fieldMap: FieldMap {
        var map: FieldMap = ["deadline": .integer(Int64(clamping: deadline))]
        switch expected {
        case .everyone:
            map["expect"] = .text("everyone")
        case .role(let role):
            map["expect"] = .text("role")
            map["role"] = .text(role.rawValue)
        case .nodes(let nodes):
            map["expect"] = .text("nodes")
            map["nodes"] = .list(nodes.map { .id($0) })
        }
        if let note { map["note"] = .text(note) }
        return map
    }
}
