import Foundation
import Testing
import VigilModel
import VigilNode

/// genesis.json: the file release 0.2's Scripts/certs wrote (no format version) is read; a future
/// format version is refused with both versions and what to do.
@Suite("genesis.json format versions")
struct GenesisFormatTests {
    static let fixture = FederationHarness.root.appendingPathComponent("Tests/Fixtures/release-0.2/node/genesis.json")

    @Test("the 0.2 genesis (no formatVersion) decodes")
    func release02() throws {
        let data = try Data(contentsOf: Self.fixture)
        #expect(!String(decoding: data, as: UTF8.self).contains("formatVersion"))
        let genesis = try Genesis(json: data)
        #expect(genesis.federation == "Fixture Federation")
        #expect(genesis.members.map(\.name) == ["ncc", "gov-a"])
    }

    @Test("the current version decodes; a future one is refused with the message, through the file path too")
    func versions() throws {
        var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture)) as? [String: Any])
        document["formatVersion"] = Int(FormatVersion.genesis.current)
        _ = try Genesis(json: try JSONSerialization.data(withJSONObject: document))
        let future = FormatVersion.genesis.current + 1
        document["formatVersion"] = Int(future)
        document["members"] = "reshaped by a later release"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-genesis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("genesis.json").path
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Genesis(contentsOfFile: path)
        } throws: { error in
            let message = (error as? ConfigurationError)?.message ?? ""
            return message.hasPrefix("\(path): this federation genesis (genesis.json) has format version \(future)")
                && message.contains("reads version \(FormatVersion.genesis.current) only") && message.contains("Nothing was changed")
        }
    }
}
