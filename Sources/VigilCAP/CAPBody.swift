import VigilModel

/// The whole CAP message inside a Vigil alert body, losslessly: every element and attribute of CAP 1.2
/// as written (texts, dates, polygons and circles as their exact text), XML signatures as opaque text.
///
/// Field maps nest at most 4 deep, so the message is spread over four body fields (docs/kinds.md):
///
/// - `cap`: the `<alert>` level — `identifier`, `sender`, `sent`, `status`, `msg_type`, `scope` and the
///   optional `source`, `restriction`, `addresses`, `codes` (list), `note`, `references`, `incidents`,
///   `extensions` (list of XML text);
/// - `cap_infos`: one map per `<info>`, in order — `categories`, `event`, `urgency`, `severity`,
///   `certainty` and the optional `language`, `response_types`, `audience`, `event_codes`, `effective`,
///   `onset`, `expires`, `sender_name`, `headline`, `description`, `instruction`, `web`, `contact`,
///   `parameters` (value pairs are maps `{name, value}`);
/// - `cap_resources`: one map per `<resource>` of every info, in order — `info` (its index), `resource_desc`,
///   `mime_type` and the optional `size`, `uri`, `deref_uri`, `digest`;
/// - `cap_areas`: one map per `<area>` of every info, in order — `info`, `area_desc` and the optional
///   `polygons`, `circles` (lists of the CAP text), `geocodes`, `altitude`, `ceiling`.
public enum CAPBody {
    /// The body fields that hold the CAP message.
    public static let fieldNames = ["cap", "cap_infos", "cap_resources", "cap_areas"]

    /// The CAP message as body fields (set on `body`, replacing any earlier CAP fields).
    public static func store(_ alert: CAPAlert, into body: inout FieldMap) {
        // Fields are set in name order, so that each lands at the end of its map (no search, no insert).
        var m = FieldMap()
        m["addresses"] = alert.addresses.map(FieldValue.text)
        if !alert.codes.isEmpty { m["codes"] = .list(alert.codes.map(FieldValue.text)) }
        if !alert.extensions.isEmpty { m["extensions"] = .list(alert.extensions.map(FieldValue.text)) }
        m["identifier"] = .text(alert.identifier)
        m["incidents"] = alert.incidents.map(FieldValue.text)
        m["msg_type"] = .text(alert.msgType.rawValue)
        m["note"] = alert.note.map(FieldValue.text)
        m["references"] = alert.references.map(FieldValue.text)
        m["restriction"] = alert.restriction.map(FieldValue.text)
        m["scope"] = .text(alert.scope.rawValue)
        m["sender"] = .text(alert.sender)
        m["sent"] = .text(alert.sent.text)
        m["source"] = alert.source.map(FieldValue.text)
        m["status"] = .text(alert.status.rawValue)
        body["cap"] = .map(m)

        var infos: [FieldValue] = [], resources: [FieldValue] = [], areas: [FieldValue] = []
        for (i, info) in alert.infos.enumerated() {
            var f = FieldMap()
            f["audience"] = info.audience.map(FieldValue.text)
            f["categories"] = .list(info.categories.map { .text($0.rawValue) })
            f["certainty"] = .text(info.certainty.rawValue)
            f["contact"] = info.contact.map(FieldValue.text)
            f["description"] = info.description.map(FieldValue.text)
            f["effective"] = info.effective.map { .text($0.text) }
            f["event"] = .text(info.event)
            if !info.eventCodes.isEmpty { f["event_codes"] = pairs(info.eventCodes) }
            f["expires"] = info.expires.map { .text($0.text) }
            f["headline"] = info.headline.map(FieldValue.text)
            f["instruction"] = info.instruction.map(FieldValue.text)
            f["language"] = info.language.map(FieldValue.text)
            f["onset"] = info.onset.map { .text($0.text) }
            if !info.parameters.isEmpty { f["parameters"] = pairs(info.parameters) }
            if !info.responseTypes.isEmpty { f["response_types"] = .list(info.responseTypes.map { .text($0.rawValue) }) }
            f["sender_name"] = info.senderName.map(FieldValue.text)
            f["severity"] = .text(info.severity.rawValue)
            f["urgency"] = .text(info.urgency.rawValue)
            f["web"] = info.web.map(FieldValue.text)
            infos.append(.map(f))
            for r in info.resources {
                var rm = FieldMap()
                rm["deref_uri"] = r.derefUri.map(FieldValue.text)
                rm["digest"] = r.digest.map(FieldValue.text)
                rm["info"] = .integer(Int64(i))
                rm["mime_type"] = .text(r.mimeType)
                rm["resource_desc"] = .text(r.resourceDesc)
                rm["size"] = r.size.map(FieldValue.integer)
                rm["uri"] = r.uri.map(FieldValue.text)
                resources.append(.map(rm))
            }
            for a in info.areas {
                var am = FieldMap()
                am["altitude"] = a.altitude.map(FieldValue.text)
                am["area_desc"] = .text(a.areaDesc)
                am["ceiling"] = a.ceiling.map(FieldValue.text)
                if !a.circles.isEmpty { am["circles"] = .list(a.circles.map { .text($0.text) }) }
                if !a.geocodes.isEmpty { am["geocodes"] = pairs(a.geocodes) }
                am["info"] = .integer(Int64(i))
                if !a.polygons.isEmpty { am["polygons"] = .list(a.polygons.map { .text($0.text) }) }
                areas.append(.map(am))
            }
        }
        body["cap_infos"] = infos.isEmpty ? nil : .list(infos)
        body["cap_resources"] = resources.isEmpty ? nil : .list(resources)
        body["cap_areas"] = areas.isEmpty ? nil : .list(areas)
    }

    private static func pairs(_ values: [CAPValuePair]) -> FieldValue {
        // Set field by field, in order (each lands at the end), not through a dictionary literal: an
        // alert can hold a thousand geocodes, and the literal built two more arrays per pair.
        .list(values.map { pair in
            var m = FieldMap()
            m["name"] = .text(pair.valueName)
            m["value"] = .text(pair.value)
            return .map(m)
        })
    }

    /// Whether `body` carries a CAP message.
    public static func holdsMessage(_ body: FieldMap) -> Bool { body["cap"] != nil }

    /// The CAP message held in `body`, or nil when it holds none. Fails, naming the field, when the CAP
    /// fields are not what `store` writes (a body made by hand, or by another version).
    public static func alert(from body: FieldMap) throws(CAPError) -> CAPAlert? {
        guard let capValue = body["cap"] else { return nil }
        let r = Reader()
        let m = try r.map(capValue, "cap")
        let sent = try r.dateTime(m, "sent", "cap")
        guard let sent else { throw CAPError(path: "cap.sent", reason: "required field is missing") }
        var alert = CAPAlert(identifier: try r.required(m, "identifier", "cap"), sender: try r.required(m, "sender", "cap"),
                             sent: sent, status: try r.choice(m, "status", "cap"), msgType: try r.choice(m, "msg_type", "cap"),
                             source: try r.text(m, "source", "cap"), scope: try r.choice(m, "scope", "cap"),
                             restriction: try r.text(m, "restriction", "cap"), addresses: try r.text(m, "addresses", "cap"),
                             codes: try r.texts(m, "codes", "cap"), note: try r.text(m, "note", "cap"),
                             references: try r.text(m, "references", "cap"), incidents: try r.text(m, "incidents", "cap"),
                             extensions: try r.texts(m, "extensions", "cap"))
        for (i, value) in try r.list(body["cap_infos"], "cap_infos").enumerated() {
            let path = "cap_infos[\(i)]"
            let f = try r.map(value, path)
            var categories: [CAPCategory] = []
            for (k, _) in try r.texts(f, "categories", path).enumerated() {
                categories.append(try r.choiceItem(f, "categories", k, path))
            }
            var responses: [CAPResponseType] = []
            for (k, _) in try r.texts(f, "response_types", path).enumerated() {
                responses.append(try r.choiceItem(f, "response_types", k, path))
            }
            alert.infos.append(CAPInfo(
                language: try r.text(f, "language", path), categories: categories, event: try r.required(f, "event", path),
                responseTypes: responses, urgency: try r.choice(f, "urgency", path), severity: try r.choice(f, "severity", path),
                certainty: try r.choice(f, "certainty", path), audience: try r.text(f, "audience", path),
                eventCodes: try r.pairs(f, "event_codes", path), effective: try r.dateTime(f, "effective", path),
                onset: try r.dateTime(f, "onset", path), expires: try r.dateTime(f, "expires", path),
                senderName: try r.text(f, "sender_name", path), headline: try r.text(f, "headline", path),
                description: try r.text(f, "description", path), instruction: try r.text(f, "instruction", path),
                web: try r.text(f, "web", path), contact: try r.text(f, "contact", path),
                parameters: try r.pairs(f, "parameters", path)))
        }
        for (i, value) in try r.list(body["cap_resources"], "cap_resources").enumerated() {
            let path = "cap_resources[\(i)]"
            let f = try r.map(value, path)
            let info = try r.infoIndex(f, path, count: alert.infos.count)
            alert.infos[info].resources.append(CAPResource(
                resourceDesc: try r.required(f, "resource_desc", path), mimeType: try r.required(f, "mime_type", path),
                size: try r.integer(f, "size", path), uri: try r.text(f, "uri", path),
                derefUri: try r.text(f, "deref_uri", path), digest: try r.text(f, "digest", path)))
        }
        for (i, value) in try r.list(body["cap_areas"], "cap_areas").enumerated() {
            let path = "cap_areas[\(i)]"
            let f = try r.map(value, path)
            let info = try r.infoIndex(f, path, count: alert.infos.count)
            var area = CAPArea(areaDesc: try r.required(f, "area_desc", path), geocodes: try r.pairs(f, "geocodes", path),
                               altitude: try r.text(f, "altitude", path), ceiling: try r.text(f, "ceiling", path))
            for (k, text) in try r.texts(f, "polygons", path).enumerated() {
                switch CAPParser.polygon(text) {
                case .success(let p): area.polygons.append(p)
                case .failure(let e): throw CAPError(path: "\(path).polygons[\(k)]", reason: e.reason)
                }
            }
            for (k, text) in try r.texts(f, "circles", path).enumerated() {
                switch CAPParser.circle(text) {
                case .success(let c): area.circles.append(c)
                case .failure(let e): throw CAPError(path: "\(path).circles[\(k)]", reason: e.reason)
                }
            }
            alert.infos[info].areas.append(area)
        }
        return alert
    }

    /// Typed reads of the CAP body fields, each failure naming the field.
    private struct Reader {
        func map(_ value: FieldValue, _ path: @autoclosure () -> String) throws(CAPError) -> FieldMap {
            guard case .map(let m) = value else { throw CAPError(path: path(), reason: "expected a map") }
            return m
        }

        func list(_ value: FieldValue?, _ path: @autoclosure () -> String) throws(CAPError) -> [FieldValue] {
            switch value {
            case nil: return []
            case .list(let items)?: return items
            default: throw CAPError(path: path(), reason: "expected a list")
            }
        }

        func text(_ m: FieldMap, _ name: String, _ path: @autoclosure () -> String) throws(CAPError) -> String? {
            switch m[name] {
            case nil: return nil
            case .text(let t)?: return t
            default: throw CAPError(path: "\(path()).\(name)", reason: "expected text")
            }
        }

        func required(_ m: FieldMap, _ name: String, _ path: @autoclosure () -> String) throws(CAPError) -> String {
            guard let t = try text(m, name, path()) else { throw CAPError(path: "\(path()).\(name)", reason: "required field is missing") }
            return t
        }

        func integer(_ m: FieldMap, _ name: String, _ path: @autoclosure () -> String) throws(CAPError) -> Int64? {
            switch m[name] {
            case nil: return nil
            case .integer(let n)?: return n
            default: throw CAPError(path: "\(path()).\(name)", reason: "expected an integer")
            }
        }

        func texts(_ m: FieldMap, _ name: String, _ path: @autoclosure () -> String) throws(CAPError) -> [String] {
            var out: [String] = []
            for (k, item) in try list(m[name], "\(path()).\(name)").enumerated() {
                guard case .text(let t) = item else { throw CAPError(path: "\(path()).\(name)[\(k)]", reason: "expected text") }
                out.append(t)
            }
            return out
        }

        func choice<E: RawRepresentable & CaseIterable>(_ m: FieldMap, _ name: String, _ path: @autoclosure () -> String) throws(CAPError) -> E where E.RawValue == String {
            let t = try required(m, name, path())
            guard let e = E(rawValue: t) else {
                throw CAPError(path: "\(path()).\(name)", reason: "\"\(t)\" is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return e
        }

        func choiceItem<E: RawRepresentable & CaseIterable>(_ m: FieldMap, _ name: String, _ k: Int, _ path: @autoclosure () -> String) throws(CAPError) -> E where E.RawValue == String {
            let t = try texts(m, name, path())[k]
            guard let e = E(rawValue: t) else {
                throw CAPError(path: "\(path()).\(name)[\(k)]", reason: "\"\(t)\" is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return e
        }

        func dateTime(_ m: FieldMap, _ name: String, _ path: @autoclosure () -> String) throws(CAPError) -> CAPDateTime? {
            guard let t = try text(m, name, path()) else { return nil }
            guard let d = CAPDateTime(t) else { throw CAPError(path: "\(path()).\(name)", reason: "\"\(t)\" is not a CAP dateTime") }
            return d
        }

        func pairs(_ m: FieldMap, _ name: String, _ path: @autoclosure () -> String) throws(CAPError) -> [CAPValuePair] {
            var out: [CAPValuePair] = []
            for (k, item) in try list(m[name], "\(path()).\(name)").enumerated() {
                let p = try map(item, "\(path()).\(name)[\(k)]")
                out.append(CAPValuePair(valueName: try required(p, "name", "\(path()).\(name)[\(k)]"),
                                        value: try required(p, "value", "\(path()).\(name)[\(k)]")))
            }
            return out
        }

        func infoIndex(_ m: FieldMap, _ path: @autoclosure () -> String, count: Int) throws(CAPError) -> Int {
            guard let i = try integer(m, "info", path()), i >= 0, i < count else {
                throw CAPError(path: "\(path()).info", reason: "not the index of one of the \(count) cap_infos")
            }
            return Int(i)
        }
    }
}
