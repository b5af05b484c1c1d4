internal import COpenSSL

/// Secret random bytes from OpenSSL's CSPRNG (`RAND_bytes`), e.g. a bundle's content key.
public enum SecureRandom {
    /// `count` random bytes in wiped-on-free storage.
    public static func bytes(_ count: Int) throws -> SecureBytes {
        let out = SecureBytes(zeroed: count)
        OpenSSLErrorQueue.clear()
        let ok = out.withUnsafeMutableBytes { RAND_bytes($0.bindMemory(to: UInt8.self).baseAddress, Int32(count)) }
        guard ok == 1 else { throw CryptoError.openSSL("the random generator failed") }
        return out
    }
}
