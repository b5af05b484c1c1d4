import Foundation
import VigilLog
import VigilModel

/// A request for entries, as `vigil list` and the local API's `list` take it. Every set filter must
/// match.
public struct EntryFilter: Sendable {
    /// Only these kinds.
    public var kinds: Set<EntryKind>?
    /// Only this TLP label.
    public var tlp: TLPLabel?
    /// Only entries by this member (name or node id hex).
    public var author: String?
    /// Only entries by members of this organisation.
    public var organisation: String?
    /// Only entries whose HLC time is at or after this (ms since the epoch).
    public var since: UInt64?
    /// Only entries whose HLC time is before this.
    public var until: UInt64?
    /// Only entries whose body contains this text (case-insensitive).
    public var text: String?
    /// At most this many, newest first.
    public var limit = 50
    /// No filter.
    public init() {}
}

/// What `vigil post`, `show`, `list`, `ack`, `commtest` and `roster` need from a running node. Each
/// runs against the node's own held entries: everything here is something this node may read.
extension Node {
    /// Signs and posts an entry of `kind` with a canonical body, after checking the body against its
    /// kind's schema. `audience` nil means the kind's default. Returns once durable.
    public func compose(kind: EntryKind, fields: FieldMap, audience: Audience?, refs: [EntryID]) async throws -> EntryID {
        let body: [UInt8]
        do { body = try fields.encoded() } catch { throw ConfigurationError("body: \(error)") }
        if kind == .update {
            guard let target = refs.first, let entry = try self.entry(target) else {
                throw ConfigurationError("an update needs the entry it amends as its first ref, held by this node")
            }
            if case .amend(let amend)? = try? UpdateBody(body: body), let current = try? FieldMap(canonicalBytes: entry.body) {
                do { try KindSchemas.validateAmendment(entry.kind, current: current, amend: amend) } catch {
                    throw ConfigurationError("amendment of a \(entry.kind): \(error)")
                }
            }
        }
        let chosen = audience ?? KindSchemas.defaultAudience(kind, fields: fields)
        return try await post(kind: kind, audience: chosen, refs: refs, body: body)
    }

    /// Posts a duty officer's confirmation of `id` (an `ack` with `{"by": "officer"}`, the target's audience).
    public func confirm(_ id: EntryID) async throws -> EntryID {
        guard let target = try entry(id) else { throw ConfigurationError("no entry \(id.hex) on this node; check the id with `vigil list`") }
        let audience = await onLoop { node in node.acknowledgementAudience(target) }
        return try await post(kind: .acknowledgement, audience: audience, refs: [id], body: AcknowledgementBody.officer.encoded())
    }

    /// Parses an audience given by a person: TLP label, roles, organisations, nodes by name or id.
    public func audience(tlp: String, roles: [String], organisations: [String], nodes: [String]) async throws -> Audience {
        guard let label = TLPLabel(name: tlp) else {
            throw ConfigurationError("\"\(tlp)\" is not a TLP 2.0 label; use clear, green, amber, amber+strict or red")
        }
        for role in roles where Role(rawValue: role) == nil {
            throw ConfigurationError("\"\(role)\" is not a known role (\(Role.knownNames))")
        }
        let roster = await self.roster()
        var ids: [NodeID] = []
        for name in nodes {
            if let member = roster.member(named: name) { ids.append(member.identity); continue }
            if let id = NodeID(hex: name), roster.member(ofKey: id) != nil { ids.append(roster.identity(ofKey: id)!); continue }
            throw ConfigurationError("\"\(name)\" is not a member's name or node id; `vigil roster --dir DIR` lists them")
        }
        if label == .red && ids.isEmpty { throw ConfigurationError("TLP:RED needs the nodes that may read it (--to NAME)") }
        if label == .amberStrict && organisations.isEmpty { throw ConfigurationError("TLP:AMBER+STRICT needs the organisations that may read it (--org NAME)") }
        if label == .amber && roles.isEmpty && organisations.isEmpty && ids.isEmpty {
            throw ConfigurationError("TLP:AMBER needs recipients: --role, --org or --to")
        }
        return Audience(tlp: label, roles: roles, organisations: organisations, nodes: ids)
    }

    /// Newest first, the held entries that match `filter`, as JSON objects.
    public func list(_ filter: EntryFilter) async throws -> [[String: Any]] {
        let roster = await self.roster()
        var authorKeys: Set<NodeID>?
        if let author = filter.author {
            guard let member = roster.member(named: author) ?? NodeID(hex: author).flatMap({ roster.member(ofKey: $0) }) else {
                throw ConfigurationError("author \"\(author)\" is not a member's name or node id")
            }
            authorKeys = [member.identity, member.key]
        }
        let needle = filter.text?.lowercased()
        var out: [[String: Any]] = []
        var position = store.count
        while position > 0 && out.count < filter.limit {
            let start = max(0, position - 512)
            let ids = storedIDs(from: start, limit: position - start)
            position = start
            for id in ids.reversed() {
                guard out.count < filter.limit, let entry = try self.entry(id) else { continue }
                if let kinds = filter.kinds, !kinds.contains(entry.kind) { continue }
                if let tlp = filter.tlp, entry.audience.tlp != tlp { continue }
                if let authorKeys, !authorKeys.contains(entry.author) { continue }
                let member = roster.member(ofKey: entry.author)
                if let org = filter.organisation, member?.organisation != org { continue }
                if let since = filter.since, entry.timestamp.milliseconds < since { continue }
                if let until = filter.until, entry.timestamp.milliseconds >= until { continue }
                let object = summary(entry, roster: roster)
                if let needle {
                    let body = (try? JSONSerialization.data(withJSONObject: object["fields"] ?? [:])).map { String(decoding: $0, as: UTF8.self) } ?? ""
                    guard body.lowercased().contains(needle) || (object["summary"] as? String ?? "").lowercased().contains(needle) else { continue }
                }
                out.append(object)
            }
        }
        return out
    }

    /// The held entries whose id starts with `prefix` (lowercase hex), at most `limit`, newest first.
    /// Reads only the store's in-memory index, never an entry.
    public func ids(withPrefix prefix: String, limit: Int = 2) -> [EntryID] {
        var out: [EntryID] = []
        var position = store.count
        while position > 0 && out.count < limit {
            let start = max(0, position - 4096)
            for id in storedIDs(from: start, limit: position - start).reversed() where id.hex.hasPrefix(prefix) {
                out.append(id)
                if out.count == limit { break }
            }
            position = start
        }
        return out
    }

    /// One entry as a JSON object: id, kind, time, author name and organisation, audience, refs,
    /// the body in its kind's human JSON form, and a one-line summary.
    public func summary(_ entry: Entry, roster: Roster) -> [String: Any] {
        let member = roster.member(ofKey: entry.author)
        let fields = (try? FieldMap(canonicalBytes: entry.body)) ?? FieldMap()
        var object: [String: Any] = [
            "id": entry.id.hex, "kind": entry.kind.name, "time": EntryJSON.iso8601(milliseconds: entry.timestamp.milliseconds),
            "time_ms": Int(entry.timestamp.milliseconds),
            "hlc": entry.timestamp.description, "author": member?.name ?? entry.author.fingerprint,
            "organisation": member?.organisation ?? "", "refs": entry.refs.map(\.hex),
            "audience": Self.audienceObject(entry.audience, roster: roster),
        ]
        switch entry.kind {
        case .update, .acknowledgement, .roster:
            object["fields"] = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(fields))) ?? [:]
            object["summary"] = Self.referenceSummary(entry, fields: fields, roster: roster)
        default:
            object["fields"] = KindSchemas.humanJSONObject(entry.kind, fields)
            object["summary"] = KindSchemas.summary(entry.kind, fields)
        }
        return object
    }

    static func audienceObject(_ audience: Audience, roster: Roster) -> [String: Any] {
        ["tlp": audience.tlp.name, "roles": audience.roles, "organisations": audience.organisations,
         "nodes": audience.nodes.map { roster.member(ofKey: $0)?.name ?? $0.hex }]
    }

    static func referenceSummary(_ entry: Entry, fields: FieldMap, roster: Roster) -> String {
        let target = entry.refs.first.map { String($0.hex.prefix(12)) } ?? "?"
        switch entry.kind {
        case .acknowledgement:
            let by = (try? AcknowledgementBody(body: entry.body)) == .officer ? "confirmed by the duty officer" : "received (automatic)"
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
    public func show(_ id: EntryID) async throws -> [String: Any] {
        guard let entry = try self.entry(id) else { throw ConfigurationError("no entry \(id.hex) on this node; check the id with `vigil list`") }
        let roster = await self.roster()
        let related = try await referrers(of: id).compactMap { try self.entry($0) }
        var log = SharedLog(policy: RosterPolicy(roster: roster))
        _ = log.insert(entry)
        for e in related { _ = log.insert(e) }
        var object = summary(entry, roster: roster)
        if let view = log.document(id, from: MemoryEntrySource([entry] + related)) {
            object["current"] = view.bodyIsFieldMap ? KindSchemas.humanJSONObject(entry.kind, view.fields) : [:]
            object["retracted"] = view.retraction.map { item -> [String: Any] in
                var r: [String: Any] = ["by": roster.member(ofKey: item.author)?.name ?? item.author.fingerprint,
                                        "time": EntryJSON.iso8601(milliseconds: item.timestamp.milliseconds)]
                if case .retracted(let reason) = item.change { r["reason"] = reason }
                return r
            } ?? NSNull()
            object["history"] = view.history.map { item -> [String: Any] in
                var h: [String: Any] = ["entry": item.entry.hex, "by": roster.member(ofKey: item.author)?.name ?? item.author.fingerprint,
                                        "time": EntryJSON.iso8601(milliseconds: item.timestamp.milliseconds),
                                        "time_ms": Int(item.timestamp.milliseconds)]
                switch item.change {
                case .created: h["change"] = "created"
                case .amended(let fields): h["change"] = "amended"; h["fields"] = fields.names
                case .retracted(let reason): h["change"] = "retracted"; h["reason"] = reason
                case .ignored(let reason): h["change"] = "ignored"; h["reason"] = reason
                }
                return h
            }
            object["acknowledgements"] = view.acknowledgements.values.sorted { $0.node < $1.node }.map { ack -> [String: Any] in
                ["member": roster.member(ofKey: ack.node)?.name ?? ack.node.fingerprint,
                 "received": ack.receipt.map { EntryJSON.iso8601(milliseconds: $0.timestamp.milliseconds) } ?? NSNull(),
                 "confirmed": ack.officer.map { EntryJSON.iso8601(milliseconds: $0.timestamp.milliseconds) } ?? NSNull()]
            }
        }
        if entry.kind == .commTest {
            object["results"] = try commTestResults(entry, acks: related, roster: roster)
        }
        return object
    }

    /// Results of the communication test `id` (or the newest one held).
    public func commTestResults(_ id: EntryID?) async throws -> [String: Any] {
        let roster = await self.roster()
        let test: Entry
        if let id {
            guard let found = try entry(id), found.kind == .commTest else { throw ConfigurationError("\(id.hex) is not a communication test held by this node") }
            test = found
        } else {
            var filter = EntryFilter()
            filter.kinds = [.commTest]
            filter.limit = 1
            guard let newest = try await list(filter).first?["id"] as? String, let found = try entry(EntryID(hex: newest)!) else {
                throw ConfigurationError("no communication test on this node yet; start one with `vigil commtest start`")
            }
            test = found
        }
        let acks = try await referrers(of: test.id).compactMap { try self.entry($0) }
        var object = summary(test, roster: roster)
        object["results"] = try commTestResults(test, acks: acks, roster: roster)
        return object
    }

    private func commTestResults(_ test: Entry, acks: [Entry], roster: Roster) throws -> [[String: Any]] {
        let fields = try FieldMap(canonicalBytes: test.body)
        let body = try CommTestBody(fields: fields)
        return CommTestResults.compute(test: test, body: body, acks: acks, roster: roster).map { r in
            [
                "member": r.name,
                "status": r.isSilent ? "silent" : (r.confirmedAt != nil ? "confirmed" : "received"),
                "received": r.receivedAt.map { EntryJSON.iso8601(milliseconds: $0.milliseconds) } ?? NSNull(),
                "automatic_delay_ms": r.automaticDelay.map { Int($0) as Any } ?? NSNull(),
                "confirmed": r.confirmedAt.map { EntryJSON.iso8601(milliseconds: $0.milliseconds) } ?? NSNull(),
                "officer_delay_ms": r.officerDelay.map { Int($0) as Any } ?? NSNull(),
                "late": r.late,
            ]
        }
    }

    /// The roster as JSON: every member with its status.
    public func rosterObject() async -> [[String: Any]] {
        let roster = await self.roster()
        return roster.allMembers.map { m in
            ["name": m.name, "organisation": m.organisation, "role": m.role, "identity": m.identity.hex, "key": m.key.hex,
             "addresses": m.addresses, "status": m.isActive ? "active" : "revoked",
             "revoked": m.revokedAt.map { EntryJSON.iso8601(milliseconds: $0.milliseconds) } ?? NSNull(),
             "reason": m.revocationReason ?? NSNull(), "authority": m.identity == roster.authority]
        }
    }
}
