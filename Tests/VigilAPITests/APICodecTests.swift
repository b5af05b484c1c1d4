import Foundation
import Testing
import VigilAPI
import VigilModel

/// The local API's typed layer: every request round-trips through its line form, and a malformed line
/// gets a failure that names what is wrong (never another op's answer).
@Suite("local API codec")
struct APICodecTests {
    static let id = EntryID(hex: String(repeating: "ab", count: 32))!

    /// Encodes `request` as a line, decodes it as the server does, and returns the decoded case.
    func roundTrip<Op: APIOperation>(_ request: Op) throws -> APIRequest {
        let line = try APICodec.encodeRequest(request)
        #expect(line.last == 0x0a)
        #expect(line.dropLast().contains(0x0a) == false, "a request is one line")
        return try APICodec.decodeRequest(Array(line.dropLast()))
    }

    @Test("every op round-trips through its line form")
    func everyOp() throws {
        var entries = EntriesRequest()
        entries.kinds = ["sitrep", "alert"]
        entries.tlp = "amber"
        entries.author = "ncc"
        entries.organisation = "Governor"
        entries.sinceMs = 1_700_000_000_000
        entries.untilMs = 1_800_000_000_000
        entries.text = "flood"
        entries.before = Self.id
        entries.limit = 20
        let compose = ComposeRequest(kind: "sitrep", fields: .object(["summary": .string("x"), "level": .integer(2)]),
                                     audience: AudienceSpec(tlp: "amber", roles: ["government"]), refs: [Self.id], officer: "jan")
        var seen: Set<String> = []
        func check(_ decoded: APIRequest) {
            switch decoded {
            case .status: seen.insert(StatusRequest.op)
            case .compose(let r): #expect(r.kind == "sitrep" && r.fields == compose.fields && r.audience == compose.audience && r.refs == [Self.id] && r.officer == "jan"); seen.insert(ComposeRequest.op)
            case .post(let r): #expect(r.entry == "AAEC"); seen.insert(PostRequest.op)
            case .ack(let r): #expect(r.id == Self.id && r.officer == nil); seen.insert(AckRequest.op)
            case .get(let r): #expect(r.id == Self.id); seen.insert(GetRequest.op)
            case .show(let r): #expect(r.id == Self.id); seen.insert(ShowRequest.op)
            case .entries(let r): #expect(r == entries); seen.insert(EntriesRequest.op)
            case .resolve(let r): #expect(r.prefix == "abababab"); seen.insert(ResolveRequest.op)
            case .list(let r): #expect(r.from == 5 && r.limit == 7); seen.insert(ListRequest.op)
            case .follow(let r): #expect(r.last == 3); seen.insert(FollowRequest.op)
            case .commTestResults(let r): #expect(r.id == Self.id); seen.insert(CommTestResultsRequest.op)
            case .incidents(let r): #expect(r.limit == 12); seen.insert(IncidentsRequest.op)
            case .roster: seen.insert(RosterRequest.op)
            case .metrics: seen.insert(MetricsRequest.op)
            case .wait(let r): #expect(r.ids == [Self.id] && r.timeoutMs == 250); seen.insert(WaitRequest.op)
            case .bundleExport(let r): #expect(r == BundleExportRequest(out: "/b.vgb", to: ["gov"], roles: ["police"], sinceMs: 9)); seen.insert(BundleExportRequest.op)
            case .bundleImport(let r): #expect(r.path == "/b.vgb"); seen.insert(BundleImportRequest.op)
            case .bundleKey: seen.insert(BundleKeyRequest.op)
            }
        }
        check(try roundTrip(StatusRequest()))
        check(try roundTrip(compose))
        check(try roundTrip(PostRequest(entry: "AAEC")))
        check(try roundTrip(AckRequest(id: Self.id)))
        check(try roundTrip(GetRequest(id: Self.id)))
        check(try roundTrip(ShowRequest(id: Self.id)))
        check(try roundTrip(entries))
        check(try roundTrip(ResolveRequest(prefix: "abababab")))
        check(try roundTrip(ListRequest(from: 5, limit: 7)))
        check(try roundTrip(FollowRequest(last: 3)))
        check(try roundTrip(CommTestResultsRequest(id: Self.id)))
        check(try roundTrip(IncidentsRequest(limit: 12)))
        check(try roundTrip(RosterRequest()))
        check(try roundTrip(MetricsRequest()))
        check(try roundTrip(WaitRequest(ids: [Self.id], timeoutMs: 250)))
        check(try roundTrip(BundleExportRequest(out: "/b.vgb", to: ["gov"], roles: ["police"], sinceMs: 9)))
        check(try roundTrip(BundleImportRequest(path: "/b.vgb")))
        check(try roundTrip(BundleKeyRequest()))
        #expect(seen == Set(APIRequest.operations))
    }

    @Test("the wire keeps its documented field names")
    func wireNames() throws {
        var r = EntriesRequest()
        r.sinceMs = 1
        r.untilMs = 2
        let text = String(decoding: try APICodec.encodeRequest(r), as: UTF8.self)
        #expect(text == #"{"op":"entries","since_ms":1,"until_ms":2}"# + "\n")
        let wait = String(decoding: try APICodec.encodeRequest(WaitRequest(ids: [Self.id], timeoutMs: 9)), as: UTF8.self)
        #expect(wait == #"{"ids":["\#(Self.id.hex)"],"op":"wait","timeout_ms":9}"# + "\n")
    }

    func failure(_ text: String) -> APIFailure? {
        do {
            _ = try APICodec.decodeRequest(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test("malformed lines get a clear error naming what is wrong", arguments: [
        ("", "not valid JSON"),
        ("not json", "not valid JSON"),
        ("[1,2]", "one JSON object"),
        (#"{"kind":"sitrep"}"#, "needs \"op\""),
        (#"{"op":7}"#, "\"op\" must be a string"),
        (#"{"op":"frobnicate"}"#, "unknown op \"frobnicate\"; known: status, compose"),
        (#"{"op":"show"}"#, "show: missing field \"id\""),
        (#"{"op":"show","id":"xyz"}"#, "show: field \"id\": \"xyz\" is not an id: 64 hex digits"),
        (#"{"op":"show","id":5}"#, "show: field \"id\" must be a string"),
        (#"{"op":"entries","limit":"ten"}"#, "entries: field \"limit\" must be a number"),
        (#"{"op":"wait","ids":"abc"}"#, "wait: field \"ids\""),
        (#"{"op":"compose","kind":"sitrep"}"#, "compose: missing field \"fields\""),
        (#"{"op":"compose","kind":"sitrep","fields":{},"audience":{"roles":[]}}"#, "compose: missing field \"audience.tlp\""),
        (#"{"op":"compose","kind":"sitrep","fields":{},"refs":["ab"]}"#, "compose: field \"refs[0]\""),
    ])
    func malformed(_ line: String, _ expected: String) {
        let error = failure(line)
        #expect(error?.code == .badRequest, "\(line)")
        #expect(error?.error.contains(expected) == true, "\(line) → \(error?.error ?? "accepted")")
    }

    @Test("an oversized line is refused before it is parsed")
    func oversized() {
        let line = [UInt8](repeating: 0x20, count: APICodec.maxRequestLine + 1)
        #expect(throws: APIFailure.self) { try APICodec.decodeRequest(line) }
        do { _ = try APICodec.decodeRequest(line) } catch { #expect(error.error.contains("longer than")) }
    }

    @Test("every prefix of a valid request is refused, never mistaken for another request")
    func prefixes() throws {
        let line = Array(try APICodec.encodeRequest(ShowRequest(id: Self.id)).dropLast())
        for n in 0..<line.count {
            #expect(throws: APIFailure.self, "prefix of \(n) bytes") { try APICodec.decodeRequest(Array(line.prefix(n))) }
        }
        guard case .show(let r) = try APICodec.decodeRequest(line) else { Issue.record("not a show"); return }
        #expect(r.id == Self.id)
    }

    @Test("answers decode to their type; failures come back as the node's APIFailure")
    func answers() throws {
        let ok = APICodec.encodeAnswer(PostedAnswer(id: Self.id))
        #expect(String(decoding: ok, as: UTF8.self) == #"{"id":"\#(Self.id.hex)","ok":true}"# + "\n")
        #expect(try APICodec.decodeAnswer(Array(ok.dropLast()), for: ComposeRequest.self).id == Self.id)
        let refusal = Refusal(.invalidBody, "sitrep: level: 7 is not 1–4", field: "level")
        let failed = APICodec.encodeFailure(APIFailure(refusal))
        do {
            _ = try APICodec.decodeAnswer(Array(failed.dropLast()), for: ComposeRequest.self)
            Issue.record("a failure decoded as an answer")
        } catch {
            #expect(error.code == .refused && error.refusal == refusal && error.error == refusal.message)
        }
        // An answer of the wrong shape is reported, not silently defaulted.
        do {
            _ = try APICodec.decodeAnswer(Array(#"{"ok":true,"entries":5}"#.utf8), for: EntriesRequest.self)
            Issue.record("a wrong answer decoded")
        } catch {
            #expect(error.code == .unavailable && error.error.contains("does not match"))
        }
    }

    @Test("a detail view flattens the summary into one object and reads back")
    func detailRoundTrip() throws {
        let summary = EntrySummary(id: Self.id, kind: "sitrep", time: "2026-12-02T10:00:00.000Z", timeMs: 1, hlc: "1.0", author: "ncc",
                                   organisation: "NCC", refs: [], audience: AudienceView(tlp: "TLP:GREEN", roles: [], organisations: [], nodes: []),
                                   fields: .object(["summary": .string("a")]), summary: "sitrep", amended: true, retracted: false)
        let detail = EntryDetail(summary: summary, current: .object(["summary": .string("b")]),
                                 history: [HistoryStep(entry: Self.id, by: "ncc", time: "t", timeMs: 1, change: .amended, fields: ["summary"],
                                                       values: .object(["summary": .string("b")]))],
                                 retractedBy: nil, acknowledgements: [MemberAcknowledgement(member: "gov", received: "t", confirmed: nil)], results: nil)
        let line = APICodec.encodeAnswer(ShowAnswer(entry: detail))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        let entry = try #require(object["entry"] as? [String: Any])
        #expect(entry["id"] as? String == Self.id.hex && entry["current"] != nil && entry["amended"] as? Bool == true)
        #expect(try APICodec.decodeAnswer(Array(line.dropLast()), for: ShowRequest.self).entry == detail)
    }

    @Test("an incident's detail carries its status and assessments; the incidents answer reads back")
    func incidentRoundTrip() throws {
        let summary = EntrySummary(id: Self.id, kind: "incident", time: "2026-12-02T10:00:00.000Z", timeMs: 1, hlc: "1.0", author: "corp",
                                   organisation: "Corp", refs: [], audience: AudienceView(tlp: "TLP:AMBER", roles: ["authority", "police"], organisations: [], nodes: []),
                                   fields: .object(["category": .string("drone")]), summary: "incident", amended: false, retracted: false)
        let assessment = AssessmentView(id: Self.id, by: "ncc", organisation: "NCC", officer: "duty", time: "t", timeMs: 2, status: "closed",
                                        outcome: "unfounded", protectiveAction: "patrol", answer: "no threat")
        let status = IncidentStatusView(status: "closed", assessments: [assessment], ignored: ["ab": "why"])
        let detail = EntryDetail(summary: summary, current: .object([:]), history: [], retractedBy: nil, acknowledgements: [], results: nil, incident: status)
        let line = APICodec.encodeAnswer(ShowAnswer(entry: detail))
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.contains(#""protective_action":"patrol""#) && text.contains(#""time_ms":2"#))
        #expect(try APICodec.decodeAnswer(Array(line.dropLast()), for: ShowRequest.self).entry == detail)
        let queue = APICodec.encodeAnswer(IncidentsAnswer(incidents: [IncidentItem(incident: summary, status: status)]))
        #expect(try APICodec.decodeAnswer(Array(queue.dropLast()), for: IncidentsRequest.self).incidents.first?.status == status)
        // Other kinds have no incident member.
        let plain = EntryDetail(summary: summary, current: .object([:]), history: [], retractedBy: nil, acknowledgements: [], results: nil)
        #expect(!String(decoding: APICodec.encodeAnswer(ShowAnswer(entry: plain)), as: UTF8.self).contains("\"incident\":"))
    }
}
