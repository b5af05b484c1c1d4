import Foundation
import Testing
import VigilModel
import VigilStore

/// Files written by release 0.2 (Tests/Fixtures/release-0.2, see its README) are read by this release;
/// a file of a "future" format version is refused with a message naming both versions and what to
/// do, and is left as it was.
@Suite("Compatibility with files of other releases")
struct CompatibilityTests {
    static let fixtures = CLIHarness.repositoryRoot.appendingPathComponent("Tests/Fixtures/release-0.2")

    /// A copy of the 0.2 store in a fresh directory.
    static func storeCopy(_ tmp: TemporaryDirectory) throws -> String {
        let dir = tmp.path("store")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("store/segment-00000001.vseg").path,
                                         toPath: dir + "/segment-00000001.vseg")
        return dir
    }

    @Test("a store written by 0.2 opens, every entry reads and decodes, and new entries append after them")
    func store() throws {
        let tmp = try TemporaryDirectory()
        let dir = try Self.storeCopy(tmp)
        let store = try EntryStore.open(directory: dir)
        defer { store.close() }
        #expect(store.count == 4)
        var kinds: [EntryKind] = []
        for item in store.items() {
            let entry = try #require(try store.read(item.id))
            #expect(entry.id == item.id)
            kinds.append(entry.kind)
        }
        #expect(kinds.filter { $0 == .message }.count == 3 && kinds.contains(.situationReport))
        let entry = try Entry(canonicalBytes: [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("message.entry"))))
        _ = try store.append(entry)
        #expect(store.count == 5)
    }

    @Test("vigil store check passes on the 0.2 store; vigil entry inspect verifies the 0.2 entry file")
    func cliReads() throws {
        let tmp = try TemporaryDirectory()
        let checked = try CLIHarness.vigil(["store", "check", try Self.storeCopy(tmp)])
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        #expect(checked.stdout.contains("4 intact records"))
        let inspected = try CLIHarness.vigil(["entry", "inspect", Self.fixtures.appendingPathComponent("message.entry").path, "--json"])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        #expect(inspected.stdout.contains("Entry file from release 0.2"))
    }

    @Test("a store segment of a future format version is refused by open, check and repair, and left unchanged")
    func futureStore() throws {
        let tmp = try TemporaryDirectory()
        let dir = try Self.storeCopy(tmp)
        let path = dir + "/segment-00000001.vseg"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[8] = UInt8(FormatVersion.storeSegment.current + 1)   // the header's format version (u32 LE)
        try bytes.write(to: URL(fileURLWithPath: path))
        let future = FormatVersion.storeSegment.current + 1
        do {
            let store = try EntryStore.open(directory: dir)
            store.close()
            Issue.record("a future store opened")
        } catch {
            #expect(error.code == .unsupportedFormat)
            #expect(error.message.contains("has format version \(future)"))
            #expect(error.message.contains("reads version \(FormatVersion.storeSegment.current) only"))
            #expect(error.message.contains("release \(VigilRelease.version)"))
            #expect(error.message.contains("install that release"))
        }
        let checked = try CLIHarness.vigil(["store", "check", dir])
        #expect(checked.status != 0)
        #expect(checked.stdout.contains("format version \(future)"), "\(checked.stdout)")
        let repaired = try CLIHarness.vigil(["store", "repair", dir])
        #expect(repaired.status != 0)
        #expect(repaired.stderr.contains("format version \(future)"), "\(repaired.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test("node.json as 0.2 wrote it (no format version) is read; a future one is refused by id and run")
    func nodeConfig() throws {
        let fixture = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent("node/node.json"))) as? [String: Any])
        #expect(Set(fixture.keys) == ["name", "nodeId", "organisation", "role"])
        let tmp = try TemporaryDirectory()
        let dir = tmp.path("node")
        let made = try CLIHarness.vigil(["init", "--dir", dir, "--name", "gov-a", "--org", "Governor A", "--role", "government"])
        #expect(made.status == 0, "\(made.stderr)")
        let written = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/node.json"))) as? [String: Any])
        #expect(written["formatVersion"] as? Int == Int(FormatVersion.nodeConfig.current))

        var old = fixture
        old["nodeId"] = written["nodeId"]
        try JSONSerialization.data(withJSONObject: old).write(to: URL(fileURLWithPath: dir + "/node.json"))
        let id = try CLIHarness.vigil(["id", "--dir", dir])
        #expect(id.status == 0, "\(id.stderr)")

        var future = old
        future["formatVersion"] = Int(FormatVersion.nodeConfig.current) + 1
        future["newField"] = ["something": "a later release needs"]
        let futureBytes = try JSONSerialization.data(withJSONObject: future)
        try futureBytes.write(to: URL(fileURLWithPath: dir + "/node.json"))
        for arguments in [["id", "--dir", dir], ["run", "--dir", dir]] {
            let refused = try CLIHarness.vigil(arguments)
            #expect(refused.status == 3, "\(arguments)")
            #expect(refused.stderr.contains("node.json: this node configuration (node.json) has format version \(FormatVersion.nodeConfig.current + 1)"), "\(refused.stderr)")
            #expect(refused.stderr.contains("install that release"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/node.json")) == futureBytes)
        #expect(!FileManager.default.fileExists(atPath: dir + "/store"))
    }
}
