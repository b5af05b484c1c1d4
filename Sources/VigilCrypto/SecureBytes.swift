internal import COpenSSL

/// Secret bytes (private key seeds, private-key PEM text) that are zeroised when freed.
///
/// The storage is allocated once and never copied by Swift's copy-on-write machinery, so the wipe in
/// `deinit` reaches the only copy. Use `withUnsafeBytes` to read the contents.
public final class SecureBytes: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `bytes` into wiped-on-free storage. The caller should wipe its own copy if it can.
    public init(_ bytes: some Collection<UInt8>) {
        storage = .allocate(byteCount: max(bytes.count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        var index = 0
        for byte in bytes {
            storage[index] = byte
            index += 1
        }
        count = bytes.count
    }

    /// Allocates `count` zero bytes for the caller to fill through `withUnsafeMutableBytes`.
    public init(zeroed count: Int) {
        storage = .allocate(byteCount: max(count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        self.count = count
    }

    /// The number of secret bytes.
    public let count: Int

    /// Reads the secret bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// Writes the secret bytes in place.
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
    }

    deinit {
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }
}

/// Compares two byte strings in time that depends only on their lengths, never on their contents.
public func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
    let a = Array(lhs)
    let b = Array(rhs)
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { pa in
        b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, a.count) == 0 }
    }
}
