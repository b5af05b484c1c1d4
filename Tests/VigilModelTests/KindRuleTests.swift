import Foundation
import Testing
@testable import VigilModel

@Suite("Typed bodies: rules")
struct KindRuleTests {
    // MARK: Generic checks

    @Test("unknown fields are refused, naming them and listing the known ones")
    func unknownField() throws {
        let map = try modified(.message) { $0["priority"] = .integer(1) }
        expectRefusal(field: "priority", reason: "unknown field \"priority\"; a message has only: subject, text") {
            try KindSchemas.validate(.message, map, createdAt: nil)
        }
        let nested = try modified(.situationReport) {
            $0["location"] = .map(["description": .text("Kallo"), "altitude": .integer(3)])
        }
        expectRefusal(field: "location.altitude", reason: "a location has only: description, lat, lon") {
            try KindSchemas.validate(.situationReport, nested, createdAt: nil)
        }
    }

    @Test("missing required fields are refused with what the field must hold")
    func missing() throws {
        let map = try modified(.situationReport) { $0["summary"] = nil }
        expectRefusal(field: "summary", reason: "required field is missing; summary is text of 1–10000 characters") {
            try KindSchemas.validate(.situationReport, map, createdAt: nil)
        }
        let reporter = try modified(.incident) { $0["reporter"] = .map(["phone": .text("+32 3 555 01 23")]) }
        expectRefusal(field: "reporter.name", reason: "required field is missing") {
            try KindSchemas.validate(.incident, reporter, createdAt: nil)
        }
    }

    @Test("wrong types are refused with the expected type and the value found")
    func wrongType() throws {
        let map = try modified(.threatNotice) { $0["level"] = .text("3") }
        expectRefusal(field: "level", reason: "expected an integer 1–4 (1 low … 4 critical), got text \"3\"") {
            try KindSchemas.validate(.threatNotice, map, createdAt: nil)
        }
        let time = try modified(.threatNotice) { $0["valid_from"] = .text("2026-11-24T10:00:00Z") }
        expectRefusal(field: "valid_from", reason: "expected a time") {
            try KindSchemas.validate(.threatNotice, time, createdAt: nil)
        }
        let list = try modified(.situationReport) { $0["resources_requested"] = .text("sandbags") }
        expectRefusal(field: "resources_requested", reason: "expected a list of 0–100 items") {
            try KindSchemas.validate(.situationReport, list, createdAt: nil)
        }
    }

    @Test("text length limits")
    func textLength() throws {
        let long = try modified(.message) { $0["subject"] = .text(String(repeating: "x", count: 201)) }
        expectRefusal(field: "subject", reason: "text of 201 characters is not 1–200 characters") {
            try KindSchemas.validate(.message, long, createdAt: nil)
        }
        let empty = try modified(.message) { $0["text"] = .text("") }
        expectRefusal(field: "text", reason: "empty text is not 1–20000 characters") {
            try KindSchemas.validate(.message, empty, createdAt: nil)
        }
    }

    // MARK: sitrep

    @Test("sitrep: an initial report is number 1")
    func initialReport() throws {
        let map = try modified(.situationReport) {
            $0["report_type"] = .text("initial")
            $0["report_number"] = .integer(2)
        }
        expectRefusal(field: "report_number", reason: "2 with report_type initial; an initial report is number 1") {
            try KindSchemas.validate(.situationReport, map, createdAt: nil)
        }
        let ok = try modified(.situationReport) {
            $0["report_type"] = .text("initial")
            $0["report_number"] = .integer(1)
        }
        try KindSchemas.validate(.situationReport, ok, createdAt: nil)
    }

    @Test("sitrep: enumerations, ranges and list items")
    func sitrepValues() throws {
        let severity = try modified(.situationReport) { $0["severity"] = .text("major") }
        expectRefusal(field: "severity", reason: "\"major\" is not one of minor, moderate, severe, extreme") {
            try KindSchemas.validate(.situationReport, severity, createdAt: nil)
        }
        let upper = try modified(.situationReport) { $0["severity"] = .text("Severe") }
        expectRefusal(field: "severity", reason: "\"Severe\" is not one of") {
            try KindSchemas.validate(.situationReport, upper, createdAt: nil)
        }
        let number = try modified(.situationReport) { $0["report_number"] = .integer(0) }
        expectRefusal(field: "report_number", reason: "0 is not 1–100000") {
            try KindSchemas.validate(.situationReport, number, createdAt: nil)
        }
        let people = try modified(.situationReport) { $0["people_affected"] = .integer(-1) }
        expectRefusal(field: "people_affected", reason: "-1 is not at least 0") {
            try KindSchemas.validate(.situationReport, people, createdAt: nil)
        }
        let item = try modified(.situationReport) { $0["resources_requested"] = .list([.text("pumps"), .text("")]) }
        expectRefusal(field: "resources_requested[1]", reason: "empty text") {
            try KindSchemas.validate(.situationReport, item, createdAt: nil)
        }
        let many = try modified(.situationReport) { $0["resources_requested"] = .list(Array(repeating: .text("x"), count: 101)) }
        expectRefusal(field: "resources_requested", reason: "101 items; a list of 0–100 items is allowed") {
            try KindSchemas.validate(.situationReport, many, createdAt: nil)
        }
    }

    @Test("locations: lat out of range, lat and lon together")
    func location() throws {
        let lat = try modified(.situationReport) {
            $0["location"] = .map(["description": .text("Kallo"), "lat": .integer(91_500_000), "lon": .integer(4_000_000)])
        }
        expectRefusal(field: "location.lat", reason: "latitude 91.5 is outside −90…90 degrees") {
            try KindSchemas.validate(.situationReport, lat, createdAt: nil)
        }
        let lon = try modified(.incident) {
            $0["location"] = .map(["description": .text("Kallo"), "lat": .integer(1), "lon": .integer(-180_000_001)])
        }
        expectRefusal(field: "location.lon", reason: "longitude -180.000001 is outside −180…180 degrees") {
            try KindSchemas.validate(.incident, lon, createdAt: nil)
        }
        let half = try modified(.situationReport) { $0["location"] = .map(["description": .text("Kallo"), "lat": .integer(51_000_000)]) }
        expectRefusal(field: "location.lon", reason: "lat is given without lon; give both or neither") {
            try KindSchemas.validate(.situationReport, half, createdAt: nil)
        }
        let words = try modified(.situationReport) { $0["location"] = .map(["description": .text("Kallo")]) }
        try KindSchemas.validate(.situationReport, words, createdAt: nil)
    }

    // MARK: threat

    @Test("threat: level 7")
    func level() throws {
        let map = try modified(.threatNotice) { $0["level"] = .integer(7) }
        expectRefusal(field: "level", reason: "7 is not 1–4 (1 low … 4 critical)") {
            try KindSchemas.validate(.threatNotice, map, createdAt: nil)
        }
    }

    @Test("threat: valid_until must be after valid_from")
    func validity() throws {
        let map = try modified(.threatNotice) {
            $0["valid_from"] = .integer(ms("2026-11-21T10:00:00Z"))
            $0["valid_until"] = .integer(ms("2026-11-20T10:00:00Z"))
        }
        do {
            try KindSchemas.validate(.threatNotice, map, createdAt: nil)
            Issue.record("accepted")
        } catch {
            #expect(error.description == "valid_until: 2026-11-20T10:00:00Z is before valid_from 2026-11-21T10:00:00Z; a threat notice must end after it starts")
        }
        let same = try modified(.threatNotice) { $0["valid_until"] = $0["valid_from"] }
        expectRefusal(field: "valid_until", reason: "is the same time as valid_from") {
            try KindSchemas.validate(.threatNotice, same, createdAt: nil)
        }
        let open = try modified(.threatNotice) { $0["valid_until"] = nil }
        try KindSchemas.validate(.threatNotice, open, createdAt: nil)
    }

    @Test("threat: the scope needs at least one non-empty list")
    func scope() throws {
        let empty = try modified(.threatNotice) { $0["scope"] = .map(["sectors": .list([])]) }
        expectRefusal(field: "scope", reason: "empty scope; give at least one non-empty list of sectors, regions or events") {
            try KindSchemas.validate(.threatNotice, empty, createdAt: nil)
        }
        let events = try modified(.threatNotice) { $0["scope"] = .map(["events": .list([.text("NATO summit")])]) }
        try KindSchemas.validate(.threatNotice, events, createdAt: nil)
    }

    // MARK: incident

    @Test("incident: category, duplicate recurrences, reporter contact")
    func incident() throws {
        let category = try modified(.incident) { $0["category"] = .text("ufo") }
        expectRefusal(field: "category", reason: "\"ufo\" is not one of suspicious-vehicle, suspicious-person") {
            try KindSchemas.validate(.incident, category, createdAt: nil)
        }
        let a = Bytes32([UInt8](repeating: 1, count: 32))!
        let b = Bytes32([UInt8](repeating: 2, count: 32))!
        let duplicates = try modified(.incident) { $0["recurs_with"] = .list([.id(a), .id(b), .id(a)]) }
        expectRefusal(field: "recurs_with[2]", reason: "is listed twice (also at [0]); no duplicates allowed") {
            try KindSchemas.validate(.incident, duplicates, createdAt: nil)
        }
        let tooMany = try modified(.incident) {
            $0["recurs_with"] = .list((0..<65).map { .id(Bytes32([UInt8](repeating: UInt8($0), count: 32))!) })
        }
        expectRefusal(field: "recurs_with", reason: "65 items; a list of 0–64 items") {
            try KindSchemas.validate(.incident, tooMany, createdAt: nil)
        }
        let textID = try modified(.incident) { $0["recurs_with"] = .list([.text(a.hex)]) }
        expectRefusal(field: "recurs_with[0]", reason: "expected an entry id") {
            try KindSchemas.validate(.incident, textID, createdAt: nil)
        }
        let email = try modified(.incident) { $0["reporter"] = .map(["name": .text("Desk"), "email": .text("desk at example.com")]) }
        expectRefusal(field: "reporter.email", reason: "is not an e-mail address") {
            try KindSchemas.validate(.incident, email, createdAt: nil)
        }
        let phone = try modified(.incident) { $0["reporter"] = .map(["name": .text("Desk"), "phone": .text("call me")]) }
        expectRefusal(field: "reporter.phone", reason: "is not a phone number") {
            try KindSchemas.validate(.incident, phone, createdAt: nil)
        }
    }

    // MARK: alert

    func area(polygons: [[Int64]]? = nil, circles: [FieldMap]? = nil) -> FieldValue {
        var map: FieldMap = ["description": .text("Kallo")]
        if let polygons { map["polygons"] = .list(polygons.map { .list($0.map { .integer($0) }) }) }
        if let circles { map["circles"] = .list(circles.map { .map($0) }) }
        return .map(map)
    }

    @Test("alert: an empty polygon")
    func emptyPolygon() throws {
        let map = try modified(.alert) { $0["areas"] = .list([self.area(polygons: [[]])]) }
        do {
            try KindSchemas.validate(.alert, map, createdAt: nil)
            Issue.record("accepted")
        } catch {
            #expect(error.description == "areas[0].polygons[0]: empty polygon; a polygon needs at least 4 points, first = last")
        }
    }

    @Test("alert: polygons must be closed, have 4 points, even length and valid coordinates")
    func polygons() throws {
        let square: [Int64] = [51_000_000, 4_000_000, 51_100_000, 4_000_000, 51_100_000, 4_100_000, 51_000_000, 4_100_000]
        let open = try modified(.alert) { $0["areas"] = .list([self.area(polygons: [square])]) }
        expectRefusal(field: "areas[0].polygons[0]", reason: "polygon is not closed: first point 51, 4 differs from last point 51, 4.1; CAP requires first = last") {
            try KindSchemas.validate(.alert, open, createdAt: nil)
        }
        let closed = square + [51_000_000, 4_000_000]
        try KindSchemas.validate(.alert, try modified(.alert) { $0["areas"] = .list([self.area(polygons: [closed])]) }, createdAt: nil)
        let triangle: [Int64] = [1, 1, 2, 2, 1, 1]
        expectRefusal(field: "areas[0].polygons[1]", reason: "3 points; a polygon needs at least 4 points") {
            try KindSchemas.validate(.alert, try modified(.alert) { $0["areas"] = .list([self.area(polygons: [closed, triangle])]) }, createdAt: nil)
        }
        expectRefusal(field: "areas[0].polygons[0]", reason: "odd count") {
            try KindSchemas.validate(.alert, try modified(.alert) { $0["areas"] = .list([self.area(polygons: [closed.dropLast()])]) }, createdAt: nil)
        }
        var far = closed
        far[2] = 95_000_000
        expectRefusal(field: "areas[0].polygons[0][2]", reason: "latitude 95 is outside") {
            try KindSchemas.validate(.alert, try modified(.alert) { $0["areas"] = .list([self.area(polygons: [far])]) }, createdAt: nil)
        }
    }

    @Test("alert: circles, areas and categories")
    func areasAndCategories() throws {
        let circle: FieldMap = ["lat": .integer(51_000_000), "lon": .integer(4_000_000), "radius_m": .integer(-1)]
        expectRefusal(field: "areas[0].circles[0].radius_m", reason: "-1 is not 0–20000000") {
            try KindSchemas.validate(.alert, try modified(.alert) { $0["areas"] = .list([self.area(circles: [circle])]) }, createdAt: nil)
        }
        expectRefusal(field: "areas", reason: "0 items; a list of 1–32 items") {
            try KindSchemas.validate(.alert, try modified(.alert) { $0["areas"] = .list([]) }, createdAt: nil)
        }
        expectRefusal(field: "categories[2]", reason: "text \"cbrne\" is listed twice (also at [0])") {
            try KindSchemas.validate(.alert, try modified(.alert) { $0["categories"] = .list([.text("cbrne"), .text("fire"), .text("cbrne")]) }, createdAt: nil)
        }
        expectRefusal(field: "categories", reason: "0 items") {
            try KindSchemas.validate(.alert, try modified(.alert) { $0["categories"] = .list([]) }, createdAt: nil)
        }
        expectRefusal(field: "categories[0]", reason: "\"weather\" is not one of geo, met, safety") {
            try KindSchemas.validate(.alert, try modified(.alert) { $0["categories"] = .list([.text("weather")]) }, createdAt: nil)
        }
        expectRefusal(field: "status", reason: "\"urgent\" is not one of actual, exercise, test, system, draft") {
            try KindSchemas.validate(.alert, try modified(.alert) { $0["status"] = .text("urgent") }, createdAt: nil)
        }
        expectRefusal(field: "headline", reason: "161 characters is not 1–160") {
            try KindSchemas.validate(.alert, try modified(.alert) { $0["headline"] = .text(String(repeating: "h", count: 161)) }, createdAt: nil)
        }
        expectRefusal(field: "language", reason: "is not a language tag; expected a language tag such as en-US") {
            try KindSchemas.validate(.alert, try modified(.alert) { $0["language"] = .text("english (US)") }, createdAt: nil)
        }
    }

    @Test("alert: expires not before effective and onset (equal is fine, as CAP allows)")
    func alertTimes() throws {
        let early = try modified(.alert) {
            $0["effective"] = .integer(ms("2026-11-24T10:00:00Z"))
            $0["expires"] = .integer(ms("2026-11-24T09:00:00Z"))
        }
        expectRefusal(field: "expires", reason: "2026-11-24T09:00:00Z is before effective 2026-11-24T10:00:00Z; an alert must not expire before it takes effect") {
            try KindSchemas.validate(.alert, early, createdAt: nil)
        }
        let onset = try modified(.alert) {
            $0["onset"] = .integer(ms("2026-11-24T17:00:00Z"))
        }
        expectRefusal(field: "expires", reason: "is before onset 2026-11-24T17:00:00Z") {
            try KindSchemas.validate(.alert, onset, createdAt: nil)
        }
    }

    @Test("alert: target roles must be known and distinct")
    func targetRoles() throws {
        let unknown = try modified(.alert) { $0["target_roles"] = .list([.text("police"), .text("mayor")]) }
        expectRefusal(field: "target_roles[1]", reason: "\"mayor\" is not a known role (authority, government, crisis-centre, police, fire-rescue, medical, company)") {
            try KindSchemas.validate(.alert, unknown, createdAt: nil)
        }
        let twice = try modified(.alert) { $0["target_roles"] = .list([.text("police"), .text("police")]) }
        expectRefusal(field: "target_roles[1]", reason: "listed twice") {
            try KindSchemas.validate(.alert, twice, createdAt: nil)
        }
    }

    // MARK: commtest

    @Test("commtest: the deadline must be after the entry's time")
    func deadline() throws {
        let map = try example(.commTest)
        let deadline = UInt64(ms("2026-11-24T11:00:00Z"))
        try KindSchemas.validate(.commTest, map, createdAt: deadline - 1)
        try KindSchemas.validate(.commTest, map, createdAt: nil)
        expectRefusal(field: "deadline", reason: "2026-11-24T11:00:00Z is not after the test's own time 2026-11-24T12:00:00Z") {
            try KindSchemas.validate(.commTest, map, createdAt: deadline + 3_600_000)
        }
        expectRefusal(field: "deadline", reason: "the deadline must be after the test is sent") {
            try KindSchemas.validate(.commTest, body: map.encoded(), createdAt: deadline)
        }
    }

    @Test("commtest: role iff expect is role, nodes iff expect is nodes")
    func expect() throws {
        let deadline = FieldValue.integer(ms("2026-11-24T11:00:00Z"))
        let node = Bytes32([UInt8](repeating: 9, count: 32))!
        try KindSchemas.validate(.commTest, ["expect": .text("everyone"), "deadline": deadline], createdAt: nil)
        try KindSchemas.validate(.commTest, ["expect": .text("nodes"), "nodes": .list([.id(node)]), "deadline": deadline], createdAt: nil)
        expectRefusal(field: "role", reason: "required field is missing; expect is role") {
            try KindSchemas.validate(.commTest, ["expect": .text("role"), "deadline": deadline], createdAt: nil)
        }
        expectRefusal(field: "role", reason: "only allowed when expect is role, but expect is everyone") {
            try KindSchemas.validate(.commTest, ["expect": .text("everyone"), "role": .text("police"), "deadline": deadline], createdAt: nil)
        }
        expectRefusal(field: "role", reason: "\"mayor\" is not a known role (authority, government, crisis-centre") {
            try KindSchemas.validate(.commTest, ["expect": .text("role"), "role": .text("mayor"), "deadline": deadline], createdAt: nil)
        }
        expectRefusal(field: "nodes", reason: "required field is missing; expect is nodes") {
            try KindSchemas.validate(.commTest, ["expect": .text("nodes"), "deadline": deadline], createdAt: nil)
        }
        expectRefusal(field: "nodes", reason: "0 items") {
            try KindSchemas.validate(.commTest, ["expect": .text("nodes"), "nodes": .list([]), "deadline": deadline], createdAt: nil)
        }
        expectRefusal(field: "nodes[1]", reason: "listed twice") {
            try KindSchemas.validate(.commTest, ["expect": .text("nodes"), "nodes": .list([.id(node), .id(node)]), "deadline": deadline], createdAt: nil)
        }
        expectRefusal(field: "nodes", reason: "only allowed when expect is nodes") {
            try KindSchemas.validate(.commTest, ["expect": .text("role"), "role": .text("police"), "nodes": .list([.id(node)]), "deadline": deadline], createdAt: nil)
        }
    }

    @Test("CommTestBody reads and writes the canonical body")
    func commTestBody() throws {
        let node = Bytes32([UInt8](repeating: 9, count: 32))!
        for expected: CommTestBody.Expected in [.everyone, .role(.medical), .nodes([node])] {
            let body = CommTestBody(expected: expected, deadline: 1_795_514_400_000, note: "monthly")
            let map = body.fieldMap
            try KindSchemas.validate(.commTest, map, createdAt: nil)
            #expect(try CommTestBody(fields: map) == body)
        }
        #expect(try CommTestBody(fields: example(.commTest)).expected == .role(.crisisCentre))
        #expect(throws: KindValidationError.self) { try CommTestBody(fields: ["expect": .text("everyone")]) }
    }

    // MARK: Roles and audiences

    @Test("roles: raw values and descriptions")
    func roles() throws {
        #expect(Role.allCases.map(\.rawValue) == ["authority", "government", "crisis-centre", "police", "fire-rescue", "medical", "company"])
        for role in Role.allCases {
            #expect(!role.about.isEmpty)
            #expect(AudienceNames.problem(role: role.rawValue) == nil)
        }
        expectRefusal(field: "x", reason: "\"mayor\" is not a known role (authority, government, crisis-centre, police, fire-rescue, medical, company)") {
            _ = try Role(name: "mayor", field: "x")
        }
    }

    @Test("default audiences")
    func audiences() throws {
        #expect(KindSchemas.defaultAudience(.situationReport, fields: [:]) == Audience(tlp: .amber, roles: ["authority", "government", "crisis-centre"]))
        #expect(KindSchemas.defaultAudience(.threatNotice, fields: [:]) == Audience(tlp: .amber, roles: ["authority", "government", "crisis-centre", "police"]))
        #expect(KindSchemas.defaultAudience(.incident, fields: [:]) == Audience(tlp: .amber, roles: ["authority", "police"]))
        #expect(KindSchemas.defaultAudience(.alert, fields: try example(.alert)) == Audience(tlp: .amber, roles: ["fire-rescue", "medical", "police", "authority"]))
        #expect(KindSchemas.defaultAudience(.alert, fields: try modified(.alert) { $0["target_roles"] = nil }) == Audience(tlp: .green))
        #expect(KindSchemas.defaultAudience(.message, fields: [:]) == Audience(tlp: .green))
        let node = Bytes32([UInt8](repeating: 9, count: 32))!
        #expect(KindSchemas.defaultAudience(.commTest, fields: CommTestBody(expected: .everyone, deadline: 1, note: nil).fieldMap) == Audience(tlp: .green))
        #expect(KindSchemas.defaultAudience(.commTest, fields: CommTestBody(expected: .role(.police), deadline: 1, note: nil).fieldMap) == Audience(tlp: .amber, roles: ["police"]))
        #expect(KindSchemas.defaultAudience(.commTest, fields: CommTestBody(expected: .nodes([node]), deadline: 1, note: nil).fieldMap) == Audience(tlp: .red, nodes: [node]))
        for kind in EntryKind.allCases { #expect(!KindSchemas.audienceReason(kind).isEmpty) }
    }
}
