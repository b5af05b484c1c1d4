// Part 3: a federation of node processes on loopback with a sparse dial graph (a ring plus a few
// random chords). A new GREEN entry is posted at a random node; every node's local API `wait`, asked
// before the post, answers when that node holds it. Latency of a post: the slowest node.
import Dispatch
import Foundation
import Glibc
import Synchronization
import VigilBenchSupport
import VigilCrypto
import VigilModel

struct PropagationResult {
    var nodes: Int
    var links: Int
    var chords: Int
    var posts: [Double]            // seconds, the slowest node per post
    var postAck: [Double]          // seconds, the post's own answer (durable at the posting node)
    var diameter: Int
    var startSeconds: Double
}

enum PropagationBench {
    static func run(nodes count: Int, posts: Int, spacing: Double, vigil: String, seed: UInt64) throws -> PropagationResult {
        let root = try makeWorkspace("fed")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var rng = SeededRandom(seed: seed)
        let names = (0..<count).map { String(format: "n%02d", $0) }
        // The dial graph: node i dials i+1 (a ring), and about one node in five dials one more, far
        // away on the ring (a chord). Every node dials one or two others.
        var dials = (0..<count).map { [names[($0 + 1) % count]] }
        var chords = 0
        if count >= 6 {
            let chordCount = max(1, count / 5)
            var dialers = Array(0..<count)
            dialers.shuffle(using: &rng)
            for i in dialers.prefix(chordCount) {
                var target = i
                while target == i || target == (i + 1) % count || (target + 1) % count == i || dials[target].contains(names[i]) {
                    target = Int.random(in: 0..<count, using: &rng)
                }
                dials[i].append(names[target])
                chords += 1
            }
        }
        let fed = try Federation(name: "Bench Propagation Federation")
        for (i, name) in names.enumerated() {
            try fed.add(name, role: i == 0 ? "authority" : "government", organisation: "Province \(i)", port: try freePort(), dials: dials[i])
        }
        let genesis = try fed.genesisJSON()
        var degree = [Int](repeating: 0, count: count)
        var adjacency = [[Int]](repeating: [], count: count)
        for (i, list) in dials.enumerated() {
            for d in list {
                let j = names.firstIndex(of: d)!
                degree[i] += 1; degree[j] += 1
                adjacency[i].append(j); adjacency[j].append(i)
            }
        }
        let diameter = (0..<count).map { s -> Int in
            var dist = [Int](repeating: -1, count: count)
            dist[s] = 0
            var queue = [s]
            var k = 0
            while k < queue.count {
                let u = queue[k]; k += 1
                for v in adjacency[u] where dist[v] < 0 { dist[v] = dist[u] + 1; queue.append(v) }
            }
            return dist.max()!
        }.max()!

        progress("part 3: starting \(count) node processes (ring + \(chords) chords, \(degree.reduce(0, +) / 2) links, diameter \(diameter)) …")
        let start = BenchClock.now()
        var processes: [NodeProcess] = []
        defer { for p in processes.reversed() { p.stop(grace: 10) } }
        for name in names {
            let dir = try fed.writeNodeDirectory(name, under: root, genesis: genesis)
            processes.append(try NodeProcess(binary: vigil, directory: dir, name: name))
        }
        // Every link established (HELLO exchanged) on both ends before measuring.
        let deadline = BenchClock.now() + 120
        while true {
            var ready = true
            for (i, p) in processes.enumerated() {
                let s = try p.status()
                if s.peers.filter(\.established).count < degree[i] { ready = false; break }
            }
            if ready { break }
            if BenchClock.now() > deadline { throw BenchError("the \(count) nodes did not establish every link within 120 s; logs in \(root)") }
            usleep(100_000)
        }
        let startSeconds = BenchClock.now() - start
        progress(String(format: "part 3: every link up after %.1f s; posting %d entries, %.1f s apart …", startSeconds, posts, spacing))

        var latencies: [Double] = [], acks: [Double] = []
        for k in 0..<posts {
            let origin = Int.random(in: 0..<count, using: &rng)
            let entry = try EntryDraft(author: fed.member(names[origin]).node,
                                       timestamp: HybridTimestamp(milliseconds: wallMilliseconds(), counter: 0),
                                       kind: .message, audience: .federation,
                                       body: try (["subject": .text("Probe \(k)"), "text": .text("Propagation probe \(k) from \(names[origin])")] as FieldMap).encoded())
                .signed(by: fed.member(names[origin]).key)
            // One `wait` per node, asked before the post; each answers when its node holds the entry.
            let answered = Mutex<[Double?]>(Array(repeating: nil, count: count))
            let failures = Mutex<[String]>([])
            let group = DispatchGroup()
            for (i, p) in processes.enumerated() {
                group.enter()
                let thread = Thread {
                    defer { group.leave() }
                    do {
                        let missing = try p.wait(for: [entry.id], timeoutMs: 10_000)
                        let t = BenchClock.now()
                        if missing.isEmpty { answered.withLock { $0[i] = t } } else { failures.withLock { $0.append("\(p.name): not held after 10 s") } }
                    } catch {
                        failures.withLock { $0.append("\(p.name): \(error)") }
                    }
                }
                thread.stackSize = 256 << 10
                thread.start()
            }
            usleep(100_000)   // let every wait reach its node before the post
            let t0 = BenchClock.now()
            try processes[origin].post(entry)
            acks.append(BenchClock.now() - t0)
            group.wait()
            let problems = failures.withLock { $0 }
            guard problems.isEmpty else { throw BenchError("post \(k) at \(names[origin]) did not reach every node: \(problems.prefix(3).joined(separator: "; "))") }
            let slowest = answered.withLock { $0.compactMap { $0 }.max()! } - t0
            latencies.append(slowest)
            if spacing > 0 { sleepSeconds(spacing) }
        }
        progress(String(format: "part 3: p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d posts",
                        percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000, latencies.max()! * 1000, posts))
        return PropagationResult(nodes: count, links: degree.reduce(0, +) / 2, chords: chords, posts: latencies, postAck: acks,
                                 diameter: diameter, startSeconds: startSeconds)
    }
}
