import VigilModel

/// The local API's lines on the post path, read and written byte by byte (`JSONFastReader`,
/// `JSONFastWriter`) instead of through Foundation's `JSONDecoder`/`JSONEncoder`, which cost more than the
/// rest of a post: the `compose` request, the posted answer and the `follow` line. The wire is the same
/// (docs/local-api.md): every function here answers exactly what the `Codable` path answers, or nil when
/// the line is not one it reads or writes (a body with a decimal number, an audience, a malformed line…),
/// and `APICodec` then takes the `Codable` path, which also words every error. Tests compare both paths
/// byte by byte; the sync fuzz target checks the reading side on every input.
public enum APIHotLines {
    // MARK: Requests

    /// A `compose` request line's value, when the line is one this reader takes.
    public static func compose(_ document: JSONValue) -> ComposeRequest? {
        guard case .object(let o) = document, case .string(ComposeRequest.op)? = o["op"],
              case .string(let kind)? = o["kind"], let fields = o["fields"] else { return nil }
        // `null` fields and an audience are left to the Codable path.
        if case .null = fields { return nil }
        switch o["audience"] {
        case nil, .null?: break
        default: return nil
        }
        var refs: [EntryID] = []
        switch o["refs"] {
        case nil, .null?: break
        case .array(let items)?:
            refs.reserveCapacity(items.count)
            for item in items {
                guard case .string(let hex) = item, let id = EntryID(hex: hex) else { return nil }
                refs.append(id)
            }
        default: return nil
        }
        var officer: String?
        switch o["officer"] {
        case nil, .null?: break
        case .string(let name)?: officer = name
        default: return nil
        }
        return ComposeRequest(kind: kind, fields: fields, audience: nil, refs: refs, officer: officer)
    }

    /// A `compose` request line (with its newline), or nil for one with an audience or a non-integer number.
    public static func line(_ r: ComposeRequest) -> [UInt8]? {
        guard r.audience == nil else { return nil }
        var w = JSONFastWriter()
        w.raw("{")
        w.key("fields")
        guard w.value(r.fields) else { return nil }
        w.raw(",")
        w.key("kind")
        w.string(r.kind)
        if let officer = r.officer {
            w.raw(",")
            w.key("officer")
            w.string(officer)
        }
        w.raw(",\"op\":\"compose\",")
        w.key("refs")
        w.ids(r.refs)
        w.raw("}\n")
        return w.bytes
    }

    // MARK: Answers

    /// The answer line to a write (with its newline).
    public static func line(_ answer: PostedAnswer) -> [UInt8] {
        var w = JSONFastWriter(capacity: 90)
        w.raw("{\"id\":")
        w.string(answer.id.hex)
        w.raw(",\"ok\":true}\n")
        return w.bytes
    }

    /// A successful posted answer, when the line is one this reader takes.
    public static func posted(_ document: JSONValue) -> PostedAnswer? {
        guard case .object(let o) = document, case .bool(true)? = o["ok"], case .string(let hex)? = o["id"],
              let id = EntryID(hex: hex) else { return nil }
        return PostedAnswer(id: id)
    }

    /// A `follow` line (with its newline), or nil for an entry whose fields hold a non-integer number.
    public static func line(_ follow: FollowLine) -> [UInt8]? {
        var w = JSONFastWriter(capacity: 768)
        w.raw("{")
        if let entry = follow.entry {
            w.key("entry")
            guard write(entry, to: &w) else { return nil }
            w.raw(",")
        }
        if let following = follow.following {
            w.key("following")
            w.bool(following)
            w.raw(",")
        }
        w.raw("\"ok\":true}\n")
        return w.bytes
    }

    static func write(_ e: EntrySummary, to w: inout JSONFastWriter) -> Bool {
        w.raw("{")
        w.key("amended")
        w.bool(e.amended)
        w.raw(",")
        w.key("audience")
        w.raw("{")
        w.key("nodes")
        w.strings(e.audience.nodes)
        w.raw(",")
        w.key("organisations")
        w.strings(e.audience.organisations)
        w.raw(",")
        w.key("roles")
        w.strings(e.audience.roles)
        w.raw(",")
        w.key("tlp")
        w.string(e.audience.tlp)
        w.raw("},")
        w.key("author")
        w.string(e.author)
        w.raw(",")
        w.key("fields")
        guard w.value(e.fields) else { return false }
        w.raw(",")
        w.key("hlc")
        w.string(e.hlc)
        w.raw(",")
        w.key("id")
        w.string(e.id.hex)
        w.raw(",")
        w.key("kind")
        w.string(e.kind)
        w.raw(",")
        w.key("organisation")
        w.string(e.organisation)
        w.raw(",")
        w.key("refs")
        w.ids(e.refs)
        w.raw(",")
        w.key("retracted")
        w.bool(e.retracted)
        w.raw(",")
        w.key("summary")
        w.string(e.summary)
        w.raw(",")
        w.key("time")
        w.string(e.time)
        w.raw(",")
        w.key("time_ms")
        w.integer(e.timeMs)
        w.raw("}")
        return true
    }

    /// A `follow` line's value, when the line is one this reader takes.
    public static func follow(_ document: JSONValue) -> FollowLine? {
        guard case .object(let o) = document, case .bool(true)? = o["ok"] else { return nil }
        var following: Bool?
        switch o["following"] {
        case nil, .null?: break
        case .bool(let b)?: following = b
        default: return nil
        }
        switch o["entry"] {
        case nil, .null?:
            return following == true ? .marker : nil
        case .object(let e)?:
            guard following == nil, let summary = summary(e) else { return nil }
            return FollowLine(entry: summary)
        default:
            return nil
        }
    }

    static func summary(_ e: [String: JSONValue]) -> EntrySummary? {
        func text(_ key: String) -> String? { if case .string(let s)? = e[key] { s } else { nil } }
        func flag(_ key: String) -> Bool? { if case .bool(let b)? = e[key] { b } else { nil } }
        func texts(_ value: JSONValue?) -> [String]? {
            guard case .array(let items)? = value else { return nil }
            var out: [String] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard case .string(let s) = item else { return nil }
                out.append(s)
            }
            return out
        }
        guard let idHex = text("id"), let id = EntryID(hex: idHex), let kind = text("kind"), let time = text("time"),
              case .integer(let ms)? = e["time_ms"], ms >= 0, let hlc = text("hlc"), let author = text("author"),
              let organisation = text("organisation"), let refTexts = texts(e["refs"]),
              case .object(let a)? = e["audience"], case .string(let tlp)? = a["tlp"], let roles = texts(a["roles"]),
              let organisations = texts(a["organisations"]), let nodes = texts(a["nodes"]),
              let fields = e["fields"], fields != .null, let line = text("summary"),
              let amended = flag("amended"), let retracted = flag("retracted") else { return nil }
        var refs: [EntryID] = []
        refs.reserveCapacity(refTexts.count)
        for hex in refTexts {
            guard let ref = EntryID(hex: hex) else { return nil }
            refs.append(ref)
        }
        return EntrySummary(id: id, kind: kind, time: time, timeMs: UInt64(ms), hlc: hlc, author: author, organisation: organisation,
                            refs: refs, audience: AudienceView(tlp: tlp, roles: roles, organisations: organisations, nodes: nodes),
                            fields: fields, summary: line, amended: amended, retracted: retracted)
    }
}
