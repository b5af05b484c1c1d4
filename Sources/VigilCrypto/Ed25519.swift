internal import COpenSSL
internal import CVigilShim
import Foundation

/// An Ed25519 public key: the 32 bytes that are also a node's identity (NodeID).
///
/// Equality and hashing use the bytes only. The OpenSSL key object is built once, at `init`, and shared
/// by every copy, so verifying many signatures by one key does not rebuild it; nor does it set up a new
/// OpenSSL verification context each time: the key object keeps a few initialised ones for reuse.
/// For many signatures by one key on one thread, `SignatureVerifier` skips even the pool's lock.
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The length of a raw public key in bytes.
    public static let byteCount = 32

    /// The 32 raw bytes (RFC 8032 encoding).
    public let rawRepresentation: [UInt8]
    let handle: EVPKey

    /// Wraps 32 raw bytes. Fails when the length is wrong or OpenSSL refuses the bytes.
    public init(rawRepresentation bytes: some Collection<UInt8>) throws {
        let raw = Array(bytes)
        guard raw.count == Self.byteCount else {
            throw CryptoError(.invalidKey, "an Ed25519 public key is 32 bytes, got \(raw.count)")
        }
        OpenSSLErrorQueue.clear()
        let key = raw.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
        }
        guard let key else { throw CryptoError.openSSL("OpenSSL refused the Ed25519 public key") }
        rawRepresentation = raw
        handle = EVPKey(key)
    }

    init(handle: EVPKey) throws {
        var length = 32
        var raw = [UInt8](repeating: 0, count: 32)
        guard EVP_PKEY_get_raw_public_key(handle.pointer, &raw, &length) == 1, length == 32 else {
            throw CryptoError.openSSL("could not read the Ed25519 public key")
        }
        rawRepresentation = raw
        self.handle = handle
    }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.rawRepresentation == rhs.rawRepresentation }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawRepresentation) }

    /// Lower-case hex of the 32 bytes.
    public var description: String { hex(rawRepresentation) }

    /// Whether `signature` is this key's signature of `domain.prefix + message`.
    public func isValidSignature(_ signature: some Collection<UInt8>, for message: some Collection<UInt8>,
                                 in domain: SignatureDomain) -> Bool {
        isValidSignature(signature, forRawMessage: domain.prefix + Array(message))
    }

    /// Whether `signature` is this key's signature of exactly `message` (RFC 8032 Ed25519, no prefix).
    /// Vigil itself always verifies through a `SignatureDomain`; this exists for known-answer tests.
    public func isValidSignature(_ signature: some Collection<UInt8>, forRawMessage message: some Collection<UInt8>) -> Bool {
        let sig = Array(signature)
        let msg = Array(message)
        guard sig.count == 64 else { return false }
        return handle.withVerificationContext { ctx in
            Ed25519Verification.verify(ctx, key: handle, signature: sig, message: msg)
        } ?? false
    }
}

/// Verifies signatures by one public key through one OpenSSL verification context that is initialised
/// once and re-armed for each signature, the way `openssl speed` measures Ed25519.
///
/// `PublicKey.isValidSignature` needs no set-up and is thread-safe; a `SignatureVerifier` is for a
/// thread or task that checks many signatures by the same key (a peer session receiving that peer's
/// entries, a batch by one author). It is not `Sendable`: an OpenSSL context may be used by one thread
/// at a time, so make one per thread or task.
public final class SignatureVerifier {
    /// The key whose signatures this verifier checks.
    public let publicKey: PublicKey
    private let context: OpaquePointer
    /// Reused buffer for `domain.prefix + message`.
    private var input: [UInt8] = []

    /// A verifier for `publicKey`. Fails only when OpenSSL cannot allocate or initialise a context.
    public init(publicKey: PublicKey) throws {
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.openSSL("could not allocate an Ed25519 verification context") }
        OpenSSLErrorQueue.clear()
        guard EVP_DigestVerifyInit_ex(ctx, nil, nil, nil, nil, publicKey.handle.pointer, nil) == 1 else {
            EVP_MD_CTX_free(ctx)
            throw CryptoError.openSSL("could not start an Ed25519 verification")
        }
        self.publicKey = publicKey
        context = ctx
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Whether `signature` is the key's signature of `domain.prefix + message`; the same answer as
    /// `publicKey.isValidSignature(signature, for: message, in: domain)`.
    public func isValidSignature(_ signature: some Collection<UInt8>, for message: some Collection<UInt8>,
                                 in domain: SignatureDomain) -> Bool {
        input.removeAll(keepingCapacity: true)
        input.append(contentsOf: domain.prefix)
        input.append(contentsOf: message)
        return Ed25519Verification.verify(context, key: publicKey.handle, signature: Array(signature), message: input)
    }

    /// Whether `signature` is the key's signature of exactly `message` (RFC 8032 Ed25519, no prefix).
    public func isValidSignature(_ signature: some Collection<UInt8>, forRawMessage message: some Collection<UInt8>) -> Bool {
        Ed25519Verification.verify(context, key: publicKey.handle, signature: Array(signature), message: Array(message))
    }
}

@available(*, unavailable, message: "a SignatureVerifier holds an OpenSSL context that one thread may use at a time; make one per thread or task")
extension SignatureVerifier: Sendable {}

/// One Ed25519 verification on a context that was initialised for `key` before.
enum Ed25519Verification {
    static func verify(_ ctx: OpaquePointer, key: EVPKey, signature: [UInt8], message: [UInt8]) -> Bool {
        guard signature.count == 64 else { return false }
        OpenSSLErrorQueue.clear()
        // Re-arm the context for a new one-shot verification. With a null key OpenSSL 3 re-initialises
        // the operation it already holds (no algorithm fetch, no new key context: tens of nanoseconds);
        // OpenSSL 3.2 and later refuse a second one-shot verify on a context that was not re-armed.
        // Should the cheap path ever be refused, initialise in full with the key.
        if EVP_DigestVerifyInit_ex(ctx, nil, nil, nil, nil, nil, nil) != 1 {
            OpenSSLErrorQueue.clear()
            guard EVP_DigestVerifyInit_ex(ctx, nil, nil, nil, nil, key.pointer, nil) == 1 else {
                OpenSSLErrorQueue.clear()
                return false
            }
        }
        let result = signature.withUnsafeBufferPointer { s in
            message.withUnsafeBufferPointer { m in EVP_DigestVerify(ctx, s.baseAddress, 64, m.baseAddress, m.count) }
        }
        // A failed verify leaves an entry on the error queue.
        OpenSSLErrorQueue.clear()
        return result == 1
    }
}

/// An Ed25519 private key. The secret lives inside OpenSSL, which wipes it when the key is freed;
/// it leaves only as a PKCS#8 PEM in wiped-on-free storage.
public final class SigningKey: @unchecked Sendable {
    let handle: EVPKey
    /// The matching public key (the node's identity).
    public let publicKey: PublicKey

    init(handle: EVPKey) throws {
        guard EVP_PKEY_get_id(handle.pointer) == EVP_PKEY_ED25519 else {
            throw CryptoError(.invalidKey, "the key is not an Ed25519 key; Vigil identities are Ed25519 (openssl genpkey -algorithm ed25519)")
        }
        self.handle = handle
        publicKey = try PublicKey(handle: handle)
    }

    /// Generates a new key from OpenSSL's CSPRNG.
    public static func generate() throws -> SigningKey {
        OpenSSLErrorQueue.clear()
        guard let ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else {
            throw CryptoError.openSSL("could not create an Ed25519 key-generation context")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_keygen(ctx, &key) == 1, let key else {
            throw CryptoError.openSSL("Ed25519 key generation failed")
        }
        return try SigningKey(handle: EVPKey(key))
    }

    /// Builds a key from its 32-byte RFC 8032 seed (the "secret key" of the test vectors).
    public convenience init(seed: SecureBytes) throws {
        guard seed.count == 32 else {
            throw CryptoError(.invalidKey, "an Ed25519 private key seed is 32 bytes, got \(seed.count)")
        }
        OpenSSLErrorQueue.clear()
        let key = seed.withUnsafeBytes {
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
        }
        guard let key else { throw CryptoError.openSSL("OpenSSL refused the Ed25519 seed") }
        try self.init(handle: EVPKey(key))
    }

    /// Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`), as written by `pemRepresentation`
    /// or by `openssl genpkey -algorithm ed25519`.
    public convenience init(pem: SecureBytes) throws {
        try self.init(handle: try PEMKeyCodec.read(pem))
    }

    /// The key as unencrypted PKCS#8 PEM, in storage that is wiped when freed.
    public func pemRepresentation() throws -> SecureBytes { try PEMKeyCodec.write(handle) }

    /// Signs `domain.prefix + message`.
    public func signature(for message: some Collection<UInt8>, in domain: SignatureDomain) throws -> [UInt8] {
        try signature(forRawMessage: domain.prefix + Array(message))
    }

    /// Signs exactly `message` (RFC 8032 Ed25519, no prefix). Vigil itself always signs through a
    /// `SignatureDomain`; this exists for known-answer tests.
    public func signature(forRawMessage message: some Collection<UInt8>) throws -> [UInt8] {
        let msg = Array(message)
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.openSSL("could not allocate a signing context") }
        defer { EVP_MD_CTX_free(ctx) }
        OpenSSLErrorQueue.clear()
        guard EVP_DigestSignInit_ex(ctx, nil, nil, nil, nil, handle.pointer, nil) == 1 else {
            throw CryptoError.openSSL("could not start an Ed25519 signature")
        }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        let ok = signature.withUnsafeMutableBufferPointer { s in
            msg.withUnsafeBufferPointer { m in EVP_DigestSign(ctx, s.baseAddress, &length, m.baseAddress, m.count) }
        }
        guard ok == 1, length == 64 else { throw CryptoError.openSSL("Ed25519 signing failed") }
        return signature
    }
}

/// Owns one `EVP_PKEY`: immutable after init, freed in `deinit`, so it may be shared across threads.
///
/// It also keeps a few idle verification contexts initialised for the key, so that verifying by a
/// key that is kept (a roster member's, a peer's) skips OpenSSL's per-call algorithm fetch and context
/// set-up. The pool is guarded by a lock; a context is used by one thread at a time.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer
    private let lock = NSLock()
    private var idle: [OpaquePointer] = []
    /// More idle contexts than this are freed: enough for every core verifying by one key at once.
    private static let maxIdle = 8

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit {
        for ctx in idle { EVP_MD_CTX_free(ctx) }
        EVP_PKEY_free(pointer)
    }

    /// Runs `body` with a verification context initialised for this key; nil if OpenSSL cannot make one.
    func withVerificationContext<R>(_ body: (OpaquePointer) -> R) -> R? {
        lock.lock()
        var ctx = idle.popLast()
        lock.unlock()
        if ctx == nil {
            guard let fresh = EVP_MD_CTX_new() else { return nil }
            OpenSSLErrorQueue.clear()
            guard EVP_DigestVerifyInit_ex(fresh, nil, nil, nil, nil, pointer, nil) == 1 else {
                OpenSSLErrorQueue.clear()
                EVP_MD_CTX_free(fresh)
                return nil
            }
            ctx = fresh
        }
        let result = body(ctx!)
        lock.lock()
        let keep = idle.count < Self.maxIdle
        if keep { idle.append(ctx!) }
        lock.unlock()
        if !keep { EVP_MD_CTX_free(ctx!) }
        return result
    }
}

/// Lower-case hexadecimal of `bytes`.
public func hex(_ bytes: some Sequence<UInt8>) -> String {
    @inline(__always) func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }
    if let text = bytes.withContiguousStorageIfAvailable({ buffer in
        String(unsafeUninitializedCapacity: buffer.count * 2) { out in
            for (i, b) in buffer.enumerated() {
                out[2 * i] = digit(b >> 4)
                out[2 * i + 1] = digit(b & 0x0f)
            }
            return buffer.count * 2
        }
    }) { return text }
    var out = [UInt8]()
    out.reserveCapacity(bytes.underestimatedCount * 2)
    for b in bytes {
        out.append(digit(b >> 4))
        out.append(digit(b & 0x0f))
    }
    return String(decoding: out, as: UTF8.self)
}

/// Parses hexadecimal (either case, even length); nil when it is not hex.
public func bytes(fromHex text: some StringProtocol) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 2 == 0 else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
    var out = [UInt8]()
    out.reserveCapacity(chars.count / 2)
    var i = 0
    while i < chars.count {
        guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
        out.append(hi << 4 | lo)
        i += 2
    }
    return out
}
