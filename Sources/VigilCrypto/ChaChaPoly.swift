internal import COpenSSL

/// ChaCha20-Poly1305 (RFC 8439) through OpenSSL's EVP cipher interface: authenticated encryption with
/// associated data, used to wrap bundle content keys and to encrypt bundle contents (docs/bundles.md).
///
/// Each key must never encrypt two messages under one nonce; bundle keys are fresh per bundle and per
/// recipient, so a fixed nonce is safe there.
public enum ChaChaPoly {
    /// Key length in bytes.
    public static let keyBytes = 32
    /// Nonce length in bytes.
    public static let nonceBytes = 12
    /// Authentication tag length in bytes.
    public static let tagBytes = 16

    /// Encrypts `plaintext`; returns the ciphertext (same length) and the 16-byte tag over it and `aad`.
    public static func seal(_ plaintext: [UInt8], key: SecureBytes, nonce: [UInt8], aad: [UInt8]) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        let ctx = try Context(key: key, nonce: nonce, encrypt: true)
        try ctx.update(aad: aad)
        let ciphertext = try ctx.update(plaintext)
        var tag = [UInt8](repeating: 0, count: tagBytes)
        var length: Int32 = 0
        var scratch = [UInt8](repeating: 0, count: 16)
        guard EVP_EncryptFinal_ex(ctx.pointer, &scratch, &length) == 1,
              EVP_CIPHER_CTX_ctrl(ctx.pointer, EVP_CTRL_AEAD_GET_TAG, Int32(tagBytes), &tag) == 1 else {
            throw CryptoError.openSSL("ChaCha20-Poly1305 encryption failed")
        }
        return (ciphertext, tag)
    }

    /// Decrypts and authenticates; throws `.authenticationFailed` when the ciphertext, tag, `aad`, key
    /// or nonce differ from the ones sealed (nothing of the plaintext is returned then).
    public static func open(_ ciphertext: [UInt8], tag: [UInt8], key: SecureBytes, nonce: [UInt8], aad: [UInt8]) throws -> [UInt8] {
        guard tag.count == tagBytes else {
            throw CryptoError(.authenticationFailed, "a ChaCha20-Poly1305 tag is \(tagBytes) bytes, got \(tag.count)")
        }
        let ctx = try Context(key: key, nonce: nonce, encrypt: false)
        try ctx.update(aad: aad)
        let plaintext = try ctx.update(ciphertext)
        var expected = tag
        var length: Int32 = 0
        var scratch = [UInt8](repeating: 0, count: 16)
        guard EVP_CIPHER_CTX_ctrl(ctx.pointer, EVP_CTRL_AEAD_SET_TAG, Int32(tagBytes), &expected) == 1 else {
            throw CryptoError.openSSL("could not set the ChaCha20-Poly1305 tag")
        }
        guard EVP_DecryptFinal_ex(ctx.pointer, &scratch, &length) == 1 else {
            OpenSSLErrorQueue.clear()
            throw CryptoError(.authenticationFailed, "the authentication tag does not match: the data was changed, or this is the wrong key")
        }
        return plaintext
    }

    /// One cipher context, freed in `deinit`.
    private final class Context {
        let pointer: OpaquePointer
        let encrypt: Bool

        init(key: SecureBytes, nonce: [UInt8], encrypt: Bool) throws {
            guard key.count == keyBytes else { throw CryptoError(.invalidKey, "a ChaCha20-Poly1305 key is \(keyBytes) bytes, got \(key.count)") }
            guard nonce.count == nonceBytes else { throw CryptoError(.invalidKey, "a ChaCha20-Poly1305 nonce is \(nonceBytes) bytes, got \(nonce.count)") }
            OpenSSLErrorQueue.clear()
            guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("could not allocate a cipher context") }
            pointer = ctx
            self.encrypt = encrypt
            let ok = key.withUnsafeBytes { k in
                nonce.withUnsafeBufferPointer { n in
                    encrypt
                        ? EVP_EncryptInit_ex2(ctx, EVP_chacha20_poly1305(), k.bindMemory(to: UInt8.self).baseAddress, n.baseAddress, nil)
                        : EVP_DecryptInit_ex2(ctx, EVP_chacha20_poly1305(), k.bindMemory(to: UInt8.self).baseAddress, n.baseAddress, nil)
                }
            }
            guard ok == 1 else { throw CryptoError.openSSL("could not start ChaCha20-Poly1305") }
        }

        deinit { EVP_CIPHER_CTX_free(pointer) }

        func update(aad: [UInt8]) throws {
            guard !aad.isEmpty else { return }
            var length: Int32 = 0
            let ok = aad.withUnsafeBufferPointer { a in
                encrypt ? EVP_EncryptUpdate(pointer, nil, &length, a.baseAddress, Int32(a.count))
                        : EVP_DecryptUpdate(pointer, nil, &length, a.baseAddress, Int32(a.count))
            }
            guard ok == 1 else { throw CryptoError.openSSL("ChaCha20-Poly1305 could not take the associated data") }
        }

        /// Processes `input` in chunks below Int32.max.
        func update(_ input: [UInt8]) throws -> [UInt8] {
            var output = [UInt8](repeating: 0, count: input.count)
            let chunk = 1 << 30
            var offset = 0
            let ok = input.withUnsafeBufferPointer { i in
                output.withUnsafeMutableBufferPointer { o in
                    while offset < input.count {
                        let n = min(chunk, input.count - offset)
                        var length: Int32 = 0
                        let r = encrypt ? EVP_EncryptUpdate(pointer, o.baseAddress! + offset, &length, i.baseAddress! + offset, Int32(n))
                                        : EVP_DecryptUpdate(pointer, o.baseAddress! + offset, &length, i.baseAddress! + offset, Int32(n))
                        guard r == 1, Int(length) == n else { return false }
                        offset += n
                    }
                    return true
                }
            }
            guard ok else { throw CryptoError.openSSL("ChaCha20-Poly1305 failed") }
            return output
        }
    }
}
