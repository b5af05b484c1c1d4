import Foundation

/// Command-line flags → the human JSON form, driven by the schema.
enum KindFlags {
    /// Builds a JSON object from (name, text) pairs: `location.lat` sets a nested field, a repeated list
    /// name appends items, and a value for an object, a list of objects or a polygon is parsed as JSON.
    static func json(_ pairs: [(String, String)], schema: MapSchema) throws(KindValidationError) -> JSONValue {
        var root: [String: JSONValue] = [:]
        for (name, text) in pairs {
            let components = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            try set(&root, components[...], text: text, schema: schema, prefix: "", fullName: name)
        }
        return .object(root)
    }

    private static func set(_ object: inout [String: JSONValue], _ components: ArraySlice<String>, text: String,
                            schema: MapSchema, prefix: String, fullName: String) throws(KindValidationError) {
        let name = components.first!
        let path = joinPath(prefix, name)
        guard let spec = schema.spec(name) else { throw SchemaEngine.unknownField(name, schema: schema, at: prefix) }
        let rest = components.dropFirst()
        switch spec.type {
        case .map(let inner) where !rest.isEmpty:
            var child: [String: JSONValue] = [:]
            if let existing = object[name] {
                guard case .object(let members) = existing else {
                    throw KindValidationError(field: path, reason: "given both as a whole and field by field; use one or the other")
                }
                child = members
            }
            try set(&child, rest, text: text, schema: inner, prefix: path, fullName: fullName)
            object[name] = .object(child)
        case _ where !rest.isEmpty:
            throw KindValidationError(field: path, reason: "\(name) is \(SchemaEngine.describe(spec.type)), it has no field \(rest.joined(separator: "."))")
        case .list(let itemType, _, _):
            var items: [JSONValue] = []
            if let existing = object[name] {
                guard case .array(let a) = existing else { throw twice(path) }
                items = a
            }
            items.append(try value(text, type: itemType, at: "\(path)[\(items.count)]"))
            object[name] = .array(items)
        default:
            guard object[name] == nil else { throw twice(path) }
            object[name] = try value(text, type: spec.type, at: path)
        }
    }

    private static func twice(_ path: String) -> KindValidationError {
        KindValidationError(field: path, reason: "given more than once; only list fields take repeated flags")
    }

    /// The JSON value of one flag text for a field of `type`.
    static func value(_ text: String, type: FieldType, at path: String) throws(KindValidationError) -> JSONValue {
        switch type {
        case .text, .choice, .role, .timestamp, .entryID, .nodeID:
            return .string(text)
        case .integer:
            guard let n = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                throw KindValidationError(field: path, reason: "\"\(text)\" is not a whole number; expected \(SchemaEngine.describe(type))")
            }
            return .integer(n)
        case .latitude, .longitude:
            guard let d = Double(text.trimmingCharacters(in: .whitespaces)), d.isFinite else {
                throw KindValidationError(field: path, reason: "\"\(text)\" is not a number; expected \(SchemaEngine.describe(type))")
            }
            return .number(d)
        case .bool:
            switch text.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: throw KindValidationError(field: path, reason: "\"\(text)\" is not true or false")
            }
        case .list, .map, .polygon:
            guard let json = try? JSONValue.parse(Data(text.utf8)) else {
                throw KindValidationError(field: path, reason: "\"\(text)\" is not JSON; expected \(SchemaEngine.describe(type)) written as JSON")
            }
            return json
        }
    }
}
