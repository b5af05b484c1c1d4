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

    @Test("alternateAddresses: several routes per member, in order; an old genesis has one; bad ones are refused with their place")
    func alternateAddresses() throws {
        let old = try Genesis(json: Data(contentsOf: Self.fixture))
        #expect(old.members.allSatisfy { $0.alternateAddresses == nil && $0.addresses == ["\($0.host):\($0.port)"] })
        var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture)) as? [String: Any])
        var members = try #require(document["members"] as? [[String: Any]])
        func with(_ alternates: Any) throws -> Genesis {
            members[1]["alternateAddresses"] = alternates
            document["members"] = members
            return try Genesis(json: JSONSerialization.data(withJSONObject: document))
        }
        let genesis = try with(["10.9.0.2:7402", "sat-gw.example:7402"])
        let member = genesis.members[1]
        #expect(member.addresses == ["\(member.host):\(member.port)", "10.9.0.2:7402", "sat-gw.example:7402"])
        #expect(genesis.roster.member(named: member.name)?.addresses == member.addresses)
        for (bad, expected) in [(["10.9.0.2"], "alternateAddresses[0] \"10.9.0.2\" must be \"host:port\""),
                                (["10.9.0.2:0"], "with a port 1-65535"), ([":7402"], "must be \"host:port\""),
                                (["10.9.0.2:7402", "10.9.0.2:7402"], "alternateAddresses[1] \"10.9.0.2:7402\" is listed twice"),
                                (["\(member.host):\(member.port)"], "is listed twice")] {
            #expect { _ = try with(bad) } throws: { error in
                let message = (error as? ConfigurationError)?.message ?? ""
                return message.contains("members[1] (\(member.name))") && message.contains(expected)
            }
        }
        #expect(throws: ConfigurationError.self) { _ = try with("10.9.0.2:7402") }
    }
}
