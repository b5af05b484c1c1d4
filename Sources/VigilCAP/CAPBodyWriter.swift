import VigilModel

/// Writes an imported alert's entry body — the Vigil view and the CAP fields of `CAPBody` — as its
/// canonical bytes straight from the `CAPAlert`, without building the CAP fields as `FieldMap`s and
/// encoding those (a 50 KB alert has 1,400 value pairs: a map, an array and a release each).
///
/// The bytes are those of `CAPBody.store` then `FieldMap.encoded()`, the general path (`CAPImport.generalBody`):
/// the same fields in the same name order, each map's fields counted first. CAPBodyWriterTests compare
/// both byte by byte over every sample, hundreds of generated alerts and the edge cases. When the
/// message breaks a limit of the encoding (a list of more than 1,024 items) this writer gives nil and
/// the general path names the field in its error.
enum CAPBodyWriter {
    /// The entry body of `view` (`CAPImport.alertView(of:)`) plus `alert`'s CAP fields, or nil when a
    /// limit of the encoding is broken. `capacity` is a guess at the size (the document's).
    static func body(view: AlertView, alert: CAPAlert, capacity: Int) -> [UInt8]? {
        let maxItems = FieldMap.Limits.maxListItems
        guard alert.codes.count <= maxItems, alert.extensions.count <= maxItems, alert.infos.count <= maxItems else { return nil }
        var resourceCount = 0, areaCount = 0
        for i in alert.infos.indices {
            guard alert.infos[i].categories.count <= maxItems, alert.infos[i].responseTypes.count <= maxItems,
                  alert.infos[i].eventCodes.count <= maxItems, alert.infos[i].parameters.count <= maxItems else { return nil }
            resourceCount += alert.infos[i].resources.count
            areaCount += alert.infos[i].areas.count
            for area in alert.infos[i].areas where area.polygons.count > maxItems || area.circles.count > maxItems || area.geocodes.count > maxItems {
                return nil
            }
        }
        guard resourceCount <= maxItems, areaCount <= maxItems else { return nil }
        var w = FieldMapWriter(capacity: capacity)
        let count = view.fieldCount + 1 + one(areaCount > 0) + one(!alert.infos.isEmpty) + one(resourceCount > 0)
        guard count <= FieldMap.Limits.maxFields else { return nil }
        w.mapStart(fields: count)
        // In name order: areas, cap, cap_areas, cap_identifier, cap_infos, cap_resources, cap_sender, … (the
        // view's fields are all from `areas`, `cap_identifier` and `cap_sender` on).
        view.writeAreas(&w)
        writeAlert(alert, &w)
        if areaCount > 0 { writeAreas(alert, count: areaCount, &w) }
        view.writeCapIdentifier(&w)
        if !alert.infos.isEmpty { writeInfos(alert, &w) }
        if resourceCount > 0 { writeResources(alert, count: resourceCount, &w) }
        view.writeRest(&w)
        return w.bytes
    }

    /// `cap`: the `<alert>` level.
    private static func writeAlert(_ alert: CAPAlert, _ w: inout FieldMapWriter) {
        let n = 6 + one(alert.addresses != nil) + one(!alert.codes.isEmpty) + one(!alert.extensions.isEmpty)
            + one(alert.incidents != nil) + one(alert.note != nil) + one(alert.references != nil)
            + one(alert.restriction != nil) + one(alert.source != nil)
        w.name("cap")
        w.mapValueStart(fields: n)
        if let v = alert.addresses { w.name("addresses"); w.text(value: v) }
        if !alert.codes.isEmpty { w.name("codes"); texts(alert.codes, &w) }
        if !alert.extensions.isEmpty { w.name("extensions"); texts(alert.extensions, &w) }
        w.name("identifier"); w.text(value: alert.identifier)
        if let v = alert.incidents { w.name("incidents"); w.text(value: v) }
        w.name("msg_type"); w.text(value: alert.msgType.rawValue)
        if let v = alert.note { w.name("note"); w.text(value: v) }
        if let v = alert.references { w.name("references"); w.text(value: v) }
        if let v = alert.restriction { w.name("restriction"); w.text(value: v) }
        w.name("scope"); w.text(value: alert.scope.rawValue)
        w.name("sender"); w.text(value: alert.sender)
        w.name("sent"); alert.sent.withUTF8 { w.text(utf8: $0) }
        if let v = alert.source { w.name("source"); w.text(value: v) }
        w.name("status"); w.text(value: alert.status.rawValue)
    }

    /// `cap_infos`: one map per `<info>`.
    private static func writeInfos(_ alert: CAPAlert, _ w: inout FieldMapWriter) {
        w.name("cap_infos")
        w.listStart(items: alert.infos.count)
        // Through the buffer: `for info in alert.infos` would copy each CAPInfo, retaining all its fields.
        alert.infos.withUnsafeBufferPointer { infos in
            for i in infos.indices { write(info: infos.baseAddress! + i, &w) }
        }
    }

    /// One map of `cap_infos`.
    private static func write(info p: UnsafePointer<CAPInfo>, _ w: inout FieldMapWriter) {
        do {
            // Fields read through the pointer, in place (a borrowed CAPInfo was still copied whole).
            let n = 5 + one(p.pointee.audience != nil) + one(p.pointee.contact != nil) + one(p.pointee.description != nil)
                + one(p.pointee.effective != nil) + one(!p.pointee.eventCodes.isEmpty) + one(p.pointee.expires != nil)
                + one(p.pointee.headline != nil) + one(p.pointee.instruction != nil) + one(p.pointee.language != nil)
                + one(p.pointee.onset != nil) + one(!p.pointee.parameters.isEmpty) + one(!p.pointee.responseTypes.isEmpty)
                + one(p.pointee.senderName != nil) + one(p.pointee.web != nil)
            w.mapValueStart(fields: n)
            if let v = p.pointee.audience { w.name("audience"); w.text(value: v) }
            w.name("categories")
            w.listStart(items: p.pointee.categories.count)
            for c in p.pointee.categories { w.text(value: c.rawValue) }
            w.name("certainty"); w.text(value: p.pointee.certainty.rawValue)
            if let v = p.pointee.contact { w.name("contact"); w.text(value: v) }
            if let v = p.pointee.description { w.name("description"); w.text(value: v) }
            if let v = p.pointee.effective { w.name("effective"); v.withUTF8 { w.text(utf8: $0) } }
            w.name("event"); w.text(value: p.pointee.event)
            if !p.pointee.eventCodes.isEmpty { w.name("event_codes"); pairs(p.pointee.eventCodes, &w) }
            if let v = p.pointee.expires { w.name("expires"); v.withUTF8 { w.text(utf8: $0) } }
            if let v = p.pointee.headline { w.name("headline"); w.text(value: v) }
            if let v = p.pointee.instruction { w.name("instruction"); w.text(value: v) }
            if let v = p.pointee.language { w.name("language"); w.text(value: v) }
            if let v = p.pointee.onset { w.name("onset"); v.withUTF8 { w.text(utf8: $0) } }
            if !p.pointee.parameters.isEmpty { w.name("parameters"); pairs(p.pointee.parameters, &w) }
            if !p.pointee.responseTypes.isEmpty {
                w.name("response_types")
                w.listStart(items: p.pointee.responseTypes.count)
                for r in p.pointee.responseTypes { w.text(value: r.rawValue) }
            }
            if let v = p.pointee.senderName { w.name("sender_name"); w.text(value: v) }
            w.name("severity"); w.text(value: p.pointee.severity.rawValue)
            w.name("urgency"); w.text(value: p.pointee.urgency.rawValue)
            if let v = p.pointee.web { w.name("web"); w.text(value: v) }
        }
    }

    /// `cap_resources`: one map per `<resource>` of every info, with the info's index.
    private static func writeResources(_ alert: CAPAlert, count: Int, _ w: inout FieldMapWriter) {
        w.name("cap_resources")
        w.listStart(items: count)
        alert.infos.withUnsafeBufferPointer { infos in
            for i in infos.indices {
                infos[i].resources.withUnsafeBufferPointer { resources in
                    for k in resources.indices { write(resource: resources[k], info: i, &w) }
                }
            }
        }
    }

    /// One map of `cap_resources`.
    private static func write(resource r: borrowing CAPResource, info i: Int, _ w: inout FieldMapWriter) {
        let n = 3 + one(r.derefUri != nil) + one(r.digest != nil) + one(r.size != nil) + one(r.uri != nil)
        w.mapValueStart(fields: n)
        if let v = r.derefUri { w.name("deref_uri"); w.text(value: v) }
        if let v = r.digest { w.name("digest"); w.text(value: v) }
        w.name("info"); w.integer(Int64(i))
        w.name("mime_type"); w.text(value: r.mimeType)
        w.name("resource_desc"); w.text(value: r.resourceDesc)
        if let v = r.size { w.name("size"); w.integer(v) }
        if let v = r.uri { w.name("uri"); w.text(value: v) }
    }

    /// `cap_areas`: one map per `<area>` of every info, with the info's index. (Read through buffers: a
    /// `for` over the arrays would copy each info, area and polygon, retaining all their fields.)
    private static func writeAreas(_ alert: CAPAlert, count: Int, _ w: inout FieldMapWriter) {
        w.name("cap_areas")
        w.listStart(items: count)
        alert.infos.withUnsafeBufferPointer { infos in
            for i in infos.indices {
                infos[i].areas.withUnsafeBufferPointer { areas in
                    for k in areas.indices { write(area: areas[k], info: i, &w) }
                }
            }
        }
    }

    /// One map of `cap_areas`.
    private static func write(area a: borrowing CAPArea, info i: Int, _ w: inout FieldMapWriter) {
        let n = 2 + one(a.altitude != nil) + one(a.ceiling != nil) + one(!a.circles.isEmpty)
            + one(!a.geocodes.isEmpty) + one(!a.polygons.isEmpty)
        w.mapValueStart(fields: n)
        if let v = a.altitude { w.name("altitude"); w.text(value: v) }
        w.name("area_desc"); w.text(value: a.areaDesc)
        if let v = a.ceiling { w.name("ceiling"); w.text(value: v) }
        if !a.circles.isEmpty { w.name("circles"); shapes(a.circles, &w) }
        if !a.geocodes.isEmpty { w.name("geocodes"); pairs(a.geocodes, &w) }
        w.name("info"); w.integer(Int64(i))
        if !a.polygons.isEmpty { w.name("polygons"); shapes(a.polygons, &w) }
    }

    /// A list of shapes, each as written in the document it was read from (its made text otherwise),
    /// read in place through the buffer.
    private static func shapes<S: CAPWrittenShape>(_ list: [S], _ w: inout FieldMapWriter) {
        w.listStart(items: list.count)
        list.withUnsafeBufferPointer { shapes in
            for j in shapes.indices { w.text(value: shapes[j].text) }
        }
    }

    @inline(__always) private static func one(_ condition: Bool) -> Int { condition ? 1 : 0 }

    /// A list of texts.
    private static func texts(_ values: [String], _ w: inout FieldMapWriter) {
        w.listStart(items: values.count)
        for v in values { w.text(value: v) }
    }

    /// Value pairs, each a map `{name, value}`.
    private static func pairs(_ values: [CAPValuePair], _ w: inout FieldMapWriter) {
        w.listStart(items: values.count)
        values.withUnsafeBufferPointer { pairs in
            for k in pairs.indices {
                w.mapValueStart(fields: 2)
                w.name("name"); w.text(value: pairs[k].valueName)
                w.name("value"); w.text(value: pairs[k].value)
            }
        }
    }
}

/// An area shape whose `text` is the text it was read as (`CAPPolygon`, `CAPCircle`: export loses no
/// decimals), or its made text when it was not read from a document.
protocol CAPWrittenShape {
    var text: String { get }
}

extension CAPPolygon: CAPWrittenShape {}
extension CAPCircle: CAPWrittenShape {}
