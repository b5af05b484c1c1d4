import Foundation

/// Canonical comparison of CAP documents: two documents are equivalent when they say the same thing,
/// whatever their encoding, namespace prefixes, whitespace and the order CAP leaves free.
///
/// The canonical form is one line per element, depth-first: `{namespace}name [attributes] = text`.
/// Normalised: element and attribute names by namespace URI (prefixes and declarations do not count);
/// attributes sorted; text trimmed of leading and trailing whitespace, and for the CAP list elements
/// (`polygon`, `circle`, `addresses`, `references`, `incidents`) with every whitespace run made one space;
/// comments, processing instructions and whitespace between elements dropped; the children of a CAP
/// element sorted by their place in the schema and, among repeated elements (several `<info>`, `<area>`,
/// `<code>`, `<parameter>` …), by their own canonical form. Elements of other namespaces (XML signatures)
/// keep their order and their content exactly (only surrounding whitespace is trimmed).
public enum CAPCanonical {
    /// The canonical form of a document (any encoding `CAPParser` reads; DTDs refused as there).
    public static func form(_ data: Data) throws(CAPError) -> String {
        let utf8 = try CAPInput.utf8Document(data)
        let root = try CAPXMLReader.read(utf8)
        var lines: [String] = []
        write(root, depth: 0, into: &lines)
        return lines.joined(separator: "\n")
    }

    /// Whether two documents are equivalent (same canonical form). Unreadable documents are not.
    public static func equivalent(_ a: Data, _ b: Data) -> Bool {
        guard let x = try? form(a), let y = try? form(b) else { return false }
        return x == y
    }

    /// Nil when the documents are equivalent, else the first canonical line that differs, for messages.
    public static func difference(_ a: Data, _ b: Data) -> String? {
        let x: String, y: String
        do { x = try form(a) } catch { return "the first document is unreadable: \(error)" }
        do { y = try form(b) } catch { return "the second document is unreadable: \(error)" }
        guard x != y else { return nil }
        let l = x.split(separator: "\n", omittingEmptySubsequences: false), r = y.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(l.count, r.count) {
            let p = i < l.count ? String(l[i]) : "(end)", q = i < r.count ? String(r[i]) : "(end)"
            if p != q { return "line \(i + 1): \(CAPParser.shown(p, limit: 200)) ≠ \(CAPParser.shown(q, limit: 200))" }
        }
        return "the forms differ"
    }

    /// The schema position of every CAP element name within its parent.
    static let schemaOrder: [String: Int] = {
        var order: [String: Int] = [:]
        for list in [CAPParser.alertOrder, CAPParser.infoOrder, CAPParser.resourceOrder, CAPParser.areaOrder, ["valueName", "value"]] {
            for (i, name) in list.enumerated() where order[name] == nil { order[name] = i }
        }
        return order
    }()

    static let listElements: Set<String> = ["polygon", "circle", "addresses", "references", "incidents"]

    private static func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    static func canonicalText(_ e: CAPXMLElement) -> String {
        let trimmed = e.text.trimmedWhitespace
        guard e.namespace == CAPParser.namespace else { return trimmed }
        if e.name == "size", let n = Int64(trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed) { return String(n) }
        guard listElements.contains(e.name) else { return trimmed }
        return trimmed.split(whereSeparator: isSpace).joined(separator: " ")
    }

    private static func escaped(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\t", with: "\\t")
    }

    private static func write(_ e: CAPXMLElement, depth: Int, into lines: inout [String]) {
        var line = String(repeating: " ", count: depth) + "{\(e.namespace ?? "")}\(e.name)"
        // CAP defines no attributes; those on its elements (xsi:schemaLocation …) carry no alert content.
        if e.namespace != CAPParser.namespace, !e.attributes.isEmpty { line += " [" + e.attributes.map { "\($0.0)=\(escaped($0.1))" }.joined(separator: " ") + "]" }
        let text = canonicalText(e)
        if !text.isEmpty { line += " = " + escaped(text) }
        lines.append(line)
        var children: [(key: Int, form: [String])] = e.children.map { child in
            var sub: [String] = []
            write(child, depth: depth + 1, into: &sub)
            return (child.namespace == CAPParser.namespace ? schemaOrder[child.name] ?? Int.max - 1 : Int.max, sub)
        }
        if e.namespace == CAPParser.namespace {
            // Stable: other namespaces (key Int.max) keep their order among themselves.
            children = children.enumerated().sorted { a, b in
                if a.element.key != b.element.key { return a.element.key < b.element.key }
                if a.element.key == Int.max { return a.offset < b.offset }
                let x = a.element.form.joined(separator: "\n"), y = b.element.form.joined(separator: "\n")
                return x != y ? x < y : a.offset < b.offset
            }.map(\.element)
        }
        for c in children { lines += c.form }
    }
}
