internal import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// HKDF with SHA-256 (RFC 5869), through OpenSSL's `EVP_KDF` "HKDF" (extract then expand).
public enum HKDF {
    /// Derives `count` bytes (at most 255 × 32) from `secret`, `salt` and `info`.
    public static func sha256(secret: SecureBytes, salt: [UInt8], info: [UInt8], count: Int) throws -> SecureBytes {
        guard count > 0, count <= 255 * 32 else {
            throw CryptoError(.invalidKey, "HKDF-SHA256 gives 1 to 8160 bytes, \(count) were asked for")
        }
        OpenSSLErrorQueue.clear()
        guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else { throw CryptoError.openSSL("OpenSSL has no HKDF") }
        defer { EVP_KDF_free(kdf) }
        guard let ctx = EVP_KDF_CTX_new(kdf) else { throw CryptoError.openSSL("could not create an HKDF context") }
        defer { EVP_KDF_CTX_free(ctx) }
        // OSSL_PARAM keeps pointers to its names and values: they must live until the derive returns.
        let names: [UnsafeMutablePointer<CChar>] = ["digest", "key", "salt", "info"].map { (name: String) in strdup(name)! }
        let digest = strdup("SHA256")!
        defer { names.forEach { free($0) }; free(digest) }
        let out = SecureBytes(zeroed: count)
        // A zero-length salt or info still needs a valid pointer.
        var saltBytes = salt.isEmpty ? [0] : salt
        var infoBytes = info.isEmpty ? [0] : info
        let ok = secret.withUnsafeBytes { key in
            saltBytes.withUnsafeMutableBytes { s in
                infoBytes.withUnsafeMutableBytes { i in
                    out.withUnsafeMutableBytes { o in
                        var params = [
                            OSSL_PARAM_construct_utf8_string(names[0], digest, 0),
                            OSSL_PARAM_construct_octet_string(names[1], UnsafeMutableRawPointer(mutating: key.baseAddress), key.count),
                            OSSL_PARAM_construct_octet_string(names[2], s.baseAddress, salt.count),
                            OSSL_PARAM_construct_octet_string(names[3], i.baseAddress, info.count),
                            OSSL_PARAM_construct_end(),
                        ]
                        return EVP_KDF_derive(ctx, o.bindMemory(to: UInt8.self).baseAddress, count, &params) == 1
                    }
                }
            }
        }
        guard ok else { throw CryptoError.openSSL("HKDF-SHA256 failed") }
        return out
    }
}
