import Testing
import VigilCrypto
@testable import VigilModel

@Suite("Entry canonical encoding")
struct EntryEncodingTests {
    @Test("the encoding has exactly the documented layout, byte by byte")
    func goldenLayout() throws {
        let k = Fixtures.key()
        let author = NodeID(k.publicKey)
        let draft = EntryDraft(author: author, timestamp: HybridTimestamp(milliseconds: 300, counter: 2), kind: .message,
                               audience: Audience(tlp: .red, roles: ["police"], organisations: ["Org"], nodes: [Fixtures.id(0x33)]),
                               refs: [Fixtures.id(0x44)], body: [0xde, 0xad])
        let unsigned = try draft.signedBytes()
        var expected: [UInt8] = [1] + author.bytes
        expected += [0xac, 0x02]                     // 300 as LEB128
        expected += [0x02]                           // counter 2
        expected += [5, 4]                           // kind message, TLP:RED
        expected += [1, 6] + Array("police".utf8)    // roles
        expected += [1, 3] + Array("Org".utf8)       // organisations
        expected += [1] + [UInt8](repeating: 0x33, count: 32)
        expected += [1] + [UInt8](repeating: 0x44, count: 32)
        expected += [2, 0xde, 0xad]
        #expect(unsigned == expected)

        let entry = try draft.signed(by: k)
        #expect(Array(entry.canonicalBytes.prefix(unsigned.count)) == unsigned)
        #expect(entry.canonicalBytes.count == unsigned.count + 64)
        // The signature covers the domain prefix, then the bytes.
        #expect(k.publicKey.isValidSignature(entry.signature, forRawMessage: Array("vigil/v1/entry".utf8) + [0] + unsigned))
        #expect(!k.publicKey.isValidSignature(entry.signature, forRawMessage: unsigned))
        #expect(entry.id == EntryID(SHA256.hash(entry.canonicalBytes)))
    }

    @Test("signed entries round-trip through the decoder unchanged", arguments: EntryKind.allCases)
    func roundTrip(kind: EntryKind) throws {
        let k = Fixtures.key()
        var draft = Fixtures.fullDraft(author: NodeID(k.publicKey))
        draft.kind = kind
        let entry = try draft.signed(by: k)
        let decoded = try Entry(canonicalBytes: entry.canonicalBytes)
        #expect(decoded == entry)
        #expect(decoded.draft == draft)
        #expect(decoded.id == entry.id)
        #expect(try EntryValidator.decodeAndValidate(entry.canonicalBytes).id == entry.id)
    }

    @Test("empty lists, empty body, maximal values round-trip")
    func edges() throws {
        let k = Fixtures.key()
        let draft = EntryDraft(author: NodeID(k.publicKey),
                               timestamp: HybridTimestamp(milliseconds: HybridTimestamp.maxMilliseconds, counter: .max),
                               kind: .acknowledgement, audience: Audience(tlp: .clear))
        let entry = try draft.signed(by: k)
        #expect(try Entry(canonicalBytes: entry.canonicalBytes).draft == draft)
    }

    @Test("audiences are made canonical: sorted, unique, so equal audiences encode equally")
    func canonicalAudience() throws {
        let a = Audience(tlp: .amber, roles: ["police", "authority", "police"], organisations: ["b", "a"], nodes: [Fixtures.id(2), Fixtures.id(1), Fixtures.id(2)])
        #expect(a.roles == ["authority", "police"])
        #expect(a.organisations == ["a", "b"])
        #expect(a.nodes == [Fixtures.id(1), Fixtures.id(2)])
    }

    @Test("every single-byte change of a signed entry is rejected")
    func everyByteChangeRejected() throws {
        let entry = Fixtures.signedFull()
        let original = entry.canonicalBytes
        var accepted: [Int] = []
        for offset in original.indices {
            for delta: UInt8 in [0x01, 0x80, 0xff] {
                var mutated = original
                mutated[offset] ^= delta
                if (try? EntryValidator.decodeAndValidate(mutated)) != nil { accepted.append(offset) }
            }
        }
        #expect(accepted.isEmpty, "mutations accepted at offsets \(accepted)")
    }

    @Test("every truncation is rejected, and every prefix is decoded without crashing")
    func everyTruncationRejected() throws {
        let original = Fixtures.signedFull().canonicalBytes
        for length in 0..<original.count {
            let prefix = Array(original.prefix(length))
            #expect(throws: DecodingError.self, "prefix of \(length) bytes") { try Entry(canonicalBytes: prefix) }
        }
    }

    @Test("trailing bytes are refused with the offset where they start")
    func trailing() throws {
        let original = Fixtures.signedFull().canonicalBytes
        let error = try #require(throws: DecodingError.self) { try Entry(canonicalBytes: original + [0]) }
        #expect(error.field == "entry")
        #expect(error.offset == original.count)
        #expect(error.reason.contains("1 trailing byte"))
    }

    @Test("byte-at-a-time growth from empty to a whole entry only succeeds at the end")
    func byteByByte() throws {
        let original = Fixtures.signedFull().canonicalBytes
        var buffer: [UInt8] = []
        var successes = 0
        for b in original {
            buffer.append(b)
            if (try? Entry(canonicalBytes: buffer)) != nil { successes += 1 }
        }
        #expect(successes == 1)
        #expect(try Entry(canonicalBytes: buffer).canonicalBytes == original)
    }

    @Test("the hand-assembled baseline decodes (so the malformed variants below test one thing each)")
    func rawBaseline() throws {
        let entry = try Entry(canonicalBytes: RawEntry().bytes)
        #expect(entry.kind == .message)
        #expect(entry.timestamp == HybridTimestamp(milliseconds: 128, counter: 0))
        #expect(entry.body == Array("hi".utf8))
    }

    static let malformed: [(String, RawEntry, String, String)] = {
        var cases: [(String, RawEntry, String, String)] = []
        func add(_ name: String, field: String, reason: String, _ edit: (inout RawEntry) -> Void) {
            var raw = RawEntry()
            edit(&raw)
            cases.append((name, raw, field, reason))
        }
        add("version 2", field: "version", reason: "unknown format version 2") { $0.version = [2] }
        add("version 0", field: "version", reason: "unknown format version 0") { $0.version = [0] }
        add("non-minimal ms", field: "hlc.ms", reason: "shortest form") { $0.ms = [0x80, 0x81, 0x00] }
        add("non-minimal zero counter", field: "hlc.counter", reason: "shortest form") { $0.counter = [0x80, 0x00] }
        add("ms over 2^48", field: "hlc.ms", reason: "exceeds the limit") { $0.ms = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01] }
        add("counter over 2^32", field: "hlc.counter", reason: "exceeds the limit") { $0.counter = [0x80, 0x80, 0x80, 0x80, 0x10] }
        add("varint longer than 10 bytes", field: "hlc.ms", reason: "overflows") { $0.ms = [UInt8](repeating: 0xff, count: 10) + [0x01] }
        add("kind 0", field: "kind", reason: "unknown kind code 0") { $0.kind = [0] }
        add("kind 12", field: "kind", reason: "unknown kind code 12") { $0.kind = [12] }
        add("TLP 5", field: "audience.tlp", reason: "unknown TLP code 5") { $0.tlp = [5] }
        add("17 roles", field: "audience.roles.count", reason: "exceeds the limit 16") { $0.roles = [17] }
        add("unsorted roles", field: "audience.roles[1]", reason: "sorted") { $0.roles = RawEntry.names(["police", "authority"]) }
        add("duplicate roles", field: "audience.roles[1]", reason: "no duplicates") { $0.roles = RawEntry.names(["police", "police"]) }
        add("upper-case role", field: "audience.roles[0]", reason: "may hold only a-z") { $0.roles = RawEntry.names(["pOlice"]) }
        add("empty role", field: "audience.roles[0]", reason: "cannot be empty") { $0.roles = RawEntry.names([""]) }
        add("role too long", field: "audience.roles[0].length", reason: "exceeds the limit 32") { $0.roles = RawEntry.names([String(repeating: "a", count: 33)]) }
        add("org not UTF-8", field: "audience.organisations[0]", reason: "not valid UTF-8") { $0.orgs = [1, 2, 0xc3, 0x28] }
        add("org not NFC", field: "audience.organisations[0]", reason: "normal form C") { $0.orgs = RawEntry.names(["Lie\u{0300}ge".decomposedStringWithCanonicalMapping]) }
        add("org with control char", field: "audience.organisations[0]", reason: "control character") { $0.orgs = RawEntry.names(["A\u{7}B"]) }
        add("org with trailing space", field: "audience.organisations[0]", reason: "white space") { $0.orgs = RawEntry.names(["Org "]) }
        add("unsorted nodes", field: "audience.nodes[1]", reason: "sorted") {
            $0.nodes = [2] + [UInt8](repeating: 2, count: 32) + [UInt8](repeating: 1, count: 32)
        }
        add("257 nodes", field: "audience.nodes.count", reason: "exceeds the limit 256") { $0.nodes = [0x81, 0x02] }
        add("duplicate refs", field: "refs[1]", reason: "referenced twice") {
            $0.refs = [2] + [UInt8](repeating: 5, count: 64)
        }
        add("17 refs", field: "refs.count", reason: "exceeds the limit 16") { $0.refs = [17] }
        add("body over the limit", field: "body.length", reason: "exceeds the limit") { $0.body = [0x81, 0xc0, 0x07] }  // 122881
        add("body longer than the input", field: "signature", reason: "truncated") { $0.body = [0x10, 0x68] }
        add("short signature", field: "signature", reason: "truncated") { $0.signature = [UInt8](repeating: 9, count: 63) }
        add("one trailing byte", field: "entry", reason: "1 trailing byte") { $0.trailing = [0] }
        return cases
    }()

    @Test("malformed fields are refused, naming the field and the reason", arguments: 0..<malformed.count)
    func malformedField(index: Int) throws {
        let (name, raw, field, reason) = Self.malformed[index]
        let error = try #require(throws: DecodingError.self, "\(name)") { try Entry(canonicalBytes: raw.bytes) }
        #expect(error.field == field, "\(name): \(error)")
        #expect(error.reason.contains(reason), "\(name): \(error)")
        #expect(error.description.contains("at byte"), "\(name)")
    }

    @Test("an input over the size limit is refused before it is parsed")
    func oversize() throws {
        let big = [UInt8](repeating: 1, count: EntryLimits.maxEncodedBytes + 1)
        let error = try #require(throws: DecodingError.self) { try Entry(canonicalBytes: big) }
        #expect(error.field == "entry")
        #expect(error.reason.contains("more than the limit"))
    }

    @Test("drafts that break a limit cannot be signed, with the decoder's message")
    func encoderLimits() throws {
        let k = Fixtures.key()
        let author = NodeID(k.publicKey)
        var draft = EntryDraft(author: author, timestamp: HybridTimestamp(milliseconds: 1, counter: 0), kind: .message, audience: .federation)
        draft.body = [UInt8](repeating: 0, count: EntryLimits.maxBodyBytes + 1)
        #expect(throws: DecodingError.self) { try draft.signed(by: k) }
        draft.body = []
        draft.refs = [Fixtures.id(1), Fixtures.id(1)]
        #expect(throws: DecodingError.self) { try draft.signed(by: k) }
        draft.refs = []
        draft.audience = Audience(tlp: .amber, roles: ["Police"])
        let error = try #require(throws: DecodingError.self) { try draft.signed(by: k) }
        #expect(error.field == "audience.roles[0]")
        draft.audience = .federation
        draft.timestamp = HybridTimestamp(milliseconds: HybridTimestamp.maxMilliseconds + 1, counter: 0)
        #expect(throws: DecodingError.self) { try draft.signed(by: k) }
    }

    @Test("a draft signed by a key that is not its author's is refused")
    func wrongAuthor() throws {
        let k = Fixtures.key()
        let other = try SigningKey.generate()
        let draft = Fixtures.fullDraft(author: NodeID(other.publicKey))
        let error = try #require(throws: Refusal.self) { try draft.signed(by: k) }
        #expect(error.code == .wrongAuthor)
    }

    @Test("an entry whose signature was made by another key fails validation with the author named")
    func forgedSignature() throws {
        let honest = Fixtures.key()
        let forger = try SigningKey.generate()
        let draft = Fixtures.fullDraft(author: NodeID(honest.publicKey))
        let unsigned = try draft.signedBytes()
        let bytes = unsigned + (try forger.signature(for: unsigned, in: .entry))
        let entry = try Entry(canonicalBytes: bytes)   // well-formed …
        let error = try #require(throws: Refusal.self) { try EntryValidator.validateSignature(entry) }
        #expect(error.code == .badSignature)       // … but not valid
        #expect(error.message.contains(NodeID(honest.publicKey).fingerprint))
    }

    @Test("a signature over the right bytes but in another domain is refused")
    func wrongDomain() throws {
        let k = Fixtures.key()
        let unsigned = try Fixtures.fullDraft(author: NodeID(k.publicKey)).signedBytes()
        let bytes = unsigned + (try k.signature(for: unsigned, in: SignatureDomain(label: "vigil/v1/other")))
        #expect(throws: Refusal.self) { try EntryValidator.decodeAndValidate(bytes) }
        let raw = unsigned + (try k.signature(forRawMessage: unsigned))
        #expect(throws: Refusal.self) { try EntryValidator.decodeAndValidate(raw) }
    }

    @Test("display order is HLC, then author, then id")
    func displayOrder() throws {
        let a = Fixtures.key()
        let b = try SigningKey.generate()
        func make(_ k: SigningKey, _ ms: UInt64, _ body: String) throws -> Entry {
            try EntryDraft(author: NodeID(k.publicKey), timestamp: HybridTimestamp(milliseconds: ms, counter: 0),
                           kind: .message, audience: .federation, body: Array(body.utf8)).signed(by: k)
        }
        let entries = [try make(a, 5, "x"), try make(b, 5, "y"), try make(a, 4, "z"), try make(a, 5, "w")]
        let sorted = entries.sorted(by: Entry.displayOrder)
        #expect(sorted.first?.timestamp.milliseconds == 4)
        for (x, y) in zip(sorted, sorted.dropFirst()) {
            #expect((x.timestamp, x.author, x.id) < (y.timestamp, y.author, y.id))
        }
    }

    @Test("the JSON view carries every field")
    func jsonView() throws {
        let entry = Fixtures.signedFull()
        let json = EntryJSON(entry)
        #expect(json.id == entry.id.hex)
        #expect(json.kind == "sitrep")
        #expect(json.audience.tlp == "TLP:AMBER")
        #expect(json.audience.roles == ["authority", "government"])
        #expect(json.refs == [Fixtures.id(0xaa).hex, Fixtures.id(0x01).hex])
        #expect(json.bodyText == "Flooding along the Scheldt; 40 people evacuated.")
        #expect(json.time == "2026-11-24T03:22:25.293Z")
        #expect(EntryJSON.iso8601(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(EntryJSON.iso8601(milliseconds: 1_700_000_000_123) == "2023-11-14T22:13:20.123Z")
        #expect(EntryJSON.iso8601(milliseconds: 951_782_400_009) == "2000-02-29T00:00:00.009Z")
        #expect(EntryJSON.iso8601(milliseconds: 253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
        #expect(EntryJSON.iso8601(milliseconds: 253_402_300_800_000) == "10000-01-01T00:00:00.000Z")
        #expect(json.encodedJSON().contains("\"kind\" : \"sitrep\""))
    }
}
