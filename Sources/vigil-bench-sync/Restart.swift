// Part 5: node processes A and B in sync; B stops; A gets N new entries through its local API; B
// starts again. Timed from B's spawn until B's local API `wait` for all N answers.
import Dispatch
import Foundation
import Glibc
import Synchronization
import VigilBenchSupport
import VigilCrypto
import VigilModel

struct RestartResult {
    var missed: Int
    var seconds: Double
    var readySeconds: Double
    var postSeconds: Double
}

enum RestartBench {
    static func run(missed count: Int, vigil: String) throws -> RestartResult {
        let root = try makeWorkspace("restart")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fed = try Federation(name: "Bench Restart Federation")
        try fed.add("node-a", role: "authority", organisation: "Centre A", port: try freePort())
        try fed.add("node-b", role: "government", organisation: "Province B", port: try freePort(), dials: ["node-a"])
        let genesis = try fed.genesisJSON()
        let dirA = try fed.writeNodeDirectory("node-a", under: root, genesis: genesis)
        let dirB = try fed.writeNodeDirectory("node-b", under: root, genesis: genesis)
        let keyA = fed.member("node-a").key

        let a = try NodeProcess(binary: vigil, directory: dirA, name: "node-a")
        defer { a.stop() }
        var b: NodeProcess? = try NodeProcess(binary: vigil, directory: dirB, name: "node-b")
        defer { b?.stop() }
        // In sync: an entry posted at A is held by B.
        let first = try EntryMaker.make(0, key: keyA, milliseconds: wallMilliseconds())
        try a.post(first)
        guard try b!.wait(for: [first.id], timeoutMs: 20_000).isEmpty else { throw BenchError("B did not receive A's first entry") }
        progress("part 5: A and B in sync; stopping B, posting \(count) entries at A through its local API …")
        b!.stop()
        b = nil

        // Signed ahead, posted by 8 clients at once (each post answers once fsynced; group commit shares the syncs).
        let base = wallMilliseconds() - UInt64(count)
        let entries = EntryMaker.makeParallel(1..<(count + 1), keys: [keyA], base: base)
        let posting = BenchClock.now()
        let failure = Mutex<String?>(nil)
        DispatchQueue.concurrentPerform(iterations: 8) { c in
            for k in stride(from: c, to: entries.count, by: 8) {
                do { try a.post(entries[k]) } catch { failure.withLock { $0 = $0 ?? "\(error)" }; return }
            }
        }
        if let f = failure.withLock({ $0 }) { throw BenchError("posting at A failed: \(f)") }
        let postSeconds = BenchClock.now() - posting
        let held = try a.status().entries
        guard held == count + 1 else { throw BenchError("A holds \(held) entries, expected \(count + 1)") }

        progress(String(format: "part 5: posted in %.1f s; starting B again …", postSeconds))
        let t0 = BenchClock.now()
        let restarted = try NodeProcess(binary: vigil, directory: dirB, name: "node-b")
        b = restarted
        let missing = try restarted.wait(for: entries.map(\.id), timeoutMs: 120_000)
        let seconds = BenchClock.now() - t0
        guard missing.isEmpty else { throw BenchError("B misses \(missing.count) of \(count) entries 120 s after its restart; see \(dirB)/node.log") }
        progress(String(format: "part 5: B holds all %d after %.3f s (ready after %.3f s)", count, seconds, restarted.readyAt - t0))
        return RestartResult(missed: count, seconds: seconds, readySeconds: restarted.readyAt - t0, postSeconds: postSeconds)
    }
}
