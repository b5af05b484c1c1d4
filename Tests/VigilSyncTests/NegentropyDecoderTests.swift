import Testing
import VigilCrypto
import VigilModel
@testable import VigilSync

/// The strict message decoder: truncations, mutations and hand-made malformed messages.
@Suite("Negentropy message decoder")
struct NegentropyDecoderTests {
    /// Real messages: every message of two transcripts, plus in-memory runs with shared timestamps.
    static func realMessages() throws -> [[UInt8]] {
        var messages = [[UInt8]]()
        for file in ["diff-1000-10-10.txt", "diff-10000-50-50-sharedts-fsl4096.txt"] where NegentropyTranscript.fileNames.contains(file) {
            for event in try NegentropyTranscript.load(file).events {
                switch event {
                case .initiatorMessage(let m), .responderMessage(let m): messages.append(m)
                default: continue
                }
            }
        }
        var random = NegentropyTestRandom(seed: 7)
        var a = [NegentropyItem](), b = [NegentropyItem]()
        for i in 0..<200 {
            let item = NegentropyItem(timestamp: UInt64(i / 20), id: random.id())
            if i % 17 != 0 { a.append(item) }
            if i % 13 != 0 { b.append(item) }
        }
        messages += try NegentropyInMemory.reconcile(initiator: NegentropyStorage(a), responder: NegentropyStorage(b), frameSizeLimit: 0).messages
        return messages
    }

    /// Decodes, and when that succeeds checks that the encoding is canonical; also runs both roles on
    /// the bytes. Anything thrown must be a NegentropyError.
    static func exercise(_ bytes: [UInt8], responder: NegentropyResponder, initiator: NegentropyInitiator, roles: Bool = true) {
        do {
            let message = try NegentropyMessage.decode(bytes)
            #expect(message.encoded() == bytes, "accepted a non-canonical encoding: \(hex(bytes))")
        } catch is NegentropyError {
        } catch {
            Issue.record("decode threw a non-Negentropy error: \(error)")
        }
        guard roles else { return }
        do { _ = try responder.reconcile(bytes) } catch is NegentropyError {} catch { Issue.record("\(error)") }
        var copy = initiator
        do { _ = try copy.reconcile(bytes) } catch is NegentropyError {} catch { Issue.record("\(error)") }
    }

    static func peers() throws -> (NegentropyResponder, NegentropyInitiator) {
        var random = NegentropyTestRandom(seed: 11)
        let items = (0..<300).map { NegentropyItem(timestamp: UInt64($0 / 3), id: random.id()) }
        let storage = try NegentropyStorage(items)
        var initiator = try NegentropyInitiator(storage: storage, frameSizeLimit: 4096)
        _ = try initiator.initiate()
        return (try NegentropyResponder(storage: storage, frameSizeLimit: 4096), initiator)
    }

    @Test("every truncation of a real message is refused as cut short, or is a shorter valid message ending at a range boundary")
    func truncations() throws {
        let (responder, initiator) = try Self.peers()
        let messages = try Self.realMessages()
        #expect(messages.count >= 8)
        for message in messages {
            let boundaries = try Self.rangeBoundaries(message)
            for length in 0..<message.count {
                let prefix = Array(message[..<length])
                do {
                    let decoded = try NegentropyMessage.decode(prefix)
                    #expect(boundaries.contains(length), "a cut at \(length) decoded though it is inside a range")
                    #expect(decoded.encoded() == prefix)
                } catch let error as NegentropyError {
                    // Cut inside an IdList, the count no longer fits the bytes left: refused as too long.
                    #expect(error.code == .truncated || error.code == .idListTooLong, "cut at \(length): \(error)")
                    #expect(!boundaries.contains(length))
                    #expect(error.offset.map { $0 <= length } ?? false, "cut at \(length): offset \(String(describing: error.offset))")
                }
                if length % 7 == 0 { Self.exercise(prefix, responder: responder, initiator: initiator) }
            }
        }
    }

    /// The offsets where ranges end (and 1, after the version byte), found by decoding growing prefixes
    /// of the ranges' own encodings.
    static func rangeBoundaries(_ message: [UInt8]) throws -> Set<Int> {
        let decoded = try NegentropyMessage.decode(message)
        return Set((0...decoded.ranges.count).map { NegentropyMessage(ranges: Array(decoded.ranges[..<$0])).encoded().count })
    }

    @Test("single-byte mutations of real messages never crash: they decode canonically or throw NegentropyError")
    func mutations() throws {
        let (responder, initiator) = try Self.peers()
        // Up to 1 KiB messages of both directions, with and without IdLists.
        let messages = try Self.realMessages().filter { $0.count <= 1024 }.prefix(10)
        #expect(messages.count >= 4)
        for message in messages {
            for position in message.indices {
                let original = message[position]
                for value in Set([original ^ 0x01, original ^ 0x80, 0x00, 0xff]) where value != original {
                    var mutated = message
                    mutated[position] = value
                    // Both roles too, at every third position (they decode first, then do real work).
                    Self.exercise(mutated, responder: responder, initiator: initiator, roles: position % 3 == 0)
                }
            }
        }
    }

    static let fp = [UInt8](repeating: 0xab, count: 16)
    static let id = [UInt8](repeating: 0x5a, count: 32)
    static let maxVarint: [UInt8] = [0x81] + [UInt8](repeating: 0xff, count: 8) + [0x7f]  // 2^64 − 1

    struct Malformed: Sendable, CustomStringConvertible {
        let name: String
        let bytes: [UInt8]
        let code: NegentropyError.Code
        let offset: Int
        var description: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(name: "empty", bytes: [], code: .truncated, offset: 0),
        Malformed(name: "version byte below 0x60", bytes: [0x5f], code: .invalidProtocolVersion, offset: 0),
        Malformed(name: "version byte above 0x6f", bytes: [0x70, 0x00], code: .invalidProtocolVersion, offset: 0),
        Malformed(name: "version 2", bytes: [0x62], code: .unsupportedProtocolVersion, offset: 0),
        Malformed(name: "version 0", bytes: [0x60, 0x00, 0x00, 0x00], code: .unsupportedProtocolVersion, offset: 0),
        Malformed(name: "timestamp varint with a leading zero digit", bytes: [0x61, 0x80, 0x01, 0x00, 0x00], code: .nonMinimalVarint, offset: 1),
        Malformed(name: "timestamp varint over 64 bits", bytes: [0x61, 0x82] + [UInt8](repeating: 0x80, count: 9) + [0x00, 0x00, 0x00], code: .varintOverflow, offset: 1),
        Malformed(name: "timestamp varint cut short", bytes: [0x61, 0x81], code: .truncated, offset: 1),
        Malformed(name: "finite timestamp reaching 2^64 − 1", bytes: [0x61] + maxVarint + [0x00, 0x00, 0x02, 0x00, 0x00], code: .timestampOverflow, offset: 13),
        Malformed(name: "finite timestamp after infinity", bytes: [0x61, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00], code: .timestampOverflow, offset: 4),
        Malformed(name: "id prefix of 33 bytes", bytes: [0x61, 0x01, 0x21] + id + [0x00, 0x00], code: .idPrefixTooLong, offset: 2),
        Malformed(name: "prefix length varint with a leading zero digit", bytes: [0x61, 0x01, 0x80, 0x05], code: .nonMinimalVarint, offset: 2),
        Malformed(name: "id prefix cut short", bytes: [0x61, 0x01, 0x05, 0x01, 0x02], code: .truncated, offset: 3),
        Malformed(name: "bound below the previous one", bytes: [0x61, 0x0b, 0x01, 0x05, 0x00, 0x01, 0x01, 0x04, 0x00], code: .boundsOutOfOrder, offset: 5),
        Malformed(name: "mode missing", bytes: [0x61, 0x01, 0x00], code: .truncated, offset: 3),
        Malformed(name: "mode 3", bytes: [0x61, 0x01, 0x00, 0x03], code: .unknownMode, offset: 3),
        Malformed(name: "mode as a huge varint", bytes: [0x61, 0x01, 0x00] + maxVarint, code: .unknownMode, offset: 3),
        Malformed(name: "fingerprint of 15 bytes", bytes: [0x61, 0x01, 0x00, 0x01] + fp.dropLast(), code: .truncated, offset: 4),
        Malformed(name: "IdList count larger than the bytes left", bytes: [0x61, 0x00, 0x00, 0x02, 0x02] + id, code: .idListTooLong, offset: 4),
        Malformed(name: "IdList count of 2^64 − 1", bytes: [0x61, 0x00, 0x00, 0x02] + maxVarint, code: .idListTooLong, offset: 4),
        Malformed(name: "IdList naming an id twice", bytes: [0x61, 0x00, 0x00, 0x02, 0x02] + id + id, code: .duplicateListedID, offset: 37),
        Malformed(name: "IdList count cut short", bytes: [0x61, 0x00, 0x00, 0x02, 0x81], code: .truncated, offset: 4),
    ]

    @Test("malformed messages are refused with the right code at the right byte offset", arguments: malformed)
    func malformedMessage(_ example: Malformed) throws {
        do {
            let decoded = try NegentropyMessage.decode(example.bytes)
            Issue.record("decoded \(decoded) from \(hex(example.bytes))")
        } catch let error as NegentropyError {
            #expect(error.code == example.code, "\(error)")
            #expect(error.offset == example.offset, "\(error)")
            #expect(error.message.contains("offset \(example.offset)"), "the message must say where: \(error)")
        }
    }

    @Test("the responder answers another protocol version with 0x61; the initiator refuses it")
    func protocolVersions() throws {
        let (responder, initiator) = try Self.peers()
        #expect(try responder.reconcile([0x62]) == [0x61])
        #expect(try responder.reconcile([0x6f, 0xff, 0xff]) == [0x61])
        var copy = initiator
        #expect(throws: NegentropyError.self) { _ = try copy.reconcile([0x62]) }
        do { _ = try copy.reconcile([0x62]) } catch let error as NegentropyError {
            #expect(error.code == .unsupportedProtocolVersion)
        }
        do { _ = try responder.reconcile([0x42]) } catch let error as NegentropyError {
            #expect(error.code == .invalidProtocolVersion)
        }
    }

    @Test("edge values that are valid decode")
    func validEdges() throws {
        // The largest finite timestamp, 2^64 − 2.
        let top = try NegentropyMessage.decode([0x61] + Self.maxVarint + [0x00, 0x00])
        #expect(top.ranges.first?.upperBound.timestamp == UInt64.max - 1)
        // Two ranges ending at infinity (the reference sends this after a frame-limited IdList).
        let twice = try NegentropyMessage.decode([0x61, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01] + Self.fp)
        #expect(twice.ranges.count == 2 && twice.ranges.allSatisfy { $0.upperBound == .infinity })
        // A full 32-byte prefix, and only the version byte.
        let full = try NegentropyMessage.decode([0x61, 0x05, 0x20] + Self.id + [0x00])
        #expect(full.ranges.first?.upperBound.idPrefix == Self.id)
        #expect(try NegentropyMessage.decode([0x61]).ranges.isEmpty)
    }

    @Test("varints: shortest big-endian base-128 encodings")
    func varints() throws {
        let cases: [(UInt64, [UInt8])] = [
            (0, [0x00]), (1, [0x01]), (127, [0x7f]), (128, [0x81, 0x00]), (16_383, [0xff, 0x7f]),
            (16_384, [0x81, 0x80, 0x00]), (UInt64.max, Self.maxVarint),
        ]
        for (value, bytes) in cases {
            #expect(NegentropyVarint.encode(value) == bytes)
            #expect(NegentropyVarint.size(of: value) == bytes.count)
            var reader = NegentropyReader(bytes)
            #expect(try reader.varint("test") == value)
            #expect(reader.remaining == 0)
        }
    }

    @Test("messages built from values round-trip through bytes")
    func roundTrip() throws {
        var random = NegentropyTestRandom(seed: 3)
        let message = NegentropyMessage(ranges: [
            NegentropyRange(upperBound: NegentropyBound(timestamp: 5, idPrefix: [])!, payload: .skip),
            NegentropyRange(upperBound: NegentropyBound(timestamp: 5, idPrefix: [0x10, 0x00])!, payload: .fingerprint(NegentropyFingerprint(Self.fp)!)),
            NegentropyRange(upperBound: NegentropyBound(timestamp: 1_000_000, idPrefix: [0x01])!, payload: .idList([random.id(), random.id()])),
            NegentropyRange(upperBound: .infinity, payload: .idList([])),
        ])
        let bytes = message.encoded()
        #expect(try NegentropyMessage.decode(bytes) == message)
        #expect(Array(bytes.prefix(5)) == [0x61, 0x06, 0x00, 0x00, 0x01])
    }
}
