// Sneakernet bundle export and import rates, as ratios to the one-core `openssl speed ed25519` verify
// rate measured in the same run (Scripts/bench-bundle, docs/benchmarks.md).
import Dispatch
import Foundation
import VigilBenchSupport
import VigilBundle
import VigilCrypto
import VigilModel
import VigilNode
import VigilStore

struct Options {
    var json = false
    var entries = 100_000

    init(_ args: [String]) throws {
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--json": json = true
            case "--entries":
                i += 1
                guard i < args.count, let n = Int(args[i]), n > 0 else { throw BenchError("--entries needs a positive number") }
                entries = n
            case "-h", "--help":
                print("""
                    usage: vigil-bench-bundle [--json] [--entries N]
                      --entries N  entries in the bundle (default 100000)
                      --json       also print one JSON object of figures on the last line
                    """)
                exit(0)
            default: throw BenchError("unknown option \(args[i]) (see --help)")
            }
            i += 1
        }
    }
}

/// Two node directories (an authority that exports, a government that imports) in one genesis with
/// 20 authors, and the authority's store filled with `count` signed entries every member may read.
struct Federation {
    let base: String
    let keys: [SigningKey]   // keys[0] the authority (exporter), keys[1] the importer
    var exporterDir: String { base + "/ncc" }
    var importerDir: String { base + "/gov" }

    init(base: String, entries count: Int) throws {
        self.base = base
        keys = try (0..<20).map { _ in try SigningKey.generate() }
        let members: [[String: Any]] = keys.enumerated().map { i, key in
            ["name": i == 0 ? "ncc" : i == 1 ? "gov" : "member-\(i)", "organisation": "Org \(i)", "role": i == 0 ? "authority" : "government",
             "nodeId": NodeID(key.publicKey).hex, "host": "127.0.0.1", "port": 7000 + i, "dials": [String]()]
        }
        let genesis: [String: Any] = ["federation": "Bench", "authority": NodeID(keys[0].publicKey).hex, "members": members]
        let data = try JSONSerialization.data(withJSONObject: genesis)
        for (dir, key) in [(exporterDir, keys[0]), (importerDir, keys[1])] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: dir + "/genesis.json"))
            try KeyFile.write(key, to: dir + "/identity.key")
            try KeyFile.write(try AgreementKey.generate(), to: dir + "/encryption.key")
        }
        // The importer's key announcement, held by the exporter; then the entries.
        let importer = try OfflineNode(directory: importerDir)
        let announcement = try importer.announceEncryptionKey(importer.encryptionKey())!
        importer.close()
        let store = try EntryStore.open(directory: exporterDir + "/store")
        _ = try store.append([announcement])
        let keys = self.keys
        var made = [Entry?](repeating: nil, count: count)
        made.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let b = buffer
            let chunks = min(count, System.coreCount * 4)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                for n in (count * c / chunks)..<(count * (c + 1) / chunks) {
                    let key = keys[n % keys.count]
                    let body: FieldMap = ["subject": .text("Report \(n)"),
                                          "text": .text("Water level stable at 4.2 m; 40 people evacuated; pumps requested from the neighbouring province.")]
                    let audience = n % 3 == 0 ? Audience(tlp: .amber, roles: ["authority", "government"]) : Audience(tlp: .green)
                    b[n] = try! EntryDraft(author: NodeID(key.publicKey), timestamp: HybridTimestamp(milliseconds: 1_795_000_000_000 + UInt64(n), counter: 0),
                                           kind: .message, audience: audience, body: try! body.encoded()).signed(by: key)
                }
            }
        }
        var i = 0
        while i < count {
            _ = try store.append(made[i..<min(count, i + 4096)].map { $0! })
            i += 4096
        }
        store.close()
    }
}

func run(_ options: Options) throws -> Int32 {
    let log = { (s: String) in FileHandle.standardError.write(Data((s + "\n").utf8)) }
    // The targets are wall-clock rates on every core, so the limit is openssl's wall-clock rate (-elapsed)
    // measured in the same run, under the same load from other processes; the per-CPU-second rate is
    // shown too, with the import's CPU cost beside it.
    log("openssl speed -seconds 3 -elapsed ed25519 and -seconds 3 ed25519 (one core) …")
    let openssl = try OpenSSLSpeed.run(seconds: 3, wallClock: true)
    let opensslCPU = try OpenSSLSpeed.run(seconds: 3)
    let base = NSTemporaryDirectory() + "vigil-bench-bundle-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: base) }
    log("signing and storing \(options.entries) entries …")
    let federation = try Federation(base: base, entries: options.entries)

    log("export …")
    let exporter = try OfflineNode(directory: federation.exporterDir)
    let (exportSeconds, exported) = try BenchClock.time { try exporter.exportBundle(BundleSelection(to: ["gov"])) }
    exporter.close()
    let bytes = exported.bytes
    guard exported.plan.entries.count == options.entries + 1 else {
        throw BenchError("the bundle holds \(exported.plan.entries.count) entries, expected \(options.entries + 1)")
    }

    log("import (verifies every entry on \(System.coreCount) cores, stores durably) …")
    let importer = try OfflineNode(directory: federation.importerDir)
    // The parts of an import on their own (not stored): opening the file, and verifying the entries.
    let (openSeconds, opened) = try BenchClock.time {
        try BundleOpener.open(bytes, roster: importer.core.roster, identity: importer.me.node, key: importer.encryptionKey())
    }
    let (verifySeconds, _) = BenchClock.time { EntryVerifier().verify(opened.entries) }
    let cpuBefore = BenchClock.now(CLOCK_PROCESS_CPUTIME_ID)
    let (importSeconds, report) = try BenchClock.time { try importer.importBundle(bytes, verifier: EntryVerifier()) }
    let importCPU = BenchClock.now(CLOCK_PROCESS_CPUTIME_ID) - cpuBefore
    importer.close()
    guard report.refused.isEmpty, report.new == options.entries else {
        throw BenchError("import: \(report.new) new, \(report.held) held, \(report.refused.count) refused (first: \(report.refused.first?.refusal.message ?? "-"))")
    }
    log("replay …")
    let again = try OfflineNode(directory: federation.importerDir)
    let (replaySeconds, replay) = try BenchClock.time { try again.importBundle(bytes, verifier: EntryVerifier()) }
    again.close()
    guard replay.new == 0 else { throw BenchError("the replay stored \(replay.new) entries again") }

    let count = Double(exported.plan.entries.count)
    var table = BenchReport(title: "Vigil bundle benchmark (\(options.entries) entries, \(System.coreCount) cores; \(openssl.version))")
    table.note("openssl_verify_per_s", "openssl speed -elapsed ed25519 verify, 1 core (wall clock)", openssl.verify, unit: "/s")
    table.note("openssl_verify_per_cpu_s", "openssl speed ed25519 verify, per CPU second", opensslCPU.verify, unit: "/s")
    table.note("bundle_bytes", "bundle size", Double(bytes.count) / 1_048_576, unit: "MiB", digits: 1)
    table.atLeast("export_per_s", "export (select, seal, sign)", count / exportSeconds, unit: "entries/s",
                  limit: openssl.verify, limitLabel: "openssl verify, 1 core, wall", target: 1.0)
    table.atLeast("import_per_s", "import (open, verify each, admit, fsync)", count / importSeconds, unit: "entries/s",
                  limit: openssl.verify, limitLabel: "openssl verify, 1 core, wall", target: 1.0)
    table.note("import_per_cpu_s", "import per CPU second (all threads)", count / importCPU, unit: "entries/s")
    table.note("import_per_cpu_s_ratio", "  as a ratio to openssl verify per CPU second", count / importCPU / opensslCPU.verify, unit: "", digits: 2)
    table.note("open_s", "of which: open (signature, unwrap, decrypt, payload)", openSeconds, unit: "s", digits: 2)
    table.note("verify_per_s", "of which: verify every entry (EntryVerifier, all cores)", count / verifySeconds, unit: "entries/s")
    table.note("replay_per_s", "replay of the same bundle (all already held)", count / replaySeconds, unit: "entries/s")
    table.print(json: options.json, extra: ["openssl_version": openssl.version])
    return table.allPassed ? 0 : 1
}

do {
    exit(try run(try Options(Array(CommandLine.arguments.dropFirst()))))
} catch {
    FileHandle.standardError.write(Data("vigil-bench-bundle: \(error)\n".utf8))
    exit(2)
}
