import Foundation
import Testing
import VigilModel
@testable import VigilCAP

/// The faster paths of the import and export (docs/benchmarks.md) against the general code they stand in
/// for: same results on what they accept, and everything else left to the general code.
@Suite("CAP fast paths")
struct CAPFastPathTests {
    @Test("the imported body bytes are the canonical encoding of its fields, made once")
    func bodyBytes() throws {
        for name in CAPFixtures.samples {
            let imported = try CAPImport.alertBody(fromXML: try CAPFixtures.sample(name))
            #expect(imported.body == (try imported.fields.encoded()), "\(name)")
            #expect(try FieldMap(canonicalBytes: imported.body) == imported.fields, "\(name)")
        }
    }

    @Test("polygons read straight from the bytes give what the general reader gives, errors included")
    func polygons() {
        let texts = [
            "51.25,4.26 51.27,4.26 51.27,4.3 51.25,4.26", "51.25,4.26\t51.27,4.26\n51.27,4.3  51.25,4.26 ",
            " 1,2 3,4 5,6 1,2", "+1.5,-2 3,4 5,6 +1.5,-2", ".5,7. 3,4 5,6 .5,7.", "1.12345678,2 3,4 5,6 1.1234575,2",
            "1,2 3,4 5,6 1,2.0000001", "1,2 3,4 1,2", "1,2 3,4 5,6 7,8", "91,2 3,4 5,6 91,2", "1,181 3,4 5,6 1,181",
            "1,2,3 3,4 5,6 1,2", "1;2 3,4 5,6 1;2", "1,2 3,4 5,6 1,2\r", "1,2\r\n3,4 5,6 1,2", "1,2 3,4 5,6 1,", ",2 3,4 5,6 ,2",
            "1,2 3,4 5,6 1,2 ", "", "   ", "1,2 3,4 ٣,4 1,2", "1..2,3 3,4 5,6 1..2,3", "-,1 3,4 5,6 -,1", "1e3,2 3,4 5,6 1e3,2",
            "1000000000000,2 3,4 5,6 1000000000000,2",
        ]
        for text in texts {
            #expect(CAPParser.polygon(text) == CAPParser.generalPolygon(text), "\(text.debugDescription)")
        }
    }

    @Test("circles read straight from the bytes give what the general reader gives, errors included")
    func circles() {
        let texts = [
            "51.2611,4.2905 2.5", " 51.2611,4.2905\t2.5\n", "+1.5,-2 0", "-90,180 .5", "90.0000001,0 1", "0,-180.0000001 1",
            "1,2 -0.5", "1,2 -0", "1,2", "1,2 3 4", "1,2,3 4", "1;2 3", "1,2 3,4", "1,2 3\r", "1,2\r\n3", ",2 3", "1, 3",
            "", "   ", "1,2 ٣", "1..2,3 4", "-,1 3", "1e3,2 3", "1000000000000,2 3", "1,2 1000000000000", "1.12345678,2 3.1234565",
        ]
        for text in texts {
            #expect(CAPParser.circle(text) == CAPParser.generalCircle(text), "\(text.debugDescription)")
        }
        #expect(CAPParser.plainCircle("51.2611,4.2905 2.5") != nil)
    }

    /// An `xs:decimal` in millionths worked out another way, on text: sign, whole part and fraction split
    /// at the dot, the fraction padded or cut to six digits, rounded half away from zero on the seventh;
    /// the reference the byte reader must agree with.
    static func referenceParseMicro(_ text: String) -> Int64? {
        var rest = Substring(text)
        var sign: Int64 = 1
        if let first = rest.first, first == "+" || first == "-" {
            sign = first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy { ("0"..."9").contains($0) } }) else { return nil }
        let whole = parts[0], fraction = parts.count == 2 ? parts[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty) else { return nil }
        guard let wholeValue = whole.isEmpty ? 0 : Int64(whole), wholeValue < 1_000_000_000_000 else { return nil }
        var micro = wholeValue * 1_000_000 + Int64(String((fraction + "000000").prefix(6)))!
        if let seventh = fraction.dropFirst(6).first?.wholeNumberValue, seventh >= 5 { micro += 1 }
        return sign * micro
    }

    @Test("decimals read from bytes give what the reference reader gives (edge texts and 20,000 seeded ones)")
    func decimals() {
        var texts = ["", "+", "-", ".", "+.", "0", "-0", "7.", ".25", "+3", "-12.5", "999999999999", "1000000000000", "999999999999.9999995",
                     "0.0000005", "-0.0000004", "0.00000049", "1.2.3", "1e5", " 1", "1 ", "١", "0x1", "+-1", "--1", "/", ":", "12345678901234567890"]
        var r = SeededRandom(seed: 0xDEC)
        let pool = Array("0123456789.+-e/: ".utf8)
        for _ in 0..<20_000 {
            texts.append(String(decoding: (0..<Int(r.next() % 16)).map { k in
                r.next() % 5 == 0 || k == 0 ? pool[Int(r.next() % UInt64(pool.count))] : UInt8(0x30 + r.next() % 10)
            }, as: UTF8.self))
        }
        for text in texts {
            let expected = Self.referenceParseMicro(text)
            #expect(CAPDecimal.parseMicro(text) == expected, "\(text.debugDescription)")
            #expect(CAPDecimal.parseMicro(Substring("<" + text + ">").dropFirst().dropLast()) == expected, "\(text.debugDescription)")
            #expect(Array(text.utf8).withUnsafeBufferPointer { CAPDecimal.parseMicro(bytes: $0) } == expected, "\(text.debugDescription)")
        }
    }

    @Test("UTF-8 is validated as String(validating:) does (edge sequences, 3,000 seeded byte strings, bad bytes at every offset)")
    func utf8Validation() {
        var cases: [[UInt8]] = [[], [0x41], [0xC2, 0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0x80], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF],
                                [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80],
                                [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82],
                                [0xE2, 0x82, 0x41], [0x80], [0xFF], [0xC3, 0xA9, 0xE6, 0x9D, 0xB1]]
        var r = SeededRandom(seed: 0x0F8)
        let pool: [UInt8] = [0x41, 0x3C, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        for _ in 0..<2_000 { cases.append((0..<Int(r.next() % 9)).map { _ in pool[Int(r.next() % UInt64(pool.count))] }) }
        // Longer ones, mostly ASCII, for the eight-bytes-at-a-time runs: a bad byte at every offset of a word.
        let ascii = Array("<alert>Overstroming</alert>".utf8)
        for k in 0..<24 {
            for bad: [UInt8] in [[0x80], [0xFF], [0xC3, 0xA9], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x8C, 0x8A]] {
                cases.append(Array(ascii.prefix(k)) + bad + ascii)
            }
        }
        for _ in 0..<1_000 {
            cases.append((0..<Int(r.next() % 40)).map { _ in r.next() % 4 == 0 ? pool[Int(r.next() % UInt64(pool.count))] : 0x61 })
        }
        for bytes in cases {
            let ours = bytes.withUnsafeBufferPointer { UTF8Check.isValid($0) }
            #expect(ours == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }

    /// The escaping as it was written before (one byte at a time into a copy of the text).
    static func referenceEscaped(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            let b = utf8[i]
            switch b {
            case 0x26: out += Array("&amp;".utf8)
            case 0x3C: out += Array("&lt;".utf8)
            case 0x3E: out += Array("&gt;".utf8)
            case 0x22: out += Array("&quot;".utf8)
            case 0x27: out += Array("&apos;".utf8)
            case 0x0D: out += Array("&#13;".utf8)
            case 0x09, 0x0A: out.append(b)
            case ..<0x20: out += [0xEF, 0xBF, 0xBD]
            case 0xEF where i + 2 < utf8.count && utf8[i + 1] == 0xBF && (utf8[i + 2] == 0xBE || utf8[i + 2] == 0xBF):
                out += [0xEF, 0xBF, 0xBD]
                i += 2
            default: out.append(b)
            }
            i += 1
        }
        return out
    }

    @Test("escaping copies runs of plain text and gives the byte-at-a-time result")
    func escaping() {
        var texts = ["", "plain", "a&b<c>d\"e'f", "\r\n\t\u{1}", "\u{FFFE}x\u{FFFF}", "\u{FFFD}\u{FEFF}ï", "東京 & 🚨", "&&&&", "end<"]
        var r = SeededRandom(seed: 0xE5C)
        let pieces = ["a", " ", "&", "<", ">", "\"", "'", "\r", "\n", "\t", "\u{0}", "\u{1F}", "é", "\u{FFFE}", "\u{FFFF}", "\u{FEFF}", "🚨"]
        for _ in 0..<500 { texts.append((0..<Int(r.next() % 12)).map { _ in pieces[Int(r.next() % UInt64(pieces.count))] }.joined()) }
        for text in texts {
            var out: [UInt8] = [0x78]
            CAPWriter.appendEscaped(text, to: &out)
            #expect(out == [0x78] + Self.referenceEscaped(text), "\(text.debugDescription)")
        }
    }

    /// `CAPImport.isVigilLanguage` as it was written on characters, before it read bytes.
    static func referenceIsVigilLanguage(_ tag: String) -> Bool {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        return (2...35).contains(tag.count) && (2...3).contains(parts[0].count) && parts[0].allSatisfy { $0.isASCII && $0.isLetter }
            && parts.dropFirst().allSatisfy { (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }

    /// `CAPParser.isLanguageTag` as it was written on scalars.
    static func referenceIsLanguageTag(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (1...8).contains(first.count), first.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic }) else { return false }
        return parts.dropFirst().allSatisfy { p in
            (1...8).contains(p.count) && p.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        }
    }

    @Test("language tags are judged on bytes as they were on characters")
    func languageTags() {
        var tags = ["", "-", "e", "en", "eng", "engl", "en-", "-en", "en-US", "nl-BE", "en-US-x", "es-419", "419", "e1", "en-123456789",
                    "en-12345678", "zh-Hant-TW", "en_US", "ën", "en-ÜS", "en-US\r\n", "de-\u{301}DE", String(repeating: "a-", count: 17) + "a",
                    "aa-" + String(repeating: "b", count: 8) + "-" + String(repeating: "c", count: 8) + "-" + String(repeating: "d", count: 8) + "-dd"]
        var r = SeededRandom(seed: 0x1A6)
        let pieces = ["a", "Z", "q", "-", "1", "9", "é", "_", " ", "\u{301}"]
        for _ in 0..<3_000 { tags.append((0..<Int(r.next() % 14)).map { _ in pieces[Int(r.next() % UInt64(pieces.count))] }.joined()) }
        for tag in tags {
            #expect(CAPImport.isVigilLanguage(tag) == Self.referenceIsVigilLanguage(tag), "\(tag.debugDescription)")
            #expect(CAPParser.isLanguageTag(tag) == Self.referenceIsLanguageTag(tag), "\(tag.debugDescription)")
        }
    }

    @Test("CAP element names are found by their bytes wherever they stand in the document, other names are not")
    func nameLookUp() {
        let names = CAPName.allCases.filter { $0 != .other }.map(\.text)
        let others = ["", "a", "aler", "alerts", "Alert", "infos", "valuename", "responseType1", "resourceDescX", "geocodes",
                      "sixteen-bytes-ab", "seventeen-bytes-a", "ident\u{0}fier", "é", "areaDesc\u{0}"]
        for name in names + others {
            let expected = CAPName.allCases.first { $0 != .other && $0.text == name } ?? .other
            let u = Array(name.utf8)
            // Alone (byte by byte), at the start, middle and end of a longer document (eight bytes at a time).
            for (before, after) in [("", ""), ("", ">xxxxxxxxxxxxxxxxxx"), ("<xxxxxxxxxxxxxxxxxx", " yyyyyyyyyyyyyyyyyyy"), ("<zz", "")] {
                let doc = Array(before.utf8) + u + Array(after.utf8)
                let found = doc.withUnsafeBufferPointer { CAPName.Table.shared.lookUp(in: $0, from: before.utf8.count, count: u.count) }
                #expect(found == expected, "\(name.debugDescription) after \(before.debugDescription)")
            }
            #expect(u.withUnsafeBufferPointer { CAPName.lookUp($0) } == expected, "\(name.debugDescription)")
        }
    }

    @Test("end tags are matched byte for byte, names of every length, a difference at every position")
    func endTags() throws {
        for n in 1...19 {
            let name = String((0..<n).map { Character(Unicode.Scalar(UInt8(0x61 + $0 % 26))) })
            let root = try CAPXMLReader.read(Array("<r><\(name)>t</\(name)></r>".utf8))
            #expect(root.children.map(\.name) == [name])
            for k in 0..<n {
                var other = Array(name.utf8)
                other[k] = other[k] == 0x7A ? 0x79 : other[k] + 1
                let wrong = String(decoding: other, as: UTF8.self)
                for tail in ["</r>", ""] {
                    #expect(throws: CAPError.self, "\(name) closed by \(wrong)") {
                        _ = try CAPXMLReader.read(Array("<r><\(name)>t</\(wrong)>\(tail)".utf8))
                    }
                }
            }
        }
    }

    @Test("element text with child elements, references, CDATA and CR in between lands on the right element")
    func mixedText() throws {
        let root = try CAPXMLReader.read(Array("<a>x&amp;<b>y<c>z&#65;</c>\r\n<![CDATA[<q>]]></b>w\rv<d/></a>".utf8))
        #expect(root.text == "x&w\nv")
        #expect(root.children.map(\.name) == ["b", "d"])
        #expect(root.children[0].text == "y\n<q>")
        #expect(root.children[0].children[0].text == "zA")
        #expect(root.children[1].text == "")
        // One run kept as a range of the document, and the same text after a comment, a reference or a child.
        let more = try CAPXMLReader.read(Array("<a><b>plain</b><c>pl<!-- x -->ain</c><d>pl&#97;in</d><e>p<f>q</f>lain</e><g>  </g><h/></a>".utf8))
        #expect(more.children.map(\.text) == ["plain", "plain", "plain", "plain", "  ", ""])
        #expect(more.children[3].children[0].text == "q")
        #expect(more.text == "")
    }

    @Test("value pairs with whitespace, comments or CDATA read like compact ones; anything else is refused as before")
    func valuePairs() throws {
        func document(_ geocode: String) -> Data {
            Data("""
                <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>i</identifier><sender>s</sender>\
                <sent>2026-11-24T10:00:00+01:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>\
                <info><category>Met</category><event>e</event><urgency>Past</urgency><severity>Minor</severity>\
                <certainty>Likely</certainty><area><areaDesc>d</areaDesc>\(geocode)</area></info></alert>
                """.utf8)
        }
        let compact = try CAPParser.parse(document("<geocode><valueName>NIS</valueName><value>11002</value></geocode>"))
        for variant in ["<geocode>\n  <valueName>NIS</valueName>\n  <value>11002</value>\n</geocode>",
                        "<geocode><!-- c --><valueName>NIS</valueName><value><![CDATA[11002]]></value></geocode>"] {
            #expect(try CAPParser.parse(document(variant)) == compact, "\(variant)")
        }
        let refusals = [
            ("<geocode><valueName>NIS</valueName><value>1</value><value>2</value></geocode>", "alert/info[0]/area[0]/geocode[0]/value"),
            ("<geocode><value>1</value><valueName>NIS</valueName></geocode>", "alert/info[0]/area[0]/geocode[0]/valueName"),
            ("<geocode>x<valueName>NIS</valueName><value>1</value></geocode>", "alert/info[0]/area[0]/geocode[0]"),
            ("<geocode><valueName xmlns=\"urn:x\">NIS</valueName><value>1</value></geocode>", "alert/info[0]/area[0]/geocode[0]/valueName"),
            ("<geocode><valueName>NIS<b/></valueName><value>1</value></geocode>", "alert/info[0]/area[0]/geocode[0]/valueName"),
        ]
        for (variant, path) in refusals {
            #expect(CAPFixtures.refusal(document(variant))?.path == path, "\(variant)")
        }
    }

    @Test("CAP values found by their bytes are those E(rawValue:) finds: every value, other cases, prefixes, longer texts")
    func codeTables() {
        func check<E: CAPCode & Equatable>(_ type: E.Type) {
            var texts: [String] = []
            for e in E.allCases {
                let v = e.rawValue
                texts += [v, v.lowercased(), v.uppercased(), String(v.dropLast()), v + "x", " " + v, v + " ", "x" + v]
            }
            texts += ["", String(repeating: "A", count: 16), String(repeating: "A", count: 17), "Actual\u{0}"]
            for text in texts {
                let found = Array(text.utf8).withUnsafeBufferPointer { E.codes.value(of: $0) }
                #expect(found == E(rawValue: text), "\(E.self) \"\(text)\"")
            }
        }
        check(CAPStatus.self); check(CAPMsgType.self); check(CAPScope.self); check(CAPCategory.self)
        check(CAPResponseType.self); check(CAPUrgency.self); check(CAPSeverity.self); check(CAPCertainty.self)
    }

    @Test("a dateTime read from its bytes is the one read from its text")
    func dateTimeBytes() {
        let texts = ["2026-11-24T10:05:00+01:00", "2026-11-24T10:05:00-00:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                     "2024-02-29T12:00:00+02:00", "2023-02-29T12:00:00+02:00", "2026-11-24T10:05:00Z", " 2026-11-24T10:05:00+01:00",
                     "2026-11-24T24:00:00+01:00", "2026-11-24T10:05:00+14:01", "2026-11-24 10:05:00+01:00", "2026-13-01T00:00:00+00:00"]
        for text in texts {
            let fromBytes = Array(text.utf8).withUnsafeBufferPointer { CAPDateTime(utf8: $0) }
            #expect(fromBytes == CAPDateTime(text), "\(text)")
            #expect(fromBytes?.text == CAPDateTime(text)?.text, "\(text)")
        }
    }
}
