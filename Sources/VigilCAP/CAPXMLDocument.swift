/// The local names of CAP 1.2 elements, as small codes: `CAPXMLReader` looks each element's name up once,
/// and `CAPParser` compares codes instead of strings. Any other name is `.other` (its text stays in the
/// document's bytes, for messages).
enum CAPName: UInt8, CaseIterable {
    case other
    case alert, identifier, sender, sent, status, msgType, source, scope, restriction, addresses, code, note,
         references, incidents, info
    case language, category, event, responseType, urgency, severity, certainty, audience, eventCode, effective,
         onset, expires, senderName, headline, description, instruction, web, contact, parameter, resource, area
    case resourceDesc, mimeType, size, uri, derefUri, digest
    case areaDesc, polygon, circle, geocode, altitude, ceiling
    case valueName, value

    /// The element name as written (empty for `.other`).
    var text: String { Self.texts[Int(rawValue)] }

    private static let texts: [String] = allCases.map { $0 == .other ? "" : "\($0)" }

    /// Elements that may repeat, whose paths carry an index.
    var isRepeatable: Bool {
        switch self {
        case .code, .info, .category, .responseType, .eventCode, .parameter, .resource, .area, .polygon, .circle, .geocode: true
        default: false
        }
    }

    /// The code for the name in `bytes`, `.other` when it is no CAP element name.
    @inline(__always) static func lookUp(_ bytes: UnsafeBufferPointer<UInt8>) -> CAPName {
        Table.shared.lookUp(bytes)
    }

    /// An open-addressing hash table of the names, each as two words of its bytes: one hash, one
    /// comparison of two words per lookup.
    final class Table: Sendable {
        static let shared = Table()
        static let size = 256
        /// Code per slot, 0 for an empty slot.
        let slots: [UInt8]
        /// Per code: the name's length and its bytes 0–7 and 8–15 as little-endian words (zero-padded).
        let lengths: [Int]
        let low: [UInt64], high: [UInt64]

        init() {
            var lengths: [Int] = [], low: [UInt64] = [], high: [UInt64] = []
            for name in CAPName.allCases {
                let u = Array(name.text.utf8)
                let (w0, w1) = u.withUnsafeBufferPointer { Self.words($0, 0, u.count) }
                lengths.append(u.count)
                low.append(w0)
                high.append(w1)
            }
            var slots = [UInt8](repeating: 0, count: Self.size)
            for name in CAPName.allCases where name != .other {
                let code = Int(name.rawValue)
                var k = Self.hash(low[code], high[code])
                while slots[k] != 0 { k = (k + 1) & (Self.size - 1) }
                slots[k] = name.rawValue
            }
            self.slots = slots
            self.lengths = lengths
            self.low = low
            self.high = high
        }

        @inline(__always) static func hash(_ w0: UInt64, _ w1: UInt64) -> Int {
            Int(truncatingIfNeeded: ((w0 &+ w1 &* 31) &* 0x9E37_79B9_7F4A_7C15) &>> 56) & (size - 1)
        }

        /// The `n` (at most 16) bytes at `start` of `p` as two little-endian words, zero beyond `n`. Loads
        /// eight bytes at a time when `p` holds 16 from `start`, else byte by byte.
        @inline(__always) static func words(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ n: Int) -> (UInt64, UInt64) {
            if start + 16 <= p.count, let base = p.baseAddress {
                let raw = UnsafeRawPointer(base)
                let a = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt64.self))
                let b = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8, as: UInt64.self))
                if n >= 8 {
                    return (a, n == 16 ? b : b & ((1 &<< UInt64(8 * (n - 8))) &- 1))
                }
                return (a & ((1 &<< UInt64(8 * n)) &- 1), 0)
            }
            var w0: UInt64 = 0, w1: UInt64 = 0
            for j in 0..<n {
                if j < 8 { w0 |= UInt64(p[start + j]) &<< UInt64(8 * j) } else { w1 |= UInt64(p[start + j]) &<< UInt64(8 * (j - 8)) }
            }
            return (w0, w1)
        }

        func lookUp(_ u: UnsafeBufferPointer<UInt8>) -> CAPName {
            guard let base = u.baseAddress else { return .other }
            return lookUp(in: UnsafeBufferPointer(start: base, count: u.count), from: 0, count: u.count)
        }

        /// The code for the `n` bytes at `start` of `p` (the whole document, so that the name can be read
        /// eight bytes at a time).
        func lookUp(in p: UnsafeBufferPointer<UInt8>, from start: Int, count n: Int) -> CAPName {
            guard n > 0, n <= 16 else { return .other }
            let (w0, w1) = Self.words(p, start, n)
            var k = Self.hash(w0, w1)
            while true {
                let code = Int(slots[k])
                if code == 0 { return .other }
                if low[code] == w0 && high[code] == w1 && lengths[code] == n { return CAPName(rawValue: UInt8(code))! }
                k = (k + 1) & (Self.size - 1)
            }
        }
    }
}

/// One element of a `CAPXMLDocument`: plain numbers, no references. Elements are stored in document order
/// (a parent before its children), so an element's first child, if any, is the next element.
struct CAPXMLRecord {
    /// The local name's byte range in the document's `source`.
    var nameStart: Int32, nameEnd: Int32
    /// The index of the namespace URI in `namespaces`, -1 for no namespace.
    var namespace: Int32
    /// The parent element, -1 for the root.
    var parent: Int32
    /// The first child and the next sibling, -1 when there is none.
    var firstChild: Int32 = -1
    var nextSibling: Int32 = -1
    var childCount: Int32 = 0
    /// The character data's byte range in the document's `text`, or in its `source` when `textInSource`.
    var textStart: Int32 = 0, textEnd: Int32 = 0
    /// The range of the element's attributes in `attributes`.
    var attributeStart: Int32 = 0, attributeEnd: Int32 = 0
    /// The index of the element's standalone XML text in `extensions`, -1 for none.
    var extensionIndex: Int32 = -1
    /// The local name as a CAP name code.
    var name: CAPName
    /// Whether the character data is one run of the source as it stands (no references, CDATA or CR: the
    /// usual case), kept as its range there instead of copied into `text`.
    var textInSource = false
}

/// A document read by `CAPXMLReader`: every element in one array of `CAPXMLRecord`s, linked by index,
/// each element's character data a range of the document (one plain run, the usual case) or of one byte
/// buffer holding the rest. Building and freeing it costs a few
/// allocations for the whole document instead of several per element.
final class CAPXMLDocument {
    /// The UTF-8 document the elements' names point into.
    let source: [UInt8]
    let elements: [CAPXMLRecord]
    /// The character data of the elements whose text is not one plain run of `source` (references
    /// replaced, line ends normalised, CDATA and text around comments joined), one after the other.
    let text: [UInt8]
    /// The namespace URIs used by elements and attributes, each once.
    let namespaces: [String]
    /// Attributes other than namespace declarations, by `{namespace}local` for prefixed ones and by local
    /// name otherwise; sorted by name within each element.
    let attributes: [(name: String, value: String)]
    /// Standalone XML texts of elements of the XML signature namespace directly inside the root.
    let extensions: [String]
    /// The indices of the CAP 1.2 and the XML signature namespaces in `namespaces`, -1 when unused.
    let capNamespace: Int32, signatureNamespace: Int32

    init(source: [UInt8], elements: [CAPXMLRecord], text: [UInt8], namespaces: [String],
         attributes: [(name: String, value: String)], extensions: [String]) {
        self.source = source
        self.elements = elements
        self.text = text
        self.namespaces = namespaces
        self.attributes = attributes
        self.extensions = extensions
        capNamespace = Int32(namespaces.firstIndex(of: CAPParser.namespace) ?? -1)
        signatureNamespace = Int32(namespaces.firstIndex(of: CAPParser.xmldsig) ?? -1)
    }

    /// The root element.
    var root: CAPXMLElement { CAPXMLElement(document: self, index: 0) }

    /// The local name of element `e`.
    func name(_ e: Int32) -> String {
        let r = elements[Int(e)]
        return source.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[Int(r.nameStart)..<Int(r.nameEnd)]), as: UTF8.self) }
    }

    /// The namespace URI of element `e`, nil for none.
    func namespace(_ e: Int32) -> String? {
        let n = elements[Int(e)].namespace
        return n < 0 ? nil : namespaces[Int(n)]
    }

    /// The character data directly inside element `e`.
    func text(_ e: Int32) -> String {
        let r = elements[Int(e)]
        guard r.textEnd > r.textStart else { return "" }
        return withTextBytes(r) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the bytes of the character data directly inside element `e` (valid UTF-8).
    @inline(__always) func withText<R>(_ e: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withTextBytes(elements[Int(e)], body)
    }

    /// Calls `body` with the bytes of the character data of the element `r`.
    @inline(__always) private func withTextBytes<R>(_ r: CAPXMLRecord, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        // Two calls, not `(c ? source : text).with…`, which copies (retains and releases) the chosen array.
        if r.textInSource {
            return source.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[Int(r.textStart)..<Int(r.textEnd)])) }
        }
        return text.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[Int(r.textStart)..<Int(r.textEnd)])) }
    }

    /// Whether the character data of element `e` is empty or only XML whitespace (space, tab, LF, CR).
    func textIsSpace(_ e: Int32) -> Bool {
        let r = elements[Int(e)]
        guard r.textEnd > r.textStart else { return true }
        return withTextBytes(r) { t in
            for b in t where b != 0x20 && b != 0x0A && b != 0x09 && b != 0x0D { return false }
            return true
        }
    }

    /// The children of element `e`, in order.
    func children(_ e: Int32) -> [Int32] {
        var result: [Int32] = []
        var c = elements[Int(e)].firstChild
        while c >= 0 {
            result.append(c)
            c = elements[Int(c)].nextSibling
        }
        return result
    }

    /// The element path of `e`, as `CAPParser` names elements in errors.
    func path(_ e: Int32) -> String {
        source.withUnsafeBufferPointer { Self.path(Int(e), elements, $0) }
    }

    /// The element path of `e` from the records and the document bytes: local names from the root, elements
    /// that may repeat with their index among same-named siblings (`alert/info[1]/area[0]/polygon[2]`).
    static func path(_ e: Int, _ elements: [CAPXMLRecord], _ source: UnsafeBufferPointer<UInt8>) -> String {
        var parts: [String] = []
        var k = e
        while k >= 0 {
            let r = elements[k]
            let name = String(decoding: UnsafeBufferPointer(rebasing: source[Int(r.nameStart)..<Int(r.nameEnd)]), as: UTF8.self)
            var part = CAPParser.shown(name, limit: 32)
            if r.parent >= 0 && r.name.isRepeatable {
                var index = 0
                var sibling = elements[Int(r.parent)].firstChild
                while sibling >= 0 && Int(sibling) != k {
                    if elements[Int(sibling)].name == r.name { index += 1 }
                    sibling = elements[Int(sibling)].nextSibling
                }
                part += "[\(index)]"
            }
            parts.append(part)
            k = Int(r.parent)
        }
        return parts.reversed().joined(separator: "/")
    }

}

/// One element of a `CAPXMLDocument` as a value with the element's properties, for code that is not on the
/// import's path (canonical comparison, tests).
struct CAPXMLElement {
    let document: CAPXMLDocument
    let index: Int32

    /// The local name (without prefix).
    var name: String { document.name(index) }
    /// The namespace URI, nil when the element is in no namespace.
    var namespace: String? { document.namespace(index) }
    /// Attributes other than namespace declarations, by `{namespace}local` for prefixed ones and by
    /// local name otherwise, sorted by name.
    var attributes: [(name: String, value: String)] {
        let r = document.elements[Int(index)]
        return Array(document.attributes[Int(r.attributeStart)..<Int(r.attributeEnd)])
    }
    /// All character data directly inside the element (text runs, CDATA, references), concatenated.
    var text: String { document.text(index) }
    var children: [CAPXMLElement] { document.children(index).map { CAPXMLElement(document: document, index: $0) } }
    /// For an element of the XML signature namespace directly inside the root: the element's exact
    /// source text (as UTF-8), with the namespace declarations it inherits added to its start tag so
    /// that it stands alone.
    var xml: String? {
        let k = document.elements[Int(index)].extensionIndex
        return k < 0 ? nil : document.extensions[Int(k)]
    }
    /// The element path as `CAPParser` names elements in errors.
    var path: String { document.path(index) }
}
