import Testing
import VigilCrypto
import VigilModel
@testable import VigilSync

/// Reconciliation over seeded random sets, storage invariants, and API misuse.
@Suite("Negentropy reconciliation properties")
struct NegentropyPropertyTests {
    /// One random case: a shared part and a part only on each side, with crowded timestamps and ids
    /// sharing long prefixes, so bounds need id prefixes.
    struct Case {
        var initiator: [NegentropyItem] = []
        var responder: [NegentropyItem] = []
        var onlyInitiator: Set<Bytes32> = []
        var onlyResponder: Set<Bytes32> = []
        var frameSizeLimit = 0
    }

    static func makeCase(seed: UInt64) -> Case {
        var random = NegentropyTestRandom(seed: seed)
        var result = Case()
        let total = Int(random.next() % 2_001)
        // How the items differ: none, a few, many, or everything on one side.
        let shape = random.next() % 6
        let timeSpread = [1, 3, 50, 1_000_000][Int(random.next() % 4)]
        let limits = [0, 0, 4096, 5000, 8192]
        result.frameSizeLimit = limits[Int(random.next() % UInt64(limits.count))]
        var prefixBase = random.id().bytes
        for _ in 0..<total {
            var id = random.id()
            if random.next() % 4 == 0 {
                // Share a long prefix with the previous such id.
                var bytes = id.bytes
                let shared = Int(random.next() % 31)
                for k in 0..<shared { bytes[k] = prefixBase[k] }
                id = Bytes32(bytes)!
                prefixBase = bytes
            }
            let item = NegentropyItem(timestamp: 1_700_000_000 + random.next() % UInt64(timeSpread), id: id)
            let roll = random.next() % 1000
            let side: Int  // 0 both, 1 initiator only, 2 responder only
            switch shape {
            case 0: side = 0
            case 1: side = roll < 5 ? 1 : (roll < 10 ? 2 : 0)
            case 2: side = roll < 100 ? 1 : (roll < 200 ? 2 : 0)
            case 3: side = roll < 400 ? 1 : (roll < 800 ? 2 : 0)
            case 4: side = 1
            default: side = roll < 500 ? 2 : 0
            }
            if side != 2 { result.initiator.append(item) }
            if side != 1 { result.responder.append(item) }
            if side == 1 { result.onlyInitiator.insert(id) }
            if side == 2 { result.onlyResponder.insert(id) }
        }
        return result
    }

    @Test("200 seeded random set pairs (0…2000 items): reconciliation finds exactly the symmetric difference")
    func randomSets() throws {
        var totalRounds = 0
        for seed in UInt64(1)...200 {
            var c = Self.makeCase(seed: seed)
            // Drop accidental duplicates (same id drawn twice is astronomically unlikely; same item never).
            c.initiator = Array(Set(c.initiator)); c.responder = Array(Set(c.responder))
            let run = try NegentropyInMemory.reconcile(initiator: NegentropyStorage(c.initiator),
                                                       responder: NegentropyStorage(c.responder),
                                                       frameSizeLimit: c.frameSizeLimit)
            totalRounds += run.rounds
            #expect(Set(run.have) == c.onlyInitiator, "seed \(seed): have differs")
            #expect(Set(run.need) == c.onlyResponder, "seed \(seed): need differs")
            if c.frameSizeLimit == 0 {
                // Without a limit every range is settled once. With one, a message cut short closes with a
                // fingerprint that excludes the cut range (as the reference does), so the other side
                // splits that stretch again and ids already reported can be reported again.
                #expect(run.have.count == c.onlyInitiator.count && run.need.count == c.onlyResponder.count,
                        "seed \(seed): an id was reported twice without a frame size limit")
            }
            for message in run.messages {
                if c.frameSizeLimit != 0 {
                    #expect(message.count <= c.frameSizeLimit, "seed \(seed): a \(message.count)-byte message over the \(c.frameSizeLimit) limit")
                }
                #expect(try NegentropyMessage.decode(message).encoded() == message, "seed \(seed): non-canonical message")
            }
        }
        #expect(totalRounds >= 200)
    }

    @Test("a frame-limited IdList reaching infinity followed by the closing fingerprint is accepted")
    func idListThenClosingFingerprint() throws {
        // 122 ids fill the reply past 4096 − 200 bytes only once the last one is in: the reference then
        // appends an (empty) infinity fingerprint after the IdList that already ends at infinity.
        var random = NegentropyTestRandom(seed: 99)
        let theirs = (0..<122).map { NegentropyItem(timestamp: UInt64($0), id: random.id()) }
        let responder = try NegentropyResponder(storage: NegentropyStorage(theirs), frameSizeLimit: 4096)
        var initiator = try NegentropyInitiator(storage: NegentropyStorage([]), frameSizeLimit: 4096)
        let first = try initiator.initiate()
        #expect(first == [0x61, 0x00, 0x00, 0x02, 0x00])
        let reply = try responder.reconcile(first)
        let decoded = try NegentropyMessage.decode(reply)
        #expect(decoded.ranges.count == 2)
        #expect(decoded.ranges.allSatisfy { $0.upperBound == .infinity })
        let round = try initiator.reconcile(reply)
        #expect(Set(round.need) == Set(theirs.map(\.id)))
        #expect(round.next == nil)
    }

    @Test("range fingerprints from prefix sums equal fingerprints summed item by item")
    func prefixSums() throws {
        var random = NegentropyTestRandom(seed: 5)
        var items = (0..<500).map { _ in NegentropyItem(timestamp: random.next() % 20, id: random.id()) }
        // Ids of all 0xff bytes carry through every limb.
        items.append(NegentropyItem(timestamp: 21, id: Bytes32([UInt8](repeating: 0xff, count: 32))!))
        items.append(NegentropyItem(timestamp: 22, id: Bytes32([UInt8](repeating: 0xff, count: 32))!))
        let storage = try NegentropyStorage(items)
        let sorted = items.sorted()
        #expect(Array(storage.allItems) == sorted)
        for _ in 0..<300 {
            let a = Int(random.next() % UInt64(sorted.count + 1))
            let b = Int(random.next() % UInt64(sorted.count + 1))
            let range = min(a, b)..<max(a, b)
            let naive = Self.naiveFingerprint(sorted[range].map { $0.id })
            #expect(storage.fingerprint(range) == naive)
        }
        // The last two ids sum to 2^256 − 2 mod 2^256: fe ff … ff.
        let top = storage.idSum(sorted.count - 2..<sorted.count)
        var bytes = [UInt8]()
        top.appendLittleEndianBytes(to: &bytes)
        #expect(bytes == [0xfe] + [UInt8](repeating: 0xff, count: 31))
    }

    /// The specification, literally: byte-wise little-endian addition, varint count, SHA-256, 16 bytes.
    static func naiveFingerprint(_ ids: [Bytes32]) -> NegentropyFingerprint {
        var sum = [UInt8](repeating: 0, count: 32)
        for id in ids {
            var carry = 0
            for (k, byte) in id.bytes.enumerated() {
                let v = Int(sum[k]) + Int(byte) + carry
                sum[k] = UInt8(v & 0xff)
                carry = v >> 8
            }
        }
        return NegentropyFingerprint(SHA256.hash(sum + NegentropyVarint.encode(UInt64(ids.count))).prefix(16))!
    }

    @Test("the fingerprint of no items is SHA-256 of 32 zero bytes and a zero count")
    func emptyFingerprint() throws {
        let storage = try NegentropyStorage([])
        let expected = Array(SHA256.hash([UInt8](repeating: 0, count: 33)).prefix(16))
        #expect(storage.fingerprint(0..<0).bytes == expected)
    }

    @Test("bounds between adjacent items are the shortest that separate them")
    func minimalBounds() throws {
        let a = NegentropyItem(timestamp: 7, id: Bytes32([1, 2, 3] + [UInt8](repeating: 0, count: 29))!)
        let b = NegentropyItem(timestamp: 7, id: Bytes32([1, 2, 9] + [UInt8](repeating: 4, count: 29))!)
        let c = NegentropyItem(timestamp: 8, id: Bytes32([UInt8](repeating: 0, count: 32))!)
        let ab = NegentropyBound.minimal(between: a, and: b)
        #expect(ab.timestamp == 7 && ab.idPrefix == [1, 2, 9])
        #expect(a < ab.position && !(b < ab.position))
        let bc = NegentropyBound.minimal(between: b, and: c)
        #expect(bc.timestamp == 8 && bc.idPrefix.isEmpty)
        // Ids differing only in the last byte need all 32.
        let d = NegentropyItem(timestamp: 7, id: Bytes32([1, 2, 9] + [UInt8](repeating: 4, count: 28) + [5])!)
        #expect(NegentropyBound.minimal(between: b, and: d).prefixLength == 32)
    }

    @Test("storage refuses duplicates and the reserved timestamp; reconcilers refuse bad limits and misuse")
    func refusals() throws {
        let id = Bytes32([UInt8](repeating: 3, count: 32))!
        #expect { try NegentropyStorage([NegentropyItem(timestamp: 1, id: id), NegentropyItem(timestamp: 1, id: id)]) } throws: {
            ($0 as? NegentropyError)?.code == .duplicateItem
        }
        #expect { try NegentropyStorage([NegentropyItem(timestamp: .max, id: id)]) } throws: {
            ($0 as? NegentropyError)?.code == .reservedTimestamp
        }
        let storage = try NegentropyStorage([NegentropyItem(timestamp: 1, id: id), NegentropyItem(timestamp: 2, id: id)])
        for bad in [1, 200, 4095, -1] {
            #expect { try NegentropyInitiator(storage: storage, frameSizeLimit: bad) } throws: {
                ($0 as? NegentropyError)?.code == .invalidFrameSizeLimit
            }
            #expect { try NegentropyResponder(storage: storage, frameSizeLimit: bad) } throws: {
                ($0 as? NegentropyError)?.code == .invalidFrameSizeLimit
            }
        }
        var initiator = try NegentropyInitiator(storage: storage, frameSizeLimit: 4096)
        #expect { try initiator.reconcile([0x61]) } throws: { ($0 as? NegentropyError)?.code == .misuse }
        _ = try initiator.initiate()
        #expect { try initiator.initiate() } throws: { ($0 as? NegentropyError)?.code == .misuse }
        let done = try initiator.reconcile([0x61])
        #expect(done.next == nil && done.have.isEmpty && done.need.isEmpty)
    }

    @Test("large sets: 200,000 vs 200,000 items differing by 20 each way reconcile in a few rounds")
    func largeSets() throws {
        var random = NegentropyTestRandom(seed: 42)
        var a = [NegentropyItem](), b = [NegentropyItem]()
        a.reserveCapacity(200_020); b.reserveCapacity(200_020)
        var onlyA = Set<Bytes32>(), onlyB = Set<Bytes32>()
        for i in 0..<200_040 {
            let item = NegentropyItem(timestamp: 1_700_000_000 + UInt64(i / 4), id: random.id())
            if i % 10_000 == 1 { a.append(item); onlyA.insert(item.id) }
            else if i % 10_000 == 2 { b.append(item); onlyB.insert(item.id) }
            else { a.append(item); b.append(item) }
        }
        let run = try NegentropyInMemory.reconcile(initiator: NegentropyStorage(a), responder: NegentropyStorage(b), frameSizeLimit: 0)
        #expect(Set(run.have) == onlyA && Set(run.need) == onlyB)
        #expect(run.rounds <= 6)
    }
}
