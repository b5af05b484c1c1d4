import VigilModel

/// Why an entry is held back from the views.
public enum PendingReason: Hashable, Sendable, CustomStringConvertible {
    /// Its author is not (yet) a known member of the federation.
    case unknownAuthor(NodeID)
    /// It updates or acknowledges an entry this node does not hold (yet).
    case unknownTarget(EntryID)

    public var description: String {
        switch self {
        case .unknownAuthor(let node): "author \(node.fingerprint) is not a known federation member yet"
        case .unknownTarget(let id): "it refers to entry \(id.hex.prefix(16))… which has not arrived yet"
        }
    }
}

/// What happened to an entry handed to the log.
public enum LogEvent: Hashable, Sendable {
    /// The entry is part of the views now (possibly after waiting).
    case admitted(EntryID)
    /// The entry is kept, but waits for something before it shows.
    case pending(EntryID, PendingReason)
    /// The log already had it.
    case duplicate(EntryID)
    /// The entry can never be part of the views (e.g. an update without a target): same answer on every node.
    case refused(EntryID, String)
}

/// The compact facts the log keeps per admitted entry. Bodies stay in the `EntrySource`.
public struct EntryMeta: Hashable, Sendable {
    /// Author's HLC at creation.
    public let timestamp: HybridTimestamp
    /// The author.
    public let author: NodeID
    /// The kind.
    public let kind: EntryKind
    /// For updates and acknowledgements: the entry they refer to (their first ref).
    public let target: EntryID?
    /// For acknowledgements: receipt or officer confirmation.
    public let acknowledgement: AcknowledgementBody?
}

/// The shared log: a grow-only set of valid signed entries and the indexes from which every view is
/// derived. Pure — no I/O, no clock.
///
/// Convergence: every view is a function of the set of admitted entries and the policy alone, never of
/// arrival order, so two nodes holding the same set show the same thing. Indexes are updated
/// incrementally on insert; a document's merged state is computed on demand from its index
/// (cost: the number of updates of that document).
public struct SharedLog: Sendable {
    /// Who is known and who may update what.
    public var policy: any LogPolicy
    private(set) var admitted: [EntryID: EntryMeta] = [:]
    private var updatesByTarget: [EntryID: [EntryID]] = [:]
    private var acksByTarget: [EntryID: [EntryID]] = [:]
    private var waitingForTarget: [EntryID: [Entry]] = [:]
    private var waitingForAuthor: [NodeID: [Entry]] = [:]
    private var pendingReasons: [EntryID: PendingReason] = [:]
    private var refusedIDs: [EntryID: String] = [:]
    /// CAP Update and Cancel messages as relations between alert entries.
    public private(set) var capRelations = CAPRelationIndex()

    /// An empty log.
    public init(policy: any LogPolicy = AuthorOnlyPolicy()) {
        self.policy = policy
    }

    /// Number of admitted entries.
    public var count: Int { admitted.count }
    /// Entries waiting, with the reason.
    public var pending: [EntryID: PendingReason] { pendingReasons }
    /// Whether `id` is admitted.
    public func contains(_ id: EntryID) -> Bool { admitted[id] != nil }
    /// The compact facts of an admitted entry.
    public func meta(_ id: EntryID) -> EntryMeta? { admitted[id] }

    /// Adds a valid, signature-checked entry. Returns what happened to it and to every entry that was
    /// waiting for it.
    public mutating func insert(_ entry: Entry) -> [LogEvent] {
        let id = entry.id
        if admitted[id] != nil || pendingReasons[id] != nil { return [.duplicate(id)] }
        if let reason = refusedIDs[id] { return [.refused(id, reason)] }
        var events: [LogEvent] = []
        admitOrPark(entry, events: &events)
        return events
    }

    /// Re-checks entries waiting for an unknown author, after the policy learned new members.
    public mutating func recheckAuthors() -> [LogEvent] {
        var events: [LogEvent] = []
        for author in waitingForAuthor.keys.sorted() where policy.isKnownAuthor(author) {
            let entries = waitingForAuthor.removeValue(forKey: author) ?? []
            for entry in entries {
                pendingReasons[entry.id] = nil
                admitOrPark(entry, events: &events)
            }
        }
        return events
    }

    private mutating func admitOrPark(_ first: Entry, events: inout [LogEvent]) {
        var queue = [first]
        while let entry = queue.popLast() {
            let id = entry.id
            guard policy.isKnownAuthor(entry.author) else {
                park(entry, .unknownAuthor(entry.author), &events)
                waitingForAuthor[entry.author, default: []].append(entry)
                continue
            }
            var target: EntryID?
            var ack: AcknowledgementBody?
            switch entry.kind {
            case .update, .acknowledgement:
                guard let ref = entry.refs.first else {
                    refuse(id, "an \(entry.kind.name) entry must name its target as its first ref", &events)
                    continue
                }
                if entry.kind == .update {
                    do { _ = try UpdateBody(body: entry.body) } catch {
                        refuse(id, "invalid update body: \(error)", &events)
                        continue
                    }
                } else {
                    do { ack = try AcknowledgementBody(body: entry.body) } catch {
                        refuse(id, "invalid acknowledgement body: \(error)", &events)
                        continue
                    }
                }
                guard admitted[ref] != nil else {
                    park(entry, .unknownTarget(ref), &events)
                    waitingForTarget[ref, default: []].append(entry)
                    continue
                }
                target = ref
            default:
                break
            }
            admitted[id] = EntryMeta(timestamp: entry.timestamp, author: entry.author, kind: entry.kind,
                                     target: target, acknowledgement: ack)
            if entry.kind == .alert, let fields = try? FieldMap(canonicalBytes: entry.body), let facts = AlertCAPFacts(alertBody: fields) {
                capRelations.insert(id, facts: facts)
            }
            if let target {
                if entry.kind == .update { updatesByTarget[target, default: []].append(id) }
                else { acksByTarget[target, default: []].append(id) }
            }
            events.append(.admitted(id))
            if let waiting = waitingForTarget.removeValue(forKey: id) {
                for w in waiting { pendingReasons[w.id] = nil }
                queue.append(contentsOf: waiting.reversed())
            }
        }
    }

    private mutating func park(_ entry: Entry, _ reason: PendingReason, _ events: inout [LogEvent]) {
        pendingReasons[entry.id] = reason
        events.append(.pending(entry.id, reason))
    }

    private mutating func refuse(_ id: EntryID, _ reason: String, _ events: inout [LogEvent]) {
        refusedIDs[id] = reason
        events.append(.refused(id, reason))
    }

    // MARK: Views

    /// Admitted entry ids in the one deterministic display order: HLC, then author, then id.
    public func displayOrder(kinds: Set<EntryKind>? = nil) -> [EntryID] {
        admitted
            .filter { kinds?.contains($0.value.kind) ?? true }
            .map { OrderKey(timestamp: $0.value.timestamp, author: $0.value.author, id: $0.key) }
            .sorted()
            .map(\.id)
    }

    /// Updates of `id` (admitted, authorised or not), in display order.
    public func updates(of id: EntryID) -> [EntryID] { sortedByOrder(updatesByTarget[id] ?? []) }

    /// Acknowledgements of `id`, in display order.
    public func acknowledgementIDs(of id: EntryID) -> [EntryID] { sortedByOrder(acksByTarget[id] ?? []) }

    private func sortedByOrder(_ ids: [EntryID]) -> [EntryID] {
        ids.sorted { a, b in
            let x = admitted[a]!, y = admitted[b]!
            return OrderKey(timestamp: x.timestamp, author: x.author, id: a) < OrderKey(timestamp: y.timestamp, author: y.author, id: b)
        }
    }

    /// Who acknowledged `id`: per node, its first receipt and first officer confirmation (display order).
    public func acknowledgements(of id: EntryID) -> [NodeID: AcknowledgementView] {
        var result: [NodeID: AcknowledgementView] = [:]
        for ackID in acknowledgementIDs(of: id) {
            let meta = admitted[ackID]!
            var view = result[meta.author] ?? AcknowledgementView(node: meta.author, receipt: nil, officer: nil)
            let stamp = AcknowledgementView.Stamp(entry: ackID, timestamp: meta.timestamp)
            switch meta.acknowledgement {
            case .receipt?: if view.receipt == nil { view.receipt = stamp }
            case .officer?: if view.officer == nil { view.officer = stamp }
            case nil: break
            }
            result[meta.author] = view
        }
        return result
    }

    /// The current state of a document (a report, notice, incident, alert, message, comm test): its
    /// fields merged from the original and every authorised amendment, last writer wins per field by
    /// (HLC, author, id); a retraction wins over edits; with its full history and acknowledgements.
    /// Nil when `id` is not admitted or the source lacks it.
    public func document(_ id: EntryID, from source: some EntrySource) -> DocumentView? {
        guard let meta = admitted[id], let root = source.entry(id) else { return nil }
        let rootFields = (try? FieldMap(canonicalBytes: root.body))
        var winners: [String: (key: OrderKey, value: FieldValue)] = [:]
        let rootKey = OrderKey(timestamp: meta.timestamp, author: meta.author, id: id)
        for (name, value) in rootFields?.fields ?? [] { winners[name] = (rootKey, value) }
        var history: [HistoryItem] = [HistoryItem(entry: id, author: meta.author, timestamp: meta.timestamp,
                                                  change: .created(rootFields ?? FieldMap()))]
        var retraction: HistoryItem?
        for updateID in updates(of: id) {
            let u = admitted[updateID]!
            guard let update = source.entry(updateID), let body = try? UpdateBody(body: update.body) else { continue }
            guard policy.mayUpdate(u.author, entryBy: meta.author) else {
                history.append(HistoryItem(entry: updateID, author: u.author, timestamp: u.timestamp,
                                           change: .ignored("\(u.author.fingerprint) may not update an entry by \(meta.author.fingerprint)")))
                continue
            }
            let key = OrderKey(timestamp: u.timestamp, author: u.author, id: updateID)
            switch body {
            case .amend(let fields):
                for (name, value) in fields.fields where winners[name].map({ $0.key < key }) ?? true {
                    winners[name] = (key, value)
                }
                history.append(HistoryItem(entry: updateID, author: u.author, timestamp: u.timestamp, change: .amended(fields)))
            case .retract(let reason):
                let item = HistoryItem(entry: updateID, author: u.author, timestamp: u.timestamp, change: .retracted(reason))
                if retraction == nil { retraction = item }
                history.append(item)
            }
        }
        if meta.kind == .alert {
            applyCAPRelations(of: id, from: source, winners: &winners, history: &history, retraction: &retraction)
        }
        var fields = FieldMap()
        var writers: [String: EntryID] = [:]
        for (name, winner) in winners {
            fields[name] = winner.value
            writers[name] = winner.key.id
        }
        return DocumentView(id: id, kind: meta.kind, author: meta.author, created: meta.timestamp,
                            bodyIsFieldMap: rootFields != nil, fields: fields, fieldWriters: writers,
                            retraction: retraction, history: history, acknowledgements: acknowledgements(of: id))
    }
}

extension SharedLog {
    /// CAP Update and Cancel messages held for alert `id` (`CAPRelationIndex.effectiveReferrers`): the
    /// newest Update (by CAP sent, then display order) replaces the alert's fields, Vigil amendments made
    /// after it still apply; a Cancel retracts it (a Vigil retraction that comes first in display order
    /// stays the one shown). Each becomes a history step.
    func applyCAPRelations(of id: EntryID, from source: some EntrySource, winners: inout [String: (key: OrderKey, value: FieldValue)],
                           history: inout [HistoryItem], retraction: inout HistoryItem?) {
        var steps: [CAPStep] = []
        for r in capRelations.effectiveReferrers(of: id) {
            guard let m = admitted[r], let facts = capRelations.facts(of: r), let entry = source.entry(r),
                  let fields = try? FieldMap(canonicalBytes: entry.body) else { continue }
            steps.append(CAPStep(key: OrderKey(timestamp: m.timestamp, author: m.author, id: r), facts: facts, fields: fields))
        }
        guard !steps.isEmpty else { return }
        steps.sort { $0.key < $1.key }
        let updates = steps.filter { $0.facts.msgType == "Update" }.sorted {
            ($0.facts.sentMilliseconds ?? Int64.min, $0.key) < ($1.facts.sentMilliseconds ?? Int64.min, $1.key)
        }
        if let newest = updates.last {
            var replaced: [String: (key: OrderKey, value: FieldValue)] = [:]
            for (name, value) in newest.fields.fields { replaced[name] = (newest.key, value) }
            for (name, winner) in winners where winner.key > newest.key && winner.key.id != id { replaced[name] = winner }
            winners = replaced
        }
        for step in steps {
            let what = "CAP \(step.facts.msgType) \(step.facts.key.identifier) from \(step.facts.key.sender)"
            let change: HistoryItem.Change
            switch step.facts.msgType {
            case "Cancel": change = .retracted(what)
            case "Update": change = .amended(step.fields)
            default: change = .ignored("\(what) refers to this alert but is neither an Update nor a Cancel")
            }
            let item = HistoryItem(entry: step.key.id, author: step.key.author, timestamp: step.key.timestamp, change: change)
            history.append(item)
            if case .retracted = change {
                if let current = retraction, let m = admitted[current.entry],
                   OrderKey(timestamp: m.timestamp, author: m.author, id: current.entry) < step.key { continue }
                retraction = item
            }
        }
        let root = history.removeFirst()
        history.sort { OrderKey(timestamp: $0.timestamp, author: $0.author, id: $0.entry) < OrderKey(timestamp: $1.timestamp, author: $1.author, id: $1.entry) }
        history.insert(root, at: 0)
    }
}

/// One CAP message that relates to an alert: its order key, facts and body.
struct CAPStep {
    let key: OrderKey
    let facts: AlertCAPFacts
    let fields: FieldMap
}

/// The display-order key: HLC, then author, then id.
struct OrderKey: Comparable, Hashable, Sendable {
    let timestamp: HybridTimestamp
    let author: NodeID
    let id: EntryID
    static func < (a: OrderKey, b: OrderKey) -> Bool {
        if a.timestamp != b.timestamp { return a.timestamp < b.timestamp }
        if a.author != b.author { return a.author < b.author }
        return a.id < b.id
    }
}
