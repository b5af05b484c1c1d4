#if canImport(Glibc)
import Glibc
#endif

/// Reads and writes private key files with owner-only permissions.
///
/// A key file is created with mode 0600 and `O_EXCL`, so an existing identity is never overwritten.
/// Loading a key file that the group or others can read (or write) fails: a key that others could
/// copy is no longer an identity, and the operator should treat it as compromised.
public enum KeyFile {
    /// Writes `key` as PKCS#8 PEM to a new file at `path` with mode 0600.
    /// Fails with `.keyFileExists` if anything is already there.
    public static func write(_ key: SigningKey, to path: String) throws {
        try write(pem: key.pemRepresentation(), to: path)
    }

    /// Writes an X25519 encryption key (`encryption.key`) as PKCS#8 PEM to a new file with mode 0600.
    public static func write(_ key: AgreementKey, to path: String) throws {
        try write(pem: key.pemRepresentation(), to: path)
    }

    /// Loads an X25519 encryption key from a PEM file that only its owner can read.
    public static func readAgreementKey(from path: String) throws -> AgreementKey {
        let buffer = try readPEM(from: path)
        do {
            return try AgreementKey(pem: buffer)
        } catch let error as CryptoError {
            throw CryptoError(error.code, "key file \(path): \(error.message)")
        }
    }

    private static func write(pem: SecureBytes, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            let err = errno
            if err == EEXIST {
                throw CryptoError(.keyFileExists, "\(path) already exists; Vigil never overwrites an identity key. Move it away first if you really mean to replace this node's identity.")
            }
            throw CryptoError(.fileSystem, "cannot create \(path): \(String(cString: strerror(err)))")
        }
        defer { close(fd) }
        // The umask may have narrowed the mode further; make sure it is exactly 0600.
        fchmod(fd, 0o600)
        try pem.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CryptoError(.fileSystem, "cannot write \(path): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else {
            throw CryptoError(.fileSystem, "cannot flush \(path) to disk: \(String(cString: strerror(errno)))")
        }
    }

    /// Loads an Ed25519 private key from a PEM file that only its owner can read.
    public static func read(from path: String) throws -> SigningKey {
        let buffer = try readPEM(from: path)
        do {
            return try SigningKey(pem: buffer)
        } catch let error as CryptoError {
            throw CryptoError(error.code, "key file \(path): \(error.message)")
        }
    }

    /// Loads the private key of an HTTPS certificate (RSA, ECDSA or Ed25519, unencrypted PEM) from a
    /// file that only its owner can read: the desk's `--desk-key`, which may be the node's own
    /// `identity.key`.
    public static func readServerKey(from path: String) throws -> ServerKey {
        let buffer = try readPEM(from: path, maxBytes: 64 * 1024, advice: "if others may have copied it, replace the key and its certificate")
        do {
            return try ServerKey(pem: buffer)
        } catch let error as CryptoError {
            throw CryptoError(error.code, "key file \(path): \(error.message)")
        }
    }

    /// The bytes of a key file that only its owner can read or write.
    private static func readPEM(from path: String, maxBytes: Int = 16 * 1024,
                                advice: String = "if others may have copied it, treat the key as compromised and have the federation authority rotate it") throws -> SecureBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw CryptoError(.fileSystem, "cannot open key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw CryptoError(.fileSystem, "cannot stat \(path): \(String(cString: strerror(errno)))")
        }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            throw CryptoError(.keyFileUnsafe, "key file \(path) has mode \(String(mode, radix: 8)) and can be read or changed by other users; run `chmod 600 \(path)` and, \(advice)")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CryptoError(.keyFileUnsafe, "key file \(path) is not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0, size <= maxBytes else {
            throw CryptoError(.invalidPEM, "key file \(path) has \(size) bytes; a PEM key is about 120 bytes (Ed25519, X25519) to 3 KiB (RSA 4096)")
        }
        let buffer = SecureBytes(zeroed: size)
        try buffer.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < size {
                let n = Glibc.read(fd, raw.baseAddress! + offset, size - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CryptoError(.fileSystem, "cannot read \(path): \(String(cString: strerror(errno)))")
                }
                if n == 0 { break }
                offset += n
            }
        }
        return buffer
    }
}
