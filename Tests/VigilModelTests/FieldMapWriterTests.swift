import Testing
@testable import VigilModel

/// The one-pass writer (`FieldMapWriter`, behind `FieldMap.encoded()`) against the checked writer that
/// builds every field's path, and the decoder that builds paths only for an error.
@Suite("Field-map writer and path-free decoding")
struct FieldMapWriterTests {
    static let words = ["a", "b", "z", "aa", "ab", "a_1", "b9", "event", "cap_areas", "x", "geocodes", "name", "value",
                        "y_", "q0", String(repeating: "m", count: 32)]
    static let texts = ["", "x", "Kallo", "évacués — 40", "東京", "🚨 alert", "a\u{0}b", "\r\n", String(repeating: "long ", count: 60)]

    static func value(_ r: inout SeededRandom, depth: Int) -> FieldValue {
        switch r.next() % (depth < FieldMap.Limits.maxDepth ? 6 : 4) {
        case 0: return .text(texts[Int(r.next() % UInt64(texts.count))])
        case 1:
            let magnitudes: [Int64] = [0, 1, -1, 63, -64, 64, 8191, -8193, 1 << 40, Int64.max, Int64.min]
            return .integer(r.chance(0.5) ? magnitudes[Int(r.next() % UInt64(magnitudes.count))] : Int64(bitPattern: r.next()))
        case 2: return .bool(r.chance(0.5))
        case 3: return .id(Bytes32((0..<32).map { _ in UInt8(truncatingIfNeeded: r.next()) })!)
        case 4: return .list((0..<Int(r.next() % 5)).map { _ in value(&r, depth: depth + 1) })
        default: return .map(map(&r, depth: depth + 1))
        }
    }

    static func map(_ r: inout SeededRandom, depth: Int) -> FieldMap {
        var m = FieldMap()
        for _ in 0..<Int(r.next() % 7) { m[words[Int(r.next() % UInt64(words.count))]] = value(&r, depth: depth) }
        return m
    }

    @Test("the one-pass writer gives the checked writer's bytes, and they decode to the same map (500 seeded maps)")
    func sameBytes() throws {
        var r = SeededRandom(seed: 0xCA9)
        for i in 0..<500 {
            let m = Self.map(&r, depth: 0)
            let fast = try m.encoded()
            #expect(fast == (try m.checkedEncoding()), "map \(i): \(m)")
            #expect(try FieldMap(canonicalBytes: fast) == m, "map \(i)")
        }
    }

    @Test("a text written from its UTF-8 bytes is the text written from the String, for every kind of text")
    func textFromBytes() throws {
        for text in Self.texts + [String(repeating: "é", count: 200)] {
            var fromString = FieldMapWriter(capacity: 1), fromBytes = FieldMapWriter(capacity: 1)
            for w in [0, 1] {
                if w == 0 { fromString.mapStart(fields: 1); fromString.name("t"); fromString.text(value: text) }
                else { fromBytes.mapStart(fields: 1); fromBytes.name("t"); Array(text.utf8).withUnsafeBufferPointer { fromBytes.text(utf8: $0) } }
            }
            #expect(fromBytes.bytes == fromString.bytes)
            var expected = FieldMap()
            expected["t"] = .text(text)
            #expect(try FieldMap(canonicalBytes: fromBytes.bytes) == expected)
        }
    }

    @Test("a broken limit gives the checked writer's error, naming the field")
    func sameErrors() {
        var deep: FieldValue = .bool(true)
        for _ in 0..<5 { deep = .list([deep]) }
        let tooManyFields = FieldMap((0...FieldMap.Limits.maxFields).map { ("f\($0)", FieldValue.bool(true)) })
        let cases: [(FieldMap, String)] = [
            (["Bad": .bool(true)], "body.Bad"),
            (["ok": .map(["x": .list([.integer(1), .map(["Q": .bool(true)])])])], "body.ok.x[1].Q"),
            (["a": deep], "body.a[0][0][0][0]"),
            (["a": .list(Array(repeating: .bool(true), count: FieldMap.Limits.maxListItems + 1))], "body.a"),
            (["a": .map(tooManyFields)], "body.a"),
            (["": .bool(true)], "body."),
        ]
        for (m, field) in cases {
            let fast = #expect(throws: DecodingError.self) { try m.encoded() }
            let checked = #expect(throws: DecodingError.self) { try m.checkedEncoding() }
            #expect(fast == checked)
            #expect(fast?.field == field, "\(String(describing: fast))")
        }
    }

    @Test("names are checked like FieldMap.problem(name:)")
    func names() {
        for name in Self.words + ["", "A", "1a", "_a", "a-b", "a b", "é", String(repeating: "m", count: 33), "a\u{0}"] {
            #expect(FieldMapWriter.isValidName(name) == (FieldMap.problem(name: name) == nil), "\(name.debugDescription)")
        }
    }

    @Test("bytewise order of names, and the setter keeps the map in it whatever the insertion order")
    func order() {
        let strings = Self.words + ["", "é", "e", "f", "東京", "Z", "a\u{0}", "\u{212A}", "K"]
        for a in strings {
            for b in strings {
                #expect(FieldMap.bytewisePrecedes(a, b) == Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)), "\(a) \(b)")
            }
        }
        var r = SeededRandom(seed: 7)
        for _ in 0..<50 {
            var m = FieldMap()
            for name in Self.words.shuffled(using: &r) { m[name] = .bool(true) }
            #expect(m.names.map { Array($0.utf8) } == Self.words.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        }
    }

    @Test("decoding errors still name the field inside lists and maps")
    func decodingPaths() {
        // {a: [true, bool 2]} and {a: {b: [text "x", tag 9]}}
        let cases: [([UInt8], String, String)] = [
            ([1, 1, 0x61, 4, 2, 3, 1, 3, 2], "body.a[1]", "0 or 1"),
            ([1, 1, 0x61, 5, 1, 1, 0x62, 4, 2, 1, 1, 0x78, 9], "body.a.b[1]", "unknown value tag 9"),
        ]
        for (bytes, field, reason) in cases {
            let error = #expect(throws: DecodingError.self) { try FieldMap(canonicalBytes: bytes) }
            #expect(error?.field == field, "\(String(describing: error))")
            #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
        }
    }
}
