// Durable ingest and restart of the entry store, measured against `openssl speed ed25519` in one run.
import Dispatch
import Foundation
import VigilBenchSupport
import VigilCrypto
import VigilModel
import VigilNode
import VigilStore

struct Options {
    var json = false
    var stored = 1_000_000
    var ingest = 40_000
    var directory: String?
    var reopen: String?

    init(_ args: [String]) throws {
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw BenchError("\(args[i - 1]) needs a value") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--json": json = true
            case "--entries": stored = Int(try value()) ?? -1
            case "--ingest": ingest = Int(try value()) ?? -1
            case "--dir": directory = try value()
            case "--reopen": reopen = try value()
            case "-h", "--help":
                print("""
                    usage: vigil-bench-store [--json] [--entries N] [--ingest N] [--dir DIR]
                      --entries N  entries in the store whose restart is measured (default 1000000)
                      --ingest N   entries in the durable-ingest measurement (default 40000)
                      --dir DIR    where to build the stores (default: a new temporary directory, removed after)
                      --json       also print one JSON object of figures on the last line
                    """)
                exit(0)
            default: throw BenchError("unknown option \(args[i]) (see --help)")
            }
            i += 1
        }
        guard stored > 0, ingest > 0 else { throw BenchError("--entries and --ingest take positive numbers") }
    }
}


/// Signed entries of a realistic shape: 20 authors, a situation-report-sized body, GREEN or AMBER.
final class EntryFactory: Sendable {
    let keys: [SigningKey]
    init(authors: Int = 20) throws { keys = try (0..<authors).map { _ in try SigningKey.generate() } }

    func make(_ range: Range<Int>) -> [Entry] {
        var out = [Entry?](repeating: nil, count: range.count)
        out.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let b = buffer
            let chunks = min(range.count, System.coreCount * 4)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = range.count * c / chunks, hi = range.count * (c + 1) / chunks
                for j in lo..<hi {
                    let n = range.lowerBound + j
                    let key = keys[n % keys.count]
                    let body: FieldMap = ["summary": .text("Situation report \(n): water level stable at 4.2 m; 40 people evacuated; pumps requested from the neighbouring province."),
                                          "report_number": .integer(Int64(n)), "severity": .integer(Int64(n % 4 + 1))]
                    let audience = n % 3 == 0 ? Audience(tlp: .amber, roles: ["authority", "government"]) : .federation
                    b[j] = try! EntryDraft(author: NodeID(key.publicKey), timestamp: HybridTimestamp(milliseconds: 1_795_000_000_000 + UInt64(n), counter: 0),
                                           kind: .situationReport, audience: audience, body: try! body.encoded()).signed(by: key)
                }
            }
        }
        return out.map { $0! }
    }
}

/// Durable ingest as a node does it: verify a batch on every core, then append it (one fsync per
/// batch) on the store's writer while the next batch is verified.
func ingest(_ bytes: [[UInt8]], into store: EntryStore, verifier: EntryVerifier, batch: Int = 1024) throws -> Double {
    let appender = DispatchQueue(label: "bench.append")
    let window = DispatchSemaphore(value: 2)
    let failure = Mutexed<Error?>(nil)
    let start = BenchClock.now()
    var i = 0
    while i < bytes.count {
        let slice = Array(bytes[i..<min(bytes.count, i + batch)])
        let results = verifier.verify(slice)
        var valid: [Entry] = []
        for case .valid(let e) in results { valid.append(e) }
        guard valid.count == slice.count else { throw BenchError("\(slice.count - valid.count) valid entries failed verification") }
        window.wait()
        let ready = valid
        appender.async {
            do { _ = try store.append(ready) } catch { failure.set(error) }
            window.signal()
        }
        i += batch
    }
    appender.sync {}
    if let error = failure.get() { throw error }
    return BenchClock.now() - start
}

final class Mutexed<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ v: T) { value = v }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
}

func reopenChild(_ dir: String) -> Int32 {
    let before = BenchClock.statusBytes("VmRSS")
    do {
        let (seconds, store) = try BenchClock.time { try EntryStore.open(directory: dir) }
        let count = store.count
        let peak = BenchClock.statusBytes("VmHWM")
        let rss = BenchClock.statusBytes("VmRSS")
        store.close()
        print("{\"seconds\": \(seconds), \"count\": \(count), \"peak_rss\": \(peak), \"rss\": \(rss), \"rss_before\": \(before)}")
        return 0
    } catch {
        FileHandle.standardError.write(Data("reopen failed: \(error)\n".utf8))
        return 1
    }
}

func run(_ options: Options) throws -> Int32 {
    let log = { (s: String) in FileHandle.standardError.write(Data((s + "\n").utf8)) }
    let base = options.directory ?? (NSTemporaryDirectory() + "vigil-bench-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    defer { if options.directory == nil { try? FileManager.default.removeItem(atPath: base) } }

    log("openssl speed -seconds 3 ed25519 (one core) …")
    let openssl = try OpenSSLSpeed.run(seconds: 3)
    let factory = try EntryFactory()

    log("signing \(options.ingest) entries for the ingest measurement …")
    let ingestBytes = factory.make(0..<options.ingest).map(\.canonicalBytes)
    var report = BenchReport(title: "Vigil store benchmark (\(System.coreCount) cores; \(openssl.version))")
    report.note("openssl_verify_per_s", "openssl speed ed25519 verify, 1 core", openssl.verify, unit: "/s")

    for (workers, key, label) in [(System.coreCount, "ingest_per_s", "durable ingest, decode+verify+store, \(System.coreCount) cores"),
                                  (1, "ingest_1core_per_s", "durable ingest, decode+verify+store, 1 core")] {
        let dir = base + "/ingest-\(workers)"
        let store = try EntryStore.open(directory: dir)
        let seconds = try ingest(ingestBytes, into: store, verifier: EntryVerifier(workers: workers))
        guard store.count == options.ingest else { throw BenchError("the store holds \(store.count) of \(options.ingest) entries after ingest") }
        store.close()
        try? FileManager.default.removeItem(atPath: dir)
        let rate = Double(options.ingest) / seconds
        if workers == 1 {
            report.note(key, label, rate, unit: "/s")
        } else {
            report.atLeast(key, label, rate, unit: "/s", limit: openssl.verify, limitLabel: "openssl verify, 1 core", target: 0.80)
        }
    }

    log("filling a store with \(options.stored) entries …")
    let bigDir = base + "/big"
    let fill = try BenchClock.time { () throws -> Int in
        let store = try EntryStore.open(directory: bigDir)
        var n = 0
        while n < options.stored {
            let chunk = factory.make(n..<min(options.stored, n + 8192))
            _ = try store.append(chunk)
            n += chunk.count
        }
        let count = store.count
        store.close()
        return count
    }
    guard fill.value == options.stored else { throw BenchError("the store holds \(fill.value) of \(options.stored)") }
    let size = ((try? FileManager.default.contentsOfDirectory(atPath: bigDir)) ?? []).reduce(0.0) { total, name in
        total + ((try? FileManager.default.attributesOfItem(atPath: bigDir + "/" + name)[.size] as? NSNumber)?.doubleValue ?? 0)
    }
    report.note("store_bytes", "store size on disk", size / 1_048_576, unit: "MiB")

    log("restarting: a fresh process opens the store …")
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["--reopen", bigDir]
    let pipe = Pipe()
    child.standardOutput = pipe
    try child.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    child.waitUntilExit()
    guard child.terminationStatus == 0,
          let figures = try JSONSerialization.jsonObject(with: data) as? [String: Double],
          let seconds = figures["seconds"], let peak = figures["peak_rss"], figures["count"] == Double(options.stored) else {
        throw BenchError("the restart child failed: \(String(decoding: data, as: UTF8.self))")
    }
    report.atMost("restart_s", "restart with \(options.stored) entries (open + index)", seconds, unit: "s", limit: 5)
    report.atMost("restart_peak_rss_mb", "resident memory after restart (peak)", peak / 1_048_576, unit: "MB", limit: 400, digits: 0)
    report.print(json: options.json, extra: ["openssl_version": openssl.version])
    return report.allPassed ? 0 : 1
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    let options = try Options(arguments)
    if let dir = options.reopen { exit(reopenChild(dir)) }
    exit(try run(options))
} catch {
    FileHandle.standardError.write(Data("vigil-bench-store: \(error)\n".utf8))
    exit(2)
}
