// Part 1: a fresh node catches up N entries from one peer, both real `vigil run` processes talking
// mutual TLS 1.3 on loopback.
import Dispatch
import Foundation
import Glibc
import VigilBenchSupport
import VigilCrypto
import VigilModel
import VigilStore

struct CatchUpResult {
    var entries: Int
    var seconds: Double
    var bReadySeconds: Double
    var bCPUSeconds: Double
    var aCPUSeconds: Double
    var bPeakThreads: Int
    var fillSeconds: Double
    var aStartSeconds: Double
    /// Share of the machine's CPU time stolen by the hypervisor during the catch-up, in %.
    var stealPercent: Double
    var rate: Double { Double(entries) / seconds }
}

enum CatchUpBench {
    static let authors = 20

    static func run(count: Int, vigil: String) throws -> CatchUpResult {
        let root = try makeWorkspace("catchup")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fed = try Federation(name: "Bench Catch-up Federation")
        try fed.add("node-a", role: "authority", organisation: "Centre A", port: try freePort())
        try fed.add("node-b", role: "government", organisation: "Province B", port: try freePort(), dials: ["node-a"])
        for i in 0..<authors { try fed.add(String(format: "author-%02d", i), role: "government", organisation: "Author \(i)") }
        let genesis = try fed.genesisJSON()
        let dirA = try fed.writeNodeDirectory("node-a", under: root, genesis: genesis)
        let dirB = try fed.writeNodeDirectory("node-b", under: root, genesis: genesis)
        let keys = fed.members.filter { $0.name.hasPrefix("author-") }.map(\.key)

        // Peer A's store, filled directly: signed on every core, appended in large batches.
        progress("part 1: signing and storing \(count) entries in A's store (\(authors) authors, GREEN) …")
        let base = wallMilliseconds() - UInt64(count) - 3_600_000
        let fill = try BenchClock.time { try fillStore(dirA + "/store", count: count, keys: keys, base: base) }
        guard fill.value == count else { throw BenchError("A's store holds \(fill.value) of \(count) entries after filling") }
        progress(String(format: "part 1: filled in %.1f s; starting A (loads %d entries) …", fill.seconds, count))

        let aStart = BenchClock.now()
        let a = try NodeProcess(binary: vigil, directory: dirA, name: "node-a", readyTimeout: 600)
        defer { a.stop() }
        let aStartSeconds = BenchClock.now() - aStart
        let aStatus = try a.status()
        guard aStatus.entries == count else { throw BenchError("A holds \(aStatus.entries) of \(count) entries after start") }

        progress(String(format: "part 1: A ready in %.1f s; starting an empty B that dials A, polling B's status every 100 ms …", aStartSeconds))
        let aCPU0 = a.cpuSeconds()
        let ticks0 = ProcStat.machineTicks()
        let t0 = BenchClock.now()
        let b = try NodeProcess(binary: vigil, directory: dirB, name: "node-b", readyTimeout: 120)
        defer { b.stop() }
        let bReady = b.readyAt - t0
        let timeout = max(300.0, Double(count) / 1_000)
        var held = 0
        var lastReport = t0
        var peakThreads = 0
        var end = t0
        while true {
            held = (try? b.status().entries) ?? held
            end = BenchClock.now()
            peakThreads = max(peakThreads, ProcStat.threads(b.pid))
            if held >= count { break }
            if end - t0 > timeout {
                throw BenchError("B holds \(held) of \(count) entries after \(Int(timeout)) s; see \(dirB)/node.log")
            }
            if end - lastReport > 10 {
                progress(String(format: "part 1: B holds %d of %d after %.0f s (%.0f/s)", held, count, end - t0, Double(held) / (end - t0)))
                lastReport = end
            }
            usleep(100_000)
        }
        let seconds = end - t0
        let bCPU = b.cpuSeconds()
        let aCPU = a.cpuSeconds() - aCPU0
        let ticks1 = ProcStat.machineTicks()
        let steal = ticks1.total > ticks0.total ? (ticks1.steal - ticks0.steal) / (ticks1.total - ticks0.total) * 100 : 0
        progress(String(format: "part 1: B holds all %d after %.2f s (%.0f entries/s; B used %.1f s of CPU, A %.1f s)", count, seconds, Double(count) / seconds, bCPU, aCPU))
        return CatchUpResult(entries: count, seconds: seconds, bReadySeconds: bReady, bCPUSeconds: bCPU, aCPUSeconds: aCPU,
                             bPeakThreads: peakThreads, fillSeconds: fill.seconds, aStartSeconds: aStartSeconds,
                             stealPercent: steal)
    }
}
