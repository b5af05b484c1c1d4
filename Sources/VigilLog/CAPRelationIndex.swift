import VigilModel

/// CAP `<references>` as relations between held alert entries. Pure: a function of the alert entries
/// inserted, never of their order, so every node holding the same alerts derives the same relations.
///
/// An alert entry holding a CAP message (`AlertCAPFacts`) is indexed by its key (sender, identifier,
/// sent). A message whose `<references>` name a key links to every held alert with that key; a reference
/// to a key not held yet waits and is linked when an alert with that key is inserted. A link counts
/// (`effective`) only when both messages have the same CAP sender: only the originator of an alert
/// updates or cancels it, as CAP intends. Links are transitive: a Cancel naming an Update of an alert
/// also cancels the alert.
public struct CAPRelationIndex: Sendable {
    private var facts: [EntryID: AlertCAPFacts] = [:]
    private var byKey: [CAPMessageKey: [EntryID]] = [:]
    private var waiting: [CAPMessageKey: [EntryID]] = [:]
    private var targetsOf: [EntryID: Set<EntryID>] = [:]
    private var referrersOf: [EntryID: Set<EntryID>] = [:]

    /// An empty index.
    public init() {}

    /// The CAP facts of an indexed entry.
    public func facts(of id: EntryID) -> AlertCAPFacts? { facts[id] }

    /// Indexes an alert entry holding a CAP message. Returns the direct links made (referrer → target),
    /// both those from its own references and those from held entries that were waiting for its key.
    @discardableResult
    public mutating func insert(_ id: EntryID, facts f: AlertCAPFacts) -> [(referrer: EntryID, target: EntryID)] {
        guard facts[id] == nil else { return [] }
        facts[id] = f
        byKey[f.key, default: []].append(id)
        var links: [(EntryID, EntryID)] = []
        for key in Set(f.references) {
            let held = byKey[key] ?? []
            if held.isEmpty { waiting[key, default: []].append(id) }
            for target in held where target != id { links.append((id, target)) }
        }
        for referrer in waiting[f.key] ?? [] where referrer != id { links.append((referrer, id)) }
        for (r, t) in links {
            targetsOf[r, default: []].insert(t)
            referrersOf[t, default: []].insert(r)
        }
        return links
    }

    /// The references of `id` that name no held alert (yet), sorted.
    public func unresolved(of id: EntryID) -> [CAPMessageKey] {
        guard let f = facts[id] else { return [] }
        return Set(f.references).filter { (byKey[$0] ?? []).isEmpty }.sorted()
    }

    /// The held alerts `id` refers to directly, sorted.
    public func targets(of id: EntryID) -> [EntryID] { (targetsOf[id] ?? []).sorted() }

    /// Every held entry that refers to `id`, directly or through others, sorted (any sender).
    public func allReferrers(of id: EntryID) -> [EntryID] { closure(from: id, next: referrersOf, sameSender: false) }

    /// Every held entry `id` refers to, directly or through others, sorted (any sender).
    public func allTargets(of id: EntryID) -> [EntryID] { closure(from: id, next: targetsOf, sameSender: false) }

    /// The referrers that count for `id`: reached through links between messages of the same CAP sender.
    public func effectiveReferrers(of id: EntryID) -> [EntryID] { closure(from: id, next: referrersOf, sameSender: true) }

    private func closure(from id: EntryID, next: [EntryID: Set<EntryID>], sameSender: Bool) -> [EntryID] {
        var seen: Set<EntryID> = [id]
        var queue = [id]
        while let current = queue.popLast() {
            for n in next[current] ?? [] where !seen.contains(n) {
                if sameSender, facts[n]?.key.sender != facts[current]?.key.sender { continue }
                seen.insert(n)
                queue.append(n)
            }
        }
        seen.remove(id)
        return seen.sorted()
    }
}
