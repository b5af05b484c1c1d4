import Foundation
import Testing
@testable import VigilModel

/// Expects `body` to throw a `KindValidationError` at `field` whose reason contains `reason`.
func expectRefusal(field: String, reason: String, sourceLocation: SourceLocation = #_sourceLocation,
                   _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("accepted; expected \(field): …\(reason)…", sourceLocation: sourceLocation)
    } catch let error as KindValidationError {
        #expect(error.field == field, "\(error)", sourceLocation: sourceLocation)
        #expect(error.reason.contains(reason), "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

/// The kind's documented example, as a canonical map.
func example(_ kind: EntryKind) throws -> FieldMap {
    try KindSchemas.fields(fromJSON: Data(KindCatalog.schema(kind)!.exampleJSON.utf8), kind: kind)
}

/// `example(kind)` with `change` applied.
func modified(_ kind: EntryKind, _ change: (inout FieldMap) -> Void) throws -> FieldMap {
    var map = try example(kind)
    change(&map)
    return map
}

func ms(_ iso: String) -> Int64 { KindTime.parse(iso)! }

@Suite("Typed bodies: round trips")
struct KindRoundTripTests {
    @Test("every postable kind's example round-trips through canonical bytes and the human JSON form",
          arguments: KindSchemas.postable)
    func roundTrip(kind: EntryKind) throws {
        let map = try example(kind)
        let bytes = try map.encoded()
        let decoded = try FieldMap(canonicalBytes: bytes)
        #expect(decoded == map)
        try KindSchemas.validate(kind, body: bytes, createdAt: nil)

        let human = KindSchemas.humanJSON(kind, map)
        let back = try KindSchemas.fields(fromJSON: human, kind: kind)
        #expect(back == map)
        #expect(KindSchemas.humanJSON(kind, back) == human)
        // The Foundation object form serialises.
        #expect(JSONSerialization.isValidJSONObject(KindSchemas.humanJSONObject(kind, map)))
    }

    @Test("canonical values: timestamps in ms, coordinates in micro-degrees, ids as ids")
    func canonicalValues() throws {
        let sitrep = try example(.situationReport)
        #expect(sitrep["next_report_due"] == .integer(ms("2026-11-24T14:00:00Z")))
        #expect(sitrep.map("location")?["lat"] == .integer(51_254_000))
        #expect(sitrep.map("location")?["lon"] == .integer(4_275_000))
        let incident = try example(.incident)
        #expect(incident["observed_at"] == .integer(ms("2026-11-24T01:40:00Z")))
        let alert = try example(.alert)
        let area = try #require(alert.list("areas")?.first)
        guard case .map(let areaMap) = area, case .list(let polygons)? = areaMap["polygons"], case .list(let flat) = polygons[0] else {
            Issue.record("no polygon"); return
        }
        #expect(flat.count == 10)
        #expect(flat[0] == .integer(51_250_000) && flat[1] == .integer(4_260_000))
        let json = String(decoding: KindSchemas.humanJSON(.incident, incident), as: UTF8.self)
        #expect(json.contains("\"observed_at\": \"2026-11-24T01:40:00Z\""))
        #expect(json.contains("\"lat\": 51.2611"))
    }

    @Test("ids are written as 64 hex digits and read back")
    func ids() throws {
        let a = Bytes32([UInt8](repeating: 0xab, count: 32))!
        let map = try modified(.incident) { $0["recurs_with"] = .list([.id(a)]) }
        try KindSchemas.validate(.incident, map, createdAt: nil)
        let json = KindSchemas.humanJSON(.incident, map)
        #expect(String(decoding: json, as: UTF8.self).contains(a.hex))
        #expect(try KindSchemas.fields(fromJSON: json, kind: .incident) == map)
    }

    @Test("ack and update bodies use their own parsers; roster is left to the roster code")
    func referenceKinds() throws {
        try KindSchemas.validate(.acknowledgement, ["by": .text("officer")], createdAt: nil)
        try KindSchemas.validate(.update, ["amend": .map(["level": .integer(2)])], createdAt: nil)
        try KindSchemas.validate(.update, body: UpdateBody.retract(reason: "duplicate").encoded(), createdAt: nil)
        try KindSchemas.validate(.roster, ["anything": .integer(1)], createdAt: nil)
        expectRefusal(field: "body", reason: "an acknowledgement body is") {
            try KindSchemas.validate(.acknowledgement, ["by": .text("someone")], createdAt: nil)
        }
        expectRefusal(field: "amend", reason: "at least one field") {
            try KindSchemas.validate(.update, ["amend": .map([:])], createdAt: nil)
        }
    }

    @Test("body bytes that are not a canonical field map are refused")
    func badBytes() {
        expectRefusal(field: "body.count", reason: "truncated") {
            try KindSchemas.validate(.message, body: [], createdAt: nil)
        }
        expectRefusal(field: "body", reason: "more than") {
            try KindSchemas.validate(.message, body: [UInt8](repeating: 0, count: EntryLimits.maxBodyBytes + 1), createdAt: nil)
        }
    }

    @Test("summaries")
    func summaries() throws {
        #expect(KindSchemas.summary(.situationReport, try example(.situationReport)) == "sitrep #3 (update) Flooding Antwerp — severe")
        #expect(KindSchemas.summary(.threatNotice, try example(.threatNotice)).hasPrefix("threat level 3: Raised threat"))
        #expect(KindSchemas.summary(.message, try example(.message)) == "message: Liaison officer at the provincial crisis centre")
        #expect(KindSchemas.summary(.commTest, try example(.commTest)) == "commtest (role crisis-centre) — answer by 2026-11-24T11:00:00Z")
        #expect(KindSchemas.summary(.alert, try example(.alert)).contains("Chemical release (actual, immediate, severe, observed)"))
        #expect(KindSchemas.summary(.incident, try example(.incident)).hasPrefix("incident drone at Tank farm"))
        #expect(KindSchemas.summary(.acknowledgement, ["by": .text("node")]) == "ack by node")
        #expect(KindSchemas.summary(.update, ["amend": .map(["level": .integer(2)])]) == "update: amends level")
    }
}

@Suite("Typed bodies: ISO 8601 times")
struct KindTimeTests {
    @Test("accepted forms", arguments: [
        ("2026-11-24T10:00:00Z", Int64(1_795_514_400_000)),
        ("2026-11-24T10:00:00.250Z", 1_795_514_400_250),
        ("2026-11-24T10:00:00.1234567Z", 1_795_514_400_123),
        ("2026-11-24T11:00:00+01:00", 1_795_514_400_000),
        ("2026-11-24T05:30:00-0430", 1_795_514_400_000),
        ("1970-01-01T00:00:00Z", 0),
        ("2028-02-29T00:00:00Z", 1_835_395_200_000),
    ])
    func parse(text: String, expected: Int64) {
        #expect(KindTime.parse(text) == expected)
    }

    @Test("refused forms", arguments: ["2026-11-24T10:00:00", "2026-11-24", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
                                        "2026-11-24T24:00:00Z", "2026-11-24T10:00:00.Z", "2026-11-24T10:00:00Zx", "tomorrow"])
    func refuse(text: String) {
        #expect(KindTime.parse(text) == nil)
    }

    @Test("output is UTC with Z, milliseconds only when not zero")
    func format() {
        #expect(KindTime.format(1_795_514_400_000) == "2026-11-24T10:00:00Z")
        #expect(KindTime.format(1_795_514_400_007) == "2026-11-24T10:00:00.007Z")
        #expect(KindTime.format(0) == "1970-01-01T00:00:00Z")
        for t: Int64 in [0, 951_782_400_000, 1_835_395_200_000, SchemaEngine.maxTimestamp] {
            #expect(KindTime.parse(KindTime.format(t)) == t)
        }
    }
}
