// Peer sync measured against `openssl speed ed25519` (one core) and the issue's fixed targets, in one
// run: catch-up of a fresh node, Negentropy reconciliation, propagation through a federation, a hub
// holding many sessions, and a restarted node catching up what it missed (Scripts/bench-sync).
import Foundation
import Glibc
import VigilBenchSupport
import VigilNode

struct Options {
    var json = false
    var quick = false
    var catchUp = 1_000_000
    var reconcileItems = 1_000_000
    var differences = 100
    var nodes = 30
    var posts = 50
    var spacing = 0.3
    var peers = 1_000
    var idle = 10.0
    var restart = 2_000
    var start = 1_000_000
    var startRuns = 3
    var samples = 200
    var messages = 2_000
    /// Part 7: each post on a new local-API connection (as `vigil post` does) instead of one kept
    /// connection per client (the default since 2026-12-03).
    var connectionPerPost = false
    /// Part 8: entries missed by the dialled-only node; outages (s) of 8a, 8b, 8c; the nodes' idle timeout in 8c (nil: default).
    var reconnectMissed = 2_000
    var outages: [Double] = [30, 300, 600]
    var healIdleTimeout: Double? = nil
    var parts: Set<Int> = [1, 2, 3, 4, 5, 6, 7]
    var vigil: String?
    var seed: UInt64 = 20_250_601

    static let full = Options(noArguments: ())
    private init(noArguments: ()) {}

    init(_ args: [String]) throws {
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw BenchError("\(args[i - 1]) needs a value (see --help)") }
            return args[i]
        }
        func count() throws -> Int {
            let text = try value()
            guard let n = Int(text.replacingOccurrences(of: "_", with: "").replacingOccurrences(of: ",", with: "")), n > 0 else {
                throw BenchError("\(args[i - 1]) takes a positive whole number, got \(text)")
            }
            return n
        }
        var sized: [String: Bool] = [:]
        while i < args.count {
            let arg = args[i]
            switch arg {
            case "--json": json = true
            case "--quick": quick = true
            case "--catchup": catchUp = try count(); sized["catchup"] = true
            case "--reconcile": reconcileItems = try count(); sized["reconcile"] = true
            case "--differences": differences = try count(); sized["differences"] = true
            case "--nodes": nodes = try count(); sized["nodes"] = true
            case "--posts": posts = try count(); sized["posts"] = true
            case "--spacing":
                guard let s = Double(try value()), s >= 0 else { throw BenchError("--spacing takes seconds ≥ 0") }
                spacing = s
            case "--peers": peers = try count(); sized["peers"] = true
            case "--idle":
                guard let s = Double(try value()), s > 0 else { throw BenchError("--idle takes seconds > 0") }
                idle = s; sized["idle"] = true
            case "--restart": restart = try count(); sized["restart"] = true
            case "--start": start = try count(); sized["start"] = true
            case "--start-runs": startRuns = try count(); sized["start-runs"] = true
            case "--samples": samples = try count(); sized["samples"] = true
            case "--messages": messages = try count(); sized["messages"] = true
            case "--connection-per-post": connectionPerPost = true
            case "--missed": reconnectMissed = try count(); sized["missed"] = true
            case "--outages":
                let list = try value().split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard list.count == 3, list.allSatisfy({ $0 != nil && $0! >= 1 }) else {
                    throw BenchError("--outages takes three outages in seconds ≥ 1 (restart, long restart, link), e.g. --outages 30,300,600")
                }
                outages = list.map { $0! }
                sized["outages"] = true
            case "--parts":
                let list = try value().split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !list.isEmpty, list.allSatisfy({ $0 != nil && (1...8).contains($0!) }) else {
                    throw BenchError("--parts takes a comma-separated list of 1-8, e.g. --parts 2,5")
                }
                parts = Set(list.map { $0! })
            case "--vigil": vigil = try value()
            case "--seed":
                guard let s = UInt64(try value()) else { throw BenchError("--seed takes a whole number") }
                seed = s
            case "-h", "--help":
                print(Self.usage)
                exit(0)
            default: throw BenchError("unknown option \(arg) (see --help)")
            }
            i += 1
        }
        if quick {
            if sized["catchup"] == nil { catchUp = 50_000 }
            if sized["reconcile"] == nil { reconcileItems = 100_000 }
            if sized["nodes"] == nil { nodes = 10 }
            if sized["posts"] == nil { posts = 10 }
            if sized["peers"] == nil { peers = 200 }
            if sized["idle"] == nil { idle = 5 }
            if sized["start"] == nil { start = 100_000 }
            if sized["samples"] == nil { samples = 50 }
            if sized["messages"] == nil { messages = 500 }
            if sized["outages"] == nil {
                // Shorter outages; the link outage still outlasts the nodes' idle timeout (5 s here), so
                // the sessions die and must be dialed again, as after a long outage.
                outages = [5, 15, 20]
                healIdleTimeout = 5
            }
        }
        guard differences < reconcileItems else { throw BenchError("--differences must be smaller than --reconcile") }
        guard nodes >= 3 else { throw BenchError("--nodes must be at least 3") }
    }

    /// Whether part 8 ran alone at the issue's sizes.
    var isFullReconnect: Bool {
        parts == [8] && reconnectMissed == Options.full.reconnectMissed && outages == Options.full.outages && healIdleTimeout == nil
    }

    /// Whether every part ran at the issue's sizes.
    var isFullRun: Bool {
        let f = Options.full
        return parts.count == 7 && start == f.start && startRuns == f.startRuns && catchUp == f.catchUp && reconcileItems == f.reconcileItems && differences == f.differences
            && nodes == f.nodes && posts == f.posts && peers == f.peers && idle == f.idle && restart == f.restart
            && samples == f.samples && messages == f.messages && !connectionPerPost
    }

    static let usage = """
        usage: vigil-bench-sync [--json] [--quick] [--parts LIST] [sizes…]
          Seven measurements of Vigil's peer sync in one run, next to `openssl speed ed25519` on one core:
            1  a fresh node process catches up N entries from one peer process (mutual TLS, loopback)
            2  Negentropy reconciliation of N vs N items differing by D each way (newest; random)
            3  propagation of a new entry through a federation of node processes (ring + chords)
            4  a hub node process holding N concurrent peer sessions: resident memory, idle CPU
            5  a restarted node process catching up the N entries it missed
            6  a node process with N entries stored starts: spawn until its local API answers and a
               peer session is up, and its resident memory then (with its start-up index; without it)
            7  the post path: post at A → B's follow, one at a time and in bulk, next to fdatasync
            8  reconnecting (only when asked: Scripts/bench-reconnect): a node that is only dialed
               restarts after an outage and catches up N missed entries; a link heals after an outage
          --json             also print one JSON object of figures as the last line
          --quick            smaller sizes (catch-up 50000, reconcile 100000, 10 nodes, 10 posts,
                             200 peers, 5 s idle, start 100000, 50 samples, 500 messages); the output says it is not the issue's figures
          --parts LIST       run only these parts, e.g. --parts 2,5 (default 1,2,3,4,5,6,7)
          --catchup N        entries caught up in part 1 (default 1000000)
          --reconcile N      items per side in part 2 (default 1000000); --differences D (default 100)
          --nodes N          node processes in part 3 (default 30); --posts N (default 50);
                             --spacing S seconds between posts (default 0.3)
          --peers N          peer sessions of the hub in part 4 (default 1000); --idle S (default 10)
          --restart N        entries missed by the restarted node in part 5 (default 2000)
          --start N          entries stored by the starting node in part 6 (default 1000000);
                             --start-runs R starts with the index, the median is reported (default 3)
          --samples N        one-at-a-time posts in part 7 (default 200); --messages N (default 2000)
          --connection-per-post  part 7's clients open a new local-API connection for every post (as
                             `vigil post` does; the figures before 2026-12-03) instead of keeping one each
          --missed N         entries the dialled-only node misses in part 8 (default 2000)
          --outages A,B,C    part 8's outages in seconds: restart, long restart, link (default
                             30,300,600; --quick: 5,15,20 with a 5 s session idle timeout)
          --vigil PATH       the vigil executable (default: next to this one)
          --seed N           seed of the dial graph, the posting nodes and the random differences
        Exit status: 0 every target met, 1 a target missed, 2 an error.
        """
}

func vigilExecutable(_ options: Options) throws -> String {
    let path = options.vigil ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("vigil").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw BenchError("no vigil executable at \(path); build it (swift build -c release --product vigil, same --scratch-path) or pass --vigil PATH")
    }
    return path
}

func run(_ options: Options) throws -> Int32 {
    let needsNodes = !options.parts.isDisjoint(with: [1, 3, 4, 5, 6, 7, 8])
    let vigil = needsNodes ? try vigilExecutable(options) : ""
    let files = raiseOpenFileLimit()
    if options.parts.contains(4) && files < 2 * options.peers + 3 * options.peers + 256 {
        progress("warning: the open-file limit is \(files); \(options.peers) in-process peers and the hub need about \(5 * options.peers + 256)")
    }

    progress("openssl speed -seconds 3 ed25519 (one core) …")
    let openssl = try OpenSSLSpeed.run(seconds: 3)
    progress(String(format: "openssl: %.0f sign/s, %.0f verify/s (one core)", openssl.sign, openssl.verify))

    var catchUp: CatchUpResult?, newest: ReconcileResult?, random: ReconcileResult?
    var propagation: PropagationResult?, hub: HubResult?, restart: RestartResult?, start: StartResult?, post: PostPathResult?
    // The machine's speed drifts (a shared virtual machine): openssl is measured again right after the
    // catch-up, and the catch-up's limit is the mean of the two measurements that bracket it.
    var opensslAfter: OpenSSLSpeed.Figures?
    if options.parts.contains(1) {
        catchUp = try CatchUpBench.run(count: options.catchUp, vigil: vigil)
        progress("openssl speed -seconds 3 ed25519 again, right after part 1 …")
        opensslAfter = try OpenSSLSpeed.run(seconds: 3)
        progress(String(format: "openssl: %.0f sign/s, %.0f verify/s (one core)", opensslAfter!.sign, opensslAfter!.verify))
    }
    if options.parts.contains(2) {
        progress("part 2: reconciling \(options.reconcileItems) vs \(options.reconcileItems) items, \(options.differences) differences each way, newest …")
        newest = try ReconcileBench.run(items: options.reconcileItems, differences: options.differences, placement: .newest, seed: options.seed)
        progress("part 2: … at random positions …")
        random = try ReconcileBench.run(items: options.reconcileItems, differences: options.differences, placement: .random, seed: options.seed)
    }
    if options.parts.contains(3) {
        propagation = try PropagationBench.run(nodes: options.nodes, posts: options.posts, spacing: options.spacing, vigil: vigil, seed: options.seed)
    }
    if options.parts.contains(4) { hub = try HubBench.run(peers: options.peers, idleSeconds: options.idle, spread: 20, seed: options.seed, vigil: vigil) }
    if options.parts.contains(5) { restart = try RestartBench.run(missed: options.restart, vigil: vigil) }
    if options.parts.contains(6) { start = try StartBench.run(count: options.start, warmRuns: options.startRuns, vigil: vigil) }
    if options.parts.contains(7) { post = try PostPathBench.run(samples: options.samples, messages: options.messages, connectionPerPost: options.connectionPerPost, vigil: vigil) }
    var reconnect: [ReconnectResult] = []
    if options.parts.contains(8) {
        reconnect.append(try ReconnectBench.dialledOnlyRestart(outage: options.outages[0], missed: options.reconnectMissed, vigil: vigil))
        reconnect.append(try ReconnectBench.dialledOnlyRestart(outage: options.outages[1], missed: options.reconnectMissed, vigil: vigil))
        reconnect.append(try ReconnectBench.linkHeal(outage: options.outages[2], entries: max(1, options.reconnectMissed / 10),
                                                     idleTimeout: options.healIdleTimeout, vigil: vigil))
    }

    let startAlone = options.parts == [6] && options.start == Options.full.start && options.startRuns == Options.full.startRuns
    let mode = options.isFullRun ? "full run at the issue's sizes" : startAlone ? "node start-up alone, at the issue's size"
        : options.isFullReconnect ? "reconnecting alone, at the issue's sizes"
        : (options.quick ? "QUICK RUN, reduced sizes: NOT the issue's figures" : "PARTIAL OR RESIZED RUN: NOT the issue's figures")
    var report = BenchReport(title: "Vigil sync benchmark (\(System.coreCount) cores; \(openssl.version); \(mode))")
    report.note("openssl_verify_per_s", "openssl speed ed25519 verify, 1 core (at the start)", openssl.verify, unit: "/s")
    report.note("openssl_sign_per_s", "openssl speed ed25519 sign, 1 core", openssl.sign, unit: "/s")
    var verifyLimit = openssl.verify
    if let after = opensslAfter {
        report.note("openssl_verify_after_catchup_per_s", "openssl speed ed25519 verify, 1 core, again after part 1", after.verify, unit: "/s")
        verifyLimit = (openssl.verify + after.verify) / 2
    }

    if let c = catchUp {
        report.atLeast("catchup_per_s", "1. fresh node catches up \(c.entries) entries from 1 peer (processes, mTLS)", c.rate, unit: "entries/s",
                       limit: verifyLimit, limitLabel: String(format: "%.0f/s: openssl verify, 1 core, mean", verifyLimit), target: 1.4)
        report.note("catchup_s", "   catch-up time, B's spawn to B holding all", c.seconds, unit: "s", digits: 1)
        report.note("catchup_b_cores", "   B's CPU during catch-up (verify on every core)", c.bCPUSeconds / c.seconds, unit: "cores", digits: 2)
        report.note("catchup_a_cores", "   A's CPU during catch-up (serving)", c.aCPUSeconds / c.seconds, unit: "cores", digits: 2)
        report.note("catchup_steal_percent", "   CPU time stolen by the hypervisor during catch-up", c.stealPercent, unit: "%", digits: 1)
    }
    if let n = newest, let r = random {
        let label = "\(n.items / 1000)k vs \(n.items / 1000)k, ±\(n.differences)"
        report.atMost("reconcile_newest_round_trips", "2a. reconcile \(label) newest: round trips", Double(n.roundTrips), unit: "", limit: 4, digits: 0)
        report.atMost("reconcile_newest_extra_kb", "2a. … bytes beyond the \(2 * n.differences) missing ids (1 KB = 1000 B)", Double(n.bytesBeyondIDs) / 1000,
                      unit: "KB", limit: 32, digits: 1)
        report.note("reconcile_newest_total_kb", "2a. … total message bytes both ways", Double(n.bytes) / 1000, unit: "KB", digits: 1)
        report.note("reconcile_random_round_trips", "2b. reconcile \(label) random positions: round trips (info)", Double(r.roundTrips), unit: "")
        report.note("reconcile_random_extra_kb", "2b. … bytes beyond the missing ids (info)", Double(r.bytesBeyondIDs) / 1000, unit: "KB", digits: 1)
    }
    if let p = propagation {
        let ms = p.posts.map { $0 * 1000 }
        report.note("propagation_p50_ms", "3. new entry reaches all \(p.nodes) nodes (\(p.links) links, diameter \(p.diameter)): p50", percentile(ms, 50), unit: "ms", digits: 1)
        report.atMost("propagation_p99_ms", "3. … p99 over \(p.posts.count) posts", percentile(ms, 99), unit: "ms", limit: 500, digits: 1)
        report.note("propagation_post_ack_p50_ms", "3. … post answered (durable at the posting node): p50", percentile(p.postAck.map { $0 * 1000 }, 50), unit: "ms", digits: 1)
    }
    if let h = hub {
        report.atMost("hub_rss_mib", "4. hub with \(h.peers) peer sessions: resident memory (VmRSS)", h.rssBytes / 1_048_576, unit: "MiB", limit: 1024, digits: 0)
        report.atMost("hub_idle_cpu_percent", "4. … CPU over \(Int(h.idleSeconds.rounded())) idle s (utime+stime), % of one core", h.idleCPUPercent, unit: "%", limit: 5, digits: 2)
        report.note("hub_idle_sched_percent", "4. … same from schedstat (ns resolution)", h.idleSchedPercent, unit: "%", digits: 2)
        report.note("hub_rss_before_mib", "4. … resident memory of the hub before any session", h.rssBeforeBytes / 1_048_576, unit: "MiB", digits: 0)
        report.note("hub_idle_pings", "4. … in the window: PINGs answered, hub's and peers'", Double(h.pingsDuringIdle + h.pongsDuringIdle), unit: "")
        report.note("hub_idle_rounds", "4. … in the window: anti-entropy rounds the hub answered", Double(h.roundsDuringIdle), unit: "")
        report.note("hub_idle_closed", "4. … sessions closed during the window", Double(h.closedDuringIdle), unit: "")
    }
    if let r = restart {
        report.atMost("restart_catchup_s", "5. restarted node catches up \(r.missed) missed entries (spawn to all held)", r.seconds, unit: "s", limit: 1, digits: 3)
        report.note("restart_ready_s", "5. … of which process start until ready", r.readySeconds, unit: "s", digits: 3)
    }
    if let s = start {
        let w = s.warmMedian
        let label = "6. node with \(s.entries) entries stored starts"
        report.atMost("start_serving_s", "\(label): spawn to local API + peer session (median of \(s.warm.count))", w.servingSeconds, unit: "s", limit: 2, digits: 3)
        report.atMost("start_rss_mb", "6. … its resident memory then (VmRSS, 1 MB = 10^6 B)", w.rssBytes / 1_000_000, unit: "MB", limit: 400, digits: 0)
        report.note("start_peak_rss_mb", "6. … peak resident memory during the start (VmHWM)", w.peakRSSBytes / 1_000_000, unit: "MB", digits: 0)
        report.note("start_ready_s", "6. … of which spawn to the \"listening on\" line", w.readySeconds, unit: "s", digits: 3)
        report.note("start_cpu_s", "6. … CPU time the node used until serving (user + system)", w.cpuSeconds, unit: "s", digits: 3)
        report.note("start_load_average", "6. … machine load average then (2 cores: above 2, others competed)", w.loadAverage, unit: "", digits: 1)
        report.note("start_cold_serving_s", "6. same with the start-up index deleted (rebuilt from the entries)", s.cold.servingSeconds, unit: "s", digits: 3)
        report.note("start_cold_cpu_s", "6. … CPU time the node used until serving", s.cold.cpuSeconds, unit: "s", digits: 3)
        report.note("start_cold_rss_mb", "6. … its resident memory then (VmRSS)", s.cold.rssBytes / 1_000_000, unit: "MB", digits: 0)
        report.note("start_cold_peak_rss_mb", "6. … peak resident memory (VmHWM)", s.cold.peakRSSBytes / 1_000_000, unit: "MB", digits: 0)
    }
    if let p = post {
        // One post's unavoidable work: A's fsync, B's fsync, A's signature, B's verification.
        let floor = 2 / p.fsyncRate + 1 / openssl.sign + 1 / verifyLimit
        report.note("fsync_per_s", "7. fdatasync of 256-byte appends, sequential (this file system)", p.fsyncRate, unit: "/s")
        report.atMost("post_p99_ms", "7a. post at A → B's follow, one at a time: p99 of \(p.latencies.count)", percentile(p.latencies, 99) * 1000,
                      unit: "ms", limit: 3 * floor * 1000, digits: 2)
        report.note("post_p50_ms", "7a. … p50", percentile(p.latencies, 50) * 1000, unit: "ms", digits: 2)
        // Where 7a's tail comes from: the disk's own tail, and the two legs of each sample.
        report.note("post_a_p50_ms", "7a. … post → A's answer (A fsynced): p50", percentile(p.answeredAtA, 50) * 1000, unit: "ms", digits: 2)
        report.note("post_a_p99_ms", "7a. … post → A's answer: p99", percentile(p.answeredAtA, 99) * 1000, unit: "ms", digits: 2)
        report.note("post_b_p50_ms", "7a. … A's answer → B's follow (B fsynced): p50", percentile(p.answerToB, 50) * 1000, unit: "ms", digits: 2)
        report.note("post_b_p99_ms", "7a. … A's answer → B's follow: p99", percentile(p.answerToB, 99) * 1000, unit: "ms", digits: 2)
        report.note("fsync_p50_ms", "7. one 256-byte append + fdatasync alone: p50", percentile(p.fsyncTimes, 50) * 1000, unit: "ms", digits: 3)
        report.note("fsync_p99_ms", "7. … p99 (the limit counts the mean, 1 / rate)", percentile(p.fsyncTimes, 99) * 1000, unit: "ms", digits: 3)
        // What no code could beat in this run, from its own figures. A sequential client's post waits at
        // least for a request and an answer on node.sock, A's signature and A's fdatasync; and every
        // message costs A a signature and B a verification on the same two cores.
        let roundTrip = p.roundTripTimes.reduce(0, +) / Double(max(1, p.roundTripTimes.count))
        let cryptoBound = 2 / (1 / openssl.sign + 1 / verifyLimit)
        let sequentialBound = 1 / (1 / openssl.sign + 1 / p.fsyncRate + roundTrip)
        func ceilingVerdict(_ bound: Double, target: Double) -> String {
            bound / p.fsyncRate < target ? String(format: "ceiling: %.2f is out of reach", target) : "ceiling"
        }
        report.note("local_round_trip_ms", "7. one local round trip (Unix socket, 1 byte each way, two threads): mean", roundTrip * 1000, unit: "ms", digits: 3)
        report.atLeast("post_sequential_per_s", "7b. \(p.messages) messages, 1 sequential client, end to end at B", p.sequentialRate, unit: "msg/s",
                       limit: p.fsyncRate, limitLabel: String(format: "%.0f/s: fdatasync rate", p.fsyncRate), target: 0.6)
        report.ratio("post_sequential_ceiling_per_s", "7b. … most any code could reach: 1 / (signature + fdatasync + round trip)",
                     sequentialBound, unit: "msg/s", limit: p.fsyncRate, limitLabel: String(format: "%.0f/s: fdatasync rate", p.fsyncRate),
                     why: ceilingVerdict(sequentialBound, target: 0.6))
        report.atLeast("post_concurrent_per_s", "7c. \(p.messages) messages, 4 clients in flight, end to end at B", p.concurrentRate, unit: "msg/s",
                       limit: p.fsyncRate, limitLabel: String(format: "%.0f/s: fdatasync rate", p.fsyncRate), target: 2)
        report.ratio("post_concurrent_ceiling_per_s", "7c. … most any code could reach: both cores only signing (A) and verifying (B)",
                     cryptoBound, unit: "msg/s", limit: p.fsyncRate, limitLabel: String(format: "%.0f/s: fdatasync rate", p.fsyncRate),
                     why: ceilingVerdict(cryptoBound, target: 2))
        report.atMost("post_cpu_a_ms", "7d. CPU per message on A (posting node)", p.cpuPerMessageA * 1000, unit: "ms",
                      limit: 2000 / verifyLimit, digits: 3)
        report.atMost("post_cpu_b_ms", "7d. CPU per message on B (receiving node)", p.cpuPerMessageB * 1000, unit: "ms",
                      limit: 2000 / verifyLimit, digits: 3)
    }
    if reconnect.count == 3 {
        for (index, r) in reconnect.prefix(2).enumerated() {
            report.atMost("reconnect_restart_\(index == 0 ? "short" : "long")_s",
                          String(format: "8%@. dialled-only node back after %.0f s down: spawn to all %d missed held", index == 0 ? "a" : "b", r.outageSeconds, r.entries),
                          r.seconds, unit: "s", limit: 2, digits: 3)
        }
        let heal = reconnect[2]
        let idle = options.healIdleTimeout.map { String(format: ", %.0f s idle timeout", $0) } ?? ""
        report.atMost("reconnect_heal_s", String(format: "8c. link cut %.0f s (%d new each side%@): heal to converged", heal.outageSeconds, heal.entries, idle),
                      heal.seconds, unit: "s", limit: 5, digits: 3)
    }
    report.print(json: options.json, extra: ["openssl_version": openssl.version, "mode": options.isFullRun ? "full" : startAlone ? "start" : options.isFullReconnect ? "reconnect" : (options.quick ? "quick" : "partial"),
                                             "sizes": "catchup=\(options.catchUp) reconcile=\(options.reconcileItems) differences=\(options.differences) nodes=\(options.nodes) posts=\(options.posts) peers=\(options.peers) idle=\(options.idle) restart=\(options.restart) start=\(options.start)x\(options.startRuns) samples=\(options.samples) messages=\(options.messages)\(options.connectionPerPost ? " connection=per-post" : "") missed=\(options.reconnectMissed) outages=\(options.outages.map { String(format: "%.0f", $0) }.joined(separator: ",")) parts=\(options.parts.sorted().map(String.init).joined(separator: ","))"])
    return report.allPassed ? 0 : 1
}

signal(SIGPIPE, SIG_IGN)
Cleanup.shared.installSignalHandlers()
let status: Int32
do {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "lanes" {
        status = try LanesBench.main(Array(arguments.dropFirst()))   // Scripts/bench-lanes
    } else {
        status = try run(try Options(arguments))
    }
} catch {
    if Cleanup.shared.interrupted {
        sleep(60)   // the signal handler is cleaning up and exits with status 2
    }
    FileHandle.standardError.write(Data("vigil-bench-sync: \(error)\n".utf8))
    status = 2
}
Cleanup.shared.run()
exit(status)
