import VigilModel

/// One assessment that counts for its incident.
public struct IncidentAssessment: Hashable, Sendable {
    /// The assessment entry.
    public let entry: EntryID
    /// Its author's key.
    public let author: NodeID
    /// Its HLC.
    public let timestamp: HybridTimestamp
    /// Its body.
    public let body: AssessmentBody
}

/// Where one incident stands: its status from the latest assessment that counts, and every one of them.
public struct IncidentState: Hashable, Sendable {
    /// The incident.
    public let incident: EntryID
    /// `new` without assessments, else the latest assessment's status.
    public var status: AssessmentBody.Status { current?.body.status ?? .new }
    /// The latest assessment by (HLC, id), or nil.
    public var current: IncidentAssessment? { history.last }
    /// Every assessment that counts, oldest first by (HLC, id).
    public let history: [IncidentAssessment]
    /// Assessments held that do not count, with the reason (wrong target kind, audience leaves out the
    /// reporter, unreadable body), for display.
    public let ignored: [EntryID: String]
}

/// Incidents and their assessments, in any arrival order: the state of an incident is a pure function of
/// the entries inserted and the roster (the latest assessment that counts by (HLC, id)), so every node
/// that holds the same entries shows the same status and answer (docs/federation.md, "Incidents").
public struct IncidentBoard: Sendable {
    /// The roster the assessment rules are checked against.
    public var roster: Roster
    private var incidents: [EntryID: Entry] = [:]
    private var assessments: [EntryID: [EntryID: Entry]] = [:]

    /// An empty board.
    public init(roster: Roster) { self.roster = roster }

    /// Takes an incident or an assessment (other kinds are ignored). Inserting an entry twice changes nothing.
    public mutating func insert(_ entry: Entry) {
        switch entry.kind {
        case .incident: incidents[entry.id] = entry
        case .assessment:
            guard let target = entry.refs.first else { return }
            assessments[target, default: [:]][entry.id] = entry
        default: return
        }
    }

    /// The incidents held, newest first by (HLC, id).
    public var incidentIDs: [EntryID] {
        incidents.values.sorted { ($0.timestamp, $0.id) > ($1.timestamp, $1.id) }.map(\.id)
    }

    /// The state of incident `id`, or nil when it is not held.
    public func state(of id: EntryID) -> IncidentState? {
        guard let incident = incidents[id] else { return nil }
        var counted: [IncidentAssessment] = []
        var ignored: [EntryID: String] = [:]
        for entry in (assessments[id] ?? [:]).values {
            if let problem = AssessmentRules.problem(entry, target: incident, roster: roster) {
                ignored[entry.id] = problem.message
                continue
            }
            do {
                counted.append(IncidentAssessment(entry: entry.id, author: entry.author, timestamp: entry.timestamp,
                                                  body: try AssessmentBody(body: entry.body)))
            } catch {
                ignored[entry.id] = "unreadable body: \(error)"
            }
        }
        counted.sort { ($0.timestamp, $0.entry) < ($1.timestamp, $1.entry) }
        return IncidentState(incident: id, history: counted, ignored: ignored)
    }
}
