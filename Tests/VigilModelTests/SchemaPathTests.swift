import Testing
@testable import VigilModel

/// Validation runs without building field paths and, on a failure, again with them: the errors must still
/// name the field exactly, and lengths must still be counted in characters.
@Suite("Schema validation: paths and lengths")
struct SchemaPathTests {
    static func validate(_ map: FieldMap) throws { try KindSchemas.validate(.alert, map, createdAt: nil) }

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
