// Part 6: a node process whose store holds N entries starts: time from its spawn until its local API
// answers `status` and a peer's session is established (TLS, HELLO both ways), and its resident memory
// then. Measured with the start-up index the node keeps (store/node-index, written by the previous
// run), and once without it (deleted: the node reads every entry and rebuilds it).
import Dispatch
import Foundation
import Glibc
import VigilAPI
import VigilBenchSupport
import VigilCrypto
import VigilModel
import VigilNet

struct StartResult {
    struct Run {
        /// Spawn until the "listening on" line.
        var readySeconds: Double
        /// Spawn until both the local API answered and a peer session was established.
        var servingSeconds: Double
        /// CPU time (user + system, all threads) the node used until then: unlike the wall-clock
        /// time, it does not grow when other processes share the cores.
        var cpuSeconds: Double
        /// The machine's 1-minute load average then (2 cores: above 2, other processes competed).
        var loadAverage: Double
        var rssBytes: Double
        var peakRSSBytes: Double
        /// The node's own log line on the start-up index (`node-index…` event).
        var indexLine: String
    }
    var entries: Int
    var fillSeconds: Double
    /// Starts with the index written by the previous run.
    var warm: [Run]
    /// The start with the index deleted.
    var cold: Run
    var warmMedian: Run { warm.sorted { $0.servingSeconds < $1.servingSeconds }[warm.count / 2] }
}

enum StartBench {
    static func run(count: Int, warmRuns: Int, vigil: String) throws -> StartResult {
        let root = try makeWorkspace("start")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fed = try Federation(name: "Bench Start Federation")
        let port = try freePort()
        try fed.add("node-a", role: "authority", organisation: "Centre A", port: port)
        try fed.add("peer", role: "government", organisation: "Province P")
        for i in 0..<CatchUpBench.authors { try fed.add(String(format: "author-%02d", i), role: "government", organisation: "Author \(i)") }
        let dir = try fed.writeNodeDirectory("node-a", under: root, genesis: try fed.genesisJSON())
        let keys = fed.members.filter { $0.name.hasPrefix("author-") }.map(\.key)
        progress("part 6: signing and storing \(count) entries in the node's store …")
        let base = wallMilliseconds() - UInt64(count) - 3_600_000
        let fill = try BenchClock.time { try fillStore(dir + "/store", count: count, keys: keys, base: base) }
        guard fill.value == count else { throw BenchError("the store holds \(fill.value) of \(count) entries after filling") }

        let peer = fed.member("peer")
        let tls = try TLSContext(certificate: try fed.certificate(for: peer), key: peer.key, trusting: fed.ca.certificate)
        let nodeKey = fed.member("node-a").key.publicKey
        func start(_ label: String) throws -> StartResult.Run {
            let node = try NodeProcess(binary: vigil, directory: dir, name: "node-a", readyTimeout: 600)
            defer { node.stop() }
            let status = try node.status()
            guard status.entries == count else { throw BenchError("\(label): the node holds \(status.entries) of \(count) entries after start") }
            let counters = PeerCounters()
            let loop = try NetworkLoop(configuration: NetworkConfiguration(tls: tls))
            let simulated = SimulatedPeer(counters: counters, pingPhase: 60_000, roundPhase: 60_000)
            simulated.loop = loop
            try loop.start(delegate: simulated)
            defer { loop.shutdown() }
            _ = loop.dial(host: "127.0.0.1", port: UInt16(port), expectedPeer: nodeKey)
            let deadline = BenchClock.now() + 60
            while counters.established.load(ordering: .relaxed) == 0 {
                if counters.closed.load(ordering: .relaxed) > 0 || BenchClock.now() > deadline {
                    throw BenchError("\(label): no session with the node: \(counters.reasons.withLock { $0 })")
                }
                usleep(500)
            }
            let serving = BenchClock.now() - node.spawnedAt
            let cpu = node.cpuSeconds()
            let load = Double(((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").first ?? "") ?? 0
            let rss = BenchClock.statusBytes("VmRSS", process: "\(node.pid)")
            let peak = BenchClock.statusBytes("VmHWM", process: "\(node.pid)")
            let log = (try? String(contentsOfFile: dir + "/node.log", encoding: .utf8)) ?? ""
            let line = log.split(separator: "\n").first { $0.contains("event=node-index") }.map(String.init) ?? "(no node-index line in the log)"
            let run = StartResult.Run(readySeconds: node.readyAt - node.spawnedAt, servingSeconds: serving, cpuSeconds: cpu, loadAverage: load, rssBytes: rss, peakRSSBytes: peak, indexLine: line)
            progress(String(format: "part 6: %@: serving after %.3f s (ready line %.3f s; %.3f s of CPU; load average %.1f), RSS %.0f MB (peak %.0f MB); %@",
                            label, serving, run.readySeconds, cpu, load, rss / 1e6, peak / 1e6, line))
            // For the record (no target): a list by a kind the store does not hold (the incident queue on a
            // node of messages), which reads only the entries of that kind (KindPositions).
            var incidents = EntriesRequest()
            incidents.kinds = ["incident"]
            incidents.limit = 200
            // Twice: the first waits for the loop, busy with the new peer session's reconciliation.
            let listed = try BenchClock.time { try node.api.send(incidents) }
            let again = try BenchClock.time { try node.api.send(incidents) }
            progress(String(format: "part 6: %@: entries of kind incident (none among %d): %d in %.1f ms, again %.1f ms", label, count,
                            listed.value.entries.count, listed.seconds * 1000, again.seconds * 1000))
            return run
        }
        // The first start finds no index: it reads every entry and writes the index.
        _ = try start("first start (writes the index)")
        var warm: [StartResult.Run] = []
        for i in 0..<warmRuns { warm.append(try start("start \(i + 1) with the index")) }
        try FileManager.default.removeItem(atPath: dir + "/store/node-index")
        let cold = try start("start with the index deleted")
        return StartResult(entries: count, fillSeconds: fill.seconds, warm: warm, cold: cold)
    }
}
