import Foundation
import Testing
@testable import VigilModel

@Suite("Typed bodies: JSON, flags, templates, help, amendments")
struct KindFormTests {
    func json(_ text: String, _ kind: EntryKind) throws -> FieldMap {
        try KindSchemas.fields(fromJSON: Data(text.utf8), kind: kind)
    }

    // MARK: Human JSON

    @Test("human JSON: times with offsets and fractions, coordinates in degrees, null as absent")
    func humanForms() throws {
        let map = try json("""
        {"level": 2, "title": "T", "scope": {"regions": ["Ghent"], "events": null},
         "valid_from": "2026-11-24T11:00:00.5+01:00", "valid_until": "2026-11-25T10:00:00Z"}
        """, .threatNotice)
        #expect(map["valid_from"] == .integer(ms("2026-11-24T10:00:00.500Z")))
        #expect(map.map("scope") == ["regions": .list([.text("Ghent")])])
        let out = String(decoding: KindSchemas.humanJSON(.threatNotice, map), as: UTF8.self)
        #expect(out.contains("\"valid_from\": \"2026-11-24T10:00:00.500Z\""))
        let object = try #require(KindSchemas.humanJSONObject(.threatNotice, map) as? [String: Any])
        #expect(object["valid_until"] as? String == "2026-11-25T10:00:00Z")
        #expect(object["level"] as? Int == 2)

        let place = try json("""
        {"subject": "s", "text": "t"}
        """, .message)
        #expect(place == ["subject": .text("s"), "text": .text("t")])
        let polygon = try example(.alert)
        let alertObject = try #require(KindSchemas.humanJSONObject(.alert, polygon) as? [String: Any])
        let areas = try #require(alertObject["areas"] as? [[String: Any]])
        let points = try #require((areas[0]["polygons"] as? [[[Double]]])?.first)
        #expect(points.first == [51.25, 4.26] && points.last == [51.25, 4.26])
    }

    @Test("human JSON: refusals name the field and what is allowed")
    func humanRefusals() throws {
        expectRefusal(field: "level", reason: "expected an integer 1–4 (1 low … 4 critical), got the string \"3\"") {
            _ = try json(#"{"level": "3", "title": "T", "scope": {"regions": ["A"]}, "valid_from": "2026-11-24T10:00:00Z"}"#, .threatNotice)
        }
        expectRefusal(field: "level", reason: "2.5 is not a whole number") {
            _ = try json(#"{"level": 2.5, "title": "T", "scope": {"regions": ["A"]}, "valid_from": "2026-11-24T10:00:00Z"}"#, .threatNotice)
        }
        expectRefusal(field: "valid_from", reason: "\"24/11/2026\" is not an ISO 8601 time with a zone") {
            _ = try json(#"{"level": 2, "title": "T", "scope": {"regions": ["A"]}, "valid_from": "24/11/2026"}"#, .threatNotice)
        }
        expectRefusal(field: "urgent", reason: "unknown field \"urgent\"; a message has only: subject, text") {
            _ = try json(#"{"subject": "s", "text": "t", "urgent": true}"#, .message)
        }
        expectRefusal(field: "text", reason: "required field is missing") {
            _ = try json(#"{"subject": "s"}"#, .message)
        }
        expectRefusal(field: "body", reason: "not valid JSON") {
            _ = try json(#"{"subject": "s""#, .message)
        }
        expectRefusal(field: "body", reason: "expected an object with fields subject, text, language, translations, officer, got an array") {
            _ = try json(#"[1, 2]"#, .message)
        }
        expectRefusal(field: "recurs_with[0]", reason: "\"abc\" is not an entry id (64 hex digits)") {
            var incident = try String(decoding: KindSchemas.humanJSON(.incident, example(.incident)), as: UTF8.self)
            incident = incident.replacingOccurrences(of: "\"category\"", with: "\"recurs_with\": [\"abc\"], \"category\"")
            _ = try json(incident, .incident)
        }
        expectRefusal(field: "location.lat", reason: "latitude 91 is outside −90…90 degrees") {
            _ = try json(#"{"incident_id": "i", "incident_name": "n", "report_number": 1, "report_type": "initial", "severity": "minor", "summary": "s", "location": {"description": "d", "lat": 91, "lon": 4.1}}"#, .situationReport)
        }
        expectRefusal(field: "areas[0].polygons[0]", reason: "empty polygon") {
            _ = try json(#"{"event": "e", "status": "test", "urgency": "past", "severity": "minor", "certainty": "likely", "categories": ["met"], "areas": [{"description": "d", "polygons": [[]]}]}"#, .alert)
        }
        expectRefusal(field: "areas[0].polygons[0][1]", reason: "expected a point [lat, lon] in decimal degrees") {
            _ = try json(#"{"event": "e", "status": "test", "urgency": "past", "severity": "minor", "certainty": "likely", "categories": ["met"], "areas": [{"description": "d", "polygons": [[[1, 2], [3]]]}]}"#, .alert)
        }
        expectRefusal(field: "kind", reason: "ack has no typed body") {
            _ = try json(#"{"by": "node"}"#, .acknowledgement)
        }
    }

    // MARK: Flags

    @Test("flags: nested names, repeated list items, typed values")
    func flags() throws {
        let map = try KindSchemas.fields(fromFlags: [
            ("incident_id", "2026-ANT-0042"), ("incident_name", "Flooding Antwerp"), ("report_number", "1"),
            ("report_type", "initial"), ("severity", "severe"), ("location.description", "Kallo"),
            ("location.lat", "51.2"), ("location.lon", "4.275"), ("summary", "Dyke breach"),
            ("resources_requested", "sandbags"), ("resources_requested", "pumps"), ("next_report_due", "2026-11-24T14:00:00+01:00"),
        ], kind: .situationReport)
        #expect(map.map("location") == ["description": .text("Kallo"), "lat": .integer(51_200_000), "lon": .integer(4_275_000)])
        #expect(map["resources_requested"] == .list([.text("sandbags"), .text("pumps")]))
        #expect(map["report_number"] == .integer(1))
        #expect(map["next_report_due"] == .integer(ms("2026-11-24T13:00:00Z")))

        let threat = try KindSchemas.fields(fromFlags: [
            ("level", "2"), ("title", "Summit"), ("scope.events", "EU summit"), ("scope.regions", "Brussels"),
            ("scope.regions", "Leuven"), ("valid_from", "2026-11-24T10:00:00Z"), ("measures", "checks"),
        ], kind: .threatNotice)
        #expect(threat.map("scope")?["regions"] == .list([.text("Brussels"), .text("Leuven")]))

        let alert = try KindSchemas.fields(fromFlags: [
            ("event", "Storm"), ("status", "exercise"), ("urgency", "expected"), ("severity", "moderate"), ("certainty", "likely"),
            ("categories", "met"), ("categories", "safety"),
            ("areas", #"{"description": "Coast", "circles": [{"lat": 51.2, "lon": 2.9, "radius_m": 10000}]}"#),
            ("areas", #"{"description": "Ports", "polygons": [[[51, 4], [51.1, 4], [51.1, 4.1], [51, 4]]]}"#),
            ("target_roles", "police"),
        ], kind: .alert)
        #expect(alert.list("areas")?.count == 2)

        let node = Bytes32([UInt8](repeating: 7, count: 32))!
        let commtest = try KindSchemas.fields(fromFlags: [("expect", "nodes"), ("nodes", node.hex), ("deadline", "2026-11-24T10:00:00Z")], kind: .commTest)
        #expect(try CommTestBody(fields: commtest).expected == .nodes([node]))
    }

    @Test("flags: refusals")
    func flagRefusals() {
        expectRefusal(field: "level", reason: "\"high\" is not a whole number; expected an integer 1–4") {
            _ = try KindSchemas.fields(fromFlags: [("level", "high")], kind: .threatNotice)
        }
        expectRefusal(field: "colour", reason: "unknown field \"colour\"; a threat notice has only: level, title") {
            _ = try KindSchemas.fields(fromFlags: [("colour", "red")], kind: .threatNotice)
        }
        expectRefusal(field: "scope.countries", reason: "a threat scope has only: sectors, regions, events") {
            _ = try KindSchemas.fields(fromFlags: [("scope.countries", "BE")], kind: .threatNotice)
        }
        expectRefusal(field: "title", reason: "given more than once") {
            _ = try KindSchemas.fields(fromFlags: [("title", "a"), ("title", "b")], kind: .threatNotice)
        }
        expectRefusal(field: "title", reason: "it has no field x") {
            _ = try KindSchemas.fields(fromFlags: [("title.x", "a")], kind: .threatNotice)
        }
        expectRefusal(field: "location.lat", reason: "\"north\" is not a number") {
            _ = try KindSchemas.fields(fromFlags: [("location.lat", "north")], kind: .incident)
        }
        expectRefusal(field: "severity", reason: "\"major\" is not one of minor, moderate, severe, extreme") {
            _ = try KindSchemas.fields(fromFlags: [
                ("incident_id", "i"), ("incident_name", "n"), ("report_number", "1"), ("report_type", "initial"),
                ("severity", "major"), ("location.description", "Kallo"), ("summary", "s"),
            ], kind: .situationReport)
        }
        expectRefusal(field: "areas[0]", reason: "is not JSON") {
            _ = try KindSchemas.fields(fromFlags: [("areas", "Coast")], kind: .alert)
        }
        expectRefusal(field: "deadline", reason: "required field is missing") {
            _ = try KindSchemas.fields(fromFlags: [("expect", "everyone")], kind: .commTest)
        }
    }

    // MARK: Templates and help

    @Test("the template parses back to a valid body", arguments: KindSchemas.postable)
    func template(kind: EntryKind) throws {
        let text = KindSchemas.template(kind)
        let map = try KindSchemas.fields(fromTemplate: text, kind: kind)
        try KindSchemas.validate(kind, map, createdAt: nil)
        #expect(map == (try example(kind)))
        let schema = KindCatalog.schema(kind)!
        for spec in schema.body.fields {
            #expect(text.contains("#   \(spec.name) (\(spec.required ? "required" : "optional")): "), "\(spec.name)")
        }
        expectRefusal(field: "body", reason: "holds no JSON object") {
            _ = try KindSchemas.fields(fromTemplate: "# only comments\n\n", kind: kind)
        }
    }

    @Test("help describes every field, the rules and the default audience", arguments: KindSchemas.postable)
    func help(kind: EntryKind) throws {
        let text = KindSchemas.help(kind)
        #expect(text.hasPrefix("vigil post \(kind.name)"))
        for line in KindText.lines(KindCatalog.schema(kind)!.body) { #expect(text.contains("  \(line.path)  ("), "\(line.path)") }
        #expect(text.contains("Default audience:"))
        for rule in KindText.rules(KindCatalog.schema(kind)!.body) { #expect(text.contains(rule)) }
    }

    @Test("help names allowed values")
    func helpValues() {
        #expect(KindSchemas.help(.situationReport).contains("one of minor, moderate, severe, extreme"))
        #expect(KindSchemas.help(.situationReport).contains("an initial report (report_type initial) is report number 1"))
        #expect(KindSchemas.help(.alert).contains("areas[].polygons"))
        #expect(KindSchemas.help(.commTest).contains("crisis-centre (national or regional crisis centre"))
        #expect(KindSchemas.template(.threatNotice).contains("1 low … 4 critical"))
    }

    // MARK: Amendments

    @Test("amendments: valid, unknown field, bad value, cross-field rule with the current body")
    func amendments() throws {
        let current = try example(.threatNotice)
        try KindSchemas.validateAmendment(.threatNotice, current: current, amend: ["level": .integer(4), "measures": .list([.text("close gates")])])
        expectRefusal(field: "colour", reason: "unknown field \"colour\"; a threat notice has only") {
            try KindSchemas.validateAmendment(.threatNotice, current: current, amend: ["colour": .text("red")])
        }
        expectRefusal(field: "level", reason: "9 is not 1–4") {
            try KindSchemas.validateAmendment(.threatNotice, current: current, amend: ["level": .integer(9)])
        }
        expectRefusal(field: "valid_until", reason: "2026-11-23T10:00:00Z is before valid_from 2026-11-24T10:00:00Z") {
            try KindSchemas.validateAmendment(.threatNotice, current: current, amend: ["valid_until": .integer(ms("2026-11-23T10:00:00Z"))])
        }
        expectRefusal(field: "valid_until", reason: "is before valid_from 2026-12-02T10:00:00Z") {
            try KindSchemas.validateAmendment(.threatNotice, current: current, amend: ["valid_from": .integer(ms("2026-12-02T10:00:00Z"))])
        }
        let sitrep = try example(.situationReport)
        expectRefusal(field: "report_number", reason: "an initial report is number 1") {
            try KindSchemas.validateAmendment(.situationReport, current: sitrep, amend: ["report_type": .text("initial")])
        }
        expectRefusal(field: "location.lon", reason: "give both or neither") {
            try KindSchemas.validateAmendment(.situationReport, current: sitrep, amend: ["location": .map(["description": .text("x"), "lat": .integer(1)])])
        }
        expectRefusal(field: "amend", reason: "an entry of kind ack cannot be amended") {
            try KindSchemas.validateAmendment(.acknowledgement, current: ["by": .text("node")], amend: ["by": .text("officer")])
        }
        expectRefusal(field: "amend", reason: "at least one field") {
            try KindSchemas.validateAmendment(.message, current: try example(.message), amend: [:])
        }
    }

    @Test("post forms come from the schemas: nested fields by path, required marks, choices, the default audience; no officer field to type")
    func postForms() throws {
        let sitrep = try #require(KindSchemas.form(.situationReport))
        let paths = sitrep.fields.map(\.path)
        #expect(paths.starts(with: ["incident_id", "incident_name", "report_number", "report_type", "severity", "location.description", "location.lat"]))
        #expect(!paths.contains("officer") && !paths.contains("location"))
        #expect(sitrep.fields.first { $0.path == "severity" }?.choices == ["minor", "moderate", "severe", "extreme"])
        #expect(sitrep.fields.first { $0.path == "location.lat" }?.input == .decimal && sitrep.fields.first { $0.path == "location.lat" }?.required == false)
        #expect(sitrep.fields.first { $0.path == "resources_requested" }?.input == .lines)
        #expect(sitrep.defaultTLP == "TLP:AMBER" && sitrep.defaultRoles == ["authority", "crisis-centre", "government"])
        #expect(KindSchemas.postable.allSatisfy { KindSchemas.form($0) != nil })
        #expect(KindSchemas.form(.acknowledgement) == nil)
        // The officer a post names is checked like a desk login name.
        let named = try KindSchemas.fields(fromJSONValue: .object(["subject": .string("s"), "text": .string("t"), "officer": .string("j.dupont")]), kind: .message)
        #expect(named["officer"] == .text("j.dupont"))
        #expect(throws: KindValidationError.self) {
            try KindSchemas.fields(fromJSONValue: .object(["subject": .string("s"), "text": .string("t"), "officer": .string("<b>x</b>")]), kind: .message)
        }
    }
}