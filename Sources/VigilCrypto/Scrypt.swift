internal import COpenSSL

/// The scrypt password-based key derivation function (RFC 7914) through OpenSSL's `EVP_KDF` "SCRYPT".
///
/// Memory-hard: one derivation needs `128 · r · N` bytes, which is what makes guessing passwords on
/// special hardware expensive. Used for the desk officers' password hashes (docs/desk.md).
public enum Scrypt {
    /// The cost parameters of one derivation. Stored next to every hash, so they can be raised later.
    public struct Parameters: Codable, Equatable, Sendable {
        /// CPU/memory cost: a power of two, at least 2.
        public var n: UInt64
        /// Block size.
        public var r: UInt32
        /// Parallelisation.
        public var p: UInt32

        /// Creates parameters; `validated()` checks them.
        public init(n: UInt64, r: UInt32, p: UInt32) {
            self.n = n
            self.r = r
            self.p = p
        }

        /// The parameters for new officer passwords: N = 2^15, r = 8, p = 1 (32 MiB, ≈ 0.1 s on one core).
        public static let interactive = Parameters(n: 1 << 15, r: 8, p: 1)

        /// The memory one derivation needs, in bytes (`128 · r · N · p`-bounded; scrypt's V array plus B).
        public var memoryBytes: UInt64 { 128 &* UInt64(r) &* (n &+ UInt64(p) &+ 2) }

        /// The largest memory any accepted parameter set may need: 256 MiB.
        public static let maxMemoryBytes: UInt64 = 256 << 20
    }

    /// Derives `length` bytes from `password` and `salt`.
    ///
    /// Throws `CryptoError(.invalidKey)` when the parameters are out of range (N not a power of two,
    /// more memory than `Parameters.maxMemoryBytes`), and `.openSSL` if OpenSSL refuses.
    public static func derive(password: some Collection<UInt8>, salt: some Collection<UInt8>,
                              parameters: Parameters, length: Int) throws -> [UInt8] {
        let n = parameters.n, r = parameters.r, p = parameters.p
        guard n >= 2, n & (n - 1) == 0, r >= 1, p >= 1, r <= 1 << 10, p <= 1 << 10,
              n <= 1 << 24, parameters.memoryBytes <= Parameters.maxMemoryBytes else {
            throw CryptoError(.invalidKey, "scrypt parameters N=\(n) r=\(r) p=\(p) are out of range: N must be a power of two from 2 to 2^24, r and p from 1 to 1024, and the memory needed at most \(Parameters.maxMemoryBytes >> 20) MiB")
        }
        guard length >= 1, length <= 1024 else {
            throw CryptoError(.invalidKey, "scrypt output length \(length) is out of range (1…1024 bytes)")
        }
        OpenSSLErrorQueue.clear()
        guard let kdf = EVP_KDF_fetch(nil, "SCRYPT", nil) else { throw CryptoError.openSSL("OpenSSL has no SCRYPT KDF") }
        defer { EVP_KDF_free(kdf) }
        guard let context = EVP_KDF_CTX_new(kdf) else { throw CryptoError.openSSL("could not create a scrypt context") }
        defer { EVP_KDF_CTX_free(context) }

        var passwordBytes = Array(password)
        let saltBytes = Array(salt)
        defer { OPENSSL_cleanse(&passwordBytes, passwordBytes.count) }
        // OSSL_PARAM keeps pointers to its key names and values until the derive call: give them storage
        // that lives that long (static strings for the keys, allocated cells for the numbers).
        let numbers = UnsafeMutablePointer<UInt64>.allocate(capacity: 2)
        let smallNumbers = UnsafeMutablePointer<UInt32>.allocate(capacity: 2)
        defer {
            numbers.deallocate()
            smallNumbers.deallocate()
        }
        numbers[0] = n
        // OpenSSL's own default memory ceiling is below some accepted sets; ours is checked above.
        numbers[1] = Parameters.maxMemoryBytes + (1 << 20)
        smallNumbers[0] = r
        smallNumbers[1] = p
        var output = [UInt8](repeating: 0, count: length)
        // A zero-length buffer still needs a non-null pointer.
        let passStorage = passwordBytes.isEmpty ? [0] : passwordBytes
        let saltStorage = saltBytes.isEmpty ? [0] : saltBytes
        let status: Int32 = passStorage.withUnsafeBytes { pass in
            saltStorage.withUnsafeBytes { saltPointer in
                let params: [OSSL_PARAM] = [
                    OSSL_PARAM_construct_octet_string(Self.key("pass"), UnsafeMutableRawPointer(mutating: pass.baseAddress), passwordBytes.count),
                    OSSL_PARAM_construct_octet_string(Self.key("salt"), UnsafeMutableRawPointer(mutating: saltPointer.baseAddress), saltBytes.count),
                    OSSL_PARAM_construct_uint64(Self.key("n"), numbers),
                    OSSL_PARAM_construct_uint32(Self.key("r"), smallNumbers),
                    OSSL_PARAM_construct_uint32(Self.key("p"), smallNumbers + 1),
                    OSSL_PARAM_construct_uint64(Self.key("maxmem_bytes"), numbers + 1),
                    OSSL_PARAM_construct_end(),
                ]
                return params.withUnsafeBufferPointer { list in
                    output.withUnsafeMutableBytes { out in
                        EVP_KDF_derive(context, out.baseAddress?.assumingMemoryBound(to: UInt8.self), out.count, list.baseAddress)
                    }
                }
            }
        }
        guard status == 1 else { throw CryptoError.openSSL("scrypt derivation failed (N=\(n) r=\(r) p=\(p))") }
        return output
    }
}

extension Scrypt {
    /// A parameter name as a C string that lives for the whole process (a static string's storage).
    fileprivate static func key(_ name: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
