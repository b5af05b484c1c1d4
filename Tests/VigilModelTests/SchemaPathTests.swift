import Testing
@testable import VigilModel

/// Validation runs without building field paths and, on a failure, again with them: the errors must still
/// name the field exactly, and lengths must still be counted in characters.
@Suite("Schema validation: paths and lengths")
struct SchemaPathTests {
    static func validate(_ map: FieldMap) throws { try KindSchemas.validate(.alert, map, createdAt: nil) }

    /// Every map schema of every kind, nested ones included.
    static func mapSchemas() -> [MapSchema] {
        var result: [MapSchema] = []
        func walk(_ type: FieldType) {
            switch type {
            case .map(let schema): add(schema)
            case .list(let item, _, _): walk(item)
            default: break
            }
        }
        func add(_ schema: MapSchema) {
            result.append(schema)
            for spec in schema.fields { walk(spec.type) }
        }
        for kind in KindSchemas.postable { add(KindCatalog.schema(kind)!.body) }
        return result
    }

    @Test("a map is matched against its schema in one walk as looking each name up gives (8,000 seeded maps)")
    func slots() {
        var r = SeededRandom(seed: 0x5107)
        let strangers = ["a", "zzz", "cap_", "caps", "évent", "event\u{301}", "_x", "Event", "translations_", "lat2", "0"]
        for schema in Self.mapSchemas() {
            for _ in 0..<(8_000 / 30) {
                var map = FieldMap()
                for spec in schema.fields where r.next() % 2 == 0 { map[spec.name] = .integer(Int64(r.next() % 9)) }
                for name in strangers where r.next() % 25 == 0 { map[name] = .integer(1) }
                let (slots, unknown) = SchemaEngine.slots(map, schema)
                let firstUnknown = map.fields.firstIndex { field in !schema.fields.contains { $0.name == field.name } }
                #expect(unknown == firstUnknown, "\(schema.noun): \(map.names)")
                if firstUnknown == nil {
                    #expect(slots == schema.fields.map { spec in map.fields.firstIndex { $0.name == spec.name } ?? -1 }, "\(schema.noun): \(map.names)")
                }
            }
        }
    }

    @Test("an error deep in a body names the field")
    func deepPaths() throws {
        let area: FieldValue = .map(["description": .text("Kallo"),
                                     "polygons": .list([.list([.integer(0), .integer(0), .integer(1), .integer(0),
                                                               .integer(95_000_000), .integer(1), .integer(0), .integer(0)])])])
        expectRefusal(field: "areas[1].polygons[0][4]", reason: "latitude") {
            try Self.validate(try modified(.alert) { m in
                guard case .list(let areas)? = m["areas"] else { return }
                m["areas"] = .list(areas + [area])
            })
        }
        expectRefusal(field: "areas[0].description", reason: "expected text") {
            try Self.validate(try modified(.alert) { $0["areas"] = .list([.map(["description": .integer(3)])]) })
        }
        expectRefusal(field: "nonsense", reason: "unknown field") {
            try Self.validate(try modified(.alert) { $0["nonsense"] = .bool(true) })
        }
    }

    @Test("text limits count characters, not bytes")
    func characters() throws {
        try Self.validate(try modified(.alert) { $0["headline"] = .text(String(repeating: "é", count: 160)) })
        try Self.validate(try modified(.alert) { $0["headline"] = .text(String(repeating: "🇧🇪", count: 160)) })
        expectRefusal(field: "headline", reason: "text of 161 characters") {
            try Self.validate(try modified(.alert) { $0["headline"] = .text(String(repeating: "é", count: 161)) })
        }
        expectRefusal(field: "headline", reason: "empty text") {
            try Self.validate(try modified(.alert) { $0["headline"] = .text("") })
        }
    }
}
