import Dispatch
import Foundation
import Synchronization
import VigilModel

/// The local API's operations beyond the basic ones (docs/local-api.md).
extension LocalAPIServer {
    func operate(_ op: String, _ object: [String: Any]) throws -> [String: Any] {
        let node = self.node
        switch op {
        case "compose":
            let request = UncheckedBox(object)
            let id = try run { try await self.compose(request.value) }
            return ["ok": true, "id": id.hex]
        case "ack":
            let target = try Self.id(object["id"], "ack")
            let id = try run { try await node.confirm(target) }
            return ["ok": true, "id": id.hex]
        case "show":
            let target = try Self.id(object["id"], "show")
            return ["ok": true, "entry": try run { try await node.show(target) }]
        case "entries":
            let filter = try Self.filter(object)
            return ["ok": true, "entries": try run { try await node.list(filter) }]
        case "commtest-results":
            let target = try object["id"].map { try Self.id($0, "commtest-results") }
            return ["ok": true, "test": try run { try await node.commTestResults(target) }]
        case "resolve":
            guard let prefix = (object["prefix"] as? String)?.lowercased(), prefix.count >= 8, prefix.allSatisfy(\.isHexDigit) else {
                throw ConfigurationError("resolve needs \"prefix\": at least 8 hex digits of an entry id")
            }
            return ["ok": true, "ids": node.ids(withPrefix: prefix).map(\.hex)]
        case "roster":
            return ["ok": true, "members": run { await node.rosterObject() }]
        default:
            let snapshot = run { await node.metrics() }
            return ["ok": true, "metrics": PrometheusTextfile.render(snapshot)]
        }
    }

    /// `compose`: a new entry from a kind, human JSON fields, an optional audience and refs.
    func compose(_ object: [String: Any]) async throws -> EntryID {
        guard let kindName = object["kind"] as? String, let kind = EntryKind(name: kindName) else {
            throw ConfigurationError("compose needs \"kind\": one of \(EntryKind.allCases.map(\.name).joined(separator: ", "))")
        }
        guard let fieldsObject = object["fields"] as? [String: Any] else { throw ConfigurationError("compose needs \"fields\": a JSON object") }
        let refs = try (object["refs"] as? [Any] ?? []).map { try Self.id($0, "compose refs") }
        var audience: Audience?
        if let a = object["audience"] as? [String: Any] {
            audience = try await node.audience(tlp: a["tlp"] as? String ?? "", roles: a["roles"] as? [String] ?? [],
                                               organisations: a["organisations"] as? [String] ?? [], nodes: a["nodes"] as? [String] ?? [])
        }
        let fields: FieldMap
        switch kind {
        case .acknowledgement:
            throw ConfigurationError("use the \"ack\" op to acknowledge an entry")
        case .update:
            guard let target = refs.first, let entry = try node.entry(target) else {
                throw ConfigurationError("an update needs \"refs\": [the id of the entry it amends or retracts], held by this node")
            }
            if let reason = fieldsObject["retract"] as? String {
                fields = UpdateBody.retract(reason: reason).fieldMap
            } else if let amend = fieldsObject["amend"] as? [String: Any], !amend.isEmpty {
                fields = UpdateBody.amend(try Self.canonicalAmendment(amend, of: entry)).fieldMap
            } else {
                throw ConfigurationError("an update's fields are {\"amend\": {field: value, …}} or {\"retract\": \"reason\"}")
            }
            if audience == nil { audience = entry.audience }
        case .roster:
            fields = try Self.rosterChange(fieldsObject).fieldMap
            if audience == nil { audience = .federation }
        default:
            let data = try JSONSerialization.data(withJSONObject: fieldsObject)
            do { fields = try KindSchemas.fields(fromJSON: data, kind: kind) } catch { throw ConfigurationError("\(kind): \(error)") }
        }
        return try await node.compose(kind: kind, fields: fields, audience: audience, refs: refs)
    }

    /// The canonical values of an amendment written in the target kind's human JSON form: overlaid on
    /// the target's fields, converted and validated as a whole, then only the amended names kept.
    static func canonicalAmendment(_ amend: [String: Any], of entry: Entry) throws -> FieldMap {
        let current = try FieldMap(canonicalBytes: entry.body)
        var merged = KindSchemas.humanJSONObject(entry.kind, current) as? [String: Any] ?? [:]
        for (k, v) in amend { merged[k] = v }
        let full: FieldMap
        do {
            full = try KindSchemas.fields(fromJSON: JSONSerialization.data(withJSONObject: merged), kind: entry.kind)
        } catch {
            throw ConfigurationError("amendment of a \(entry.kind): \(error)")
        }
        var out = FieldMap()
        for name in amend.keys.sorted() { out[name] = full[name] }
        return out
    }

    static func rosterChange(_ o: [String: Any]) throws -> RosterChange {
        guard let hex = o["node"] as? String, let node = NodeID(hex: hex) else {
            throw ConfigurationError("roster: \"node\" must be the member's node id (64 hex digits; `vigil id --dir DIR` prints it)")
        }
        switch o["op"] as? String {
        case "add":
            guard let name = o["name"] as? String, let organisation = o["organisation"] as? String, let role = o["role"] as? String else {
                throw ConfigurationError("roster add needs \"name\", \"organisation\" and \"role\"")
            }
            var map = RosterChange.add(node: node, name: name, organisation: organisation, role: role, addresses: o["addresses"] as? [String] ?? []).fieldMap
            map["op"] = .text("add")
            do { return try RosterChange(fields: map) } catch { throw ConfigurationError("roster add: \(error.message)") }
        case "revoke":
            guard let reason = o["reason"] as? String, !reason.isEmpty else { throw ConfigurationError("roster revoke needs a \"reason\"") }
            return .revoke(node: node, reason: reason)
        case "rotate":
            guard let hex = o["key"] as? String, let key = NodeID(hex: hex) else {
                throw ConfigurationError("roster rotate needs \"key\": the new public key (64 hex digits)")
            }
            return .rotate(node: node, newKey: key)
        default:
            throw ConfigurationError("roster: \"op\" is add, revoke or rotate")
        }
    }

    static func id(_ value: Any?, _ op: String) throws -> EntryID {
        guard let hex = value as? String, let id = EntryID(hex: hex) else {
            throw ConfigurationError("\(op) needs an entry id: 64 hex digits (see `vigil list`)")
        }
        return id
    }

    static func filter(_ o: [String: Any]) throws -> EntryFilter {
        var f = EntryFilter()
        if let kinds = o["kinds"] as? [String] {
            f.kinds = Set(try kinds.map { name in
                guard let kind = EntryKind(name: name) else {
                    throw ConfigurationError("\"\(name)\" is not a kind; kinds: \(EntryKind.allCases.map(\.name).joined(separator: ", "))")
                }
                return kind
            })
        }
        if let tlp = o["tlp"] as? String {
            guard let label = TLPLabel(name: tlp) else { throw ConfigurationError("\"\(tlp)\" is not a TLP label (clear, green, amber, amber+strict, red)") }
            f.tlp = label
        }
        f.author = o["author"] as? String
        f.organisation = o["organisation"] as? String
        f.since = (o["since_ms"] as? NSNumber)?.uint64Value
        f.until = (o["until_ms"] as? NSNumber)?.uint64Value
        f.text = o["text"] as? String
        if let limit = o["limit"] as? Int { f.limit = max(1, min(limit, 10_000)) }
        return f
    }

    // MARK: follow

    /// `follow`: one JSON line per entry as it is held, until the client goes away. Backlog first when
    /// `"last": N` asks for the N newest.
    func follow(_ client: Int32, _ request: [String: Any]) {
        let node = self.node
        let queue = Mutex<[Entry]>([])
        let ready = DispatchSemaphore(value: 0)
        let token = run { await node.follow { entries in
            queue.withLock { $0 += entries }
            ready.signal()
        } }
        defer { node.unfollow(token) }
        let roster = run { await node.roster() }
        func send(_ object: [String: Any]) -> Bool {
            guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return true }
            data.append(0x0a)
            return data.withUnsafeBytes { write(client, $0.baseAddress, $0.count) } == data.count
        }
        if let last = request["last"] as? Int, last > 0 {
            var f = EntryFilter()
            f.limit = min(last, 1000)
            let filter = f
            let backlog = (try? run { try await node.list(filter) }) ?? []
            for object in backlog.reversed() where !send(["ok": true, "entry": object]) { return }
        }
        guard send(["ok": true, "following": true]) else { return }
        var probe = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
        while true {
            let signalled = ready.wait(timeout: .now() + .seconds(1)) == .success
            if !signalled {
                // Has the client gone? (A readable socket with nothing to read is closed.)
                probe.revents = 0
                if poll(&probe, 1, 0) > 0 {
                    var byte: UInt8 = 0
                    if recv(client, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) <= 0 { return }
                }
                continue
            }
            let batch = queue.withLock { list -> [Entry] in defer { list = [] }; return list }
            for entry in batch where !send(["ok": true, "entry": node.summary(entry, roster: roster)]) { return }
        }
    }

    /// Runs async node work from this (blocking) API thread and waits for it. JSON values are not
    /// `Sendable`; they cross exactly once, from the finished task to this waiting thread.
    func run<T>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = UncheckedBox<Result<T, Error>?>(nil)
        Task {
            do { box.value = .success(try await body()) } catch { box.value = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.value!.get()
    }

    func run<T>(_ body: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = UncheckedBox<T?>(nil)
        Task {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value!
    }
}

/// A value handed between a task and a thread that waits on a semaphore for it (the semaphore orders
/// the accesses).
final class UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
