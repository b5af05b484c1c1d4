import Foundation
import Testing
@testable import VigilCAP

@Suite("CAP XML reader: same trees and alerts as XMLParser")
struct CAPReaderEquivalenceTests {
    /// The tree as text; XMLParser's builder did not keep text inside signatures (only their XML text).
    static func describe(_ n: CAPXMLNode, _ depth: Int = 0, signature: Bool = false) -> String {
        let inSignature = signature || n.namespace == CAPParser.xmldsig
        return String(repeating: " ", count: depth) + "{\(n.namespace ?? "")}\(n.name) = \(inSignature ? "" : n.text.debugDescription)\n"
            + n.children.map { describe($0, depth + 1, signature: inSignature) }.joined()
    }

    @Test("every sample", arguments: CAPFixtures.samples)
    func sample(name: String) throws {
        try compare(try CAPFixtures.sample(name))
    }

    @Test("200 generated documents (prefixes, references, whitespace, signatures)")
    func generated() throws {
        for seed in UInt64(1)...200 {
            var g = CAPGenerator(seed: seed)
            try compare(Data(g.document().utf8))
        }
    }

    func compare(_ data: Data) throws {
        let utf8 = try CAPInput.utf8Document(data)
        let old = try CAPParser.buildTree(Data(utf8))
        let new = try CAPXMLReader.read(Array(utf8))
        #expect(Self.describe(old) == Self.describe(new))
        let a = try CAPParser.alert(from: old), b = try CAPParser.alert(from: new)
        #expect(a.extensions.count == b.extensions.count)
        for (x, y) in zip(a.extensions, b.extensions) {
            #expect(Self.describe(try CAPXMLReader.read(Array(x.utf8))) == Self.describe(try CAPXMLReader.read(Array(y.utf8))))
        }
        var a2 = a, b2 = b
        a2.extensions = []; b2.extensions = []
        #expect(a2 == b2)
    }
}
