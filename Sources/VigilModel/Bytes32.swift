import VigilCrypto

/// Thirty-two bytes held inline (no heap allocation): entry ids, node ids, hashes.
///
/// The four words are loaded big-endian, so comparing them in order compares the bytes
/// lexicographically, which is the order Negentropy and the display order use.
public struct Bytes32: Hashable, Comparable, Sendable, CustomStringConvertible {
    @usableFromInline var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// All zero bytes.
    public static let zero = Bytes32(w0: 0, w1: 0, w2: 0, w3: 0)

    @usableFromInline init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// The 32 bytes at `raw` (any alignment), as four big-endian words.
    @inlinable public init(loading raw: UnsafeRawPointer) {
        self.init(w0: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
                  w1: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                  w2: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                  w3: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }

    /// Reads 32 bytes; nil when `bytes` does not hold exactly 32.
    @inlinable public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 32, let base = bytes.baseAddress else { return nil }
        self.init(loading: base)
    }

    /// Reads 32 bytes; nil when `bytes` does not hold exactly 32.
    @inlinable public init?(_ bytes: ArraySlice<UInt8>) {
        guard bytes.count == 32 else { return nil }
        self = bytes.withUnsafeBytes { Bytes32(loading: $0.baseAddress!) }
    }

    /// Reads 32 bytes; nil when `bytes` does not hold exactly 32.
    @inlinable public init?(_ bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self = bytes.withUnsafeBytes { Bytes32(loading: $0.baseAddress!) }
    }

    /// Reads 32 bytes; nil when `bytes` does not hold exactly 32.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var i = 0
        for b in bytes {
            let v = UInt64(b)
            switch i >> 3 {
            case 0: words.0 = words.0 << 8 | v
            case 1: words.1 = words.1 << 8 | v
            case 2: words.2 = words.2 << 8 | v
            default: words.3 = words.3 << 8 | v
            }
            i += 1
        }
        self.init(w0: words.0, w1: words.1, w2: words.2, w3: words.3)
    }

    /// Parses 64 hex digits.
    public init?(hex text: some StringProtocol) {
        guard text.utf8.count == 64, let raw = VigilCrypto.bytes(fromHex: text) else { return nil }
        self.init(raw)
    }

    /// Feeds the hasher one word folded from all four: ids are SHA-256 digests and keys are public keys,
    /// so any 64 of their bits are already uniform, and one word hashes in about half the time of four
    /// (start-up hashes every one of a million ids into two tables). Equality still compares all 32 bytes.
    @inlinable public func hash(into hasher: inout Hasher) {
        hasher.combine(w0 ^ w1.rotateLeft(16) ^ w2.rotateLeft(32) ^ w3.rotateLeft(48))
    }

    /// The bytes as four big-endian 64-bit words (bytes 0–7, 8–15, 16–23, 24–31), for arithmetic on ids
    /// without going through a byte array.
    public var bigEndianWords: (UInt64, UInt64, UInt64, UInt64) { (w0, w1, w2, w3) }

    /// The 32 bytes in order.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(32)
        appendBytes(to: &out)
        return out
    }

    /// Appends the 32 bytes to `out`.
    public func appendBytes(to out: inout [UInt8]) {
        for word in [w0, w1, w2, w3] {
            var shift: UInt64 = 56
            while true {
                out.append(UInt8(truncatingIfNeeded: word >> shift))
                if shift == 0 { break }
                shift -= 8
            }
        }
    }

    /// Lower-case hex of the 32 bytes.
    public var hex: String {
        // Written straight from the four words into the string's storage: ids are logged and written
        // on every post and follow line.
        String(unsafeUninitializedCapacity: 64) { out in
            var at = 0
            for word in [w0, w1, w2, w3] {
                var shift: UInt64 = 60
                while true {
                    let nibble = UInt8(truncatingIfNeeded: word >> shift) & 0x0f
                    out[at] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
                    at += 1
                    if shift == 0 { break }
                    shift -= 4
                }
            }
            return 64
        }
    }
    public var description: String { hex }

    public static func < (a: Bytes32, b: Bytes32) -> Bool {
        if a.w0 != b.w0 { return a.w0 < b.w0 }
        if a.w1 != b.w1 { return a.w1 < b.w1 }
        if a.w2 != b.w2 { return a.w2 < b.w2 }
        return a.w3 < b.w3
    }
}

/// A node's identity: its Ed25519 public key (32 bytes).
public typealias NodeID = Bytes32

/// An entry's id: SHA-256 of its canonical bytes, signature included.
public typealias EntryID = Bytes32

extension Bytes32 {
    /// A short fingerprint for people: the first 8 bytes as hex in groups of four, e.g. `d75a:9801:82b1:0ab7`.
    public var fingerprint: String {
        let h = hex
        let chars = Array(h.prefix(16))
        return stride(from: 0, to: 16, by: 4).map { String(chars[$0..<$0 + 4]) }.joined(separator: ":")
    }

    /// The Ed25519 public key these bytes encode (for node ids).
    public func publicKey() throws -> PublicKey { try PublicKey(rawRepresentation: bytes) }

    /// The node id of a public key.
    public init(_ key: PublicKey) { self.init(key.rawRepresentation)! }
}

/// Ids and keys travel in JSON (the local API, the desk) as 64 lowercase hex digits.
extension Bytes32: Codable {
    /// Decodes 64 hex digits.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let value = Bytes32(hex: text) else {
            throw Swift.DecodingError.dataCorruptedError(in: c, debugDescription: "\"\(text.prefix(80))\" is not an id: 64 hex digits")
        }
        self = value
    }

    /// Encodes as 64 lowercase hex digits.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }
}

extension UInt64 {
    /// The bits rotated left by `n` (0–63).
    @inlinable func rotateLeft(_ n: UInt64) -> UInt64 { self << n | self >> (64 - n) }
}
