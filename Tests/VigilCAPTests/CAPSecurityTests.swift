import Foundation
import Testing
@testable import VigilCAP

@Suite("CAP parser: no DTDs, no entities, nothing fetched")
struct CAPSecurityTests {
    static let refusal = "the document has a DOCTYPE or ENTITY declaration: external entities and DTDs are not allowed in CAP documents; nothing was fetched"

    static func withEntity(_ systemID: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE alert [ <!ENTITY xxe SYSTEM "\(systemID)"> ]>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>&xxe;</identifier><sender>a@b</sender><sent>2024-05-01T10:00:00+02:00</sent>
          <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
          \(CAPFixtures.defaultInfo)
        </alert>
        """
    }

    @Test("an entity pointing at file:///etc/passwd is refused and the file never appears")
    func localFile() throws {
        let error = try #require(CAPFixtures.refusal(Self.withEntity("file:///etc/passwd")))
        #expect(error == CAPError(path: "", reason: Self.refusal))
        #expect(!error.description.contains("root:"))
    }

    @Test("an entity pointing at http://127.0.0.1:9/x is refused")
    func network() throws {
        let started = Date()
        let error = try #require(CAPFixtures.refusal(Self.withEntity("http://127.0.0.1:9/x")))
        #expect(error == CAPError(path: "", reason: Self.refusal))
        #expect(Date().timeIntervalSince(started) < 2, "refused before any connection attempt")
    }

    @Test("defence in depth: the reader itself refuses the DOCTYPE and reads no entity")
    func parserDoesNotResolve() throws {
        let data = Data(Self.withEntity("file:///etc/passwd").utf8)
        do {
            let root = try CAPParser.buildTree(Array(data))
            func allText(_ n: CAPParser.Node) -> String { n.text + n.children.map(allText).joined() }
            #expect(!allText(root).contains("root:"))
        } catch {
            #expect(!error.description.contains("root:"))
        }
    }

    @Test("internal entities (billion laughs), parameter entities and lowercase doctype are refused too")
    func otherDeclarations() throws {
        let laughs = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><alert>&lol2;</alert>
            """
        #expect(CAPFixtures.refusal(laughs) == CAPError(path: "", reason: Self.refusal))
        let bare = "<!ENTITY % p SYSTEM \"file:///etc/passwd\"><alert/>"
        #expect(CAPFixtures.refusal(bare) == CAPError(path: "", reason: Self.refusal))
        #expect(CAPFixtures.refusal("<?xml version=\"1.0\"?><!doctype alert SYSTEM \"http://127.0.0.1:9/x.dtd\"><alert/>") == CAPError(path: "", reason: Self.refusal))
    }

    @Test("the DOCTYPE check runs after decoding, so UTF-16 cannot hide one")
    func utf16Doctype() throws {
        let text = Self.withEntity("file:///etc/passwd").replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"UTF-16\"")
        let data = Data([0xFF, 0xFE]) + text.data(using: .utf16LittleEndian)!
        #expect(CAPFixtures.refusal(data) == CAPError(path: "", reason: Self.refusal))
    }

    @Test("documents over 1 MiB are refused before parsing")
    func size() throws {
        let padding = String(repeating: " ", count: 1 << 20)
        let error = try #require(CAPFixtures.refusal(CAPFixtures.document() + padding))
        #expect(error.path == "")
        #expect(error.reason.contains("over 1 MiB"))
        // Just under the limit is fine.
        let doc = CAPFixtures.document()
        #expect(throws: Never.self) { try CAPParser.parse(Data((doc + String(repeating: " ", count: (1 << 20) - doc.utf8.count)).utf8)) }
    }

    @Test("deep nesting is refused")
    func depth() throws {
        let deep = String(repeating: "<x>", count: 40) + String(repeating: "</x>", count: 40)
        let doc = CAPFixtures.document(info: CAPFixtures.info(area: "<area><areaDesc>\(deep)</areaDesc></area>"))
        let error = try #require(CAPFixtures.refusal(doc))
        #expect(error.reason.contains("nested deeper than 32"))
    }
}

@Suite("CAP parser: fuzzer findings")
struct CAPFuzzFindingTests {
    @Test("an empty processing instruction is refused (XMLParser crashed on it; CAP uses none)")
    func emptyProcessingInstruction() throws {
        let crash = try #require(Data(base64Encoded: "PD94bT8+CjxhbGVlcnRhdHVzPkRyX2FmdCMvc3RhdFx1Zj4K"))   // <?xm?>\n<aleertatus>…
        #expect(CAPFixtures.refusal(crash) == CAPError(path: "", reason: "the processing instruction <?xm?> has no data; CAP uses no processing instructions and empty ones are refused"))
        #expect(CAPFixtures.refusal("<?xml?><alert/>")?.reason.contains("<?xml?> has no data") == true)
        let inside = CAPFixtures.document(info: CAPFixtures.info(area: "<?pi   ?>"))
        #expect(CAPFixtures.refusal(inside)?.reason.contains("<?pi?> has no data") == true)
    }

    @Test("processing instructions with data, and <? inside comments and CDATA, are fine")
    func harmlessProcessingInstructions() throws {
        let doc = CAPFixtures.document().replacingOccurrences(of: "<alert ", with: "<?xml-stylesheet href='x.xsl' type='text/xsl'?>\n<!-- <?a?> --><alert ")
        #expect(try CAPParser.parse(Data(doc.utf8)).identifier == "T-1")
        let cdata = CAPFixtures.document(info: CAPFixtures.info(event: "<![CDATA[<?a?>]]>"))
        #expect(try CAPParser.parse(Data(cdata.utf8)).infos[0].event == "<?a?>")
    }
}
