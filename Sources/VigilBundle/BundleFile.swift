import VigilModel

/// One recipient of a bundle: who it is, which of its encryption keys the bundle was sealed to, and
/// the bundle's content key wrapped for it (docs/bundles.md, "File format").
///
/// ```
/// identity        32 bytes   the member's identity (node id)
/// encryption key  32 bytes   its X25519 public key (from its newest enckey entry)
/// ephemeral key   32 bytes   a fresh X25519 public key made for this recipient only
/// wrapped key     48 bytes   ChaCha20-Poly1305(content key) ‖ 16-byte tag, under HKDF(X25519(ephemeral, encryption key))
/// ```
public struct BundleRecipient: Hashable, Sendable {
    /// Bytes of one recipient record.
    public static let byteCount = 32 + 32 + 32 + 48
    /// The member's identity.
    public let identity: NodeID
    /// The X25519 public key the content key was wrapped to.
    public let encryptionKey: Bytes32
    /// The ephemeral X25519 public key of the wrap.
    public let ephemeralKey: Bytes32
    /// The wrapped content key and its tag (48 bytes).
    public let wrappedKey: [UInt8]

    /// A recipient record.
    public init(identity: NodeID, encryptionKey: Bytes32, ephemeralKey: Bytes32, wrappedKey: [UInt8]) {
        precondition(wrappedKey.count == 48, "a wrapped content key is 48 bytes")
        self.identity = identity
        self.encryptionKey = encryptionKey
        self.ephemeralKey = ephemeralKey
        self.wrappedKey = wrappedKey
    }
}

/// The clear part of a bundle before its ciphertext (format version 1; docs/bundles.md):
///
/// ```
/// magic            8 bytes   "VIGILBDL"
/// version          u8        = 1
/// federation       32 bytes  the federation authority's identity (which federation this is for)
/// exporter         32 bytes  the exporting node's signing key
/// created.ms       u64 BE    HLC milliseconds (≤ 2^48 − 1)
/// created.counter  u32 BE    HLC counter
/// recipients       u16 BE n  1 … 256, strictly ascending by identity
///                  n × 144   BundleRecipient
/// length           u64 BE    ciphertext bytes
/// ```
/// These bytes are the associated data of the content encryption, so none of them can be changed
/// without the tag failing, and all of them are under the exporter's signature too.
public struct BundleHeader: Hashable, Sendable {
    /// The 8 bytes every bundle starts with.
    public static let magic: [UInt8] = Array("VIGILBDL".utf8)
    /// The format version this code writes and reads.
    public static let version: UInt8 = 1
    /// Most recipients one bundle may name.
    public static let maxRecipients = 256
    /// Bytes before the recipient records.
    public static let fixedBytes = 8 + 1 + 32 + 32 + 8 + 4 + 2

    /// The federation authority's identity.
    public let federation: NodeID
    /// The exporting node's signing key.
    public let exporter: NodeID
    /// When the bundle was made (the exporter's HLC).
    public let created: HybridTimestamp
    /// The recipients, ascending by identity.
    public let recipients: [BundleRecipient]
    /// Length of the ciphertext that follows.
    public let ciphertextLength: UInt64

    /// A header.
    public init(federation: NodeID, exporter: NodeID, created: HybridTimestamp, recipients: [BundleRecipient], ciphertextLength: UInt64) {
        self.federation = federation
        self.exporter = exporter
        self.created = created
        self.recipients = recipients
        self.ciphertextLength = ciphertextLength
    }

    /// The encoded header.
    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: Self.fixedBytes + recipients.count * BundleRecipient.byteCount + 8)
        w.raw(Self.magic)
        w.byte(Self.version)
        w.bytes32(federation)
        w.bytes32(exporter)
        w.bigEndian(created.milliseconds, 8)
        w.bigEndian(UInt64(created.counter), 4)
        w.bigEndian(UInt64(recipients.count), 2)
        for r in recipients {
            w.bytes32(r.identity)
            w.bytes32(r.encryptionKey)
            w.bytes32(r.ephemeralKey)
            w.raw(r.wrappedKey)
        }
        w.bigEndian(ciphertextLength, 8)
        return w.bytes
    }
}

/// A whole bundle file, as read: header, ciphertext, tag, signature.
///
/// ```
/// header      BundleHeader (its length field says how long the ciphertext is)
/// ciphertext  length bytes   ChaCha20-Poly1305 of BundlePayload under the content key, nonce 0, AAD = header
/// tag         16 bytes
/// signature   64 bytes       Ed25519 by the exporter over "vigil/v1/bundle" 0x00 ‖ every byte before it
/// ```
/// Nothing may follow the signature. Decoding checks structure only; `BundleOpener` checks the rest.
public struct BundleFile: Sendable {
    /// Most ciphertext bytes a bundle may carry (4 GiB): the length field is checked against this
    /// and against the bytes actually present before anything is allocated.
    public static let maxCiphertextBytes: UInt64 = 1 << 32

    /// The header.
    public let header: BundleHeader
    /// The whole file.
    public let bytes: [UInt8]
    /// Where the ciphertext starts (= the header's length).
    public let ciphertextStart: Int

    /// The header bytes (the content encryption's associated data).
    public var headerBytes: ArraySlice<UInt8> { bytes[..<ciphertextStart] }
    /// The ciphertext.
    public var ciphertext: ArraySlice<UInt8> { bytes[ciphertextStart..<(ciphertextStart + Int(header.ciphertextLength))] }
    /// The content tag.
    public var tag: ArraySlice<UInt8> { bytes[(bytes.count - 80)..<(bytes.count - 64)] }
    /// The exporter's signature.
    public var signature: ArraySlice<UInt8> { bytes[(bytes.count - 64)...] }
    /// The signed bytes: everything before the signature.
    public var signedBytes: ArraySlice<UInt8> { bytes[..<(bytes.count - 64)] }

    /// Reads a bundle's structure, naming the field, the offset and the problem when it is not one.
    public init(bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        let magic = try r.raw(8, "magic")
        guard Array(magic) == BundleHeader.magic else {
            throw DecodingError(field: "magic", offset: 0, reason: "this is not a Vigil bundle (it does not start with VIGILBDL)")
        }
        let version = try r.byte("version")
        guard version == BundleHeader.version else {
            throw DecodingError(field: "version", offset: 8, reason: "bundle format version \(version) is not known to this vigil (it reads version \(BundleHeader.version)); use a vigil at least as new as the exporter's")
        }
        let federation = try r.bytes32("federation")
        let exporter = try r.bytes32("exporter")
        let msOffset = r.offset
        let ms = try r.bigEndian(8, "created.ms")
        guard ms <= HybridTimestamp.maxMilliseconds else {
            throw DecodingError(field: "created.ms", offset: msOffset, reason: "\(ms) is beyond the largest HLC time (2^48 − 1 ms)")
        }
        let counter = UInt32(try r.bigEndian(4, "created.counter"))
        let countOffset = r.offset
        let count = Int(try r.bigEndian(2, "recipients"))
        guard (1...BundleHeader.maxRecipients).contains(count) else {
            throw DecodingError(field: "recipients", offset: countOffset, reason: "\(count) recipients; a bundle has 1 to \(BundleHeader.maxRecipients)")
        }
        var recipients: [BundleRecipient] = []
        recipients.reserveCapacity(min(count, r.remaining / BundleRecipient.byteCount))
        for i in 0..<count {
            let at = r.offset
            let identity = try r.bytes32("recipients[\(i)].identity")
            if let last = recipients.last, !(last.identity < identity) {
                throw DecodingError(field: "recipients[\(i)].identity", offset: at, reason: "recipients must be strictly ascending by identity (a duplicate or out of order)")
            }
            let key = try r.bytes32("recipients[\(i)].encryption_key")
            let ephemeral = try r.bytes32("recipients[\(i)].ephemeral_key")
            let wrapped = try r.raw(48, "recipients[\(i)].wrapped_key")
            recipients.append(BundleRecipient(identity: identity, encryptionKey: key, ephemeralKey: ephemeral, wrappedKey: Array(wrapped)))
        }
        let lengthOffset = r.offset
        let length = try r.bigEndian(8, "length")
        let start = r.offset
        guard length <= BundleFile.maxCiphertextBytes else {
            throw DecodingError(field: "length", offset: lengthOffset, reason: "\(length) ciphertext bytes, more than the \(BundleFile.maxCiphertextBytes) a bundle may carry")
        }
        let needed = UInt64(r.remaining)
        guard needed >= length + 80 else {
            throw DecodingError(field: "ciphertext", offset: bytes.count, reason: "the file is truncated: the header announces \(length) ciphertext bytes plus a 16-byte tag and a 64-byte signature, but only \(needed) bytes follow the header; copy the whole file again")
        }
        guard needed == length + 80 else {
            throw DecodingError(field: "signature", offset: start + Int(length) + 80, reason: "\(needed - length - 80) bytes follow the signature; a bundle ends with its signature")
        }
        header = BundleHeader(federation: federation, exporter: exporter, created: HybridTimestamp(milliseconds: ms, counter: counter),
                              recipients: recipients, ciphertextLength: length)
        self.bytes = bytes
        ciphertextStart = start
    }
}

extension ByteWriter {
    /// `count` bytes of `value`, big-endian.
    mutating func bigEndian(_ value: UInt64, _ count: Int) {
        for i in stride(from: count - 1, through: 0, by: -1) { byte(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }
}

extension ByteReader {
    /// A `count`-byte big-endian unsigned integer.
    mutating func bigEndian(_ count: Int, _ field: @autoclosure () -> String) throws(DecodingError) -> UInt64 {
        var value: UInt64 = 0
        for b in try raw(count, field()) { value = value << 8 | UInt64(b) }
        return value
    }
}
