import VigilAPI
import VigilLog
import VigilModel

/// Early-warning incidents and their assessments (docs/federation.md, "Incidents"): the queue the
/// authority's and police's desks work from, the status shown with an incident, and the checks a local
/// assessment must pass against the incident it assesses.
extension Node {
    /// The held incidents, newest first (at most `limit`), each with its status from the assessments held.
    public func incidents(limit: Int?) async throws(APIFailure) -> [IncidentItem] {
        var request = EntriesRequest()
        request.kinds = [EntryKind.incident.name]
        request.limit = max(1, min(limit ?? 200, 1000))
        let listed = try await list(request)
        let roster = await self.roster()
        var items: [IncidentItem] = []
        for summary in listed {
            guard let incident = heldEntry(summary.id) else { continue }
            items.append(IncidentItem(incident: summary, status: await incidentStatus(incident, roster: roster)))
        }
        return items
    }

    /// The status of `incident` from the assessments this node holds for it.
    func incidentStatus(_ incident: Entry, roster: Roster) async -> IncidentStatusView {
        incidentStatus(incident, related: await referrers(of: incident.id).compactMap { heldEntry($0) }, roster: roster)
    }

    /// The status of `incident` from `related`, the held entries that refer to it (its assessments among
    /// them); withdrawn ones do not count.
    func incidentStatus(_ incident: Entry, related: [Entry], roster: Roster) -> IncidentStatusView {
        let withdrawn = withdrawnIDs()
        var board = IncidentBoard(roster: roster)
        board.insert(incident)
        for entry in related where entry.kind == .assessment && !withdrawn.contains(entry.id) { board.insert(entry) }
        return Self.statusView(board.state(of: incident.id), roster: roster)
    }

    /// An incident's state as the API shows it.
    static func statusView(_ state: IncidentState?, roster: Roster) -> IncidentStatusView {
        guard let state else { return IncidentStatusView(status: AssessmentBody.Status.new.rawValue, assessments: []) }
        let views = state.history.map { a in
            let member = roster.member(ofKey: a.author)
            return AssessmentView(id: a.entry, by: member?.name ?? a.author.fingerprint, organisation: member?.organisation ?? "",
                                  officer: a.body.officer, time: EntryJSON.iso8601(milliseconds: a.timestamp.milliseconds),
                                  timeMs: a.timestamp.milliseconds, status: a.body.status.rawValue, outcome: a.body.outcome?.rawValue,
                                  protectiveAction: a.body.protectiveAction, answer: a.body.answer)
        }
        let ignored = Dictionary(uniqueKeysWithValues: state.ignored.map { ($0.key.hex, $0.value) })
        return IncidentStatusView(status: state.status.rawValue, assessments: views, ignored: ignored.isEmpty ? nil : ignored)
    }

    /// The audience of a local assessment with `refs`: the target must be an incident this node holds;
    /// nil (the default) becomes the incident's audience widened to its author, and a chosen audience must
    /// include that author (`AssessmentRules`).
    func assessmentAudience(refs: [EntryID], chosen: Audience?) async throws(APIFailure) -> Audience {
        guard let target = refs.first, !withdrawnIDs().contains(target), let incident = heldEntry(target) else {
            throw APIFailure(Refusal(.invalidBody, "an assessment needs the incident it assesses as its first ref (--ref ID), held by this node", field: "refs"))
        }
        let roster = await self.roster()
        let audience = chosen ?? AssessmentRules.audience(for: incident, roster: roster)
        if let problem = AssessmentRules.problem(audience: audience, author: key, target: incident, roster: roster) {
            throw APIFailure(problem)
        }
        return audience
    }
}
