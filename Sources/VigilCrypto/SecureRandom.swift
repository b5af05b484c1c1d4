internal import COpenSSL

/// Random bytes from OpenSSL's CSPRNG (`RAND_bytes`, seeded from the kernel): secrets in wiped-on-free
/// storage (a bundle's content key), or plain bytes (salts, session tokens).
public enum SecureRandom {
    /// `count` random bytes. Traps if OpenSSL's generator fails (it is seeded from the kernel).
    public static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return bytes }
        OpenSSLErrorQueue.clear()
        let ok = bytes.withUnsafeMutableBytes { RAND_bytes($0.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32($0.count)) }
        precondition(ok == 1, "OpenSSL's random generator failed: \(OpenSSLErrorQueue.drain())")
        return bytes
    }

    /// `count` secret random bytes in wiped-on-free storage.
    public static func secret(_ count: Int) throws -> SecureBytes {
        let out = SecureBytes(zeroed: count)
        OpenSSLErrorQueue.clear()
        let ok = out.withUnsafeMutableBytes { RAND_bytes($0.bindMemory(to: UInt8.self).baseAddress, Int32(count)) }
        guard ok == 1 else { throw CryptoError.openSSL("the random generator failed") }
        return out
    }
}
