import Foundation
import VigilAPI
import VigilModel

/// Carries out the local API's typed requests against a node (docs/local-api.md). The Unix socket
/// server, the CLI's tests and the desk all come through here, so every write meets the same federation
/// checks as an entry from a peer. `follow` is a stream and is served by the transport (`Node.follow`).
public struct LocalAPIHandler: Sendable {
    let node: Node

    /// A handler for `node`.
    public init(node: Node) { self.node = node }

    /// The answer line for a request line (decoding failures and refusals included, as failure lines).
    public func answer(_ request: APIRequest) async -> [UInt8] {
        do {
            switch request {
            case .status:
                return APICodec.encodeAnswer(StatusAnswer(status: await node.status()))
            case .compose(let r):
                return APICodec.encodeAnswer(PostedAnswer(id: try await compose(r)))
            case .post(let r):
                return APICodec.encodeAnswer(PostedAnswer(id: try await post(r)))
            case .ack(let r):
                return APICodec.encodeAnswer(PostedAnswer(id: try await node.confirm(r.id, officer: r.officer)))
            case .get(let r):
                guard let entry = node.heldEntry(r.id), !node.withdrawnIDs().contains(r.id) else {
                    throw APIFailure(.notFound, "no entry \(r.id.hex) on this node")
                }
                return APICodec.encodeAnswer(GetAnswer(entry: EntryJSON(entry), canonical: Data(entry.canonicalBytes).base64EncodedString()))
            case .show(let r):
                return APICodec.encodeAnswer(ShowAnswer(entry: try await node.show(r.id)))
            case .entries(let r):
                return APICodec.encodeAnswer(EntriesAnswer(entries: try await node.list(r)))
            case .resolve(let r):
                let prefix = r.prefix.lowercased()
                guard prefix.count >= 8, prefix.count <= 64, prefix.allSatisfy(\.isHexDigit) else {
                    throw APIFailure(.badRequest, "resolve needs \"prefix\": at least 8 hex digits of an entry id")
                }
                return APICodec.encodeAnswer(IDsAnswer(ids: node.ids(withPrefix: prefix)))
            case .list(let r):
                let from = max(0, r.from ?? 0)
                let limit = max(1, min(r.limit ?? 1000, 10_000))
                let ids = node.storedIDs(from: from, limit: limit)
                return APICodec.encodeAnswer(ListAnswer(ids: ids, next: from + ids.count))
            case .follow:
                throw APIFailure(.badRequest, "follow is a stream: send it on a connection of its own")
            case .commTestResults(let r):
                return APICodec.encodeAnswer(CommTestAnswer(test: try await node.commTestResults(r.id)))
            case .incidents(let r):
                return APICodec.encodeAnswer(IncidentsAnswer(incidents: try await node.incidents(limit: r.limit)))
            case .roster:
                return APICodec.encodeAnswer(RosterAnswer(members: await node.rosterView()))
            case .metrics:
                return APICodec.encodeAnswer(MetricsAnswer(metrics: PrometheusTextfile.render(await node.metrics())))
            case .wait(let r):
                let timeout = min(max(r.timeoutMs ?? 10_000, 0), 600_000)
                let missing = await node.waitFor(Set(r.ids), timeout: .milliseconds(timeout))
                return APICodec.encodeAnswer(WaitAnswer(missing: missing.sorted()))
            case .bundleExport(let r):
                return APICodec.encodeAnswer(try await node.exportBundle(r))
            case .bundleImport(let r):
                return APICodec.encodeAnswer(try await node.importBundle(path: r.path))
            case .bundleKey:
                return APICodec.encodeAnswer(BundleKeyAnswer(id: try await node.announceEncryptionKey()))
            }
        } catch let failure as APIFailure {
            return APICodec.encodeFailure(failure)
        } catch {
            return APICodec.encodeFailure(APIFailure(.unavailable, "\(error)"))
        }
    }

    /// `compose` carried out on the loop thread without leaving it: converted, checked, signed and handed to
    /// the core there; `answer` is called on the loop thread with the answer line once the entry is
    /// durable (or refused). Only an update or an assessment, which read their target from the store, is
    /// passed to a task.
    func composeOnLoop(_ r: ComposeRequest, answer: @escaping @Sendable ([UInt8]) -> Void) {
        node.loop.assertOnLoop()
        let kind = EntryKind(name: r.kind)
        guard let kind, kind != .update, kind != .acknowledgement, kind != .roster, kind != .assessment else {
            let handler = self
            Task {
                let line = await handler.answer(.compose(r))
                handler.node.runOnLoop { _ in answer(line) }
            }
            return
        }
        do throws(APIFailure) {
            var audience: Audience?
            if let spec = r.audience { audience = try Node.audience(spec, roster: node.currentRoster) }
            let fields: FieldMap
            do { fields = try KindSchemas.canonicalFields(fromJSONValue: try Self.attributed(r), kind: kind) } catch {
                throw APIFailure(Refusal(error, context: kind.name))
            }
            let draft = try node.prepare(kind: kind, fields: fields, audience: audience, refs: r.refs)
            node.postOnLoop(kind: kind, audience: draft.audience, refs: r.refs, body: draft.body, fields: fields) { result in
                switch result {
                case .success(let id): answer(APICodec.encodeAnswer(PostedAnswer(id: id)))
                case .failure(let refusal as Refusal): answer(APICodec.encodeFailure(APIFailure(refusal)))
                case .failure(let error): answer(APICodec.encodeFailure(APIFailure(.unavailable, "the entry could not be stored: \(error)")))
                }
            }
        } catch {
            answer(APICodec.encodeFailure(error))
        }
    }

    /// The fields of a post with the desk officer who wrote it (`officer`, docs/kinds.md): set from the
    /// request, which the desk fills from its session; a body that names an officer itself is refused
    /// when the request names another.
    static func attributed(_ r: ComposeRequest) throws(KindValidationError) -> JSONValue {
        guard let officer = r.officer, case .object(var members) = r.fields else { return r.fields }
        if let given = members["officer"], given != .string(officer) {
            throw KindValidationError(field: "officer", reason: "the body names another officer than the one posting (\(officer)); leave it out, the node sets it")
        }
        members["officer"] = .string(officer)
        return .object(members)
    }

    /// `post`: an entry this node signed, as canonical bytes.
    func post(_ r: PostRequest) async throws(APIFailure) -> EntryID {
        guard let data = Data(base64Encoded: r.entry) else {
            throw APIFailure(.badRequest, "post needs \"entry\": the canonical entry bytes in base64")
        }
        let entry: Entry
        do { entry = try EntryValidator.decodeAndValidate(Array(data)) } catch { throw APIFailure(error) }
        guard entry.author == node.key else {
            throw APIFailure(Refusal(.notOwnEntry, "this node posts only entries it authored (author is \(entry.author.fingerprint), this node is \(node.key.fingerprint))"))
        }
        do { return try await node.post(entry) } catch let refusal as Refusal { throw APIFailure(refusal) } catch {
            throw APIFailure(.unavailable, "the entry could not be stored: \(error)")
        }
    }

    /// `compose`: the body decoded and validated once, from its human JSON form, then signed and posted.
    func compose(_ r: ComposeRequest) async throws(APIFailure) -> EntryID {
        guard let kind = EntryKind(name: r.kind) else {
            throw APIFailure(.badRequest, "compose: \"kind\" must be one of \(EntryKind.allCases.map(\.name).joined(separator: ", "))")
        }
        var audience: Audience?
        if let spec = r.audience { audience = try await node.audience(spec) }
        let fields: FieldMap
        switch kind {
        case .acknowledgement:
            throw APIFailure(.badRequest, "use the \"ack\" op to acknowledge an entry")
        case .update:
            guard let target = r.refs.first, let entry = node.heldEntry(target) else {
                throw APIFailure(.notFound, "an update needs \"refs\": [the id of the entry it amends or retracts], held by this node")
            }
            if let given = r.fields["officer"], given != r.officer.map(JSONValue.string) {
                throw APIFailure(Refusal(KindValidationError(field: "officer", reason: r.officer.map {
                    "the body names another officer than the one amending (\($0)); leave it out, the node sets it"
                } ?? "an update names an officer only when made at the desk; leave it out"), context: "update"))
            }
            if let reason = r.fields["retract"]?.stringValue {
                fields = UpdateBody.retract(reason: reason).fieldMap(officer: r.officer)
            } else if case .object(let amend)? = r.fields["amend"], !amend.isEmpty {
                fields = UpdateBody.amend(try Self.canonicalAmendment(amend, of: entry)).fieldMap(officer: r.officer)
            } else {
                throw APIFailure(.badRequest, "an update's fields are {\"amend\": {field: value, …}} or {\"retract\": \"reason\"}")
            }
            if audience == nil { audience = entry.audience }
        case .roster:
            fields = try Self.rosterChange(r.fields).fieldMap
            if audience == nil { audience = .federation }
        default:
            // Converted here, validated once by the core's federation rules (with the entry's time).
            do { fields = try KindSchemas.canonicalFields(fromJSONValue: try Self.attributed(r), kind: kind) } catch {
                throw APIFailure(Refusal(error, context: kind.name))
            }
        }
        return try await node.compose(kind: kind, fields: fields, audience: audience, refs: r.refs)
    }

    /// The canonical values of an amendment written in the target kind's human JSON form: overlaid on
    /// the target's fields, converted and validated as a whole, then only the amended names kept.
    static func canonicalAmendment(_ amend: [String: JSONValue], of entry: Entry) throws(APIFailure) -> FieldMap {
        guard let current = try? FieldMap(canonicalBytes: entry.body),
              case .object(var merged) = KindSchemas.humanValue(entry.kind, current) else {
            throw APIFailure(.invalid, "\(entry.id.hex) has no fields to amend")
        }
        for (k, v) in amend { merged[k] = v }
        let full: FieldMap
        do { full = try KindSchemas.fields(fromJSONValue: .object(merged), kind: entry.kind) } catch {
            throw APIFailure(Refusal(error, context: "amendment of a \(entry.kind)"))
        }
        var out = FieldMap()
        for name in amend.keys.sorted() { out[name] = full[name] }
        return out
    }

    /// A roster change from its JSON form: `{"op": "add"|"revoke"|"rotate", "node": hex, …}`. A value
    /// that is missing or malformed is refused with the field it concerns (the desk shows the reason
    /// next to that field).
    static func rosterChange(_ o: JSONValue) throws(APIFailure) -> RosterChange {
        func missing(_ field: String, _ sentence: String) -> APIFailure {
            APIFailure(.badRequest, sentence, refusal: Refusal(.roster, sentence, field: field))
        }
        guard let hex = o["node"]?.stringValue, let node = NodeID(hex: hex) else {
            throw missing("node", "roster: \"node\" must be the member's node id (64 hex digits; `vigil id --dir DIR` prints it)")
        }
        switch o["op"]?.stringValue {
        case "add":
            for field in ["name", "organisation", "role"] where (o[field]?.stringValue ?? "").isEmpty {
                throw missing(field, "roster add needs \"name\", \"organisation\" and \"role\"; \"\(field)\" is missing")
            }
            let name = o["name"]?.stringValue ?? "", organisation = o["organisation"]?.stringValue ?? "", role = o["role"]?.stringValue ?? ""
            var addresses: [String] = []
            if case .array(let list)? = o["addresses"] {
                for (index, item) in list.enumerated() {
                    guard let text = item.stringValue else { throw missing("addresses[\(index)]", "roster add: \"addresses\" must be strings HOST:PORT") }
                    addresses.append(text)
                }
            }
            var map = RosterChange.add(node: node, name: name, organisation: organisation, role: role, addresses: addresses).fieldMap
            map["op"] = .text("add")
            do { return try RosterChange(fields: map) } catch {
                throw APIFailure(Refusal(.roster, "roster add: \(error.message)", field: error.field))
            }
        case "revoke":
            guard let reason = o["reason"]?.stringValue, !reason.isEmpty else { throw missing("reason", "roster revoke needs a \"reason\"") }
            return .revoke(node: node, reason: reason)
        case "rotate":
            guard let hex = o["key"]?.stringValue, let key = NodeID(hex: hex) else {
                throw missing("key", "roster rotate needs \"key\": the new public key (64 hex digits)")
            }
            guard key != node else { throw missing("key", "roster rotate: the new key is the member's identity; a rotation needs a fresh key") }
            return .rotate(node: node, newKey: key)
        default:
            throw missing("op", "roster: \"op\" is add, revoke or rotate")
        }
    }
}
