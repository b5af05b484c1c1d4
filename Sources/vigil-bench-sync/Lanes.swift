// Urgent first on a slow link (Scripts/bench-lanes): node process B catches up N entries from node
// process A through a loopback proxy that forwards 256 kbit/s each way (`ThrottledLink`); while the
// backlog streams, alerts are posted at A one at a time, each timed from A's answer to the post until
// B holds it (B's local API `wait`). Target: every alert within 2 s.
import Foundation
import Glibc
import VigilBenchSupport
import VigilModel

enum LanesBench {
    struct Options {
        var json = false
        var quick = false
        var entries = 20_000
        var alerts = 5
        var bitsPerSecond = 256_000
        var vigil: String?

        init(_ args: [String]) throws {
            var i = 0
            var sized: Set<String> = []
            func value() throws -> String {
                i += 1
                guard i < args.count else { throw BenchError("\(args[i - 1]) needs a value (see --help)") }
                return args[i]
            }
            func count() throws -> Int {
                let text = try value()
                guard let n = Int(text.replacingOccurrences(of: "_", with: "")), n > 0 else {
                    throw BenchError("\(args[i - 1]) takes a positive whole number, got \(text)")
                }
                return n
            }
            while i < args.count {
                switch args[i] {
                case "--json": json = true
                case "--quick": quick = true
                case "--entries": entries = try count(); sized.insert("entries")
                case "--alerts": alerts = try count(); sized.insert("alerts")
                case "--rate": bitsPerSecond = try count()
                case "--vigil": vigil = try value()
                case "-h", "--help":
                    print(Self.usage)
                    exit(0)
                default: throw BenchError("unknown option \(args[i]) (see --help)")
                }
                i += 1
            }
            if quick {
                if !sized.contains("entries") { entries = 5_000 }
                if !sized.contains("alerts") { alerts = 3 }
            }
        }

        static let usage = """
            usage: vigil-bench-sync lanes [--json] [--quick] [--entries N] [--alerts K] [--rate BITS]
              Node process B catches up N entries from node process A over a loopback link throttled to
              BITS bit/s each way; K alerts posted at A meanwhile are timed from A's answer until B holds them.
              --entries N   the backlog (default 20000)
              --alerts K    alerts timed one after the other (default 5)
              --rate BITS   the link's rate each way, bit/s (default 256000)
              --quick       5000 entries, 3 alerts; the output says it is not the issue's figures
              --json        also print one JSON object of figures as the last line
              --vigil PATH  the vigil executable (default: next to this one)
            Exit status: 0 every target met, 1 a target missed, 2 an error.
            """
    }

    static let targetSeconds = 2.0

    static func main(_ args: [String]) throws -> Int32 {
        let options = try Options(args)
        let vigilPath = options.vigil ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("vigil").path
        guard FileManager.default.isExecutableFile(atPath: vigilPath) else {
            throw BenchError("no vigil executable at \(vigilPath); build it (swift build -c release --product vigil) or pass --vigil PATH")
        }
        let root = try makeWorkspace("lanes")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fed = try Federation(name: "Bench Lanes Federation")
        let linkPort = try freePort(), realPort = try freePort()
        // The genesis gives A's address as the link's port: B dials A through the link.
        try fed.add("node-a", role: "authority", organisation: "Centre A", port: linkPort)
        try fed.add("node-b", role: "government", organisation: "Province B", port: try freePort(), dials: ["node-a"])
        let genesis = try fed.genesisJSON()
        let dirA = try fed.writeNodeDirectory("node-a", under: root, genesis: genesis)
        let dirB = try fed.writeNodeDirectory("node-b", under: root, genesis: genesis)
        let keyA = fed.member("node-a").key
        progress("lanes: signing and storing \(options.entries) entries at A …")
        let base = wallMilliseconds() - UInt64(options.entries) - 60_000
        guard try fillStore(dirA + "/store", count: options.entries, keys: [keyA], base: base) == options.entries else {
            throw BenchError("A's store does not hold the \(options.entries) entries")
        }
        let bytesPerSecond = options.bitsPerSecond / 8
        let link = try ThrottledLink(listenPort: linkPort, targetPort: realPort, bytesPerSecond: bytesPerSecond)
        defer { link.close() }
        let a = try NodeProcess(binary: vigilPath, directory: dirA, name: "node-a", extraArguments: ["--listen", "127.0.0.1:\(realPort)"])
        defer { a.stop() }
        let b = try NodeProcess(binary: vigilPath, directory: dirB, name: "node-b")
        defer { b.stop() }

        // The catch-up is under way once B holds a few hundred entries: A's backlog lane is then full.
        let started = BenchClock.now()
        var heldAtStart = 0
        while heldAtStart < min(300, options.entries / 10) {
            guard BenchClock.now() - started < 120 else { throw BenchError("B holds only \(heldAtStart) entries 120 s after its start; see \(dirB)/node.log") }
            sleepSeconds(0.05)
            heldAtStart = try b.status().entries
        }
        let catchUpStart = BenchClock.now()
        progress("lanes: B holds \(heldAtStart) of \(options.entries); posting \(options.alerts) alerts at A …")
        var latencies: [Double] = []
        for k in 0..<options.alerts {
            let posted = try postAlert(vigil: vigilPath, directory: dirA, number: k)
            let t0 = BenchClock.now()
            let missing = try b.wait(for: [posted], timeoutMs: 120_000)
            let seconds = BenchClock.now() - t0
            guard missing.isEmpty else { throw BenchError("alert \(k) did not reach B within 120 s") }
            latencies.append(seconds)
            progress(String(format: "lanes: alert %d held by B after %.3f s", k + 1, seconds))
            sleepSeconds(0.5)
        }
        let heldAtEnd = try b.status().entries
        let elapsed = BenchClock.now() - catchUpStart
        // Entries held by B that are backlog: all but the alerts (B holds nothing else).
        let backlogHeld = heldAtEnd - options.alerts
        guard backlogHeld < options.entries else {
            throw BenchError("the catch-up finished before the last alert (\(backlogHeld) of \(options.entries)); use more --entries or a lower --rate")
        }
        let entryBytes = Double(try EntryMaker.make(0, key: keyA, milliseconds: base).canonicalBytes.count)
        let backlogRate = Double(backlogHeld - heldAtStart) * entryBytes * 8 / elapsed

        let mode = options.entries == 20_000 && options.bitsPerSecond == 256_000 && !options.quick ? "full run at the issue's sizes"
            : (options.quick ? "QUICK RUN, reduced sizes: NOT the issue's figures" : "RESIZED RUN: NOT the issue's figures")
        var report = BenchReport(title: "Vigil priority lanes benchmark (\(options.bitsPerSecond / 1000) kbit/s link, \(options.entries)-entry catch-up; \(mode))")
        report.atMost("alert_max_s", "new alert at A → held by B, worst of \(options.alerts), during the catch-up", latencies.max() ?? 0, unit: "s", limit: targetSeconds)
        report.note("alert_median_s", "  median", percentile(latencies, 50), unit: "s", digits: 2)
        report.note("backlog_remaining", "backlog still on its way after the last alert", Double(options.entries - backlogHeld), unit: "entries")
        report.note("backlog_kbit_s", "backlog throughput meanwhile (entries × \(Int(entryBytes)) B)", backlogRate / 1000, unit: "kbit/s", digits: 0)
        report.note("backlog_share", "  as a share of the link's rate (nothing starved)", backlogRate / Double(options.bitsPerSecond), unit: "", digits: 2)
        report.print(json: options.json, extra: ["mode": options.quick ? "quick" : mode.hasPrefix("full") ? "full" : "resized",
                                                 "sizes": "entries=\(options.entries) alerts=\(options.alerts) rate=\(options.bitsPerSecond)"])
        return report.allPassed ? 0 : 1
    }

    /// `vigil post alert … --json` at A; the id once A holds it durably.
    static func postAlert(vigil: String, directory: String, number: Int) throws -> EntryID {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: vigil)
        let area = #"{"description": "Kallo", "circles": [{"lat": 51.2611, "lon": 4.2905, "radius_m": 2000}]}"#
        process.arguments = ["post", "alert", "--event", "Chemical release \(number)", "--status", "actual", "--urgency", "immediate",
                             "--severity", "severe", "--certainty", "observed", "--categories", "cbrne", "--areas", area,
                             "--headline", "Chlorine leak at Kallo: stay indoors", "--instruction", "Stay indoors, close windows and doors.",
                             "--effective", "2026-11-24T10:05:00Z", "--expires", "2026-11-24T16:00:00Z", "--language", "en-US",
                             "--json", "--dir", directory]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let hex = object["id"] as? String,
              let id = EntryID(hex: hex) else {
            throw BenchError("vigil post alert at A failed (status \(process.terminationStatus)): \(text)")
        }
        return id
    }
}
