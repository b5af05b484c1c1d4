import VigilCrypto
import VigilModel

/// A recipient to seal a bundle for: its identity and current X25519 public key.
public struct BundleRecipientKey: Hashable, Sendable {
    /// The member's identity.
    public let identity: NodeID
    /// Its current encryption key (`EncryptionKeyDirectory`).
    public let publicKey: Bytes32

    /// A recipient key.
    public init(identity: NodeID, publicKey: Bytes32) {
        self.identity = identity
        self.publicKey = publicKey
    }
}

/// What randomness a bundle needs, as an input (so tests can fix it): the content key and one
/// ephemeral X25519 key per recipient.
public struct BundleRandomness: Sendable {
    /// The 32-byte content key.
    public let contentKey: SecureBytes
    /// One fresh key per recipient, in recipient order.
    public let ephemeralKeys: [AgreementKey]

    /// Given randomness.
    public init(contentKey: SecureBytes, ephemeralKeys: [AgreementKey]) {
        self.contentKey = contentKey
        self.ephemeralKeys = ephemeralKeys
    }

    /// Fresh randomness from OpenSSL's CSPRNG for `recipients` recipients.
    public static func fresh(recipients: Int) throws -> BundleRandomness {
        BundleRandomness(contentKey: try SecureRandom.secret(ChaChaPoly.keyBytes),
                         ephemeralKeys: try (0..<recipients).map { _ in try AgreementKey.generate() })
    }
}

/// Seals entries into a bundle file (docs/bundles.md).
public enum BundleSealer {
    /// The bundle file carrying `entries` (canonical bytes) for `recipients`, signed by `exporter`.
    public static func seal(entries: [[UInt8]], federation: NodeID, exporter: SigningKey, created: HybridTimestamp,
                            recipients: [BundleRecipientKey], randomness: BundleRandomness) throws -> [UInt8] {
        let sorted = recipients.sorted { $0.identity < $1.identity }
        guard (1...BundleHeader.maxRecipients).contains(sorted.count) else {
            throw BundleRefusal(.notAddressed, "a bundle needs 1 to \(BundleHeader.maxRecipients) recipients, got \(sorted.count)")
        }
        guard randomness.ephemeralKeys.count == sorted.count, randomness.contentKey.count == ChaChaPoly.keyBytes else {
            throw BundleRefusal(.malformed, "the bundle randomness does not match its \(sorted.count) recipients")
        }
        let exporterID = NodeID(exporter.publicKey)
        var records: [BundleRecipient] = []
        for (recipient, ephemeral) in zip(sorted, randomness.ephemeralKeys) {
            let ephemeralKey = Bytes32(ephemeral.publicKey)!
            let wrapKey = try BundleKeyWrap.key(ephemeral: ephemeral, peer: recipient.publicKey, ephemeralKey: ephemeralKey,
                                               recipientKey: recipient.publicKey, federation: federation, exporter: exporterID,
                                               identity: recipient.identity)
            let plain = randomness.contentKey.withUnsafeBytes { Array($0) }
            let wrapped = try ChaChaPoly.seal(plain, key: wrapKey, nonce: BundleKeyWrap.nonce, aad: [])
            records.append(BundleRecipient(identity: recipient.identity, encryptionKey: recipient.publicKey,
                                           ephemeralKey: ephemeralKey, wrappedKey: wrapped.ciphertext + wrapped.tag))
        }
        let payload = BundlePayload.encode(entries)
        let header = BundleHeader(federation: federation, exporter: exporterID, created: created, recipients: records,
                                  ciphertextLength: UInt64(payload.count))
        var out = header.encoded()
        let sealed = try ChaChaPoly.seal(payload, key: randomness.contentKey, nonce: BundleKeyWrap.nonce, aad: out)
        out += sealed.ciphertext
        out += sealed.tag
        out += try exporter.signature(for: out, in: .bundle)
        return out
    }
}

/// The per-recipient key wrap: X25519 between a fresh ephemeral key and the recipient's key, then
/// HKDF-SHA256 with salt = ephemeral public ‖ recipient public and info = "vigil/v1/bundle-key" 0x00 ‖
/// federation ‖ exporter ‖ recipient identity, giving a one-time ChaCha20-Poly1305 key (nonce 0).
enum BundleKeyWrap {
    static let nonce = [UInt8](repeating: 0, count: ChaChaPoly.nonceBytes)
    static let label = Array("vigil/v1/bundle-key".utf8) + [0]

    static func key(ephemeral own: AgreementKey, peer: Bytes32, ephemeralKey: Bytes32, recipientKey: Bytes32,
                    federation: NodeID, exporter: NodeID, identity: NodeID) throws -> SecureBytes {
        let shared = try own.sharedSecret(with: peer.bytes)
        return try HKDF.sha256(secret: shared, salt: ephemeralKey.bytes + recipientKey.bytes,
                               info: label + federation.bytes + exporter.bytes + identity.bytes, count: ChaChaPoly.keyBytes)
    }
}
