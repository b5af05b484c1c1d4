import VigilAPI
import VigilModel

/// The pages' views of the local API's answers: the desk asks the node with `VigilAPI` requests and
/// draws what these make of the answers (TLP as a label the pages colour, times in milliseconds,
/// fields flattened to dotted paths, amendments as before/after pairs). Pure.
public enum DeskViews {
    /// The TLP label of an audience view (`TLP:AMBER+STRICT` → `.amberStrict`); unknown labels show as RED,
    /// the most restrictive, so a page never understates one.
    public static func tlp(_ label: String) -> DeskTLP {
        var text = label.lowercased()
        if text.hasPrefix("tlp:") { text.removeFirst(4) }
        return DeskTLP(rawValue: text) ?? .red
    }

    /// A feed line.
    public static func summary(_ s: EntrySummary, officer: String? = nil) -> DeskEntrySummary {
        DeskEntrySummary(id: s.id.hex, kind: s.kind, tlp: tlp(s.audience.tlp), author: s.author, organisation: s.organisation,
                         officer: officer ?? s.fields["officer"]?.stringValue, createdMilliseconds: s.timeMs, title: s.summary, retracted: s.retracted)
    }

    /// The local API request for a feed query: one more entry than the page holds, to know whether an
    /// older page exists. A cursor that is not an entry id is refused with the parameter's name.
    public static func entriesRequest(_ query: FeedQuery) throws(DeskRefusal) -> EntriesRequest {
        var request = EntriesRequest()
        request.kinds = query.kind.map { [$0] }
        request.tlp = query.tlp?.rawValue
        request.author = query.author
        request.organisation = query.organisation
        request.sinceMs = query.since
        request.untilMs = query.until
        request.text = query.text
        if let before = query.before {
            guard let id = EntryID(hex: before) else { throw DeskRefusal(.badRequest, field: "before", "before must be an entry id (64 hex digits)") }
            request.before = id
        }
        request.limit = query.limit + 1
        return request
    }

    /// A feed page from the entries answered for `entriesRequest(query)`.
    public static func feedPage(_ entries: [EntrySummary], limit: Int) -> FeedPage {
        let page = entries.prefix(limit).map { summary($0) }
        return FeedPage(entries: page, nextCursor: entries.count > limit ? page.last?.id : nil)
    }

    /// An entry's page. `node` is this desk's node: whether its officer confirmed it already (the
    /// Acknowledge button goes) and whether it may amend it (its own entries).
    public static func detail(_ d: EntryDetail, node: String) -> DeskEntryDetail {
        let audience = DeskAudience(tlp: tlp(d.summary.audience.tlp), roles: d.summary.audience.roles,
                                    organisations: d.summary.audience.organisations, nodes: d.summary.audience.nodes)
        var state = flatten(d.summary.fields)
        var history: [DeskAmendment] = []
        for step in d.history where step.change == .amended || step.change == .retracted {
            if step.change == .retracted {
                history.append(DeskAmendment(id: step.entry.hex, author: step.by, officer: step.officer, createdMilliseconds: step.timeMs,
                                             changes: [], retraction: step.reason ?? ""))
                continue
            }
            let after = flatten(step.values ?? .object([:]))
            let changes = after.map { field in
                DeskAmendment.Change(path: field.path, before: state.first { $0.path == field.path }?.value, after: field.value)
            }
            for field in after {
                if let index = state.firstIndex(where: { $0.path == field.path }) { state[index] = field } else { state.append(field) }
            }
            history.append(DeskAmendment(id: step.entry.hex, author: step.by, officer: step.officer, createdMilliseconds: step.timeMs,
                                         changes: changes))
        }
        let receipts = d.acknowledgements.map { a in
            DeskReceipt(node: a.member, organisation: a.organisation ?? "", acknowledgedMilliseconds: a.confirmedMs, officer: a.officer)
        }
        let confirmedHere = d.acknowledgements.contains { $0.member == node && $0.confirmed != nil }
        let amendable = d.summary.author == node && !d.summary.retracted && !["ack", "update", "roster", "assessment"].contains(d.summary.kind)
        return DeskEntryDetail(summary: summary(d.summary), audience: audience, fields: flatten(d.current), history: history,
                               receipts: receipts, mayAmend: amendable, confirmedHere: confirmedHere, current: d.current)
    }

    /// A JSON value as dotted paths and text (`location.description`, `areas[0]`), objects' members in
    /// name order.
    public static func flatten(_ value: JSONValue, path: String = "") -> [DeskField] {
        switch value {
        case .object(let members):
            return members.keys.sorted().flatMap { key in flatten(members[key]!, path: path.isEmpty ? key : path + "." + key) }
        case .array(let items):
            return items.enumerated().flatMap { index, item in flatten(item, path: path + "[\(index)]") }
        case .null: return [DeskField(path: path, value: "")]
        case .bool(let b): return [DeskField(path: path, value: b ? "true" : "false")]
        case .integer(let n): return [DeskField(path: path, value: String(n))]
        case .number(let d): return [DeskField(path: path, value: String(d))]
        case .degrees(let m): return [DeskField(path: path, value: DecimalText.millionths(m))]
        case .string(let s): return [DeskField(path: path, value: s)]
        }
    }
}
