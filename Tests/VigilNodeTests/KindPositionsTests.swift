import Foundation
import Testing
import VigilAPI
import VigilModel
@testable import VigilNode

@Suite("Held entries by kind (KindPositions)")
struct KindPositionsTests {
    /// What `positions(of:below:limit:)` must give: every recorded position of those kinds below the bound,
    /// highest first.
    static func expected(_ recorded: [(EntryKind, Int)], _ kinds: Set<EntryKind>, below bound: Int, limit: Int) -> [Int] {
        Array(Set(recorded.filter { kinds.contains($0.0) && $0.1 < bound }.map(\.1)).sorted(by: >).prefix(limit))
    }

    @Test("positions of any set of kinds below any bound, highest first, as a filter over everything recorded gives (300 seeded histories, some out of order, some twice)")
    func mergeMatchesFilter() {
        let kinds: [EntryKind] = [.message, .situationReport, .incident, .alert, .acknowledgement]
        for seed in 1...300 {
            var rng = SeededRandom(seed: UInt64(seed))
            var index = KindPositions()
            var recorded: [(EntryKind, Int)] = []
            var position = 0
            for _ in 0..<Int(rng.next() % 200) {
                position += 1 + Int(rng.next() % 3)
                let kind = kinds[Int(rng.next() % UInt64(kinds.count))]
                // Now and then a position out of order (inserted in its place) or one given twice.
                let p = rng.next() % 15 == 0 ? Int(rng.next() % UInt64(position + 1)) : position
                let k = recorded.first { $0.1 == p }?.0 ?? kind   // a position holds one entry
                index.add(k, at: p)
                if !recorded.contains(where: { $0.1 == p }) { recorded.append((k, p)) }
            }
            for _ in 0..<10 {
                let chosen = Set(kinds.filter { _ in rng.next() % 2 == 0 })
                let bound = Int(rng.next() % UInt64(position + 2))
                let limit = 1 + Int(rng.next() % 20)
                #expect(index.positions(of: chosen, below: bound, limit: limit) == Self.expected(recorded, chosen, below: bound, limit: limit),
                        "seed \(seed)")
            }
            for kind in kinds { #expect(index.count(of: kind) == recorded.filter { $0.0 == kind }.count, "seed \(seed)") }
        }
    }

    @Test("no kinds, no positions below the bound, or a limit reached: the answer stops there")
    func edges() {
        var index = KindPositions()
        for p in [3, 5, 9] { index.add(.incident, at: p) }
        index.add(.message, at: 4)
        #expect(index.positions(of: [], below: 100, limit: 10) == [])
        #expect(index.positions(of: [.incident], below: 3, limit: 10) == [])
        #expect(index.positions(of: [.incident], below: 4, limit: 10) == [3])
        #expect(index.positions(of: [.incident, .message], below: 100, limit: 2) == [9, 5])
        #expect(index.positions(of: [.incident, .message], below: 9, limit: 10) == [5, 4, 3])
        #expect(index.positions(of: [.alert], below: 100, limit: 10) == [])
    }
}

@Suite("Lists by kind on a real node", .serialized)
struct KindListProcessTests {
    @Test("a list by kind pages newest first through the entries of those kinds only, the same before and after a restart (start-up index) and with entries admitted since")
    func byKindAcrossRestart() throws {
        let fed = try Officer.federation(["auth"])
        var posted: [(kind: String, id: String)] = []
        for n in 0..<24 {
            if n % 5 == 2 {
                posted.append(("sitrep", try Officer.postedID(fed.vigil("auth", ["post", "sitrep"] + Officer.sitrep(incident: "2026-ANT-\(1000 + n)") + ["--json"]))))
            } else {
                posted.append(("message", try Officer.postedID(fed.vigil("auth", ["post", "message", "--subject", "m\(n)", "--text", "message \(n)", "--json"]))))
            }
        }
        func page(_ kinds: [String], before: String? = nil, limit: Int) throws -> [String] {
            var request = EntriesRequest()
            request.kinds = kinds
            request.limit = limit
            request.before = try before.map { try #require(EntryID(hex: $0)) }
            return try fed.api("auth").send(request).entries.map(\.id.hex)
        }
        func expected(_ kinds: Set<String>) -> [String] { posted.filter { kinds.contains($0.kind) }.map(\.id).reversed() }
        func check(_ when: String) throws {
            let sitreps = expected(["sitrep"])
            #expect(try page(["sitrep"], limit: 100) == sitreps, "\(when)")
            // Paging: two at a time, each page before the last one's oldest.
            var paged: [String] = []
            var before: String?
            while true {
                let next = try page(["sitrep"], before: before, limit: 2)
                guard let last = next.last else { break }
                paged += next
                before = last
            }
            #expect(paged == sitreps, "\(when)")
            #expect(try page(["sitrep", "message"], limit: 100).prefix(posted.count) == ArraySlice(expected(["sitrep", "message"])), "\(when)")
            #expect(try page(["threat"], limit: 100) == [], "\(when)")
            // From the middle of the store: the sitreps older than a message.
            let middle = posted[12].id
            let older = posted[..<12].filter { $0.kind == "sitrep" }.map(\.id).reversed()
            #expect(try page(["sitrep"], before: middle, limit: 100) == Array(older), "\(when)")
        }
        try check("first run")
        fed.stop("auth")
        try fed.start("auth")
        try check("after a restart")
        posted.append(("sitrep", try Officer.postedID(fed.vigil("auth", ["post", "sitrep"] + Officer.sitrep(incident: "2026-ANT-0099") + ["--json"]))))
        posted.append(("message", try Officer.postedID(fed.vigil("auth", ["post", "message", "--subject", "late", "--text", "late", "--json"]))))
        try check("with entries admitted after the restart")
    }
}
