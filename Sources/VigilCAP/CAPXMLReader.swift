import VigilModel

/// A small, strict XML 1.0 reader for CAP documents, working on UTF-8 bytes (from `CAPInput`).
///
/// Reads the XML declaration, elements with attributes (both quote styles), namespaces (prefixes, the
/// default namespace, undeclaring it), character data, CDATA sections, the five predefined entities and
/// character references; skips comments and processing instructions. Anything with a DTD is impossible
/// by construction: `<!DOCTYPE`, `<!ENTITY` and references to any other entity are refused, nothing is
/// ever declared, expanded or fetched. Well-formedness is checked (matching end tags, one root element,
/// only whitespace, comments and processing instructions outside it, no `<` in attribute values, valid
/// names and characters, unique attributes, bound prefixes), with nesting limited to `CAPParser.maxDepth`.
/// Errors name the element path (as `CAPParser` does) plus line and column.
struct CAPXMLReader {
    static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    private let p: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var stack: [Frame] = []
    /// Namespace bindings in scope, innermost last (the prefix as a byte range of the document, empty for
    /// the default namespace; the URI as an index into `namespaces`); each frame remembers how many it added.
    private var bindings: [(prefixStart: Int, prefixEnd: Int, uri: Int32)] = []
    /// The document being built (`CAPXMLDocument`).
    private var elements: [CAPXMLRecord] = []
    private var namespaces: [String] = []
    private var attributes: [(name: String, value: String)] = []
    private var extensions: [String] = []
    /// Every closed element's character data, one after the other.
    private var texts: [UInt8] = []
    /// The character data of the open elements, innermost last: an element's text starts at its frame's
    /// `textStart` and moves to `texts` when it closes (an inner element always closes before its parent
    /// reads on), so one buffer serves the whole document instead of one array per element.
    private var text: [UInt8] = []

    private struct Frame {
        let element: Int32
        /// The qualified name's byte range, for matching the end tag.
        let nameStart: Int, nameEnd: Int
        let bindingCount: Int
        /// Where the start tag begins (for signatures kept as text) and the declarations to add to it.
        let tagStart: Int
        /// Where the element's character data begins in the reader's `text`.
        let textStart: Int
        /// The last child read so far, -1 before the first.
        var lastChild: Int32 = -1
        /// The element's first run of character data while it is its only one and needs no change (no
        /// reference, CDATA or CR), as a range of the document, not yet copied to `text`; end -1 for none.
        var pendingStart = 0, pendingEnd = -1
    }

    /// The CAP element names, looked up once per document rather than once per element.
    private let names = CAPName.Table.shared

    private init(_ p: UnsafeBufferPointer<UInt8>) {
        self.p = p
        text.reserveCapacity(256)
        stack.reserveCapacity(8)   // CAP nests 5 deep (alert, info, area, geocode, value): one allocation
        texts.reserveCapacity(p.count / 2)
        elements.reserveCapacity(p.count / 16 + 4)   // CAP has an element per 20-25 bytes; no regrowth
    }

    /// The root element of `utf8` (valid UTF-8, as `CAPInput.utf8Document` returns).
    static func read(_ utf8: [UInt8]) throws(CAPError) -> CAPXMLElement {
        try document(utf8).root
    }

    /// The document `utf8` (valid UTF-8, as `CAPInput.utf8Document` returns), read into one arena.
    static func document(_ utf8: [UInt8]) throws(CAPError) -> CAPXMLDocument {
        let result: Result<CAPXMLDocument, CAPError> = utf8.withUnsafeBufferPointer { buffer in
            var reader = CAPXMLReader(buffer)
            do throws(CAPError) {
                try reader.document()
                return .success(CAPXMLDocument(source: utf8, elements: reader.elements, text: reader.texts, namespaces: reader.namespaces,
                                               attributes: reader.attributes, extensions: reader.extensions))
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    // MARK: Errors

    /// The element path of the open elements, as `CAPParser` names them (`alert/info[0]/area[1]`).
    private var path: String {
        guard let top = stack.last else { return "" }
        return CAPXMLDocument.path(Int(top.element), elements, p)
    }

    /// "not well-formed XML at line L, column C: what" at the current position.
    private func malformed(_ what: String, at position: Int? = nil) -> CAPError {
        let end = min(position ?? i, p.count)
        var line = 1, lineStart = 0
        for k in 0..<end where p[k] == 0x0A { line += 1; lineStart = k + 1 }
        return CAPError(path: path, reason: "not well-formed XML at line \(line), column \(end - lineStart + 1): \(what)")
    }

    private func truncated(_ what: String) -> CAPError {
        malformed("the document ends inside \(what)")
    }

    // MARK: Bytes

    @inline(__always) private func at(_ k: Int) -> UInt8 { k < p.count ? p[k] : 0 }

    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

    private func starts(_ s: StaticString, at k: Int) -> Bool {
        let n = s.utf8CodeUnitCount
        guard k + n <= p.count else { return false }
        return s.withUTF8Buffer { w in
            for j in 0..<n where p[k + j] != w[j] { return false }
            return true
        }
    }

    private mutating func skipSpace() { while i < p.count, Self.isSpace(p[i]) { i += 1 } }

    /// Checks one character at `i`: refuses control characters, U+FFFE/U+FFFF and bytes that are not
    /// UTF-8. Returns the character's length in bytes.
    @inline(__always) private func checkedChar() throws(CAPError) -> Int {
        let b = p[i]
        if b >= 0x20 && b < 0x80 { return 1 }
        if b < 0x20 {
            if b == 0x09 || b == 0x0A || b == 0x0D { return 1 }
            throw malformed("control character U+\(String(b, radix: 16, uppercase: true)) is not allowed in XML")
        }
        return try multibyte()
    }

    /// The length of the UTF-8 sequence at `i` (first byte ≥ 0x80), which must be well-formed and not
    /// U+FFFE/U+FFFF.
    private func multibyte() throws(CAPError) -> Int {
        let b = p[i]
        guard let n = UTF8Check.sequenceLength(at: i, in: p) else {
            throw malformed(UTF8Check.isLeadByte(b) ? "the bytes at this place are not UTF-8"
                                                    : "byte 0x\(String(b, radix: 16, uppercase: true)) is not UTF-8")
        }
        if b == 0xEF, p[i + 1] == 0xBF, p[i + 2] >= 0xBE {
            throw malformed("U+FFFE and U+FFFF are not XML characters")
        }
        return n
    }

    @inline(__always) private static func isNameStart(_ b: UInt8) -> Bool {
        (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A || b == 0x5F || b == 0x3A || b >= 0x80
    }

    @inline(__always) private static func isNameChar(_ b: UInt8) -> Bool {
        isNameStart(b) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E
    }

    /// `isNameChar` for ASCII bytes as two bit sets: `- . 0-9 :` below 64, `A-Z _ a-z` from 64 to 127.
    private static let nameCharsLow: UInt64 = (1 << 0x2D) | (1 << 0x2E) | (0x3FF << 0x30) | (1 << 0x3A)
    private static let nameCharsHigh: UInt64 = (0x3FF_FFFF << 1) | (1 << 0x1F) | (0x3FF_FFFF << 0x21)

    /// A name at `i` (letters, digits, `_ - . :`, any non-ASCII character; not starting with a digit,
    /// `-` or `.`); returns its byte range and the position of its first colon (-1 for none).
    private mutating func name(_ what: String) throws(CAPError) -> (start: Int, end: Int, colon: Int) {
        let start = i
        guard i < p.count else { throw truncated(what) }
        guard Self.isNameStart(p[i]) else {
            throw malformed("expected \(what), found \(Self.describe(p[i]))")
        }
        let n = p.count
        var k = i, colon = -1
        let raw = UnsafeRawPointer(p.baseAddress!)   // not empty: `p[i]` was read above
        while k < n {
            // Eight bytes at a time up to the first that is not an ASCII letter (CAP's names are letters).
            if k + 8 <= n {
                let notLetters = Self.nonLetterBytes(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)))
                if notLetters == 0 { k += 8; continue }
                k += notLetters.trailingZeroBitCount >> 3
            }
            let b = p[k]
            if b < 0x40 {
                guard Self.nameCharsLow &>> UInt64(b) & 1 != 0 else { break }
                if b == 0x3A && colon < 0 { colon = k }
                k += 1
            } else if b < 0x80 {
                guard Self.nameCharsHigh &>> UInt64(b - 0x40) & 1 != 0 else { break }
                k += 1
            } else {
                i = k
                k += try multibyte()
            }
        }
        i = k
        return (start, k, colon)
    }

    private static func describe(_ b: UInt8) -> String {
        b >= 0x21 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : b == 0x20 ? "a space" : "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    private func string(_ a: Int, _ b: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: p[a..<b]), as: UTF8.self)
    }

    /// The local name of element `e`.
    private func localName(_ e: Int32) -> String {
        string(Int(elements[Int(e)].nameStart), Int(elements[Int(e)].nameEnd))
    }

    /// Splits a qualified name into prefix and local part (byte ranges; no prefix: `prefixEnd == a`);
    /// refuses empty parts and a second colon.
    private func qualified(_ a: Int, _ b: Int) throws(CAPError) -> (prefixEnd: Int, localStart: Int) {
        var colon = -1
        for k in a..<b where p[k] == 0x3A {
            guard colon < 0 else { throw malformed("the name \(CAPParser.shown(string(a, b), limit: 40)) has more than one colon", at: a) }
            colon = k
        }
        guard colon >= 0 else { return (a, a) }
        guard colon > a, colon + 1 < b, Self.isNameStart(p[colon + 1]) else {
            throw malformed("the name \(CAPParser.shown(string(a, b), limit: 40)) is not a valid qualified name", at: a)
        }
        return (colon, colon + 1)
    }

    /// The namespace (index into `namespaces`) the prefix at `a..<b` is bound to.
    private mutating func uri(ofPrefix a: Int, _ b: Int) throws(CAPError) -> Int32 {
        let n = b - a
        if n == 3 && starts("xml", at: a) { return intern(Self.xmlNamespace) }
        for binding in bindings.reversed() where binding.prefixEnd - binding.prefixStart == n && memcmpEqual(binding.prefixStart, a, n) {
            return binding.uri
        }
        throw malformed("the namespace prefix \"\(CAPParser.shown(string(a, b), limit: 40))\" is not declared", at: a)
    }

    /// The index of `uri` in `namespaces`, added when new.
    private mutating func intern(_ uri: String) -> Int32 {
        if let k = namespaces.firstIndex(of: uri) { return Int32(k) }
        namespaces.append(uri)
        return Int32(namespaces.count - 1)
    }

    // MARK: References

    /// Appends the character of the reference at `start` (`&…;`) to the open element's text.
    private mutating func textReference(at start: Int) throws(CAPError) {
        flushPendingText()
        var out = text
        text = []
        defer { text = out }
        i = try reference(at: start, into: &out)
    }

    /// Appends the character of the reference at `start` (`&…;`) as UTF-8; returns the position after it.
    private func reference(at start: Int, into out: inout [UInt8]) throws(CAPError) -> Int {
        let i = start + 1
        var semicolon = i
        while semicolon < p.count, semicolon - i < 32, p[semicolon] == 0x23 || Self.isNameChar(p[semicolon]) { semicolon += 1 }
        guard semicolon < p.count else { throw malformed("the document ends inside an entity or character reference", at: start) }
        guard p[semicolon] == 0x3B else { throw malformed("'&' starts no valid reference; write &amp; for a literal '&'", at: start) }
        if at(i) == 0x23 {
            var value: UInt32 = 0
            var k = i + 1
            let hex = at(k) == 0x78
            if hex { k += 1 }
            guard k < semicolon else { throw malformed("empty character reference", at: start) }
            while k < semicolon {
                let b = p[k]
                let digit: UInt32
                switch b {
                case 0x30...0x39: digit = UInt32(b - 0x30)
                case 0x61...0x66 where hex: digit = UInt32(b - 0x61 + 10)
                case 0x41...0x46 where hex: digit = UInt32(b - 0x41 + 10)
                default: throw malformed("\(string(start, semicolon + 1)) is not a valid character reference", at: start)
                }
                value = value * (hex ? 16 : 10) + digit
                guard value <= 0x10FFFF else { throw malformed("\(string(start, semicolon + 1)) is beyond Unicode", at: start) }
                k += 1
            }
            let allowed = value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
                || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
            guard allowed, let scalar = Unicode.Scalar(value) else {
                throw malformed("\(string(start, semicolon + 1)) refers to a character XML does not allow", at: start)
            }
            out.append(contentsOf: UTF8.encode(scalar)!)
            return semicolon + 1
        }
        switch semicolon - i {
        case 2 where p[i] == 0x6C && p[i + 1] == 0x74: out.append(0x3C)                          // lt
        case 2 where p[i] == 0x67 && p[i + 1] == 0x74: out.append(0x3E)                          // gt
        case 3 where starts("amp", at: i): out.append(0x26)
        case 4 where starts("quot", at: i): out.append(0x22)
        case 4 where starts("apos", at: i): out.append(0x27)
        default:
            throw malformed("the entity reference \(CAPParser.shown(string(start, semicolon + 1), limit: 40)) is not one of XML's five (&lt; &gt; &amp; &quot; &apos;); CAP documents have no DTD, so no other entity exists", at: start)
        }
        return semicolon + 1
    }

    // MARK: Markup

    private mutating func document() throws(CAPError) {
        if starts("<?xml", at: 0), Self.isSpace(at(5)) {
            guard let end = find("?>", from: 5) else { throw truncated("the XML declaration") }
            var k = 5
            while Self.isSpace(p[k]) { k += 1 }
            guard starts("version", at: k) else { throw malformed("the XML declaration must start with version=\"1.0\"", at: k) }
            i = end + 2
        }
        // Prolog, root element, epilog.
        while true {
            skipSpace()
            guard i < p.count else {
                guard !elements.isEmpty else { throw malformed("the document has no root element") }
                return
            }
            guard p[i] == 0x3C else {
                throw malformed(elements.isEmpty ? "text before the root element" : "text after the root element")
            }
            if try miscellaneous() { continue }
            guard elements.isEmpty else { throw malformed("a second root element; an XML document has exactly one") }
            try element()
        }
    }

    /// The first position of `s` at or after `from`.
    private func find(_ s: StaticString, from: Int) -> Int? {
        let first = s.withUTF8Buffer { $0[0] }
        var k = from
        while k < p.count {
            if p[k] == first && starts(s, at: k) { return k }
            k += 1
        }
        return nil
    }

    /// Skips a comment or processing instruction at `i` (`<` seen); refuses DTD declarations. Returns
    /// false when `i` is at something else (an element or a CDATA section).
    private mutating func miscellaneous() throws(CAPError) -> Bool {
        let start = i
        if starts("<!--", at: i) {
            guard let end = find("--", from: i + 4) else { throw truncated("a comment") }
            guard at(end + 2) == 0x3E else {
                throw end + 2 >= p.count ? truncated("a comment") : malformed("'--' is not allowed inside a comment", at: end)
            }
            i += 4
            while i < end { i += try checkedChar() }
            i = end + 3
            return true
        }
        if starts("<?", at: i) {
            i += 2
            let (a, b, _) = try name("a processing instruction target")
            let target = string(a, b)
            var k = b
            while k < p.count, Self.isSpace(p[k]) { k += 1 }
            if starts("?>", at: k) {
                throw CAPError(path: path, reason: "the processing instruction <?\(CAPParser.shown(target))?> has no data; CAP uses no processing instructions and empty ones are refused")
            }
            guard k > b else { throw k >= p.count ? truncated("a processing instruction") : malformed("expected a space after <?\(CAPParser.shown(target))") }
            guard target.lowercased() != "xml" else { throw malformed("the XML declaration is allowed only at the very start of the document", at: start) }
            guard let end = find("?>", from: k) else { throw truncated("a processing instruction") }
            i = k
            while i < end { i += try checkedChar() }
            i = end + 2
            return true
        }
        if starts("<!", at: i), !starts("<![CDATA[", at: i) {
            if Self.caseless("DOCTYPE", p, i + 2) || Self.caseless("ENTITY", p, i + 2) {
                throw CAPError(path: path, reason: "the document has a DOCTYPE or ENTITY declaration: external entities and DTDs are not allowed in CAP documents; nothing was fetched")
            }
            throw i + 2 >= p.count ? truncated("markup") : malformed("'<!' starts no comment or CDATA section")
        }
        return false
    }

    private static func caseless(_ word: StaticString, _ p: UnsafeBufferPointer<UInt8>, _ k: Int) -> Bool {
        let n = word.utf8CodeUnitCount
        guard k + n <= p.count else { return false }
        return word.withUTF8Buffer { w in
            for j in 0..<n where p[k + j] & 0xDF != w[j] { return false }
            return true
        }
    }

    /// Reads one element with everything inside it, `i` at its `<`.
    private mutating func element() throws(CAPError) {
        let baseDepth = stack.count
        try startTag()
        while stack.count > baseDepth {
            guard i < p.count else { throw truncated("element <\(CAPParser.shown(localName(stack[stack.count - 1].element), limit: 40))>") }
            let b = p[i]
            if b == 0x3C {
                let next = at(i + 1)
                if next == 0x2F {
                    try endTag()
                } else if next == 0x21 && starts("<![CDATA[", at: i) {
                    guard let end = find("]]>", from: i + 9) else { throw truncated("a CDATA section") }
                    i += 9
                    flushPendingText()
                    try characters(until: end, cdata: true)
                    i = end + 3
                } else if next == 0x21 || next == 0x3F {
                    _ = try miscellaneous()
                } else {
                    try startTag()
                }
            } else if b == 0x26 {
                try textReference(at: i)
            } else {
                try textRun()
            }
        }
    }

    /// Reads character data from `i` to the next `<` or `&` (or the end of the document), checking its
    /// characters and refusing `]]>`. A run without CR that is the open element's first text is only
    /// remembered as a range of the document (`Frame.pendingStart`); anything else goes into `text`.
    private mutating func textRun() throws(CAPError) {
        let start = i
        let n = p.count
        var k = i
        var carriageReturn = false
        let raw = UnsafeRawPointer(p.baseAddress!)   // a run is never empty: `p` has at least the byte at `i`
        while k < n {
            // Eight bytes at a time up to the first that needs a look: markup, a control or non-ASCII byte.
            if k + 8 <= n {
                let special = Self.specialBytes(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)))
                if special == 0 { k += 8; continue }
                k += special.trailingZeroBitCount >> 3
            }
            let b = p[k]
            if b >= 0x20 && b < 0x80 {
                if b == 0x3C || b == 0x26 { break }
                if b == 0x3E && k >= 2 && p[k - 1] == 0x5D && p[k - 2] == 0x5D {
                    i = k
                    throw malformed("']]>' is not allowed in text; write ]]&gt;")
                }
                k += 1
            } else if b == 0x0A || b == 0x09 {
                k += 1
            } else if b == 0x0D {
                carriageReturn = true
                k += 1
            } else {
                i = k
                k += try checkedChar()
            }
        }
        let top = stack.count - 1
        if !carriageReturn && stack[top].pendingEnd < 0 && text.count == stack[top].textStart {
            stack[top].pendingStart = start
            stack[top].pendingEnd = k
            i = k
            return
        }
        flushPendingText()
        i = start
        try characters(until: k, cdata: false)
    }

    /// The high bit of each byte of `w` (eight document bytes, the first lowest) that is not an ASCII
    /// letter. As in `specialBytes`, the lowest mark is exact and a word with such a byte always has one.
    @inline(__always) static func nonLetterBytes(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        // Letters folded to lowercase (`| 0x20`) lie in 0x61...0x7A: mark what is below 0x61 or above 0x7A.
        let folded = (w | (ones &* 0x20)) & ~highs
        let below = (folded &- ones &* 0x61) & ~folded & highs
        let above = (folded &+ ones &* (0x7F - 0x7A)) & highs
        return (w & highs) | below | above
    }

    /// The high bit of each byte of `w` (eight document bytes, the first lowest) that `textRun` must look
    /// at: below 0x20, from 0x80, `<`, `&` or `>`. The lowest mark is exact and a word with such a byte
    /// always has one; bytes above the first may be marked wrongly (a borrow carries upward), so only the
    /// lowest mark is used.
    @inline(__always) static func specialBytes(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let below20 = (w &- ones &* 0x20) & ~w & highs
        return (w & highs) | below20 | zeroBytes(w ^ (ones &* 0x3C)) | zeroBytes(w ^ (ones &* 0x26)) | zeroBytes(w ^ (ones &* 0x3E))
    }

    /// Copies the open element's remembered run (`Frame.pendingStart`) into `text`, before more text.
    @inline(__always) private mutating func flushPendingText() {
        let top = stack.count - 1
        guard top >= 0, stack[top].pendingEnd >= 0 else { return }
        text.append(contentsOf: UnsafeBufferPointer(rebasing: p[stack[top].pendingStart..<stack[top].pendingEnd]))
        stack[top].pendingEnd = -1
    }

    /// Appends the characters from `i` to `end` to the open element's text, with line ends normalised
    /// (CR LF and lone CR become LF). Outside CDATA, `]]>` is refused.
    private mutating func characters(until end: Int, cdata: Bool) throws(CAPError) {
        var runStart = i
        while i < end {
            let b = p[i]
            if b >= 0x20 && b < 0x80 {
                if b == 0x3E && !cdata && i >= 2 && p[i - 1] == 0x5D && p[i - 2] == 0x5D {
                    throw malformed("']]>' is not allowed in text; write ]]&gt;")
                }
                i += 1
            } else if b == 0x0D {
                text.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<i]))
                text.append(0x0A)
                i += at(i + 1) == 0x0A && i + 1 < end ? 2 : 1
                runStart = i
            } else {
                i += try checkedChar()
            }
        }
        text.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<end]))
    }

    private mutating func startTag() throws(CAPError) {
        guard stack.count < CAPParser.maxDepth else {
            throw CAPError(path: path, reason: "elements are nested deeper than \(CAPParser.maxDepth) levels")
        }
        let tagStart = i
        i += 1
        let (nameStart, nameEnd, nameColon) = try name("an element name")
        let bindingCount = bindings.count
        var raw: [(name: (Int, Int), value: String)] = []
        var selfClosing = false
        while true {
            let beforeSpace = i
            skipSpace()
            guard i < p.count else { throw truncated("the start tag of <\(CAPParser.shown(string(nameStart, nameEnd), limit: 40))>") }
            if p[i] == 0x3E { i += 1; break }
            if p[i] == 0x2F {
                selfClosing = true
                guard at(i + 1) == 0x3E else { throw i + 1 >= p.count ? truncated("a start tag") : malformed("expected '>' after '/'") }
                i += 2
                break
            }
            guard i > beforeSpace else { throw malformed("expected a space, '>' or '/>' in the start tag, found \(Self.describe(p[i]))") }
            let (attributeStart, attributeEnd, _) = try name("an attribute name")
            let attributeName = (attributeStart, attributeEnd)
            skipSpace()
            guard at(i) == 0x3D else { throw i >= p.count ? truncated("a start tag") : malformed("expected '=' after the attribute name") }
            i += 1
            skipSpace()
            let value = try attributeValue()
            let n = attributeName.1 - attributeName.0
            for other in raw where other.name.1 - other.name.0 == n
                && memcmpEqual(other.name.0, attributeName.0, n) {
                throw malformed("the attribute \(CAPParser.shown(string(attributeName.0, attributeName.1), limit: 40)) appears twice", at: attributeName.0)
            }
            if starts("xmlns", at: attributeName.0) && (n == 5 || p[attributeName.0 + 5] == 0x3A) {
                let prefix = n == 5 ? "" : string(attributeName.0 + 6, attributeName.1)
                guard n == 5 || (n > 6 && Self.isNameStart(p[attributeName.0 + 6])) else {
                    throw malformed("\(string(attributeName.0, attributeName.1)) is not a valid namespace declaration", at: attributeName.0)
                }
                if !prefix.isEmpty && value.isEmpty {
                    throw malformed("the prefix \(CAPParser.shown(prefix, limit: 40)) cannot be bound to an empty namespace", at: attributeName.0)
                }
                if prefix == "xmlns" || (prefix == "xml") != (value == Self.xmlNamespace) {
                    throw malformed("the prefix \(prefix) and the namespace \(CAPParser.shown(value, limit: 60)) are reserved", at: attributeName.0)
                }
                bindings.append((n == 5 ? attributeName.0 : attributeName.0 + 6, n == 5 ? attributeName.0 : attributeName.1, value.isEmpty ? -1 : intern(value)))
            }
            raw.append((attributeName, value))
        }
        let (prefixEnd, localStart) = nameColon < 0 ? (nameStart, nameStart) : try qualified(nameStart, nameEnd)
        let namespace: Int32
        if prefixEnd > nameStart {
            namespace = try uri(ofPrefix: nameStart, prefixEnd)
        } else {
            namespace = bindings.last { $0.prefixEnd == $0.prefixStart }?.uri ?? -1
        }
        let index = Int32(elements.count)
        let attributeStart = attributes.count
        for (attributeName, value) in raw {
            let n = attributeName.1 - attributeName.0
            if starts("xmlns", at: attributeName.0) && (n == 5 || p[attributeName.0 + 5] == 0x3A) { continue }
            let (attributePrefixEnd, attributeLocalStart) = try qualified(attributeName.0, attributeName.1)
            let local = string(attributeLocalStart, attributeName.1)
            let key: String
            if attributePrefixEnd > attributeName.0 {
                let uri = try uri(ofPrefix: attributeName.0, attributePrefixEnd)
                key = uri < 0 ? local : "{\(namespaces[Int(uri)])}\(local)"
            } else {
                key = local
            }
            if attributes[attributeStart...].contains(where: { $0.name == key }) {
                throw malformed("the attribute \(CAPParser.shown(key, limit: 60)) appears twice (by namespace)", at: attributeName.0)
            }
            attributes.append((key, value))
        }
        if attributes.count - attributeStart > 1 { attributes[attributeStart...].sort { $0.name < $1.name } }
        let code = names.lookUp(in: p, from: localStart, count: nameEnd - localStart)
        var record = CAPXMLRecord(nameStart: Int32(localStart), nameEnd: Int32(nameEnd), namespace: namespace,
                                  parent: stack.last?.element ?? -1, name: code)
        record.attributeStart = Int32(attributeStart)
        record.attributeEnd = Int32(attributes.count)
        elements.append(record)
        if !stack.isEmpty {
            let top = stack.count - 1
            let parent = Int(stack[top].element)
            if stack[top].lastChild >= 0 { elements[Int(stack[top].lastChild)].nextSibling = index } else { elements[parent].firstChild = index }
            elements[parent].childCount += 1
            stack[top].lastChild = index
        }
        stack.append(Frame(element: index, nameStart: nameStart, nameEnd: nameEnd, bindingCount: bindingCount, tagStart: tagStart,
                           textStart: text.count))
        if selfClosing { try close() }
    }

    /// Whether the `n` bytes at `a` and at `b` (both inside the document) are equal; eight at a time.
    private func memcmpEqual(_ a: Int, _ b: Int, _ n: Int) -> Bool {
        guard n > 0, let base = p.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var k = 0
        while k + 8 <= n {
            guard raw.loadUnaligned(fromByteOffset: a + k, as: UInt64.self) == raw.loadUnaligned(fromByteOffset: b + k, as: UInt64.self) else { return false }
            k += 8
        }
        // The last 1–7 bytes as one word, the bytes beyond them masked off, when both words lie inside.
        if k < n, a + k + 8 <= p.count, b + k + 8 <= p.count {
            let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: a + k, as: UInt64.self))
            let y = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: b + k, as: UInt64.self))
            return (x ^ y) & ((1 &<< UInt64(8 * (n - k))) &- 1) == 0
        }
        while k < n {
            guard base[a + k] == base[b + k] else { return false }
            k += 1
        }
        return true
    }

    /// A quoted attribute value at `i`, references replaced and whitespace characters made spaces.
    private mutating func attributeValue() throws(CAPError) -> String {
        guard i < p.count else { throw truncated("a start tag") }
        let quote = p[i]
        guard quote == 0x22 || quote == 0x27 else { throw malformed("an attribute value must be in quotes, found \(Self.describe(quote))") }
        i += 1
        // The usual value, printable ASCII without references (a namespace URI): taken as it stands.
        var k = i
        while k < p.count, p[k] != quote, p[k] >= 0x20, p[k] < 0x80, p[k] != 0x3C, p[k] != 0x26 { k += 1 }
        if k < p.count, p[k] == quote {
            let value = string(i, k)
            i = k + 1
            return value
        }
        var out: [UInt8] = []
        while true {
            guard i < p.count else { throw truncated("an attribute value") }
            let b = p[i]
            if b == quote { i += 1; break }
            switch b {
            case 0x3C: throw malformed("'<' is not allowed in an attribute value; write &lt;")
            case 0x26: i = try reference(at: i, into: &out)
            case 0x0D:
                out.append(0x20)
                i += at(i + 1) == 0x0A ? 2 : 1
            case 0x09, 0x0A:
                out.append(0x20)
                i += 1
            default:
                let n = try checkedChar()
                out.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<(i + n)]))
                i += n
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func endTag() throws(CAPError) {
        let top = stack[stack.count - 1]
        // The usual case, `</name>` with the start tag's exact name: compared byte by byte, not read again
        // (the name's characters were checked in the start tag). Anything else is read and checked below.
        let n0 = top.nameEnd - top.nameStart
        let close0 = i + 2 + n0
        if close0 < p.count, p[close0] == 0x3E, memcmpEqual(i + 2, top.nameStart, n0) {
            i = close0 + 1
            try close()
            return
        }
        i += 2
        let (a, b, _) = try name("the name in an end tag")
        let n = top.nameEnd - top.nameStart
        guard b - a == n, memcmpEqual(a, top.nameStart, n) else {
            throw malformed("the end tag </\(CAPParser.shown(string(a, b), limit: 40))> does not match the start tag <\(CAPParser.shown(string(top.nameStart, top.nameEnd), limit: 40))>", at: a)
        }
        skipSpace()
        guard at(i) == 0x3E else { throw i >= p.count ? truncated("an end tag") : malformed("expected '>' to close the end tag") }
        i += 1
        try close()
    }

    /// Finishes the innermost element (its end is at `i`).
    private mutating func close() throws(CAPError) {
        let frame = stack[stack.count - 1]
        let e = Int(frame.element)
        let textCount = text.count - frame.textStart
        if frame.pendingEnd >= 0 {
            // The element's one run of text, as it stands in the document (nothing was copied to `text`).
            elements[e].textStart = Int32(frame.pendingStart)
            elements[e].textEnd = Int32(frame.pendingEnd)
            elements[e].textInSource = true
        } else if textCount > 0 {
            elements[e].textStart = Int32(texts.count)
            text.withUnsafeBufferPointer { texts.append(contentsOf: UnsafeBufferPointer(rebasing: $0[frame.textStart...])) }
            elements[e].textEnd = Int32(texts.count)
            text.removeSubrange(frame.textStart...)
        }
        if stack.count == 2, elements[e].namespace >= 0, namespaces[Int(elements[e].namespace)] == CAPParser.xmldsig {
            guard i - frame.tagStart <= CAPParser.maxExtensionBytes else {
                throw CAPError(path: path, reason: "an element of the XML signature namespace is larger than \(CAPParser.maxExtensionBytes) bytes; Vigil keeps signatures opaque up to that size")
            }
            elements[e].extensionIndex = Int32(extensions.count)
            extensions.append(standalone(frame))
        }
        if bindings.count > frame.bindingCount { bindings.removeSubrange(frame.bindingCount...) }
        stack.removeLast()
    }

    /// The element's source text with the namespace declarations it inherits (and does not make itself)
    /// added after its name, so that the text means the same on its own.
    private func standalone(_ frame: Frame) -> String {
        var declared = Set(bindings[frame.bindingCount...].map { string($0.prefixStart, $0.prefixEnd) })
        var inherited: [(prefix: String, uri: String)] = []
        for binding in bindings[..<frame.bindingCount].reversed() {
            let prefix = string(binding.prefixStart, binding.prefixEnd)
            guard !declared.contains(prefix) else { continue }
            declared.insert(prefix)
            inherited.append((prefix, binding.uri < 0 ? "" : namespaces[Int(binding.uri)]))
        }
        var out: [UInt8] = []
        out.reserveCapacity(i - frame.tagStart + 64)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: p[frame.tagStart..<frame.nameEnd]))
        for (prefix, uri) in inherited.sorted(by: { $0.prefix < $1.prefix }) {
            out += (prefix.isEmpty ? " xmlns=\"" : " xmlns:\(prefix)=\"").utf8
            CAPWriter.appendEscaped(uri, to: &out)
            out.append(0x22)
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: p[frame.nameEnd..<i]))
        return String(decoding: out, as: UTF8.self)
    }
}
