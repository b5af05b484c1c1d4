internal import COpenSSL
internal import CVigilShim

/// An X25519 private key (RFC 7748): a node's bundle encryption key (`encryption.key`, docs/bundles.md).
///
/// It is not the node's Ed25519 identity key: OpenSSL keeps the two algorithms apart, and a key used
/// for one purpose only is easier to rotate. The secret lives inside OpenSSL, which wipes it on free.
public final class AgreementKey: @unchecked Sendable {
    let handle: EVPKey
    /// The 32-byte public key (the u-coordinate), published in the node's encryption-key entry.
    public let publicKey: [UInt8]

    /// The length of a raw X25519 key in bytes.
    public static let byteCount = 32

    init(handle: EVPKey) throws {
        guard EVP_PKEY_get_id(handle.pointer) == EVP_PKEY_X25519 else {
            throw CryptoError(.invalidKey, "the key is not an X25519 key; bundle encryption keys are X25519 (openssl genpkey -algorithm x25519)")
        }
        self.handle = handle
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(handle.pointer, &raw, &length) == 1, length == 32 else {
            throw CryptoError.openSSL("could not read the X25519 public key")
        }
        publicKey = raw
    }

    /// Generates a new key from OpenSSL's CSPRNG.
    public static func generate() throws -> AgreementKey {
        OpenSSLErrorQueue.clear()
        guard let ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nil) else {
            throw CryptoError.openSSL("could not create an X25519 key-generation context")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_keygen(ctx, &key) == 1, let key else {
            throw CryptoError.openSSL("X25519 key generation failed")
        }
        return try AgreementKey(handle: EVPKey(key))
    }

    /// Builds a key from its 32 raw private bytes (the scalar of the RFC 7748 test vectors).
    public convenience init(rawRepresentation raw: SecureBytes) throws {
        guard raw.count == 32 else {
            throw CryptoError(.invalidKey, "an X25519 private key is 32 bytes, got \(raw.count)")
        }
        OpenSSLErrorQueue.clear()
        let key = raw.withUnsafeBytes { EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nil, $0.baseAddress, 32) }
        guard let key else { throw CryptoError.openSSL("OpenSSL refused the X25519 private key") }
        try self.init(handle: EVPKey(key))
    }

    /// Reads a PKCS#8 PEM private key, as written by `pemRepresentation` or `openssl genpkey -algorithm x25519`.
    public convenience init(pem: SecureBytes) throws {
        try self.init(handle: try PEMKeyCodec.read(pem))
    }

    /// The key as unencrypted PKCS#8 PEM, in storage that is wiped when freed.
    public func pemRepresentation() throws -> SecureBytes { try PEMKeyCodec.write(handle) }

    /// The X25519 shared secret with `peerPublicKey` (32 bytes), through `EVP_PKEY_derive`. Refuses a
    /// peer key of the wrong length and an all-zero result (a small-order point: RFC 7748 §6.1).
    public func sharedSecret(with peerPublicKey: [UInt8]) throws -> SecureBytes {
        guard peerPublicKey.count == 32 else {
            throw CryptoError(.invalidKey, "an X25519 public key is 32 bytes, got \(peerPublicKey.count)")
        }
        OpenSSLErrorQueue.clear()
        guard let peer = peerPublicKey.withUnsafeBufferPointer({ EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nil, $0.baseAddress, 32) }) else {
            throw CryptoError.openSSL("OpenSSL refused the X25519 public key")
        }
        defer { EVP_PKEY_free(peer) }
        guard let ctx = EVP_PKEY_CTX_new(handle.pointer, nil) else { throw CryptoError.openSSL("could not create a key-derivation context") }
        defer { EVP_PKEY_CTX_free(ctx) }
        let secret = SecureBytes(zeroed: 32)
        var length = 32
        let ok = secret.withUnsafeMutableBytes { out in
            EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, peer) == 1
                && EVP_PKEY_derive(ctx, out.bindMemory(to: UInt8.self).baseAddress, &length) == 1
        }
        guard ok, length == 32 else {
            throw CryptoError(.invalidKey, "X25519 key agreement failed (a low-order or invalid public key?): \(OpenSSLErrorQueue.drain())")
        }
        let zero = secret.withUnsafeBytes { $0.allSatisfy { $0 == 0 } }
        guard !zero else { throw CryptoError(.invalidKey, "X25519 key agreement gave the all-zero secret: the public key is a low-order point") }
        return secret
    }
}

/// PKCS#8 PEM in and out of an `EVP_PKEY`, shared by the Ed25519 and X25519 keys.
enum PEMKeyCodec {
    static func read(_ pem: SecureBytes) throws -> EVPKey {
        OpenSSLErrorQueue.clear()
        let key: OpaquePointer? = pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let key else {
            let detail = OpenSSLErrorQueue.drain()
            throw CryptoError(.invalidPEM, "not a PEM private key (expected -----BEGIN PRIVATE KEY-----)\(detail.isEmpty ? "" : ": \(detail)")")
        }
        return EVPKey(key)
    }

    static func write(_ key: EVPKey) throws -> SecureBytes {
        OpenSSLErrorQueue.clear()
        // A secure-memory BIO: its buffer is cleared when the BIO is freed.
        guard let bio = BIO_new(BIO_s_secmem()) else { throw CryptoError.openSSL("could not allocate a BIO") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PKCS8PrivateKey(bio, key.pointer, nil, nil, 0, nil, nil) == 1 else {
            throw CryptoError.openSSL("could not encode the private key as PEM")
        }
        var data: UnsafeMutablePointer<CChar>?
        let length = vigil_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { throw CryptoError.openSSL("empty PEM output") }
        let out = SecureBytes(zeroed: length)
        out.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: data, count: length)) }
        return out
    }
}
