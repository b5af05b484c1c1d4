import Foundation
import Testing
import VigilModel

@Suite("vigil version")
struct VersionCommandTests {
    @Test("version and --version show release, commit, protocol, formats and OpenSSL")
    func version() throws {
        let plain = try CLIHarness.vigil(["version"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let flag = try CLIHarness.vigil(["--version"])
        #expect(flag.stdout == plain.stdout)
        let lines = plain.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "vigil     \(VigilRelease.version)")
        #expect(lines.contains("commit    development build"))   // the test build is not made by Scripts/package
        #expect(lines.contains("protocol  sync protocol 1, features 0x1"))
        #expect(lines.contains("formats   entry 1, genesis.json 1, node.json 1, store 1"))
        #expect(lines.contains { $0.hasPrefix("openssl   OpenSSL 3.") })

        struct Info: Decodable { let release: String; let commit: String?; let protocolVersion: Int; let formats: [String: Int]; let openssl: String }
        let json = try CLIHarness.vigil(["version", "--json"])
        let info = try JSONDecoder().decode(Info.self, from: Data(json.stdout.utf8))
        #expect(info.release == VigilRelease.version && info.commit == nil && info.protocolVersion == 1)
        #expect(info.formats["store"] == Int(FormatVersion.storeSegment.current))
        #expect(try CLIHarness.vigil(["version", "extra"]).status == 2)
    }
}
