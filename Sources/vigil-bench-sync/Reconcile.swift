// Part 2: Negentropy V1 reconciliation of N vs N items that differ by D each way, in process, with the
// frame size limit the node uses. Counts round trips and every message byte both ways.
import Foundation
import VigilBenchSupport
import VigilCrypto
import VigilModel
import VigilSync

struct ReconcileResult {
    var items: Int
    var differences: Int
    var roundTrips: Int
    var bytes: Int
    var initiatorBytes: Int
    var responderBytes: Int
    var seconds: Double
    /// Message bytes both ways beyond 32 bytes for each differing id.
    var bytesBeyondIDs: Int { bytes - 32 * 2 * differences }
}

enum ReconcileBench {
    enum Placement: String {
        /// The differing items have the highest timestamps (a node that was offline misses the newest).
        case newest
        /// The differing items are at uniformly random positions in time.
        case random
    }

    static func id(_ n: UInt64) -> Bytes32 {
        var x = n.bigEndian
        return Bytes32(withUnsafeBytes(of: &x) { SHA256.hash($0) })!
    }

    /// `items` per side (common + `differences` of its own), in the given placement.
    static func run(items: Int, differences: Int, placement: Placement, seed: UInt64) throws -> ReconcileResult {
        let common = items - differences
        let base: UInt64 = 1_795_000_000_000
        // Common items: one every 3 ms, ids from a counter.
        var shared = [NegentropyItem]()
        shared.reserveCapacity(common)
        for i in 0..<common { shared.append(NegentropyItem(timestamp: base + UInt64(i) * 3, id: id(UInt64(i)))) }
        var onlyA = [NegentropyItem](), onlyB = [NegentropyItem]()
        var rng = SeededRandom(seed: seed)
        let end = base + UInt64(common) * 3
        for j in 0..<(2 * differences) {
            let timestamp: UInt64
            switch placement {
            case .newest:
                // After every common item, A's and B's interleaved: both sides posted while apart.
                timestamp = end + UInt64(j) * 2 + 1
            case .random:
                timestamp = base + UInt64.random(in: 0..<(UInt64(common) * 3), using: &rng) | 1   // odd: never equal to a common one
            }
            let item = NegentropyItem(timestamp: timestamp, id: id(UInt64(1 << 40) + UInt64(j)))
            if j % 2 == 0 { onlyA.append(item) } else { onlyB.append(item) }
        }
        let storageA = try NegentropyStorage(shared + onlyA)
        let storageB = try NegentropyStorage(shared + onlyB)
        shared = []

        let limit = NegentropySetReconciler.frameSizeLimit
        var initiator = try NegentropyInitiator(storage: storageA, frameSizeLimit: limit)
        let responder = try NegentropyResponder(storage: storageB, frameSizeLimit: limit)
        var have = Set<Bytes32>(), need = Set<Bytes32>()
        var fromInitiator = 0, fromResponder = 0
        let start = BenchClock.now()
        var message = try initiator.initiate()
        var trips = 0
        while true {
            guard message.count <= limit else { throw BenchError("an initiator message of \(message.count) bytes is over the frame size limit \(limit)") }
            trips += 1
            fromInitiator += message.count
            let reply = try responder.reconcile(message)
            guard reply.count <= limit else { throw BenchError("a responder message of \(reply.count) bytes is over the frame size limit \(limit)") }
            fromResponder += reply.count
            let round = try initiator.reconcile(reply)
            have.formUnion(round.have)
            need.formUnion(round.need)
            guard let next = round.next else { break }
            message = next
            if trips > 10_000 { throw BenchError("reconciliation did not finish in 10,000 round trips") }
        }
        let seconds = BenchClock.now() - start
        guard have == Set(onlyA.map(\.id)), need == Set(onlyB.map(\.id)) else {
            throw BenchError("reconciliation (\(placement)) found \(have.count) have / \(need.count) need, expected \(onlyA.count) / \(onlyB.count) exactly")
        }
        return ReconcileResult(items: items, differences: differences, roundTrips: trips, bytes: fromInitiator + fromResponder,
                               initiatorBytes: fromInitiator, responderBytes: fromResponder, seconds: seconds)
    }
}
