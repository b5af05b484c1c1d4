import Foundation
import Testing
@testable import VigilCAP
import VigilModel

@Suite("CAP XML reader")
struct CAPXMLReaderTests {
    static func read(_ text: String) throws(CAPError) -> CAPXMLElement { try CAPXMLReader.read(Array(text.utf8)) }

    static func refusal(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> CAPError? {
        do {
            _ = try read(text)
            Issue.record("expected a refusal of \(text.debugDescription)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    @Test("the eight-byte scan marks exactly the first byte a text run must look at")
    func specialBytesAgainstBruteForce() {
        var rng = SeededRandom(seed: 0x5EA7)
        // Ordinary text bytes, the bytes the scan stops at, and their neighbours.
        let palette: [UInt8] = [0x41, 0x7A, 0x20, 0x21, 0x3B, 0x3D, 0x3F, 0x5D, 0x7F, 0x1F, 0x00, 0x09, 0x0A, 0x0D,
                                0x80, 0xC3, 0xFF, 0x3C, 0x26, 0x3E, 0x25, 0x27, 0x3D, 0x01]
        let special: (UInt8) -> Bool = { $0 < 0x20 || $0 >= 0x80 || $0 == 0x3C || $0 == 0x26 || $0 == 0x3E }
        for _ in 0..<200_000 {
            var bytes = [UInt8](repeating: 0x61, count: 8)
            for k in 0..<8 where rng.next() % 3 == 0 { bytes[k] = palette[Int(rng.next() % UInt64(palette.count))] }
            var word: UInt64 = 0
            for k in (0..<8).reversed() { word = word << 8 | UInt64(bytes[k]) }
            let mask = CAPXMLReader.specialBytes(word)
            if let first = bytes.firstIndex(where: special) {
                #expect(mask != 0 && mask.trailingZeroBitCount >> 3 == first, "\(bytes)")
            } else {
                #expect(mask == 0, "\(bytes)")
            }
        }
    }

    @Test("the eight-byte name scan marks exactly the first byte that is not an ASCII letter")
    func nonLetterBytesAgainstBruteForce() {
        var rng = SeededRandom(seed: 0x1E77)
        let isLetter: (UInt8) -> Bool = { (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
        for round in 0..<300_000 {
            var bytes = [UInt8](repeating: 0x6E, count: 8)
            // Every byte value in every position (the first 2,048 rounds), then random mixes.
            if round < 2_048 {
                bytes[round % 8] = UInt8(round / 8)
            } else {
                for k in 0..<8 where rng.next() % 4 == 0 { bytes[k] = UInt8(truncatingIfNeeded: rng.next()) }
            }
            var word: UInt64 = 0
            for k in (0..<8).reversed() { word = word << 8 | UInt64(bytes[k]) }
            let mask = CAPXMLReader.nonLetterBytes(word)
            if let first = bytes.firstIndex(where: { !isLetter($0) }) {
                #expect(mask != 0 && mask.trailingZeroBitCount >> 3 == first, "\(bytes)")
            } else {
                #expect(mask == 0, "\(bytes)")
            }
        }
    }

    @Test("names: every kind of name character at every offset of the eight-byte scan")
    func namesAtEveryOffset() throws {
        for offset in 0..<18 {
            let head = String(repeating: "n", count: offset)
            for tail in ["_x", "-x", ".x", "9", "é", "Ab"] {
                let name = "a" + head + tail
                let root = try Self.read("<\(name) \(name)='v'><\(name)/></\(name)>")
                #expect(root.name == name)
                #expect(root.attributes.map(\.name) == [name])
                #expect(root.children.map(\.name) == [name])
            }
            #expect(Self.refusal("<a\(head)\u{1}/>")?.reason.contains("expected a space, '>' or '/>' in the start tag, found byte 0x1") == true)
            #expect(Self.refusal("<a\(head)></a\(head)x>")?.reason.contains("does not match") == true)
            #expect(Self.refusal("<a\(head)\u{FFFF}/>") != nil)
        }
    }

    @Test("text runs: what needs a look is found at every offset of the eight-byte scan")
    func textAtEveryOffset() throws {
        for offset in 0..<20 {
            let before = String(repeating: "x", count: offset), after = String(repeating: "y", count: 19 - offset)
            func element(_ middle: String) -> String { "<a>\(before)\(middle)\(after)</a>" }
            #expect(try Self.read(element("é")).text == before + "é" + after)
            #expect(try Self.read(element("&amp;")).text == before + "&" + after)
            #expect(try Self.read(element("\r\n")).text == before + "\n" + after)
            #expect(try Self.read(element("\t>")).text == before + "\t>" + after)
            #expect(try Self.read(element("<b/>")).text == before + after)
            #expect(Self.refusal(element("]]>"))?.reason.contains("']]>' is not allowed in text") == true)
            #expect(Self.refusal(element("\u{1}"))?.reason.contains("control character U+1") == true)
            #expect(Self.refusal(element("\u{FFFE}"))?.reason.contains("U+FFFE") == true)
        }
    }

    @Test("every prefix of a sample is refused (never a crash), up to its last end tag")
    func everyTruncation() throws {
        let bytes = try CAPInput.utf8Document(try CAPFixtures.sample("oasis_spec_appendixA2.xml"))
        let complete = try #require(bytes.lastIndex(of: UInt8(ascii: ">"))) + 1
        #expect(try CAPXMLReader.read(Array(bytes.prefix(complete))).name == "alert")
        for cut in 0..<complete {
            do {
                _ = try CAPXMLReader.read(Array(bytes.prefix(cut)))
                Issue.record("a prefix of \(cut) bytes was accepted")
            } catch {
                #expect(!error.reason.isEmpty)
            }
        }
    }

    @Test("every single-byte change of a small document is read or refused, never a crash")
    func everyByteChanged() throws {
        let doc = Array("<?xml version='1.0'?><a xmlns='urn:a' xmlns:p=\"urn:p\" p:x='1 &amp; 2'><p:b>t&#x41;<![CDATA[<c>]]></p:b><!--c--><?pi d?></a>".utf8)
        for k in 0..<doc.count {
            for replacement: UInt8 in [0x00, 0x3C, 0x3E, 0x26, 0x22, 0x27, 0x2F, 0x3A, 0x20, 0x5D, 0xC3] {
                var changed = doc
                changed[k] = replacement
                _ = try? CAPXMLReader.read(changed)
            }
        }
        // Bytes that are not UTF-8 (the reader checks, even though CAPInput validates first).
        for bad: [UInt8] in [[0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3]] {
            let error = #expect(throws: CAPError.self) { try CAPXMLReader.read(Array("<a>".utf8) + bad + Array("</a>".utf8)) }
            #expect(error?.reason.contains("not UTF-8") == true)
        }
    }

    @Test("namespaces: prefixes, default namespace, undeclaring it, nested redeclaration")
    func namespaces() throws {
        let root = try Self.read("""
            <p:a xmlns:p="urn:p" xmlns="urn:d"><b/><c xmlns=""><d/></c><p:e xmlns:p="urn:q"/><f xml:lang="en" p:g='1'/></p:a>
            """)
        #expect(root.name == "a" && root.namespace == "urn:p")
        #expect(root.children.map(\.name) == ["b", "c", "e", "f"])
        #expect(root.children.map(\.namespace) == ["urn:d", nil, "urn:q", "urn:d"])
        #expect(root.children[1].children[0].namespace == nil)
        #expect(root.children[3].attributes.map(\.name) == ["{http://www.w3.org/XML/1998/namespace}lang", "{urn:p}g"])
    }

    @Test("text: references, CDATA, comments and PIs skipped, line ends normalised; attributes: both quotes, whitespace made spaces")
    func text() throws {
        let root = try Self.read("<a x='1\t2\r\n3' y=\"&lt;&quot;&#65;\">a&amp;b&#x263A;&#9731;<![CDATA[<&>]]><!-- no --><?pi data?>\r\nz\rq&gt;&apos;</a>")
        #expect(root.text == "a&b☺☃<&>\nz\nq>'")
        #expect(root.attributes.map(\.value) == ["1 2 3", "<\"A"])
    }

    @Test("malformed documents are refused with what is wrong and where")
    func malformed() throws {
        let cases: [(String, String)] = [
            ("", "no root element"),
            ("   ", "no root element"),
            ("<a></b>", "the end tag </b> does not match the start tag <a>"),
            ("<a/><b/>", "a second root element"),
            ("x<a/>", "text before the root element"),
            ("<a/>x", "text after the root element"),
            ("<a x=\"<\"/>", "'<' is not allowed in an attribute value"),
            ("<a x='1' x='2'/>", "appears twice"),
            ("<a xmlns:p='urn:x' xmlns:q='urn:x' p:y='1' q:y='2'/>", "appears twice (by namespace)"),
            ("<a x=1/>", "must be in quotes"),
            ("<a x='1'y='2'/>", "expected a space"),
            ("<1a/>", "expected an element name"),
            ("<a>&foo;</a>", "is not one of XML's five"),
            ("<a>&amp</a>", "starts no valid reference"),
            ("<a>&#0;</a>", "a character XML does not allow"),
            ("<a>&#xD800;</a>", "a character XML does not allow"),
            ("<a>&#x110000;</a>", "beyond Unicode"),
            ("<a>&#x1G;</a>", "not a valid character reference"),
            ("<p:a/>", "prefix \"p\" is not declared"),
            ("<a q:b='1'/>", "prefix \"q\" is not declared"),
            ("<a:b:c xmlns:a='urn:a'/>", "more than one colon"),
            ("<a: xmlns:a='urn:a'/>", "not a valid qualified name"),
            ("<a xmlns:p=''/>", "cannot be bound to an empty namespace"),
            ("<a>]]></a>", "']]>' is not allowed in text"),
            ("<a><!-- a -- b --></a>", "'--' is not allowed inside a comment"),
            ("<a>\u{1}</a>", "control character U+1"),
            ("<a>\u{FFFE}</a>", "U+FFFE and U+FFFF"),
            ("<a/><?xml version='1.0'?>", "only at the very start"),
            ("<?xml encoding='UTF-8'?><a/>", "must start with version"),
            ("<a><!ELEMENT a ANY></a>", "'<!' starts no comment or CDATA section"),
            ("<a>", "the document ends inside element <a>"),
            ("<a x='1", "the document ends inside an attribute value"),
            ("<a><!-- x", "the document ends inside a comment"),
            ("<a><![CDATA[x", "the document ends inside a CDATA section"),
            ("<a>&#x4", "the document ends inside an entity or character reference"),
        ]
        for (text, reason) in cases {
            let error = Self.refusal(text)
            #expect(error?.reason.contains(reason) == true, "\(text.debugDescription): \(String(describing: error))")
            if !text.isEmpty && text != "   " { #expect(error?.reason.hasPrefix("not well-formed XML at line 1, column ") == true, "\(text.debugDescription)") }
        }
        // A fuzzer finding: names quoted in "the document ends inside …" are cut too.
        let long = String(repeating: "n", count: 5_000)
        #expect((Self.refusal("<\(long)")?.description.count ?? 0) < 300)
        #expect((Self.refusal("<\(long)>")?.description.count ?? 0) < 300)
        // Line and column, and the element path (as CAPParser names elements, repeatable ones indexed).
        let error = try #require(Self.refusal("<alert>\n<info></info>\n<info>\n  <area><x></y></area></info></alert>"))
        #expect(error.path == "alert/info[1]/area[0]/x")
        #expect(error.reason.hasPrefix("not well-formed XML at line 4, column 14: the end tag </y>"))
    }

    @Test("DTDs cannot be expressed: DOCTYPE and ENTITY are refused wherever they stand")
    func noDTD() throws {
        for text in ["<!DOCTYPE a><a/>", "<a><!DOCTYPE a></a>", "<a/><!ENTITY x 'y'>", "<!doctype a SYSTEM 'file:///etc/passwd'><a/>"] {
            let error = Self.refusal(text)
            #expect(error?.reason == CAPSecurityTests.refusal, "\(text)")
        }
        // Inside a comment it is only a comment.
        #expect(try Self.read("<a><!-- <!DOCTYPE a> --></a>").name == "a")
    }

    @Test("nesting deeper than 32 elements is refused")
    func depth() throws {
        #expect(try Self.read(String(repeating: "<x>", count: 32) + String(repeating: "</x>", count: 32)).name == "x")
        let error = Self.refusal(String(repeating: "<x>", count: 33) + String(repeating: "</x>", count: 33))
        #expect(error?.reason == "elements are nested deeper than 32 levels")
    }

    @Test("a signature keeps its exact source text, with the declarations it inherits added")
    func signatureText() throws {
        let root = try Self.read("""
            <c:alert xmlns:c="urn:c" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><c:x/><ds:Signature  Id='s&amp;1'>
            <ds:SignedInfo>a &amp; b<![CDATA[<]]></ds:SignedInfo><!-- kept --></ds:Signature></c:alert>
            """)
        #expect(root.children[1].xml == """
            <ds:Signature xmlns:c="urn:c" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"  Id='s&amp;1'>
            <ds:SignedInfo>a &amp; b<![CDATA[<]]></ds:SignedInfo><!-- kept --></ds:Signature>
            """)
        // The signed sample declares the signature namespace on each Signature: its text is the file's own.
        let data = try CAPFixtures.sample("google_canada_signed.xml")
        let alert = try CAPParser.parse(data)
        let file = String(decoding: data, as: UTF8.self)
        #expect(alert.extensions.count == 2)
        for signature in alert.extensions { #expect(file.contains(signature)) }
        // Larger than the limit: refused.
        let big = "<a xmlns:ds='http://www.w3.org/2000/09/xmldsig#'><ds:S>\(String(repeating: "x", count: CAPParser.maxExtensionBytes))</ds:S></a>"
        #expect(Self.refusal(big)?.reason.contains("larger than \(CAPParser.maxExtensionBytes) bytes") == true)
    }
}
