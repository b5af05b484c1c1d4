// Runs the seeded federation simulator over many seeds (Scripts/soak). A failing seed is printed so
// that `vigil-sim --seed N --verbose` replays it exactly.
import Foundation
import VigilSim

struct Options {
    var first: UInt64 = 0
    var count: UInt64 = 1000
    var nodes = 5
    var harsh = false
    var verbose = false
    var json = false
    var heal: UInt64?
}

func parse(_ args: [String]) -> Options? {
    var o = Options()
    var i = 0
    while i < args.count {
        let a = args[i]
        func next() -> String? { i += 1; return i < args.count ? args[i] : nil }
        switch a {
        case "--from": guard let v = next().flatMap(UInt64.init) else { return nil }; o.first = v
        case "--seeds": guard let v = next().flatMap(UInt64.init) else { return nil }; o.count = v
        case "--seed": guard let v = next().flatMap(UInt64.init) else { return nil }; o.first = v; o.count = 1
        case "--nodes": guard let v = next().flatMap(Int.init), v >= 2 else { return nil }; o.nodes = v
        case "--harsh": o.harsh = true
        case "--heal": guard let v = next().flatMap(UInt64.init) else { return nil }; o.heal = v
        case "--verbose": o.verbose = true
        case "--json": o.json = true
        default: return nil
        }
        i += 1
    }
    return o
}

guard let options = parse(Array(CommandLine.arguments.dropFirst())) else {
    print("""
        usage: vigil-sim [--from SEED] [--seeds N] [--seed SEED] [--nodes N] [--harsh] [--verbose] [--json]
          --from/--seeds  run seeds FROM … FROM+N-1 (default 0, 1000)
          --seed SEED     run one seed (replays a failure exactly)
          --nodes N       nodes per federation (default 5)
          --harsh         more crashes, partitions, frame loss and duplication
          --heal MS       length of the healed phase in virtual ms (default 90000)
          --verbose       print every run's report
          --json          print one JSON object of totals as the last line
        """)
    exit(2)
}
var config = SimulationConfig()
config.nodeCount = options.nodes
if options.harsh {
    config.crashPerNodePerSecond = 0.05
    config.partitionPerSecond = 0.1
    config.frameLoss = 0.02
    config.frameDuplication = 0.02
    config.frameReorder = 0.02
}
if let heal = options.heal { config.healDuration = heal }
var failures: [UInt64] = []
var totals = (acknowledged: 0, crashes: 0, partitions: 0, frames: 0, lost: 0, queued: 0, dials: 0, deliverable: 0)
let start = Date()
for seed in options.first..<(options.first + options.count) {
    let report = Simulation(seed: seed, config: config).run()
    totals.acknowledged += report.acknowledged
    totals.crashes += report.crashes
    totals.partitions += report.partitions
    totals.frames += report.framesSent
    totals.lost += report.framesLost
    totals.queued += report.framesQueued
    totals.dials += report.dials
    totals.deliverable += report.deliverable
    if options.verbose || !report.violations.isEmpty { print(report) }
    if !report.violations.isEmpty {
        failures.append(seed)
        for v in report.violations.prefix(10) { print("  \(v)") }
        print("  replay: vigil-sim --seed \(seed)\(options.nodes != 5 ? " --nodes \(options.nodes)" : "")\(options.harsh ? " --harsh" : "") --verbose")
    }
}
let seconds = Date().timeIntervalSince(start)
print("\(options.count) seeds from \(options.first) in \(String(format: "%.1f", seconds)) s: \(failures.isEmpty ? "all invariants held" : "\(failures.count) FAILED: \(failures)") — \(totals.acknowledged) acknowledged entries, \(totals.deliverable) deliveries checked, \(totals.crashes) crashes, \(totals.partitions) partitions, \(totals.frames) frames (\(totals.lost) lost, \(totals.queued) waited in an outbound queue), \(totals.dials) dials")
if options.json {
    print("{\"seeds\": \(options.count), \"failed\": \(failures.count), \"seconds\": \(seconds), \"acknowledged\": \(totals.acknowledged), \"crashes\": \(totals.crashes), \"partitions\": \(totals.partitions), \"frames\": \(totals.frames), \"framesQueued\": \(totals.queued), \"dials\": \(totals.dials)}")
}
exit(failures.isEmpty ? 0 : 1)
