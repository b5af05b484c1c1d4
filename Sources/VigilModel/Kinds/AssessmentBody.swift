/// Typed view of an `assessment` body: the status it gives its incident, the outcome, any protective
/// action and the answer to the reporting company (docs/kinds.md).
public struct AssessmentBody: Hashable, Sendable {
    /// Where an incident stands. An incident without an assessment is `new`.
    public enum Status: String, CaseIterable, Sendable, Codable {
        /// Not yet taken up (an incident without assessments, or one put back in the queue).
        case new
        /// An officer is assessing it.
        case assessing
        /// Assessed; the outcome and the answer are given.
        case closed
    }

    /// What the assessment found.
    public enum Outcome: String, CaseIterable, Sendable, Codable {
        /// No threat: the observation has an innocent explanation.
        case unfounded
        /// The threat is real.
        case confirmed
        /// It could not be established either way.
        case inconclusive
        /// Handed to another service (e.g. the judicial police).
        case referred
    }

    /// The status it gives the incident.
    public var status: Status
    /// What it found (required when closed, absent when new).
    public var outcome: Outcome?
    /// Protective action taken or advised.
    public var protectiveAction: String?
    /// The answer to the reporting company (required when closed).
    public var answer: String?
    /// The desk officer who wrote it, when written at a desk.
    public var officer: String?

    /// An assessment body; `fieldMap` validates nothing, `init(fields:)` does.
    public init(status: Status, outcome: Outcome? = nil, protectiveAction: String? = nil, answer: String? = nil, officer: String? = nil) {
        self.status = status
        self.outcome = outcome
        self.protectiveAction = protectiveAction
        self.answer = answer
        self.officer = officer
    }

    /// Reads a canonical assessment body, validated against the kind's schema.
    public init(fields: FieldMap) throws(KindValidationError) {
        try KindSchemas.validate(.assessment, fields, createdAt: nil)
        // The schema has checked the choices, so these cannot fail.
        status = Status(rawValue: fields.text("status") ?? "") ?? .new
        outcome = fields.text("outcome").flatMap(Outcome.init(rawValue:))
        protectiveAction = fields.text("protective_action")
        answer = fields.text("answer")
        officer = fields.text("officer")
    }

    /// Reads an assessment body from its canonical bytes (an entry's `body`): decoded, then validated.
    public init(body: [UInt8]) throws(KindValidationError) {
        guard body.count <= EntryLimits.maxBodyBytes else {
            throw KindValidationError(field: "body", reason: "\(body.count) bytes, more than \(EntryLimits.maxBodyBytes)")
        }
        let fields: FieldMap
        do { fields = try FieldMap(canonicalBytes: body) } catch { throw KindSchemas.wrap(error, keepBody: true) }
        try self.init(fields: fields)
    }

    /// The canonical body.
    public var fieldMap: FieldMap {
        var map: FieldMap = ["status": .text(status.rawValue)]
        if let outcome { map["outcome"] = .text(outcome.rawValue) }
        if let protectiveAction { map["protective_action"] = .text(protectiveAction) }
        if let answer { map["answer"] = .text(answer) }
        if let officer { map["officer"] = .text(officer) }
        return map
    }
}

/// The rules an assessment must meet against the incident it assesses (its first ref). They need the
/// target, so they cannot be part of `FederationRules.check` (which sees one entry): a node refuses a
/// local post that breaks them, and every node's incident view (`IncidentBoard` in VigilLog) ignores an
/// assessment that breaks them — the same decision on every node, whatever order the entries arrived in.
public enum AssessmentRules {
    /// Why `assessment` does not count for `target` (nil when it does): the target must be an incident,
    /// and the assessment's audience must include the incident's author, so the reporting company reads
    /// the status and the answer.
    public static func problem(_ assessment: Entry, target: Entry, roster: Roster) -> Refusal? {
        guard assessment.kind == .assessment, assessment.refs.first == target.id else {
            return Refusal(.invalidBody, "an assessment's first ref must be the incident it assesses", field: "refs")
        }
        return problem(audience: assessment.audience, author: assessment.author, target: target, roster: roster)
    }

    /// Why an assessment by `author` with `audience` does not count for `target` (nil when it does), before
    /// it is signed: the same rules as `problem(_:target:roster:)`.
    public static func problem(audience: Audience, author: NodeID, target: Entry, roster: Roster) -> Refusal? {
        guard target.kind == .incident else {
            return Refusal(.invalidBody, "\(target.id.fingerprint) is a \(target.kind), not an incident; an assessment assesses an incident", field: "refs")
        }
        guard let reporter = roster.member(ofKey: target.author) else {
            return Refusal(.notMember, "the incident's author \(target.author.fingerprint) is not a federation member")
        }
        guard audience.admits(reporter.profile, author: author) else {
            return Refusal(.invalidBody, "the audience (\(audience.tlp)) leaves out \(reporter.name), who reported the incident and must read the answer; keep the default audience or add \(reporter.name)", field: "audience")
        }
        return nil
    }

    /// The audience an assessment of `incident` gets by default: the incident's own audience, widened
    /// just enough that its author reads it.
    public static func audience(for incident: Entry, roster: Roster) -> Audience {
        guard let reporter = roster.member(ofKey: incident.author) else { return incident.audience }
        return incident.audience.adding(reporter.profile)
    }
}
