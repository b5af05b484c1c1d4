import Foundation
import VigilAPI
import VigilLog
import VigilModel

/// What `vigil post`, `show`, `list`, `ack`, `commtest` and `roster` — and the desk — need from a running
/// node, as typed answers (`VigilAPI`). Each runs against the node's own held entries: everything here is
/// something this node may read. Entries withdrawn after a revocation are not listed nor shown, and a
/// document is summarised from its current state (after every update held), not from its first version.
extension Node {
    /// Signs and posts an entry of `kind` with a canonical body, after checking the body against its
    /// kind's schema. `audience` nil means the kind's default. Returns once durable.
    public func compose(kind: EntryKind, fields: FieldMap, audience: Audience?, refs: [EntryID]) async throws(APIFailure) -> EntryID {
        var audience = audience
        if kind == .assessment { audience = try await assessmentAudience(refs: refs, chosen: audience) }
        let draft = try prepare(kind: kind, fields: fields, audience: audience, refs: refs)
        return try await postTyped(kind: kind, audience: draft.audience, refs: refs, body: draft.body, fields: fields)
    }

    /// A new entry's parts, checked as far as they can be before the core sees them: the body encoded,
    /// an amendment checked against its target, the audience defaulted. Any thread.
    func prepare(kind: EntryKind, fields: FieldMap, audience: Audience?, refs: [EntryID]) throws(APIFailure) -> (body: [UInt8], audience: Audience) {
        let body: [UInt8]
        do { body = try fields.encoded() } catch { throw APIFailure(.invalid, "body: \(error)") }
        if kind == .update {
            guard let target = refs.first, let entry = heldEntry(target) else {
                throw APIFailure(.notFound, "an update needs the entry it amends as its first ref, held by this node")
            }
            if entry.kind == .assessment {
                throw APIFailure(Refusal(.invalidBody, "an assessment is not amended or retracted; record a new assessment of the incident, which supersedes it", field: "refs"))
            }
            if case .amend(let amend)? = try? UpdateBody(body: body), let current = try? FieldMap(canonicalBytes: entry.body) {
                do { try KindSchemas.validateAmendment(entry.kind, current: current, amend: amend) } catch {
                    throw APIFailure(Refusal(error, context: "amendment of a \(entry.kind)"))
                }
            }
        }
        return (body, audience ?? KindSchemas.defaultAudience(kind, fields: fields))
    }

    /// Posts a duty officer's confirmation of `id` (an `ack` with `{"by": "officer"}`, the target's audience).
    public func confirm(_ id: EntryID, officer: String? = nil) async throws(APIFailure) -> EntryID {
        guard let target = heldEntry(id) else { throw APIFailure(.notFound, "no entry \(id.hex) on this node; check the id with `vigil list`") }
        let body: [UInt8]
        do { body = try AcknowledgementBody.confirmation(by: officer) } catch {
            throw APIFailure(.invalid, "ack: \"officer\" \(error.reason)")
        }
        let audience = await onLoop { node in node.acknowledgementAudience(target) }
        return try await postTyped(kind: .acknowledgement, audience: audience, refs: [id], body: body)
    }

    /// Signs and posts, mapping every failure to the API's typed failure.
    func postTyped(kind: EntryKind, audience: Audience, refs: [EntryID], body: [UInt8], fields: FieldMap? = nil) async throws(APIFailure) -> EntryID {
        do {
            return try await post(kind: kind, audience: audience, refs: refs, body: body, fields: fields)
        } catch let refusal as Refusal {
            throw APIFailure(refusal)
        } catch {
            throw APIFailure(.unavailable, "the entry could not be stored: \(error)")
        }
    }

    /// Parses an audience given by a person: TLP label, roles, organisations, nodes by name or id.
    public func audience(_ spec: AudienceSpec) async throws(APIFailure) -> Audience {
        try Self.audience(spec, roster: await self.roster())
    }

    /// Parses an audience given by a person against `roster`.
    static func audience(_ spec: AudienceSpec, roster: Roster) throws(APIFailure) -> Audience {
        guard let label = TLPLabel(name: spec.tlp) else {
            throw APIFailure(.invalid, "\"\(spec.tlp)\" is not a TLP 2.0 label; use clear, green, amber, amber+strict or red")
        }
        for role in spec.roles where Role(rawValue: role) == nil {
            throw APIFailure(.invalid, "\"\(role)\" is not a known role (\(Role.knownNames))")
        }
        var ids: [NodeID] = []
        for name in spec.nodes {
            if let member = roster.member(named: name) { ids.append(member.identity); continue }
            if let id = NodeID(hex: name), roster.member(ofKey: id) != nil { ids.append(roster.identity(ofKey: id)!); continue }
            throw APIFailure(.invalid, "\"\(name)\" is not a member's name or node id; `vigil roster --dir DIR` lists them")
        }
        if label == .red && ids.isEmpty { throw APIFailure(.invalid, "TLP:RED needs the nodes that may read it (--to NAME)") }
        if label == .amberStrict && spec.organisations.isEmpty { throw APIFailure(.invalid, "TLP:AMBER+STRICT needs the organisations that may read it (--org NAME)") }
        if label == .amber && spec.roles.isEmpty && spec.organisations.isEmpty && ids.isEmpty {
            throw APIFailure(.invalid, "TLP:AMBER needs recipients: --role, --org or --to")
        }
        return Audience(tlp: label, roles: spec.roles, organisations: spec.organisations, nodes: ids)
    }

    /// Newest first, the held entries that match `request`.
    public func list(_ request: EntriesRequest) async throws(APIFailure) -> [EntrySummary] {
        let roster = await self.roster()
        var kinds: Set<EntryKind>?
        if let names = request.kinds {
            var set = Set<EntryKind>()
            for name in names {
                guard let kind = EntryKind(name: name) else {
                    throw APIFailure(.invalid, "\"\(name)\" is not a kind; kinds: \(EntryKind.allCases.map(\.name).joined(separator: ", "))")
                }
                set.insert(kind)
            }
            kinds = set
        }
        var tlp: TLPLabel?
        if let name = request.tlp {
            guard let label = TLPLabel(name: name) else { throw APIFailure(.invalid, "\"\(name)\" is not a TLP label (clear, green, amber, amber+strict, red)") }
            tlp = label
        }
        var authorKeys: Set<NodeID>?
        if let author = request.author {
            guard let member = roster.member(named: author) ?? NodeID(hex: author).flatMap({ roster.member(ofKey: $0) }) else {
                throw APIFailure(.invalid, "author \"\(author)\" is not a member's name or node id")
            }
            authorKeys = Set(roster.allMembers.filter { $0.identity == member.identity }.map(\.key) + [member.identity, member.key])
        }
        let limit = max(1, min(request.limit ?? 50, 10_000))
        let needle = request.text?.lowercased()
        let withdrawn = withdrawnIDs()
        var out: [EntrySummary] = []
        var position = store.count
        if let before = request.before {
            guard let at = store.position(of: before) else { throw APIFailure(.notFound, "no entry \(before.hex) on this node to page from") }
            position = at
        }
        // Without filters the newest `limit` entries are the page: read just those (a desk's feed page of
        // 50 out of 100,000); with filters, scan back 512 at a time — by kind, only the entries of those
        // kinds (`KindPositions`: the incident queue among a million messages reads the incidents only).
        let unfiltered = kinds == nil && tlp == nil && authorKeys == nil && request.organisation == nil && request.sinceMs == nil
            && request.untilMs == nil && needle == nil
        let step = unfiltered ? limit + withdrawn.count : 512
        while position > 0 && out.count < limit {
            let ids: [EntryID]   // newest first
            if let kinds {
                let below = position
                let positions = await onLoop { $0.kindPositions.positions(of: kinds, below: below, limit: 512) }
                guard let lowest = positions.last else { break }
                position = lowest
                ids = store.ids(at: positions)
            } else {
                let start = max(0, position - step)
                ids = storedIDs(from: start, limit: position - start).reversed()
                position = start
            }
            var page: [Entry] = []
            for id in ids {
                guard !withdrawn.contains(id), let entry = heldEntry(id) else { continue }
                if let kinds, !kinds.contains(entry.kind) { continue }
                if let tlp, entry.audience.tlp != tlp { continue }
                if let authorKeys, !authorKeys.contains(entry.author) { continue }
                if let org = request.organisation, roster.member(ofKey: entry.author)?.organisation != org { continue }
                if let since = request.sinceMs, entry.timestamp.milliseconds < since { continue }
                if let until = request.untilMs, entry.timestamp.milliseconds >= until { continue }
                page.append(entry)
            }
            // Summaries (with each document's current state) only for what the page can still take.
            let wanted = needle == nil ? Array(page.prefix(limit - out.count)) : page
            for summary in await summaries(wanted, roster: roster) where out.count < limit {
                if let needle, !Self.matches(summary, needle) { continue }
                out.append(summary)
            }
        }
        return out
    }

    static func matches(_ summary: EntrySummary, _ needle: String) -> Bool {
        if summary.summary.lowercased().contains(needle) { return true }
        guard let data = try? JSONEncoder().encode(summary.fields) else { return false }
        return String(decoding: data, as: UTF8.self).lowercased().contains(needle)
    }

    /// The held entries whose id starts with `prefix` (lowercase hex), at most `limit`, newest first.
    /// Reads only the store's in-memory index, never an entry.
    public func ids(withPrefix prefix: String, limit: Int = 2) -> [EntryID] {
        var out: [EntryID] = []
        var position = store.count
        let withdrawn = withdrawnIDs()
        while position > 0 && out.count < limit {
            let start = max(0, position - 4096)
            for id in storedIDs(from: start, limit: position - start).reversed() where id.hex.hasPrefix(prefix) && !withdrawn.contains(id) {
                out.append(id)
                if out.count == limit { break }
            }
            position = start
        }
        return out
    }

    /// Summaries of `entries`, each from its current state (the updates held for it, read in one hop).
    func summaries(_ entries: [Entry], roster: Roster) async -> [EntrySummary] {
        let documents = entries.filter { KindSchemas.isDocument($0.kind) }.map(\.id)
        var related: [EntryID: [EntryID]] = [:]
        if !documents.isEmpty {
            related = await onLoop { node in
                var out: [EntryID: [EntryID]] = [:]
                for id in documents { if let list = node.referrerIndex[id] { out[id] = list } }
                return out
            }
        }
        return entries.map { entry in
            let updates = (related[entry.id] ?? []).compactMap { heldEntry($0) }.filter { $0.kind == .update }
            let view = updates.isEmpty ? nil : Self.document(entry, related: updates, roster: roster)
            return Self.summary(entry, roster: roster, view: view)
        }
    }

    /// The document view of `entry` from the entries that refer to it.
    static func document(_ entry: Entry, related: [Entry], roster: Roster) -> DocumentView? {
        var log = SharedLog(policy: RosterPolicy(roster: roster))
        _ = log.insert(entry)
        for e in related { _ = log.insert(e) }
        return log.document(entry.id, from: MemoryEntrySource([entry] + related))
    }

    /// One entry as listed: its fields as signed, and a summary of its current state.
    static func summary(_ entry: Entry, roster: Roster, view: DocumentView?) -> EntrySummary {
        let member = roster.member(ofKey: entry.author)
        let fields = (try? FieldMap(canonicalBytes: entry.body)) ?? FieldMap()
        let json: JSONValue
        var line: String
        switch entry.kind {
        case .update, .acknowledgement, .roster:
            json = KindSchemas.genericValue(fields)
            line = referenceSummary(entry, roster: roster)
        default:
            json = KindSchemas.humanValue(entry.kind, fields)
            let current = view.map { $0.bodyIsFieldMap ? $0.fields : fields } ?? fields
            line = KindSchemas.summary(entry.kind, current)
        }
        let amended = view?.history.contains { if case .amended = $0.change { true } else { false } } ?? false
        let retracted = view?.isRetracted ?? false
        if retracted { line = "RETRACTED — " + line } else if amended { line += " (amended)" }
        return EntrySummary(id: entry.id, kind: entry.kind.name, time: EntryJSON.iso8601(milliseconds: entry.timestamp.milliseconds),
                            timeMs: entry.timestamp.milliseconds, hlc: entry.timestamp.description,
                            author: member?.name ?? entry.author.fingerprint, organisation: member?.organisation ?? "",
                            refs: entry.refs, audience: audienceView(entry.audience, roster: roster), fields: json,
                            summary: line, amended: amended, retracted: retracted)
    }

    static func audienceView(_ audience: Audience, roster: Roster) -> AudienceView {
        AudienceView(tlp: audience.tlp.name, roles: audience.roles, organisations: audience.organisations,
                     nodes: audience.nodes.map { roster.member(ofKey: $0)?.name ?? $0.hex })
    }

    static func referenceSummary(_ entry: Entry, roster: Roster) -> String {
        let target = entry.refs.first.map { String($0.hex.prefix(12)) } ?? "?"
        switch entry.kind {
        case .acknowledgement:
            let parsed = try? AcknowledgementBody.parse(entry.body)
            let by = parsed?.by == .officer ? "confirmed by the duty officer" + (parsed?.officer.map { " \($0)" } ?? "") : "received (automatic)"
            return "ack of \(target): \(by)"
        case .update:
            switch try? UpdateBody(body: entry.body) {
            case .amend(let amend)?: return "update of \(target): amends \(amend.names.joined(separator: ", "))"
            case .retract(let reason)?: return "update of \(target): RETRACTED — \(reason)"
            case nil: return "update of \(target)"
            }
        default:
            guard let change = try? RosterChange(body: entry.body) else { return "roster change" }
            switch change {
            case let .add(_, name, organisation, role, _): return "roster: \(name) (\(organisation), \(role)) added"
            case let .revoke(node, reason): return "roster: \(roster.members[node]?.name ?? node.fingerprint) revoked — \(reason)"
            case let .rotate(node, _): return "roster: \(roster.members[node]?.name ?? node.fingerprint) rotated its key"
            }
        }
    }

    /// `show`: the entry, its current state after every update (last writer wins per field, a
    /// retraction wins), the history of updates, who acknowledged it, and for a communication test its
    /// results.
    public func show(_ id: EntryID) async throws(APIFailure) -> EntryDetail {
        guard !withdrawnIDs().contains(id), let entry = heldEntry(id) else {
            throw APIFailure(.notFound, "no entry \(id.hex) on this node; check the id with `vigil list`")
        }
        let roster = await self.roster()
        let related = await referrers(of: id).compactMap { heldEntry($0) }
        let relatedByID = Dictionary(related.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let view = Self.document(entry, related: related, roster: roster)
        let summary = Self.summary(entry, roster: roster, view: view)
        func name(_ key: NodeID) -> String { roster.member(ofKey: key)?.name ?? key.fingerprint }
        func time(_ t: HybridTimestamp) -> String { EntryJSON.iso8601(milliseconds: t.milliseconds) }
        var current = JSONValue.object([:])
        var history: [HistoryStep] = []
        var retraction: RetractionView?
        var acks: [MemberAcknowledgement] = []
        if let view {
            if view.bodyIsFieldMap { current = KindSchemas.humanValue(entry.kind, view.fields) }
            if let item = view.retraction, case .retracted(let reason) = item.change {
                retraction = RetractionView(by: name(item.author), time: time(item.timestamp), reason: reason)
            }
            history = view.history.map { item in
                let change: HistoryStep.Change, names: [String]?, values: JSONValue?, reason: String?
                switch item.change {
                case .created: (change, names, values, reason) = (.created, nil, nil, nil)
                case .amended(let fields):
                    (change, names, values, reason) = (.amended, fields.names, KindSchemas.humanValue(entry.kind, fields), nil)
                case .retracted(let why): (change, names, values, reason) = (.retracted, nil, nil, why)
                case .ignored(let why): (change, names, values, reason) = (.ignored, nil, nil, why)
                }
                return HistoryStep(entry: item.entry, by: name(item.author), time: time(item.timestamp), timeMs: item.timestamp.milliseconds,
                                   change: change, fields: names, values: values, reason: reason,
                                   officer: change == .created ? nil : updateOfficer(relatedByID[item.entry] ?? heldEntry(item.entry)))
            }
            acks = view.acknowledgements.values.sorted { $0.node < $1.node }.map { ack in
                MemberAcknowledgement(member: name(ack.node), received: ack.receipt.map { time($0.timestamp) },
                                      confirmed: ack.officer.map { time($0.timestamp) },
                                      organisation: roster.member(ofKey: ack.node)?.organisation,
                                      confirmedMs: ack.officer?.timestamp.milliseconds,
                                      officer: ack.officer.flatMap { officerName(of: $0.entry) })
            }
        }
        var results: [CommTestResultView]?
        if entry.kind == .commTest { results = try Self.commTestResults(entry, acks: related, roster: roster) }
        let incident = entry.kind == .incident ? incidentStatus(entry, related: related, roster: roster) : nil
        return EntryDetail(summary: summary, current: current, history: history, retractedBy: retraction,
                           acknowledgements: acks, results: results, incident: incident)
    }

    /// The desk officer an update entry names, if any.
    func updateOfficer(_ update: Entry?) -> String? {
        update.flatMap { try? UpdateBody.parse($0.body).officer }
    }

    /// The desk officer an acknowledgement entry names, if any.
    func officerName(of ack: EntryID) -> String? {
        heldEntry(ack).flatMap { try? AcknowledgementBody.parse($0.body).officer }
    }

    /// Results of the communication test `id` (or the newest one held).
    public func commTestResults(_ id: EntryID?) async throws(APIFailure) -> CommTestReport {
        let roster = await self.roster()
        let test: Entry
        if let id {
            guard let found = heldEntry(id), found.kind == .commTest, !withdrawnIDs().contains(id) else {
                throw APIFailure(.notFound, "\(id.hex) is not a communication test held by this node")
            }
            test = found
        } else {
            var request = EntriesRequest()
            request.kinds = [EntryKind.commTest.name]
            request.limit = 1
            guard let newest = try await list(request).first, let found = heldEntry(newest.id) else {
                throw APIFailure(.notFound, "no communication test on this node yet; start one with `vigil commtest start`")
            }
            test = found
        }
        let acks = await referrers(of: test.id).compactMap { heldEntry($0) }
        return CommTestReport(summary: Self.summary(test, roster: roster, view: nil),
                              results: try Self.commTestResults(test, acks: acks, roster: roster))
    }

    static func commTestResults(_ test: Entry, acks: [Entry], roster: Roster) throws(APIFailure) -> [CommTestResultView] {
        guard let fields = try? FieldMap(canonicalBytes: test.body), let body = try? CommTestBody(fields: fields) else {
            throw APIFailure(.invalid, "\(test.id.hex) has no valid communication test body")
        }
        return CommTestResults.compute(test: test, body: body, acks: acks, roster: roster).map { r in
            CommTestResultView(member: r.name, status: r.isSilent ? .silent : (r.confirmedAt != nil ? .confirmed : .received),
                               received: r.receivedAt.map { EntryJSON.iso8601(milliseconds: $0.milliseconds) },
                               automaticDelayMs: r.automaticDelay,
                               confirmed: r.confirmedAt.map { EntryJSON.iso8601(milliseconds: $0.milliseconds) },
                               officerDelayMs: r.officerDelay, late: r.late, officer: r.confirmedBy)
        }
    }

    /// The roster: every member with its status.
    public func rosterView() async -> [RosterMemberView] {
        let roster = await self.roster()
        return roster.allMembers.map { m in
            RosterMemberView(name: m.name, organisation: m.organisation, role: m.role, identity: m.identity, key: m.key,
                             addresses: m.addresses, status: m.isActive ? .active : .revoked,
                             revoked: m.revokedAt.map { EntryJSON.iso8601(milliseconds: $0.milliseconds) },
                             reason: m.revocationReason, authority: m.identity == roster.authority)
        }
    }

    /// A held entry read from the store (nil when absent or unreadable).
    func heldEntry(_ id: EntryID) -> Entry? { try? store.read(id) }
}
