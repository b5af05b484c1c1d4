import Testing
@testable import VigilModel

@Suite("Field-map bodies")
struct FieldMapTests {
    static let sample: FieldMap = [
        "summary": .text("Dyke breach at Kallo — 40 évacués"),
        "people_affected": .integer(40),
        "delta": .integer(-1),
        "final": .bool(false),
        "location": .map(["lat": .integer(51_254_000), "lon": .integer(4_275_000), "text": .text("Kallo")]),
        "resources": .list([.text("pumps"), .text("sandbags")]),
        "recurs_with": .list([.id(Bytes32([UInt8](repeating: 0xab, count: 32))!)]),
    ]

    @Test("exact layout of a small map")
    func layout() throws {
        let map: FieldMap = ["b": .integer(-2), "a": .bool(true)]
        #expect(map.names == ["a", "b"])
        #expect(try map.encoded() == [2, 1, 0x61, 3, 1, 1, 0x62, 2, 3])   // -2 zig-zags to 3
    }

    @Test("round trip keeps every value and the sorted order")
    func roundTrip() throws {
        let bytes = try Self.sample.encoded()
        let decoded = try FieldMap(canonicalBytes: bytes)
        #expect(decoded == Self.sample)
        #expect(decoded.names == decoded.names.sorted())
        #expect(try decoded.encoded() == bytes)
    }

    @Test("integers round-trip at the extremes", arguments: [Int64.min, Int64.min + 1, -1, 0, 1, Int64.max])
    func integers(value: Int64) throws {
        let map: FieldMap = ["n": .integer(value)]
        #expect(try FieldMap(canonicalBytes: map.encoded())["n"] == .integer(value))
    }

    @Test("every truncation is refused and every prefix decodes without crashing")
    func truncations() throws {
        let bytes = try Self.sample.encoded()
        for n in 0..<bytes.count {
            #expect(throws: DecodingError.self) { try FieldMap(canonicalBytes: Array(bytes.prefix(n))) }
        }
    }

    @Test("single-byte changes never crash and never decode to a different re-encoding")
    func mutations() throws {
        let bytes = try Self.sample.encoded()
        for i in bytes.indices {
            for delta: UInt8 in [1, 0x40, 0x80, 0xff] {
                var m = bytes
                m[i] ^= delta
                if let decoded = try? FieldMap(canonicalBytes: m) {
                    #expect(try decoded.encoded() == m, "offset \(i): accepted bytes are not canonical")
                }
            }
        }
    }

    @Test("malformed maps are refused with the field and the reason", arguments: [
        ([1, 1, 0x41, 3, 1], "body.name", "may hold only"),               // upper-case name
        ([2, 1, 0x62, 3, 1, 1, 0x61, 3, 1], "body.a", "sorted"),          // unsorted
        ([2, 1, 0x61, 3, 1, 1, 0x61, 3, 1], "body.a", "sorted"),          // duplicate
        ([1, 1, 0x61, 3, 2], "body.a", "0 or 1"),                         // bool 2
        ([1, 1, 0x61, 9], "body.a", "unknown value tag 9"),
        ([1, 1, 0x61, 1, 2, 0xc3, 0x28], "body.a", "not valid UTF-8"),
        ([1, 1, 0x61, 2, 0x80, 0x00], "body.a", "shortest form"),
        ([1, 0], "body.name", "field name must be"),
        ([1, 1, 0x61, 3, 1, 0], "body", "trailing"),
        ([0x81, 0x02], "body.count", "exceeds the limit 256"),
        ([1, 1, 0x61, 5, 1, 1, 0x61, 5, 1, 1, 0x61, 5, 1, 1, 0x61, 5, 1, 1, 0x61, 5, 0], "body.a.a.a.a.a", "nested deeper"),
    ] as [([UInt8], String, String)])
    func malformed(bytes: [UInt8], field: String, reason: String) throws {
        let error = try #require(throws: DecodingError.self) { try FieldMap(canonicalBytes: bytes) }
        #expect(error.field == field, "\(error)")
        #expect(error.reason.contains(reason), "\(error)")
    }

    @Test("encoding refuses bad names and too-deep nesting")
    func encodeLimits() {
        #expect(throws: DecodingError.self) { try (["Bad": .bool(true)] as FieldMap).encoded() }
        var deep: FieldValue = .bool(true)
        for _ in 0..<6 { deep = .list([deep]) }
        #expect(throws: DecodingError.self) { try (["a": deep] as FieldMap).encoded() }
    }

    @Test("subscript set, replace and remove keep the map sorted")
    func subscripts() {
        var map = FieldMap()
        map["c"] = .integer(1); map["a"] = .integer(2); map["b"] = .integer(3); map["a"] = .integer(4)
        #expect(map.names == ["a", "b", "c"])
        #expect(map["a"] == .integer(4))
        map["b"] = nil
        #expect(map.names == ["a", "c"])
    }

    @Test("update and acknowledgement bodies encode, decode and refuse look-alikes")
    func referenceBodies() throws {
        let amend = UpdateBody.amend(["severity": .integer(3)])
        #expect(try UpdateBody(body: amend.encoded()) == amend)
        let retract = UpdateBody.retract(reason: "sent to the wrong province")
        #expect(try UpdateBody(body: retract.encoded()) == retract)
        for bad: FieldMap in [[:], ["amend": .map([:])], ["retract": .text("")], ["amend": .text("x")],
                              ["amend": .map(["a": .bool(true)]), "retract": .text("x")]] {
            #expect(throws: DecodingError.self, "\(bad)") { try UpdateBody(body: bad.encoded()) }
        }
        for ack in AcknowledgementBody.allCases { #expect(try AcknowledgementBody(body: ack.encoded()) == ack) }
        #expect(throws: DecodingError.self) { try AcknowledgementBody(body: (["by": .text("robot")] as FieldMap).encoded()) }
        #expect(throws: DecodingError.self) { try AcknowledgementBody(body: [0xff]) }
    }

    @Test("a confirmation may name the desk officer; every other extra field, name or prefix is refused")
    func acknowledgementOfficer() throws {
        let named = try AcknowledgementBody.confirmation(by: "j.dupont")
        let parsed = try AcknowledgementBody.parse(named)
        #expect(parsed.by == .officer && parsed.officer == "j.dupont")
        #expect(try AcknowledgementBody(body: named) == .officer)
        let plain = try AcknowledgementBody.parse(AcknowledgementBody.confirmation(by: nil))
        #expect(plain.by == .officer && plain.officer == nil)
        #expect(try AcknowledgementBody.confirmation(by: nil) == AcknowledgementBody.officer.encoded())
        for bad in ["", "has space", "<script>", String(repeating: "x", count: 65), "é"] {
            #expect(throws: DecodingError.self, "\(bad)") { try AcknowledgementBody.confirmation(by: bad) }
            #expect(throws: DecodingError.self, "\(bad)") { try AcknowledgementBody.parse((["by": .text("officer"), "officer": .text(bad)] as FieldMap).encoded()) }
        }
        for bad: FieldMap in [["by": .text("node"), "officer": .text("j.dupont")], ["by": .text("officer"), "officer": .integer(7)],
                              ["by": .text("officer"), "who": .text("j.dupont")],
                              ["by": .text("officer"), "officer": .text("j.dupont"), "extra": .text("x")]] {
            #expect(throws: DecodingError.self, "\(bad)") { try AcknowledgementBody.parse(bad.encoded()) }
        }
        // Byte by byte: every proper prefix of a named confirmation is refused, never misread.
        for end in 0..<named.count {
            #expect(throws: DecodingError.self, "prefix \(end)") { try AcknowledgementBody.parse(Array(named[..<end])) }
        }
    }

    @Test("an update may name the desk officer who made it; a bad name, a lone officer or an extra field is refused")
    func updateOfficer() throws {
        for update in [UpdateBody.amend(["severity": .text("severe")]), .retract(reason: "wrong province")] {
            let named = try update.fieldMap(officer: "j.dupont").encoded()
            let parsed = try UpdateBody.parse(named)
            #expect(parsed.update == update && parsed.officer == "j.dupont")
            #expect(try UpdateBody(body: named) == update)
            #expect(try UpdateBody.parse(update.encoded()).officer == nil)
            #expect(try update.fieldMap(officer: nil).encoded() == update.encoded())
            // Byte by byte: every proper prefix is refused, never misread.
            for end in 0..<named.count {
                #expect(throws: DecodingError.self, "prefix \(end)") { try UpdateBody.parse(Array(named[..<end])) }
            }
        }
        for bad in ["", "has space", "<script>", String(repeating: "x", count: 65), "é"] {
            let body = try (["retract": .text("x"), "officer": .text(bad)] as FieldMap).encoded()
            #expect(throws: DecodingError.self, "\(bad)") { try UpdateBody.parse(body) }
        }
        for bad: FieldMap in [["officer": .text("j.dupont")], ["retract": .text("x"), "officer": .integer(7)],
                              ["retract": .text("x"), "officer": .text("j.dupont"), "extra": .text("x")],
                              ["amend": .map(["a": .bool(true)]), "retract": .text("x"), "officer": .text("j.dupont")]] {
            #expect(throws: DecodingError.self, "\(bad)") { try UpdateBody.parse(bad.encoded()) }
        }
    }
}
