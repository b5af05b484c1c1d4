import VigilAPI
import VigilDesk
import VigilModel

/// An in-memory `DeskBackend` for the desk server's and pages' tests: it answers the few local API
/// requests the desk makes (status, roster, entries, show, ack; roster changes are recorded) from entries given as the local API's own
/// `EntryDetail` values. The real node's backend is `NodeDeskBackend` (tested against node processes).
actor FakeDeskBackend: DeskBackend {
    static let nodeName = "ncc-duty"
    private var details: [EntryDetail] = []
    private var subscribers: [AsyncStream<EntrySummary>.Continuation] = []
    private var peerSubscribers: [AsyncStream<PeerSessionChange>.Continuation] = []
    private(set) var acknowledgements: [(id: String, officer: String?)] = []
    /// The peers `status` answers with (none unless a test sets them).
    var peers: [NodeStatus.Peer] = []
    /// The roster `roster` answers with: this node (the authority) and gov-antwerp.
    var members: [RosterMemberView] = [
        RosterMemberView(name: nodeName, organisation: "National Crisis Centre", role: "authority", identity: NodeID(hex: String(repeating: "0", count: 64))!,
                         key: NodeID(hex: String(repeating: "0", count: 64))!, addresses: [], status: .active, revoked: nil, reason: nil, authority: true),
        RosterMemberView(name: "gov-antwerp", organisation: "Governor of Antwerp", role: "government", identity: NodeID(hex: String(repeating: "1", count: 64))!,
                         key: NodeID(hex: String(repeating: "1", count: 64))!, addresses: ["127.0.0.1:7402"], status: .active, revoked: nil, reason: nil, authority: false),
    ]
    /// The roster bodies composed through this backend, as the node would receive them.
    private(set) var rosterPosts: [JSONValue] = []

    func setPeers(_ list: [NodeStatus.Peer]) { peers = list }
    /// The `compose` requests answered, in order (each is held as a new entry by this node).
    private(set) var composed: [ComposeRequest] = []

    /// An entry by `gov-antwerp` whose id is `idDigit` 64 times.
    static func detail(_ idDigit: Character, kind: String = "sitrep", tlp: String, title: String, at milliseconds: UInt64,
                       fields: [String: JSONValue] = [:], amended: [String: JSONValue] = [:], amendedAt: UInt64 = 0) -> EntryDetail {
        let id = EntryID(hex: String(repeating: idDigit, count: 64))!
        let summary = EntrySummary(id: id, kind: kind, time: "", timeMs: milliseconds, hlc: "\(milliseconds).0", author: "gov-antwerp",
                                   organisation: "Governor of Antwerp", refs: [],
                                   audience: AudienceView(tlp: tlp, roles: [], organisations: [], nodes: []),
                                   fields: .object(fields), summary: title, amended: !amended.isEmpty, retracted: false)
        var current = fields
        var history = [HistoryStep(entry: id, by: "gov-antwerp", time: "", timeMs: milliseconds, change: .created)]
        if !amended.isEmpty {
            for (k, v) in amended { current[k] = v }
            history.append(HistoryStep(entry: EntryID(hex: String(repeating: "c", count: 64))!, by: "gov-antwerp", time: "", timeMs: amendedAt,
                                       change: .amended, fields: amended.keys.sorted(), values: .object(amended)))
        }
        return EntryDetail(summary: summary, current: .object(current), history: history, retractedBy: nil, acknowledgements: [], results: nil)
    }

    /// Holds an entry and pushes it to open desks.
    func add(_ detail: EntryDetail) {
        details.append(detail)
        for subscriber in subscribers { subscriber.yield(detail.summary) }
    }

    var subscriberCount: Int { subscribers.count }

    func perform<Op: APIOperation>(_ request: Op) async throws(APIFailure) -> Op.Answer {
        switch request {
        case is StatusRequest:
            return StatusAnswer(status: NodeStatus(name: Self.nodeName, nodeId: String(repeating: "0", count: 64), organisation: "National Crisis Centre",
                                                   role: "authority", entries: details.count, peers: peers, disconnected: [], refusals: [:])) as! Op.Answer
        case is RosterRequest:
            return RosterAnswer(members: members) as! Op.Answer
        case let r as ComposeRequest where r.kind == "roster":
            rosterPosts.append(r.fields)
            return PostedAnswer(id: EntryID(hex: String(repeating: "8", count: 64))!) as! Op.Answer
        case let r as EntriesRequest:
            return EntriesAnswer(entries: list(r)) as! Op.Answer
        case let r as ShowRequest:
            guard let detail = details.first(where: { $0.summary.id == r.id }) else { throw APIFailure(.notFound, "no entry \(r.id.hex) on this node") }
            return ShowAnswer(entry: detail) as! Op.Answer
        case let r as AckRequest:
            guard let index = details.firstIndex(where: { $0.summary.id == r.id }) else { throw APIFailure(.notFound, "no entry \(r.id.hex) on this node") }
            acknowledgements.append((r.id.hex, r.officer))
            let d = details[index]
            details[index] = EntryDetail(summary: d.summary, current: d.current, history: d.history, retractedBy: d.retractedBy,
                                         acknowledgements: d.acknowledgements + [MemberAcknowledgement(member: Self.nodeName, received: nil, confirmed: "2026-12-01T10:00:00Z",
                                                                                                       organisation: "National Crisis Centre",
                                                                                                       confirmedMs: 1_796_040_000_000, officer: r.officer)],
                                         results: d.results)
            return PostedAnswer(id: EntryID(hex: String(repeating: "9", count: 64))!) as! Op.Answer
        case let r as ComposeRequest:
            return PostedAnswer(id: compose(r)) as! Op.Answer
        default:
            throw APIFailure(.badRequest, "the test backend does not answer \(Op.op)")
        }
    }

    /// Holds a composed entry as this node's own (the officer in its fields, as the node writes it) and
    /// pushes it to open desks. Its id is the number of entries composed so far, as 64 hex digits.
    private func compose(_ r: ComposeRequest) -> EntryID {
        composed.append(r)
        let hex = String(composed.count, radix: 16)
        let id = EntryID(hex: String(repeating: "0", count: 64 - hex.count) + hex)!
        var fields: [String: JSONValue] = if case .object(let members) = r.fields { members } else { [:] }
        if let officer = r.officer { fields["officer"] = .string(officer) }
        let title = (fields["headline"] ?? fields["event"] ?? fields["subject"])?.stringValue ?? r.kind
        let summary = EntrySummary(id: id, kind: r.kind, time: "", timeMs: 1_796_050_000_000 + UInt64(composed.count), hlc: "", author: Self.nodeName,
                                   organisation: "National Crisis Centre", refs: r.refs,
                                   audience: AudienceView(tlp: r.audience?.tlp ?? "TLP:CLEAR", roles: r.audience?.roles ?? [], organisations: [], nodes: []),
                                   fields: .object(fields), summary: title, amended: false, retracted: false)
        add(EntryDetail(summary: summary, current: .object(fields), history: [HistoryStep(entry: id, by: Self.nodeName, time: "", timeMs: summary.timeMs, change: .created)],
                        retractedBy: nil, acknowledgements: [], results: nil))
        return id
    }

    private func list(_ r: EntriesRequest) -> [EntrySummary] {
        var matching = details.map(\.summary).sorted { ($0.timeMs, $0.id.hex) > ($1.timeMs, $1.id.hex) }
        matching = matching.filter { s in
            (r.kinds.map { $0.contains(s.kind) } ?? true) && (r.tlp.map { DeskViews.tlp($0) == DeskViews.tlp(s.audience.tlp) } ?? true)
                && (r.author.map { $0 == s.author } ?? true) && (r.organisation.map { $0 == s.organisation } ?? true)
                && (r.text.map { s.summary.localizedCaseInsensitiveContains($0) } ?? true)
                && (r.sinceMs.map { s.timeMs >= $0 } ?? true) && (r.untilMs.map { s.timeMs < $0 } ?? true)
        }
        if let before = r.before, let index = matching.firstIndex(where: { $0.id == before }) {
            matching = Array(matching[(index + 1)...])
        }
        return Array(matching.prefix(r.limit ?? 50))
    }

    func follow() async -> AsyncStream<EntrySummary> {
        let (stream, continuation) = AsyncStream.makeStream(of: EntrySummary.self, bufferingPolicy: .bufferingNewest(256))
        subscribers.append(continuation)
        return stream
    }

    /// Peer changes are pushed by `changePeer` (the real node's come from its sessions).
    func followPeers() async -> AsyncStream<PeerSessionChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: PeerSessionChange.self, bufferingPolicy: .bufferingNewest(256))
        peerSubscribers.append(continuation)
        return stream
    }

    /// Pushes a peer change to open desks.
    func changePeer(_ change: PeerSessionChange) {
        for subscriber in peerSubscribers { subscriber.yield(change) }
    }
}

