import Foundation
import Testing
import VigilCrypto
import VigilModel
import VigilStore

@Suite("vigil store check / repair")
struct StoreCommandTests {
    @Test("check finds damage in the middle with file and offset; repair keeps every intact record")
    func checkAndRepair() throws {
        let tmp = try TemporaryDirectory()
        let dir = tmp.path("store")
        let key = try SigningKey.generate()
        var ids: [EntryID] = []
        do {
            let store = try EntryStore.open(directory: dir)
            for i in 0..<20 {
                let e = try EntryDraft(author: NodeID(key.publicKey), timestamp: HybridTimestamp(milliseconds: UInt64(1000 + i), counter: 0),
                                       kind: .message, audience: .federation, body: Array("entry \(i)".utf8)).signed(by: key)
                _ = try store.append(e)
                ids.append(e.id)
            }
            store.close()
        }
        let healthy = try CLIHarness.vigil(["store", "check", dir])
        #expect(healthy.status == 0, "\(healthy.stdout)\(healthy.stderr)")
        #expect(healthy.stdout.contains("20 intact records"))

        // Flip one byte in the middle of the only segment.
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".vseg") })
        let path = dir + "/" + segment
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let middle = bytes.count / 2
        bytes[middle] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: path))

        let damaged = try CLIHarness.vigil(["store", "check", dir, "--json"])
        #expect(damaged.status == 1)
        #expect(damaged.stdout.contains(segment))
        #expect(damaged.stdout.contains("\"opensCleanly\" : false"))
        #expect(throws: StoreError.self) { _ = try EntryStore.open(directory: dir) }

        let repaired = try CLIHarness.vigil(["store", "repair", dir])
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(repaired.stdout.contains("kept 19 records"), "\(repaired.stdout)")
        #expect(try CLIHarness.vigil(["store", "check", dir]).status == 0)
        let store = try EntryStore.open(directory: dir)
        defer { store.close() }
        #expect(store.count == 19)
        #expect(ids.filter { store.contains($0) }.count == 19)

        let missing = try CLIHarness.vigil(["store", "check", tmp.path("nothing")])
        #expect(missing.status == 3)
    }
}
