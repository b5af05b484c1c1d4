/// Validation of canonical field maps against a `MapSchema`, and the descriptions of field types used in
/// messages, help and templates.
enum SchemaEngine {
    /// The latest time a timestamp may hold: 9999-12-31T23:59:59.999Z.
    static let maxTimestamp: Int64 = 253_402_300_799_999

    // MARK: Validation

    /// Checks `map` at `path` ("" for the body): no unknown fields, every required field present, every
    /// value of the right type and range, then the map's rules.
    ///
    /// The checks run first without building any field path (a large body has thousands of values); only
    /// when one fails do they run again, the same code, with paths, to name the field in the error.
    static func check(_ map: FieldMap, schema: MapSchema, at path: String, createdAt: UInt64?) throws(KindValidationError) {
        do { try check(map, schema: schema, path: UnnamedFieldPath(), createdAt: createdAt) } catch {
            try check(map, schema: schema, path: NamedFieldPath(path), createdAt: createdAt)
            throw error
        }
    }

    /// Checks one value against its type (as `check(_:schema:at:createdAt:)`, paths only for an error).
    static func check(_ value: FieldValue, type: FieldType, at path: String, createdAt: UInt64?) throws(KindValidationError) {
        do { try check(value, type: type, path: UnnamedFieldPath(), createdAt: createdAt) } catch {
            try check(value, type: type, path: NamedFieldPath(path), createdAt: createdAt)
            throw error
        }
    }

    private static func check<P: FieldPath>(_ map: FieldMap, schema: MapSchema, path: P, createdAt: UInt64?) throws(KindValidationError) {
        let (slots, unknown) = Self.slots(map, schema)
        if let unknown { throw unknownField(map.fields[unknown].name, schema: schema, at: path.text) }
        for (k, spec) in schema.fields.enumerated() {
            let j = slots[k]
            guard j >= 0 else {
                if spec.required {
                    throw KindValidationError(field: path.field(spec.name).text, reason: "required field is missing; \(spec.name) is \(describe(spec.type))")
                }
                continue
            }
            try check(map.fields[j].value, type: spec.type, path: path.field(spec.name), createdAt: createdAt)
        }
        for rule in schema.rules { try rule.check(map, path.text, createdAt) }
    }

    /// For each field of `schema`, the index of the map's field of that name (-1 for none), and the
    /// index of the map's first field that the schema does not have (nil for none): what looking each
    /// name up in the other list gives, in one walk over both lists in name order (a map's fields are
    /// sorted by their bytes, `schema.byName` the schema's).
    static func slots(_ map: FieldMap, _ schema: MapSchema) -> (slots: [Int], unknown: Int?) {
        var slots = [Int](repeating: -1, count: schema.fields.count)
        let order = schema.byName
        var s = 0
        for (j, field) in map.fields.enumerated() {
            while s < order.count, FieldMap.bytewisePrecedes(schema.fields[order[s]].name, field.name) { s += 1 }
            guard s < order.count, schema.fields[order[s]].name == field.name else { return (slots, j) }
            slots[order[s]] = j
            s += 1
        }
        return (slots, nil)
    }

    static func unknownField(_ name: String, schema: MapSchema, at path: String) -> KindValidationError {
        KindValidationError(field: joinPath(path, name),
                            reason: "unknown field \"\(name)\"; \(schema.noun) has only: \(schema.fieldNames)")
    }

    private static func check<P: FieldPath>(_ value: FieldValue, type: FieldType, path: P, createdAt: UInt64?) throws(KindValidationError) {
        func wrong() -> KindValidationError {
            KindValidationError(field: path.text, reason: "expected \(describe(type)), got \(describe(value))")
        }
        switch type {
        case let .text(length, check):
            guard case .text(let text) = value else { throw wrong() }
            // Characters ≤ UTF-8 bytes, and a non-empty text has at least one: counting characters
            // (grapheme breaking) is needed only near the limits.
            let bytes = text.utf8.count
            if bytes > length.upperBound || length.lowerBound > (bytes == 0 ? 0 : 1) {
                let count = text.count
                if count < length.lowerBound || count > length.upperBound {
                    let what = count == 0 ? "empty text" : "text of \(count) characters"
                    throw KindValidationError(field: path.text, reason: "\(what) is not \(describe(length)) characters")
                }
            }
            if let check, let problem = check.problem(text) {
                throw KindValidationError(field: path.text, reason: "\(problem); expected \(check.hint)")
            }
        case let .integer(range, meaning):
            guard case .integer(let n) = value else { throw wrong() }
            guard range.contains(n) else {
                var reason = "\(n) is not \(describe(range))"
                if let meaning { reason += " (\(meaning))" }
                throw KindValidationError(field: path.text, reason: reason)
            }
        case .bool:
            guard case .bool = value else { throw wrong() }
        case .choice(let values):
            guard case .text(let text) = value else { throw wrong() }
            guard values.contains(text) else {
                throw KindValidationError(field: path.text, reason: "\"\(text)\" is not one of \(values.joined(separator: ", "))")
            }
        case .role:
            guard case .text(let text) = value else { throw wrong() }
            _ = try Role(name: text, field: path.text)
        case .timestamp:
            guard case .integer(let ms) = value else { throw wrong() }
            guard (0...maxTimestamp).contains(ms) else {
                throw KindValidationError(field: path.text, reason: "\(ms) is not a time from 1970 to 9999 (integer milliseconds since 1970-01-01T00:00:00Z)")
            }
        case .latitude, .longitude:
            guard case .integer(let micro) = value else { throw wrong() }
            try checkCoordinate(micro, latitude: { if case .latitude = type { true } else { false } }(), at: path.text)
        case .entryID, .nodeID:
            guard case .id = value else { throw wrong() }
        case let .list(itemType, count, unique):
            guard case .list(let items) = value else { throw wrong() }
            guard count.contains(items.count) else {
                throw KindValidationError(field: path.text, reason: "\(items.count) items; a list of \(describe(count)) items is allowed")
            }
            for (i, item) in items.enumerated() {
                try check(item, type: itemType, path: path.item(i), createdAt: createdAt)
                if unique, let first = items[..<i].firstIndex(of: item) {
                    throw KindValidationError(field: path.item(i).text, reason: "\(describe(item)) is listed twice (also at [\(first)]); no duplicates allowed")
                }
            }
        case .map(let schema):
            guard case .map(let map) = value else { throw wrong() }
            try check(map, schema: schema, path: path, createdAt: createdAt)
        case .polygon(let points):
            guard case .list(let items) = value else { throw wrong() }
            var polygonRule: String { "a polygon needs at least \(points.lowerBound) points, first = last" }
            guard !items.isEmpty else { throw KindValidationError(field: path.text, reason: "empty polygon; \(polygonRule)") }
            var numbers: [Int64] = []
            for (i, item) in items.enumerated() {
                guard case .integer(let n) = item else {
                    throw KindValidationError(field: path.item(i).text, reason: "expected an integer (micro-degrees), got \(describe(item)); a polygon is a flat list [lat1, lon1, lat2, lon2, …]")
                }
                numbers.append(n)
            }
            guard numbers.count % 2 == 0 else {
                throw KindValidationError(field: path.text, reason: "\(numbers.count) integers is an odd count; a polygon is a flat list of pairs [lat1, lon1, lat2, lon2, …]")
            }
            let count = numbers.count / 2
            guard points.contains(count) else {
                throw KindValidationError(field: path.text, reason: "\(count) points; \(polygonRule) (at most \(points.upperBound))")
            }
            for i in 0..<count {
                try checkCoordinate(numbers[2 * i], latitude: true, at: path.item(2 * i).text)
                try checkCoordinate(numbers[2 * i + 1], latitude: false, at: path.item(2 * i + 1).text)
            }
            guard numbers[0] == numbers[numbers.count - 2], numbers[1] == numbers[numbers.count - 1] else {
                throw KindValidationError(field: path.text, reason: "polygon is not closed: first point \(degrees(numbers[0])), \(degrees(numbers[1])) differs from last point \(degrees(numbers[numbers.count - 2])), \(degrees(numbers[numbers.count - 1])); CAP requires first = last")
            }
        }
    }

    static func checkCoordinate(_ micro: Int64, latitude: Bool, at path: String) throws(KindValidationError) {
        let limit: Int64 = latitude ? 90_000_000 : 180_000_000
        guard (-limit...limit).contains(micro) else {
            let name = latitude ? "latitude" : "longitude"
            throw KindValidationError(field: path, reason: "\(name) \(degrees(micro)) is outside −\(limit / 1_000_000)…\(limit / 1_000_000) degrees (canonical: \(micro) micro-degrees)")
        }
    }

    // MARK: Descriptions

    /// "1–4", "at least 0".
    static func describe<T: BinaryInteger>(_ range: ClosedRange<T>) -> String {
        if Int64(clamping: range.upperBound) >= Int64.max / 2 {
            return "at least \(range.lowerBound)"
        }
        return range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)–\(range.upperBound)"
    }

    /// What a type allows, for messages and help: "an integer 1–4 (1 low … 4 critical)".
    static func describe(_ type: FieldType) -> String {
        switch type {
        case let .text(length, check):
            var s = "text of \(describe(length)) characters"
            if let check { s += ", \(check.hint)" }
            return s
        case let .integer(range, meaning):
            var s = "an integer \(describe(range))"
            if let meaning { s += " (\(meaning))" }
            return s
        case .bool: return "true or false"
        case .choice(let values): return "one of \(values.joined(separator: ", "))"
        case .role: return "a role (\(Role.knownNames))"
        case .timestamp: return "a time (ISO 8601 such as 2026-11-24T10:00:00Z; canonical: integer milliseconds since the epoch)"
        case .latitude: return "a latitude −90…90 in decimal degrees (canonical: integer micro-degrees)"
        case .longitude: return "a longitude −180…180 in decimal degrees (canonical: integer micro-degrees)"
        case .entryID: return "an entry id (64 hex digits)"
        case .nodeID: return "a node id (64 hex digits)"
        case let .list(item, count, unique):
            return "a list of \(describe(count)) items\(unique ? ", no duplicates" : ""), each \(describe(item))"
        case .map(let schema): return "an object with fields \(schema.fieldNames)"
        case .polygon(let points):
            return "a polygon of \(points.lowerBound)–\(points.upperBound) points, first = last (JSON: [[lat, lon], …] in decimal degrees; canonical: flat list of micro-degrees [lat1, lon1, lat2, lon2, …])"
        }
    }

    /// A value, briefly: `text "7"`, `integer 7`, `a list of 3 items`.
    static func describe(_ value: FieldValue) -> String {
        switch value {
        case .text(let t): t.count > 40 ? "text \"\(t.prefix(40))…\"" : "text \"\(t)\""
        case .integer(let n): "integer \(n)"
        case .bool(let b): "bool \(b)"
        case .list(let items): "a list of \(items.count) items"
        case .map: "an object"
        case .id(let id): "id \(id.hex)"
        }
    }

    /// Micro-degrees as exact decimal degrees: 51254000 → "51.254".
    static func degrees(_ micro: Int64) -> String { DecimalText.millionths(micro) }
}
