import Testing
import VigilCrypto
import VigilModel
@testable import VigilLog

@Suite("CRDT convergence")
struct ConvergenceTests {
    /// A random history: reports, concurrent amendments (some with equal HLCs), retractions, acknowledgements.
    static func history(seed: UInt64, authors: Authors) -> [Entry] {
        var rng = SeededRandom(seed: seed)
        var entries: [Entry] = []
        var reports: [EntryID] = []
        let fieldNames = ["severity", "summary", "people_affected", "location", "status"]
        for _ in 0..<Int.random(in: 15...40, using: &rng) {
            let author = Int.random(in: 0..<authors.keys.count, using: &rng)
            let ms = UInt64.random(in: 1_000...1_020, using: &rng)   // narrow: many equal timestamps
            let roll = Int.random(in: 0..<10, using: &rng)
            if reports.isEmpty || roll < 3 {
                var fields = FieldMap()
                for name in fieldNames where Bool.random(using: &rng) { fields[name] = .integer(Int64.random(in: 0...9, using: &rng)) }
                let r = authors.report(author, ms, fields)
                entries.append(r)
                reports.append(r.id)
            } else if roll < 7 {
                let target = reports.randomElement(using: &rng)!
                var fields = FieldMap()
                fields[fieldNames.randomElement(using: &rng)!] = .text("v\(Int.random(in: 0...99, using: &rng))")
                entries.append(authors.amend(author, ms, target, fields))
            } else if roll < 8 {
                entries.append(authors.retract(author, ms, reports.randomElement(using: &rng)!, "wrong incident"))
            } else {
                entries.append(authors.ack(author, ms, reports.randomElement(using: &rng)!, Bool.random(using: &rng) ? .receipt : .officer))
            }
        }
        return entries
    }

    @Test("random sets inserted in random order with duplicates give identical views", arguments: 0..<100)
    func converge(seed: UInt64) {
        let authors = Authors(count: 4, seed: 7)
        let entries = Self.history(seed: seed, authors: authors)
        let source = MemoryEntrySource(entries)
        var rng = SeededRandom(seed: seed &* 31 &+ 1)
        var snapshots: [Snapshot] = []
        for _ in 0..<4 {
            var delivery = entries + entries.filter { _ in Int.random(in: 0..<3, using: &rng) == 0 }   // duplicates
            delivery.shuffle(using: &rng)
            var log = SharedLog(policy: OpenPolicy())
            for entry in delivery { _ = log.insert(entry) }
            #expect(log.count == Set(entries.map(\.id)).count, "seed \(seed)")
            #expect(log.pending.isEmpty, "seed \(seed): \(log.pending)")
            snapshots.append(Snapshot(log, source))
        }
        for s in snapshots.dropFirst() {
            #expect(s == snapshots[0], "replicas diverged for seed \(seed)")
        }
    }

    @Test("a prefix of the history converges with the whole once the rest arrives, in any split")
    func partitionedThenHealed() {
        let authors = Authors(count: 3, seed: 11)
        for seed in UInt64(0)..<30 {
            let entries = Self.history(seed: seed + 1000, authors: authors)
            let source = MemoryEntrySource(entries)
            var rng = SeededRandom(seed: seed)
            // Two partitions each see a random part; after heal each receives the other's part.
            let split = entries.map { _ in Bool.random(using: &rng) }
            var a = SharedLog(policy: OpenPolicy()), b = SharedLog(policy: OpenPolicy())
            for (e, side) in zip(entries, split) { _ = side ? a.insert(e) : b.insert(e) }
            for (e, side) in zip(entries, split).reversed() { _ = side ? b.insert(e) : a.insert(e) }
            #expect(Snapshot(a, source) == Snapshot(b, source), "seed \(seed)")
        }
    }
}
