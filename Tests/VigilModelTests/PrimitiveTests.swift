import Testing
import VigilCrypto
@testable import VigilModel

@Suite("Varints, 32-byte values and the hybrid logical clock")
struct PrimitiveTests {
    @Test("varints round-trip at every boundary and use the shortest form",
          arguments: [0, 1, 127, 128, 255, 16383, 16384, 1 << 32, (1 << 48) - 1, UInt64.max - 1, UInt64.max] as [UInt64])
    func varintRoundTrip(value: UInt64) throws {
        var w = ByteWriter()
        w.varint(value)
        let expectedLength = value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
        #expect(w.bytes.count == expectedLength)
        var r = ByteReader(w.bytes)
        #expect(try r.varint("v") == value)
        try r.expectEnd("test")
    }

    @Test("non-minimal, overlong and overflowing varints are refused")
    func varintStrict() {
        for bad: [UInt8] in [[0x80, 0x00], [0xff, 0x80, 0x00], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
                             [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0x80], []] {
            #expect(throws: DecodingError.self, "\(bad)") {
                var r = ByteReader(bad)
                _ = try r.varint("v")
            }
        }
    }

    @Test("Bytes32 orders like its bytes and round-trips through hex")
    func bytes32() throws {
        var rng = SeededRandom(seed: 42)
        var values: [[UInt8]] = []
        for _ in 0..<200 { values.append((0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next() & 0x3) }) }
        for a in values {
            let x = try #require(Bytes32(a))
            #expect(x.bytes == a)
            #expect(Bytes32(hex: x.hex) == x)
            for b in values.prefix(20) {
                #expect((x < Bytes32(b)!) == a.lexicographicallyPrecedes(b))
            }
        }
        // Every nibble value, in every position: the same lower-case digits as the generic hex.
        for start in stride(from: 0, to: 256, by: 32) {
            let raw = (start..<start + 32).map { UInt8($0) }
            let x = try #require(Bytes32(raw))
            #expect(x.hex == hex(raw))
            #expect(x.hex.utf8.count == 64 && x.hex == x.hex.lowercased())
            #expect(Bytes32(hex: x.hex) == x)
        }
        #expect(Bytes32([UInt8](repeating: 0, count: 31)) == nil)
        #expect(Bytes32(hex: "zz") == nil)
        // Every way to read 32 bytes gives the same value, at every offset (no alignment needed).
        let long = (0..<80).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for offset in 0..<48 {
            let slice = long[offset..<(offset + 32)]
            let expected = try #require(Bytes32(AnyCollection(slice)))   // the generic reader
            #expect(expected.bytes == Array(slice))
            #expect(Bytes32(slice) == expected)
            #expect(Bytes32(Array(slice)) == expected)
            long.withUnsafeBytes { raw in
                #expect(Bytes32(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + 32)])) == expected)
                #expect(Bytes32(loading: raw.baseAddress! + offset) == expected)
                #expect(Bytes32(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + 31)])) == nil)
            }
        }
        #expect(Bytes32(long[0..<33]) == nil)
        #expect(Bytes32.zero.fingerprint == "0000:0000:0000:0000")
    }

    @Test("local timestamps strictly increase even when the wall clock goes backwards")
    func hlcMonotonic() {
        var clock = HybridClock()
        var previous = clock.tick(wallMilliseconds: 1000)
        for wall: UInt64 in [1000, 999, 500, 1001, 1001, 10, 2000, 1999] {
            let next = clock.tick(wallMilliseconds: wall)
            #expect(previous < next, "wall \(wall): \(previous) then \(next)")
            previous = next
        }
        #expect(previous == HybridTimestamp(milliseconds: 2000, counter: 1))
    }

    @Test("a full counter rolls into the next millisecond")
    func hlcCounterOverflow() {
        var clock = HybridClock(last: HybridTimestamp(milliseconds: 7, counter: .max))
        #expect(clock.tick(wallMilliseconds: 7) == HybridTimestamp(milliseconds: 8, counter: 0))
    }

    @Test("received timestamps are merged so the next local one is later")
    func hlcMerge() {
        var clock = HybridClock()
        _ = clock.tick(wallMilliseconds: 1000)
        let mergedNewer = clock.observe(HybridTimestamp(milliseconds: 5000, counter: 4), wallMilliseconds: 1000)
        #expect(mergedNewer)
        #expect(clock.tick(wallMilliseconds: 1001) == HybridTimestamp(milliseconds: 5000, counter: 5))
        // An older remote timestamp changes nothing.
        let mergedOlder = clock.observe(HybridTimestamp(milliseconds: 10, counter: 0), wallMilliseconds: 1002)
        #expect(mergedOlder)
        #expect(clock.tick(wallMilliseconds: 1002) == HybridTimestamp(milliseconds: 5000, counter: 6))
    }

    @Test("a timestamp far in the future is not merged into the clock")
    func hlcDriftGuard() {
        var clock = HybridClock(maxForwardDrift: 60_000)
        _ = clock.tick(wallMilliseconds: 1_000_000)
        let mergedTooFar = clock.observe(HybridTimestamp(milliseconds: 1_060_001, counter: 0), wallMilliseconds: 1_000_000)
        #expect(!mergedTooFar)
        #expect(clock.tick(wallMilliseconds: 1_000_001) == HybridTimestamp(milliseconds: 1_000_001, counter: 0))
        let mergedAtLimit = clock.observe(HybridTimestamp(milliseconds: 1_060_000, counter: 0), wallMilliseconds: 1_000_000)
        #expect(mergedAtLimit)
    }

    @Test("kind and TLP names parse back", arguments: EntryKind.allCases)
    func kindNames(kind: EntryKind) {
        #expect(EntryKind(name: kind.name) == kind)
    }

    @Test("TLP labels parse in their usual spellings")
    func tlpNames() {
        for label in TLPLabel.allCases { #expect(TLPLabel(name: label.name) == label) }
        #expect(TLPLabel(name: "amber+strict") == .amberStrict)
        #expect(TLPLabel(name: "tlp:red") == .red)
        #expect(TLPLabel(name: "purple") == nil)
    }
}

