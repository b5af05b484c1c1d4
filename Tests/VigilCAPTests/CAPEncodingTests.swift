import Foundation
import Testing
@testable import VigilCAP

@Suite("CAP parser: encodings")
struct CAPEncodingTests {
    /// Sample A4 (Spanish, non-ASCII) with the declaration's encoding set to `name` and a few windows-1252
    /// specific characters in the event when asked.
    static func text(declaring name: String, cp1252Extras: Bool = false) throws -> String {
        var text = String(decoding: try CAPFixtures.sample("oasis_spec_appendixA4.xml"), as: UTF8.self)
        text = text.replacingOccurrences(of: "encoding = \"UTF-8\"", with: "encoding = \"\(name)\"")
        if cp1252Extras { text = text.replacingOccurrences(of: "Abducción de Niño", with: "Abducción – “Niño” €") }
        return text
    }

    static func expected(cp1252Extras: Bool = false) throws -> CAPAlert {
        try CAPParser.parse(Data(try text(declaring: "UTF-8", cp1252Extras: cp1252Extras).utf8))
    }

    @Test("UTF-8 with and without a byte order mark")
    func utf8() throws {
        let text = try Self.text(declaring: "UTF-8")
        #expect(try CAPParser.parse(Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)) == (try Self.expected()))
        #expect(try CAPParser.parse(Data(text.utf8)).infos[1].event == "Abducción de Niño")
    }

    @Test("UTF-16 little- and big-endian with a byte order mark")
    func utf16() throws {
        let text = try Self.text(declaring: "UTF-16")
        let le = Data([0xFF, 0xFE]) + text.data(using: .utf16LittleEndian)!
        let be = Data([0xFE, 0xFF]) + text.data(using: .utf16BigEndian)!
        #expect(try CAPParser.parse(le) == (try Self.expected()))
        #expect(try CAPParser.parse(be) == (try Self.expected()))
    }

    @Test("ISO-8859-1, declared in several spellings")
    func latin1() throws {
        for name in ["ISO-8859-1", "iso-8859-1", "latin1"] {
            let data = try #require(try Self.text(declaring: name).data(using: .isoLatin1))
            #expect(data.contains(0xF3))   // ó as one byte
            #expect(try CAPParser.parse(data) == (try Self.expected()), "\(name)")
        }
    }

    @Test("windows-1252, with characters ISO-8859-1 lacks (– “ ” €)")
    func windows1252() throws {
        let data = try #require(try Self.text(declaring: "windows-1252", cp1252Extras: true).data(using: .windowsCP1252))
        #expect(data.contains(0x80))   // € in windows-1252
        let alert = try CAPParser.parse(data)
        #expect(alert == (try Self.expected(cp1252Extras: true)))
        #expect(alert.infos[1].event == "Abducción – “Niño” €")
    }

    @Test("US-ASCII")
    func ascii() throws {
        let text = String(decoding: try CAPFixtures.sample("oasis_spec_appendixA1.xml"), as: UTF8.self)
            .replacingOccurrences(of: "encoding = \"UTF-8\"", with: "encoding = \"US-ASCII\"")
        #expect(try CAPParser.parse(Data(text.utf8)).identifier == "43b080713727")
    }

    @Test("unknown encodings are refused, naming them")
    func unknown() throws {
        for name in ["Shift_JIS", "EBCDIC-US", "KOI8-R"] {
            let error = try #require(CAPFixtures.refusal(try Self.text(declaring: name)))
            #expect(error.path == "")
            #expect(error.reason.hasPrefix("unsupported encoding \"\(name)\""), "\(error)")
            #expect(error.reason.contains("UTF-8, UTF-16"))
        }
    }

    @Test("bytes that contradict the declaration are refused")
    func contradictions() throws {
        // ISO-8859-1 bytes declared as UTF-8.
        let latin = try #require(try Self.text(declaring: "UTF-8").data(using: .isoLatin1))
        #expect(CAPFixtures.refusal(latin) == CAPError(path: "", reason: "the document is not valid UTF-8"))
        // Declared UTF-16 but 8-bit bytes.
        let error = try #require(CAPFixtures.refusal(try Self.text(declaring: "UTF-16")))
        #expect(error.reason.contains("no UTF-16 byte order mark"))
        // A UTF-16 byte order mark but declared ISO-8859-1.
        let mixed = Data([0xFF, 0xFE]) + (try Self.text(declaring: "ISO-8859-1")).data(using: .utf16LittleEndian)!
        #expect(CAPFixtures.refusal(mixed)?.reason.contains("is UTF-16 little-endian") == true)
        // UTF-32.
        #expect(CAPFixtures.refusal(Data([0xFF, 0xFE, 0x00, 0x00, 0x3C, 0x00, 0x00, 0x00]))?.reason.contains("UTF-32") == true)
    }

    @Test("the declaration handed to the XML parser is rewritten to UTF-8")
    func rewrite() throws {
        #expect(CAPInput.rewritingDeclaredEncoding("<?xml version='1.0' encoding='ISO-8859-1'?><a/>") == "<?xml version='1.0' encoding='UTF-8'?><a/>")
        #expect(CAPInput.rewritingDeclaredEncoding("<?xml version = \"1.0\" encoding = \"latin1\" ?>\n<a/>") == "<?xml version = \"1.0\" encoding = \"UTF-8\" ?>\n<a/>")
        #expect(CAPInput.rewritingDeclaredEncoding("<a encoding='x'/>") == "<a encoding='x'/>")
        let data = try #require(try Self.text(declaring: "ISO-8859-1").data(using: .isoLatin1))
        let utf8 = String(decoding: try CAPInput.utf8Document(data), as: UTF8.self)
        #expect(utf8.hasPrefix("<?xml version = \"1.0\" encoding = \"UTF-8\"?>"))
    }
}
