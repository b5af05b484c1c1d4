internal import COpenSSL

/// SHA-256 through OpenSSL's EVP interface, with the algorithm fetched once per process.
public enum SHA256 {
    /// The length of a digest in bytes.
    public static let byteCount = 32

    private static let algorithm = FetchedDigest(name: "SHA256")

    /// Returns the 32-byte SHA-256 digest of `bytes`.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let ok = digest.withUnsafeMutableBytes { out in
            EVP_Digest(bytes.baseAddress, bytes.count, out.baseAddress, &length, algorithm.pointer, nil)
        }
        precondition(ok == 1 && length == 32, "SHA-256 failed inside OpenSSL: \(OpenSSLErrorQueue.drain())")
        return digest
    }

    /// Returns the 32-byte SHA-256 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }
}

/// An `EVP_MD` fetched once and shared: immutable after `init`, freed never (process lifetime).
final class FetchedDigest: @unchecked Sendable {
    let pointer: OpaquePointer

    init(name: String) {
        guard let md = EVP_MD_fetch(nil, name, nil) else {
            preconditionFailure("OpenSSL has no \(name) digest: \(OpenSSLErrorQueue.drain())")
        }
        pointer = md
    }

    deinit { EVP_MD_free(pointer) }
}
